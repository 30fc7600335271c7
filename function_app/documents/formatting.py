"""How dates, times and lists read in a letter: 3 March 2026, 9:30am."""

from __future__ import annotations

from datetime import date

from function_app.domain.wording import clock

__all__ = ["clock", "lines", "long_date", "tick", "weekday_date", "year_group"]


def long_date(d: date | None) -> str:
    """'3 March 2026'; '' for no date (never 'None')."""
    return f"{d.day} {d:%B %Y}" if d else ""


def weekday_date(d: date | None) -> str:
    """'Tuesday 3 March 2026', for invitations."""
    return f"{d:%A} {long_date(d)}" if d else ""


def year_group(n: int) -> str:
    return "Reception" if n == 0 else f"Year {n}"


def lines(text: str) -> list[str]:
    """An address typed with line breaks (or commas) as its lines."""
    parts = text.splitlines() if "\n" in text else text.split(",")
    return [p.strip() for p in parts if p.strip()]


def tick(flag: bool) -> str:
    return "\u2713" if flag else ""

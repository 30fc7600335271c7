"""Cell values as MIS exports write them: counts, percentages, dates, sessions and codes.

Each parser returns the value or raises ValueError with a message for the user.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from fractions import Fraction

from function_app.domain.codes import KNOWN_CODES
from function_app.domain.model import Session

Cell = int | float | str | bool | dt.time | dt.date | dt.datetime | dt.timedelta | None

_SUB_CODE = re.compile(r"^([A-Z][0-9]?)[0-9]{2}$")


def as_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell).strip()


def identifier(cell: Cell) -> str:
    return as_text(cell).upper() if isinstance(cell, str) else as_text(cell)


def count(cell: Cell) -> int:
    """A whole, non-negative number of sessions ('12', 12, 12.0)."""
    if isinstance(cell, bool):
        raise ValueError(f"expected a number of sessions, got {cell!r}")
    if isinstance(cell, int | float):
        value = Fraction(cell)
    else:
        text = as_text(cell)
        if not text:
            raise ValueError("expected a number of sessions, the cell is blank")
        try:
            value = Fraction(text.replace(",", ""))
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"expected a number of sessions, got {text!r}") from None
    if value.denominator != 1 or value < 0:
        raise ValueError(f"expected a whole number of sessions (0 or more), got {as_text(cell)}")
    return int(value)


def percent(cell: Cell) -> Fraction:
    """94, '94', '94%', '94.5 %' or 0.94 all mean 94%; a value of 1 or less is a fraction
    (so 1 means 100%, and a pupil at 1% must be written as '1%')."""
    text = as_text(cell) if not isinstance(cell, int | float) else ""
    if isinstance(cell, bool):
        raise ValueError(f"expected a percentage, got {cell!r}")
    try:
        if isinstance(cell, int | float):
            value = Fraction(repr(cell))  # 0.94 as written, not its binary float
            explicit = False
        else:
            explicit = text.endswith("%")
            value = Fraction(text.rstrip("%").strip())
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"expected a percentage such as 94 or 0.94, got {text!r}") from None
    if not explicit and value <= 1:
        value *= 100
    if not 0 <= value <= 100:
        raise ValueError(f"expected a percentage between 0 and 100, got {as_text(cell)}")
    return value


def day(cell: Cell) -> dt.date:
    """A date cell, or text written dd/mm/yyyy (UK order) or yyyy-mm-dd."""
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    text = as_text(cell)
    try:
        if "/" in text:
            d, m, y = (int(part) for part in text.split("/"))
            return dt.date(y + 2000 if y < 100 else y, m, d)
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"expected a date written dd/mm/yyyy or yyyy-mm-dd, got {text!r}"
                         ) from None


_SESSIONS = {"am": Session.AM, "a": Session.AM, "morning": Session.AM, "pm": Session.PM,
             "p": Session.PM, "afternoon": Session.PM}


def session(cell: Cell) -> Session:
    text = as_text(cell)
    try:
        return _SESSIONS[text.lower()]
    except KeyError:
        raise ValueError(f"expected AM or PM, got {text!r}") from None


def national_code(raw: str, extra: Mapping[str, str]) -> str:
    """The national code a mark counts as: a known code as it is; a sub-code such as I01
    or N02 as its national code (I, N); a code the mapping file names, as it says."""
    if raw in KNOWN_CODES:
        return raw
    upper = raw.upper()
    if upper in KNOWN_CODES:
        return upper
    if raw in extra:
        return extra[raw]
    match = _SUB_CODE.match(upper)
    if match and match.group(1) in KNOWN_CODES:
        return match.group(1)
    raise ValueError(f"{raw!r} is not an attendance code in the 2024 regulations")


_YES = frozenset({"y", "yes", "true", "1", "t", "x", "✓"})
_NO = frozenset({"n", "no", "false", "0", "f", "none", "-"})


def yes_no(cell: Cell) -> bool:
    """Y, Yes, True, 1 or a date (when the plan was agreed) mean yes; N, No, 0 or blank no."""
    if isinstance(cell, dt.date):
        return True
    if isinstance(cell, bool):
        return cell
    text = as_text(cell).lower()
    if text in _YES:
        return True
    if text in _NO or text == "":
        return False
    try:
        day(cell)
        return True
    except ValueError:
        raise ValueError(f"expected Yes or No (or the date it was agreed), got "
                         f"{as_text(cell)!r}") from None


_SEN = {"e": "EHCP", "k": "SEN support", "n": "No SEN", "s": "EHCP (statement)"}


def characteristic(name: str, cell: Cell) -> str:
    """A characteristic as the pack shows it: yes/no columns as Yes or No, SEN's DfE
    letters (E, K, N) in words, anything else as written."""
    text = as_text(cell)
    if name == "sen":
        return _SEN.get(text.lower(), text or "No SEN")
    if name in ("fsm", "pupil_premium", "eal"):
        lowered = text.lower()
        return "Yes" if lowered in _YES else "No" if lowered in _NO or not text else text
    return text or "Not given"

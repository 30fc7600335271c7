"""School days: weekends and the school's holidays are not days a review can fall on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .model import DateRange


@dataclass(frozen=True, slots=True)
class SchoolCalendar:
    holidays: tuple[DateRange, ...] = ()

    @classmethod
    def of(cls, *holiday_lists: Iterable[DateRange]) -> SchoolCalendar:
        return cls(tuple(h for holidays in holiday_lists for h in holidays))

    def is_school_day(self, day: date) -> bool:
        return day.weekday() < 5 and not any(day in h for h in self.holidays)

    def why_closed(self, day: date) -> str:
        """'a Saturday', 'Spring half term', or '' on a school day."""
        if day.weekday() >= 5:
            return f"a {day:%A}"
        holiday = next((h for h in self.holidays if day in h), None)
        if holiday is None:
            return ""
        return holiday.name or "a school holiday"

    def on_or_before(self, day: date, not_before: date) -> date | None:
        """The latest school day in [not_before, day], or None."""
        while day >= not_before:
            if self.is_school_day(day):
                return day
            day -= timedelta(days=1)
        return None

    def on_or_after(self, day: date, limit_days: int = 366) -> date:
        """The first school day from ``day`` on (a year ahead at most, then ``day`` itself)."""
        for offset in range(limit_days):
            candidate = day + timedelta(days=offset)
            if self.is_school_day(candidate):
                return candidate
        return day

"""UK wall-clock time, which is what "08:00 on a weekday" and "today" mean to schools.

Azure Functions run in UTC, and WEBSITE_TIME_ZONE is not supported on every plan (not on
Linux Consumption), so the rule is written out here rather than read from tzdata: British
Summer Time runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last
Sunday of October (The Summer Time Order 2002).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

GMT = timezone(timedelta(0), "GMT")
BST = timezone(timedelta(hours=1), "BST")


def _last_sunday(year: int, month: int) -> date:
    last = date(year, month, 31)  # March and October both have 31 days
    return last - timedelta(days=(last.weekday() - 6) % 7)


def uk_time(moment: datetime) -> datetime:
    """The same instant on a UK clock (aware, GMT or BST); a naive moment is taken as UTC."""
    utc = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    starts = datetime.combine(_last_sunday(utc.year, 3), time(1), UTC)
    ends = datetime.combine(_last_sunday(utc.year, 10), time(1), UTC)
    return utc.astimezone(BST if starts <= utc < ends else GMT)


def utc_now() -> datetime:
    return datetime.now(UTC)

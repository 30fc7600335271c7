"""Penalty notices: the threshold to consider one, and how many are still allowed.

DfE, Working together to improve school attendance (2024), national framework for penalty
notices; The Education (Penalty Notices) (England) Regulations 2007 as amended in 2024.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .model import Carer, PenaltyNotice, SessionMark
from .policy import Profile

NOT_A_SCHOOL_WEEK = frozenset({"#", "Z"})  # planned closure; not yet on roll


@dataclass(frozen=True, slots=True)
class ThresholdCheck:
    """The window of school weeks with the most recent crossing of the threshold."""

    reached: bool
    sessions: int  # unauthorised sessions in the window reported
    window_start: date | None
    window_end: date | None
    school_weeks: int  # school weeks in that window


def penalty_threshold(marks: Sequence[SessionMark], profile: Profile) -> ThresholdCheck | None:
    """Is there a rolling run of N school weeks with at least M unauthorised sessions?

    A school week is a Monday-to-Sunday week in which the register has a mark other than
    '#' (planned closure) or 'Z' (not yet on roll); weeks of holiday have no marks and so
    are skipped, which is how the window 'may span terms and school years'. Reports the
    latest window that reaches the threshold, or else the latest window. None if no marks.
    """
    rule = profile.penalty_threshold
    weeks: dict[date, int] = {}
    for mark in marks:
        if mark.code in NOT_A_SCHOOL_WEEK:
            continue
        monday = mark.date - timedelta(days=mark.date.weekday())
        weeks.setdefault(monday, 0)
        if mark.code in rule.codes:
            weeks[monday] += 1
    if not weeks:
        return None
    mondays = sorted(weeks)
    size = min(rule.school_weeks, len(mondays))
    windows = []
    for first in range(len(mondays) - size + 1):
        span = mondays[first:first + size]
        windows.append((sum(weeks[m] for m in span), span))
    reached = [(n, span) for n, span in windows if n >= rule.sessions]
    sessions, span = reached[-1] if reached else windows[-1]
    end = _last_marked_day(marks, span[-1])
    return ThresholdCheck(bool(reached), sessions, _first_marked_day(marks, span[0]), end,
                          len(span))


def _school_days(marks: Iterable[SessionMark], monday: date) -> list[date]:
    return [m.date for m in marks if monday <= m.date < monday + timedelta(days=7)
            and m.code not in NOT_A_SCHOOL_WEEK]


def _first_marked_day(marks: Iterable[SessionMark], monday: date) -> date:
    return min(_school_days(marks, monday))


def _last_marked_day(marks: Iterable[SessionMark], monday: date) -> date:
    return max(_school_days(marks, monday))


@dataclass(frozen=True, slots=True)
class Allowance:
    """For one parent: notices in the rolling window and what another would cost."""

    carer_id: str
    issued_in_window: int
    remaining: int
    next_amount: str  # '' when none may be issued
    available_again_on: date | None  # when the oldest notice leaves the window


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def years_after(day: date, years: int) -> date:
    """The same day N years on; 29 February becomes 1 March, the first day on which a
    notice of 29 February is more than N years old by ``years_before``."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def allowances(
    carers: Iterable[Carer], notices: Iterable[PenaltyNotice], profile: Profile, today: date
) -> list[Allowance]:
    """Per parent, per child: at most N notices in a rolling number of years."""
    years = profile.penalty_notice_rolling_years
    window_start = years_before(today, years)
    notices = list(notices)
    amounts = profile.penalty_amounts
    result = []
    for carer in carers:
        recent = sorted(n.issued_on for n in notices
                        if n.carer_id == carer.id and window_start < n.issued_on <= today)
        remaining = max(0, profile.penalty_notice_limit - len(recent))
        if remaining == 0:
            amount = ""
            again = years_after(recent[-profile.penalty_notice_limit], years)
        elif recent:
            amount = f"£{amounts['second']}"
            again = None
        else:
            amount = (f"£{amounts['first_paid_within_21_days']} if paid within 21 days, "
                      f"£{amounts['first_paid_within_28_days']} if paid within 28 days")
            again = None
        result.append(Allowance(carer.id, len(recent), remaining, amount, again))
    return result

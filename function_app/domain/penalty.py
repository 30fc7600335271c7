"""Penalty notices: the threshold to consider one, and how many are still allowed.

DfE, Working together to improve school attendance (2024), national framework for penalty
notices; The Education (Penalty Notices) (England) Regulations 2007 as amended in 2024.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .calendar import SchoolCalendar
from .model import AttendanceFigures, Carer, PenaltyNotice, SessionMark
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
    acted_on: date | None = None  # the latest notice acting on a crossing: sessions
    # up to that day are not counted again
    from_figures: bool = False  # decided from session totals, not from register marks


def last_notice_issued(notices: Iterable[PenaltyNotice]) -> date | None:
    """The day the latest penalty notice in force was issued (a withdrawn one is not)."""
    return max((n.issued_on for n in notices if not n.withdrawn), default=None)


def penalty_threshold(marks: Sequence[SessionMark], profile: Profile,
                      acted_on: date | None = None) -> ThresholdCheck | None:
    """Is there a rolling run of N school weeks with at least M unauthorised sessions?

    A school week is a Monday-to-Sunday week in which the register has a mark other than
    '#' (planned closure) or 'Z' (not yet on roll); weeks of holiday have no marks and so
    are skipped, which is how the window 'may span terms and school years'. Reports the
    latest window that reaches the threshold, or else the latest window. None if no marks.

    ``acted_on`` is the day of the latest notice that acted on a crossing (a penalty notice in
    force, or a Notice to Improve): unauthorised sessions on or before that day are not
    counted again (the weeks still count as school weeks), so a crossing already acted on is
    not reported again. A notice is issued per parent for a period of absence (DfE 2024
    national framework); the same sessions are not the ground of another one.
    """
    rule = profile.penalty_threshold
    weeks: dict[date, int] = {}
    for mark in marks:
        if mark.code in NOT_A_SCHOOL_WEEK:
            continue
        monday = mark.date - timedelta(days=mark.date.weekday())
        weeks.setdefault(monday, 0)
        if mark.code in rule.codes and (acted_on is None or mark.date > acted_on):
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
                          len(span), acted_on)


def threshold_from_figures(figures: AttendanceFigures, profile: Profile,
                           calendar: SchoolCalendar,
                           acted_on: date | None = None) -> ThresholdCheck | None:
    """The threshold decided from session totals, when there are no register marks.

    The totals can only be placed in a window of N school weeks (DfE 2024: 10 sessions of
    unauthorised absence within a rolling 10 school weeks) when the period they cover is
    known and has at most N school weeks; then the period is that window. A longer
    period's totals say nothing about any 10 school weeks, so None, as for a period not
    given. A school week is a Monday-to-Sunday week with a school day in the period (the
    profile's and the school's holidays are not school days). None too when a notice
    acting on a crossing was issued on or after the first day of the period: sessions of the
    period were acted on, and totals cannot tell the sessions since apart.
    """
    start, end = figures.period_start, figures.period_end
    if start is None or end is None or end < start:
        return None
    if acted_on is not None and acted_on >= start:
        return None
    rule = profile.penalty_threshold
    school_weeks = len({d - timedelta(days=d.weekday())
                        for d in _days(start, end) if calendar.is_school_day(d)})
    if school_weeks == 0 or school_weeks > rule.school_weeks:
        return None
    sessions = figures.unauthorised_absences
    return ThresholdCheck(sessions >= rule.sessions, sessions, start, end, school_weeks,
                          acted_on, from_figures=True)


def _days(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


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
    """Per parent, per child: at most N notices in a rolling number of years.

    ``carers`` are the parents: everyone with parental responsibility or care of the child
    (Education Act 1996 s576), since a notice is issued to a parent. A withdrawn notice does
    not count (DfE 2024 national framework).
    """
    notices = list(notices)
    return [allowance_for(carer.id, notices, profile, today) for carer in carers]


def allowance_for(carer_id: str, notices: Iterable[PenaltyNotice], profile: Profile,
                  today: date) -> Allowance:
    """One parent's allowance from the notices to them for one child; ``carer_id`` is any
    key the notices name the parent by (the LA's register counts across schools)."""
    years = profile.penalty_notice_rolling_years
    window_start = years_before(today, years)
    amounts = profile.penalty_amounts
    recent = sorted(n.issued_on for n in notices
                    if n.carer_id == carer_id and not n.withdrawn
                    and window_start < n.issued_on <= today)
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
    return Allowance(carer_id, len(recent), remaining, amount, again)

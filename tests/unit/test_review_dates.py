"""When a meeting's plan is reviewed: seed 002 (3 weeks, 2-4 acceptable; after a review no
more than 3 weeks), seeds 000/001 (AIM every 4 weeks), seed 004 (3-4 weeks; Early Help 10)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from function_app.domain.calendar import SchoolCalendar
from function_app.domain.meetings import review_due
from function_app.domain.model import DateRange, MeetingKind
from function_app.domain.policy import known_profiles, load_profile
from tests.builders import holiday, meeting

pytestmark = pytest.mark.unit

PROFILES = {name: load_profile(name) for name in known_profiles()}
CASES = sorted((name, kind) for name, p in PROFILES.items() for kind in p.review_intervals)
NATIONAL = PROFILES["national-2024"]


def weeks(n: int) -> dt.timedelta:
    return dt.timedelta(weeks=n)


def days_between(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


@st.composite
def meeting_and_calendar(draw: st.DrawFn) -> tuple[dt.date, SchoolCalendar]:
    """A weekday meeting and up to three holidays somewhere in the following 12 weeks."""
    day = draw(st.dates(min_value=dt.date(2024, 9, 1), max_value=dt.date(2027, 7, 31))
               .filter(lambda d: d.weekday() < 5))
    holidays = []
    for _ in range(draw(st.integers(0, 3))):
        start = day + dt.timedelta(days=draw(st.integers(1, 80)))
        length = draw(st.integers(0, 20))
        holidays.append(holiday(start, start + dt.timedelta(days=length), "half term"))
    return day, SchoolCalendar(tuple(holidays))


@pytest.mark.parametrize(("profile_name", "kind"), CASES)
@given(setup=meeting_and_calendar())
def test_worked_out_review_date_keeps_to_the_guidance(
        profile_name: str, kind: MeetingKind, setup: tuple[dt.date, SchoolCalendar]) -> None:
    """A worked-out review date is after the meeting, on a school day and within the profile's
    min-max weeks whenever a school day exists in that window; otherwise it is the first
    school day after it and marked outside the guidance."""
    day, calendar = setup
    profile = PROFILES[profile_name]
    interval = profile.review_intervals[kind]
    due = review_due(meeting(kind=kind, date=day), profile, calendar)
    assert due is not None
    assert due.set_by == "profile"
    assert due.due > day
    earliest, latest = day + weeks(interval.min_weeks), day + weeks(interval.max_weeks)
    allowed = [d for d in days_between(earliest, latest) if calendar.is_school_day(d)]
    if allowed:
        assert calendar.is_school_day(due.due), calendar.why_closed(due.due)
        assert earliest <= due.due <= latest
        assert due.within_guidance
    else:
        after = next(d for d in days_between(latest, latest + weeks(60))
                     if calendar.is_school_day(d))
        assert due.due == after
        assert not due.within_guidance


@pytest.mark.parametrize(("profile_name", "kind"), CASES)
@given(setup=meeting_and_calendar())
def test_review_on_the_default_interval_when_that_is_a_school_day(
        profile_name: str, kind: MeetingKind, setup: tuple[dt.date, SchoolCalendar]) -> None:
    """When meeting + the default weeks is a school day, that is the review date, unmoved."""
    day, calendar = setup
    profile = PROFILES[profile_name]
    target = day + weeks(profile.review_intervals[kind].default_weeks)
    due = review_due(meeting(kind=kind, date=day), profile, calendar)
    assert due is not None
    if calendar.is_school_day(target):
        assert due.due == target
        assert due.within_guidance
        assert due.note == ""
    else:
        assert due.due != target


@pytest.mark.parametrize(("profile_name", "kind"), CASES)
@given(setup=meeting_and_calendar(), offset=st.integers(min_value=1, max_value=120))
def test_school_set_review_date_is_kept_as_typed(
        profile_name: str, kind: MeetingKind, setup: tuple[dt.date, SchoolCalendar],
        offset: int) -> None:
    """A review date the school typed is kept, even on a weekend or holiday, and is only
    flagged when later than the profile's latest week (seed 002 gives no earliest date for
    a further review) or on a closed day."""
    day, calendar = setup
    profile = PROFILES[profile_name]
    interval = profile.review_intervals[kind]
    typed = day + dt.timedelta(days=offset)
    due = review_due(meeting(kind=kind, date=day, review_date=typed), profile, calendar)
    assert due is not None
    assert due.due == typed
    assert due.set_by == "school"
    assert due.within_guidance == (offset <= interval.max_weeks * 7)
    closed = calendar.why_closed(typed)
    if closed:
        assert closed in due.note
    if due.within_guidance and not closed:
        assert due.note == ""


def test_school_set_date_for_a_meeting_without_an_interval() -> None:
    """A legal consultation has no review interval nationally, but a typed review date is kept."""
    typed = dt.date(2026, 3, 14)  # a Saturday
    due = review_due(meeting(kind=MeetingKind.LEGAL_CONSULTATION, review_date=typed),
                     NATIONAL, SchoolCalendar())
    assert due is not None
    assert (due.due, due.set_by) == (typed, "school")
    assert "Saturday" in due.note


def test_no_review_worked_out_without_an_interval() -> None:
    """With no interval in the profile and no typed date, no review date is invented."""
    assert review_due(meeting(kind=MeetingKind.LEGAL_CONSULTATION), NATIONAL,
                      SchoolCalendar()) is None


def test_support_review_moves_back_off_half_term() -> None:
    """Seed 002: a support meeting on Mon 26 Jan 2026 is reviewed in 3 weeks; Mon 16 Feb is
    half term, so the review moves back to Fri 13 Feb, the last school day before it."""
    calendar = SchoolCalendar((holiday(dt.date(2026, 2, 16), dt.date(2026, 2, 20),
                                       "February half term"),))
    due = review_due(meeting(date=dt.date(2026, 1, 26)), NATIONAL, calendar)
    assert due is not None
    assert due.due == dt.date(2026, 2, 13)
    assert due.within_guidance
    assert "February half term" in due.note


def test_aim_review_on_a_holiday_moves_forward_and_is_flagged() -> None:
    """Seeds 000/001: 4 weeks exactly; if that day is a holiday, the next school day is used
    and the date is said to be outside the guidance."""
    calendar = SchoolCalendar((holiday(dt.date(2026, 2, 16), dt.date(2026, 2, 20),
                                       "February half term"),))
    due = review_due(meeting(kind=MeetingKind.AIM, date=dt.date(2026, 1, 19)), NATIONAL,
                     calendar)
    assert due is not None
    assert due.due == dt.date(2026, 2, 23)
    assert not due.within_guidance


def test_moved_forward_within_the_guidance_is_not_called_late() -> None:
    """Seed 002 (2-4 weeks): a review moved forward to a day still within 4 weeks is within the
    guidance, so its note must not tell the user it is later than the guidance."""
    # Meeting Mon 5 Jan 2026; everything from 2 to 3 weeks later (19-26 Jan) is closed, so the
    # review goes to Tue 27 Jan, 3 weeks and 1 day after: within the 4-week maximum.
    calendar = SchoolCalendar((DateRange(dt.date(2026, 1, 19), dt.date(2026, 1, 26),
                                         "closure"),))
    due = review_due(meeting(date=dt.date(2026, 1, 5)), NATIONAL, calendar)
    assert due is not None
    assert due.due == dt.date(2026, 1, 27)
    assert due.within_guidance
    assert "later than the guidance" not in due.note, due.note

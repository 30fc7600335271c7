"""Problems a schema cannot see, each named by its exact path in the case file."""

from __future__ import annotations

import datetime as dt

import pytest

from function_app.domain.checks import problems
from function_app.domain.model import MeetingKind, MeetingStatus, Session, SessionMark
from tests.builders import (
    TODAY,
    carer_attendee,
    case,
    figures,
    interaction,
    marks,
    meeting,
    notice,
)

pytestmark = pytest.mark.unit

EARLIER = dt.date(2026, 2, 3)


def paths(c: object) -> list[str]:
    return [p.path for p in problems(c, TODAY)]  # type: ignore[arg-type]


def test_a_sound_case_has_no_problems() -> None:
    """A case with consistent figures, known carers and past meetings raises nothing."""
    c = case(meetings=(meeting(date=EARLIER, review_date=EARLIER + dt.timedelta(weeks=3)),),
             marks=marks(dt.date(2026, 3, 2), dt.date(2026, 3, 6), ("/", "N")),
             interactions=(interaction(),), penalty_notices=(notice(dt.date(2025, 1, 6)),))
    assert problems(c, TODAY) == []


def test_present_more_than_possible() -> None:
    """101 present of 100 possible sessions is pointed out at attendance.present_sessions."""
    c = case(attendance=figures(present=101, possible=100, authorised=0))
    assert paths(c) == ["attendance.present_sessions"]


def test_absences_more_than_missed() -> None:
    """Authorised (6) + unauthorised (5) absences cannot exceed the 10 sessions missed."""
    c = case(attendance=figures(present=90, possible=100, authorised=6, unauthorised=5))
    [problem] = problems(c, TODAY)
    assert problem.path in ("attendance.authorised_absences", "attendance.unauthorised_absences")
    assert "6" in problem.message and "5" in problem.message and "10" in problem.message


@pytest.mark.parametrize("status", [MeetingStatus.HELD, MeetingStatus.DID_NOT_PROCEED])
def test_recorded_meeting_in_the_future(status: MeetingStatus) -> None:
    """A meeting recorded as held (or as not proceeding) cannot be dated after today."""
    future = TODAY + dt.timedelta(days=1)
    c = case(meetings=(meeting(date=EARLIER), meeting(id="m2", date=future, status=status)))
    assert paths(c) == ["meetings[1].date"]


def test_planned_meeting_in_the_future_is_fine() -> None:
    """A planned meeting may of course be in the future; one held today is not in the future."""
    c = case(meetings=(meeting(date=TODAY), meeting(id="m2", date=TODAY + dt.timedelta(days=7),
                                                     status=MeetingStatus.PLANNED)))
    assert paths(c) == []


@pytest.mark.parametrize("review", [EARLIER - dt.timedelta(days=1), EARLIER])
def test_review_date_not_after_the_meeting(review: dt.date) -> None:
    """A review date on or before the meeting's own date is pointed out at its path."""
    c = case(meetings=(meeting(id="m0", date=dt.date(2026, 1, 6)),
                       meeting(date=EARLIER, review_date=review)))
    assert paths(c) == ["meetings[1].review_date"]


def test_unknown_carer_id_at_a_meeting() -> None:
    """An attendee naming carer 'c9' when only 'c1' exists is pointed out at its path."""
    m = meeting(kind=MeetingKind.AIM, attendees=(carer_attendee(), carer_attendee(carer_id="c9")))
    c = case(meetings=(m,))
    assert paths(c) == ["meetings[0].attendees[1].carer_id"]


def test_unknown_carer_id_on_a_penalty_notice() -> None:
    """A penalty notice issued to an unknown carer is pointed out at its path."""
    c = case(penalty_notices=(notice(dt.date(2025, 1, 6)), notice(dt.date(2025, 2, 6), "c9")))
    assert paths(c) == ["penalty_notices[1].carer_id"]


def test_unknown_carer_id_on_a_contact() -> None:
    """An unknown id in a contact's carer_ids is pointed out at that item of the list, the same
    path a schema error there would have (model.py: paths mean the same everywhere)."""
    c = case(interactions=(interaction(carer_ids=("c1", "c9")),))
    assert paths(c) == ["interactions[0].carer_ids[1]"]


def test_unknown_register_code() -> None:
    """A mark 'A' (not a 2024 national code) is pointed out at attendance.marks[3].code."""
    register = list(marks(dt.date(2026, 3, 2), dt.date(2026, 3, 3)))
    register[3] = SessionMark(register[3].date, register[3].session, "A")
    c = case(marks=tuple(register))
    assert paths(c) == ["attendance.marks[3].code"]


def test_lower_case_code_is_not_a_national_code() -> None:
    """Register codes are case-sensitive: 'n' is not the national code N."""
    c = case(marks=(SessionMark(dt.date(2026, 3, 2), Session.AM, "n"),))
    assert paths(c) == ["attendance.marks[0].code"]


def test_duplicate_mark() -> None:
    """A second mark for the same session of the same day is pointed out at the second one."""
    register = list(marks(dt.date(2026, 3, 2), dt.date(2026, 3, 3)))
    register.insert(2, SessionMark(dt.date(2026, 3, 2), Session.AM, "N"))
    c = case(marks=tuple(register))
    assert paths(c) == ["attendance.marks[2]"]


def test_every_problem_at_once() -> None:
    """Several problems in one case are all reported together, each at its own path."""
    c = case(
        attendance=figures(present=101, possible=100, authorised=0),
        meetings=(meeting(date=TODAY + dt.timedelta(days=3), review_date=TODAY),),
        penalty_notices=(notice(dt.date(2025, 1, 6), "c9"),),
    )
    assert sorted(paths(c)) == sorted([
        "attendance.present_sessions", "meetings[0].date", "meetings[0].review_date",
        "penalty_notices[0].carer_id"])

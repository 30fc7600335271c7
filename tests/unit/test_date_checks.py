"""Date checks at the letter's date, each naming the SharePoint column staff see: a meeting
already past, a Notice to Improve period outside 3-6 weeks or over (DfE, Working together to
improve school attendance, 2024), a review later than seed 002 allows."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from function_app.documents.context import Options
from function_app.documents.engine import TemplateSet, produce
from function_app.domain import assess, load_profile
from function_app.domain.checks import (
    improvement_period_over,
    improvement_period_problems,
    meeting_already_past,
    review_too_late,
)
from function_app.domain.errors import InvalidCaseError
from function_app.domain.model import (
    Case,
    Meeting,
    MeetingKind,
    MeetingStatus,
    NoticeToImprove,
    Venue,
    VenueKind,
)
from tests.builders import case, meeting, school

pytestmark = pytest.mark.unit

TODAY = dt.date(2026, 3, 3)
NATIONAL = load_profile("national-2024")
SIGNED = school(signatory_name="Priya Shah", signatory_role="Attendance Lead")


def review_after(last_kind: MeetingKind, weeks: int) -> tuple[Case, Meeting]:
    last = meeting(id="m1", kind=last_kind, status=MeetingStatus.HELD,
                   date=dt.date(2026, 2, 2), review_date=None)
    review = meeting(id="m2", kind=MeetingKind.REVIEW, status=MeetingStatus.PLANNED,
                     date=dt.date(2026, 2, 2) + dt.timedelta(weeks=weeks), review_date=None)
    return case(meetings=(last, review)), review


def test_a_review_four_weeks_after_a_review_is_refused_naming_date() -> None:
    """Seed 002: after a review, the next review is no more than 3 weeks later."""
    c, review = review_after(MeetingKind.REVIEW, 4)
    [problem] = review_too_late(c, review)
    assert problem.path == "meetings[1].date"
    assert problem.message.startswith('"Date" of this review, 2 March 2026, is 4 weeks after '
                                      "the review meeting on 2 February 2026.")
    assert "no more than 3 weeks" in problem.message
    assert '"Date" on or before 23 February 2026' in problem.message


@pytest.mark.parametrize("weeks", [3, 1])
def test_a_review_three_weeks_or_one_week_after_a_review_is_accepted(weeks: int) -> None:
    """Seed 002 sets only a latest date, no more than 3 weeks later: no two-week minimum."""
    c, review = review_after(MeetingKind.REVIEW, weeks)
    assert review_too_late(c, review) == []


def test_the_first_review_may_be_four_weeks_after_the_support_meeting_not_five() -> None:
    """Seed 002: the first review is between 2-4 weeks after the school attendance meeting."""
    assert review_too_late(*review_after(MeetingKind.SUPPORT, 4)) == []
    [problem] = review_too_late(*review_after(MeetingKind.SUPPORT, 5))
    assert "no more than 4 weeks" in problem.message


def test_a_review_date_more_than_three_weeks_after_a_review_is_refused() -> None:
    """Seed 002: a review meeting sets a new review date no more than 3 weeks later; the
    message names the "Review date" column."""
    held = meeting(id="m1", kind=MeetingKind.REVIEW, status=MeetingStatus.HELD,
                   date=dt.date(2026, 2, 2), review_date=dt.date(2026, 3, 2))
    [problem] = review_too_late(case(meetings=(held,)), held)
    assert problem.path == "meetings[0].review_date"
    assert problem.message.startswith('"Review date" is 2 March 2026, 4 weeks after this '
                                      "review meeting on 2 February 2026.")


def test_a_meeting_before_the_letters_date_is_refused_naming_date() -> None:
    """A letter dated today cannot invite anyone to a meeting already past."""
    past = meeting(id="m1", kind=MeetingKind.SUPPORT, status=MeetingStatus.PLANNED,
                   date=dt.date(2026, 3, 2))
    [problem] = meeting_already_past(case(meetings=(past,)), past, TODAY)
    assert problem.message.startswith('"Date" is 2 March 2026, which is before the date of '
                                      "this letter (3 March 2026)")
    assert meeting_already_past(case(meetings=(past,)), past, dt.date(2026, 3, 2)) == []


@pytest.mark.parametrize("weeks", [2, 7])
def test_an_improvement_period_outside_three_to_six_weeks_is_refused(weeks: int) -> None:
    """DfE 2024: a Notice to Improve gives an improvement period of 3 to 6 weeks."""
    c = case(notice_to_improve=NoticeToImprove(TODAY, weeks, "No unauthorised absence."))
    [problem] = improvement_period_problems(c, NATIONAL.notice_to_improve_weeks, TODAY)
    assert problem.message.startswith(f'"Improvement period (weeks)" is {weeks}, but a '
                                      "Notice to Improve must give an improvement period of "
                                      "3 to 6 weeks")


def test_an_improvement_period_already_over_is_refused() -> None:
    """DfE 2024: the notice gives the parents the period to improve; one already over at the
    letter's date gives none, and the message names both columns."""
    c = case(notice_to_improve=NoticeToImprove(dt.date(2026, 1, 20), 6, "No absence."))
    [problem] = improvement_period_over(c, TODAY)
    assert '"Notice to Improve issued on" (20 January 2026)' in problem.message
    assert "ended on 3 March 2026" in problem.message
    assert '"Improvement period (weeks)"' in problem.message
    assert improvement_period_over(c, dt.date(2026, 3, 2)) == []


def test_a_refused_date_makes_no_letter() -> None:
    """Seed 002: an invitation to a review already past, or too long after the last review,
    is refused with its message and no document is made."""
    last = meeting(id="m1", kind=MeetingKind.REVIEW, status=MeetingStatus.HELD,
                   date=dt.date(2026, 1, 5), review_date=None)
    review = meeting(id="m2", kind=MeetingKind.REVIEW, status=MeetingStatus.PLANNED,
                     date=dt.date(2026, 2, 27), time=dt.time(9, 30),
                     venue=Venue(VenueKind.SCHOOL), review_date=None)
    c = case(meetings=(last, review))
    a = assess(c, load_profile("national-2024"), TODAY)
    with pytest.raises(InvalidCaseError) as refused:
        produce(TemplateSet(), "review_meeting_invitation", a, "m2", Options())
    messages = [p.message for p in refused.value.problems]
    assert any(m.startswith('"Date" is 27 February 2026, which is before') for m in messages)
    assert any(m.startswith('"Date" of this review, 27 February 2026, is 7 weeks and 4 days')
               for m in messages)


def test_a_held_review_is_not_refused_for_its_own_late_date() -> None:
    """Seed 001: the plan goes to the family after every meeting. A review held 5 weeks after
    the school attendance meeting happened as it did: its record is made; only a review date
    it sets more than 3 weeks on is refused (seed 002)."""
    c, planned = review_after(MeetingKind.SUPPORT, 5)
    held = replace(planned, status=MeetingStatus.HELD)
    c = replace(c, meetings=(c.meetings[0], held))
    assert review_too_late(c, held) == []
    late = replace(held, review_date=held.date + dt.timedelta(weeks=4))
    c = replace(c, meetings=(c.meetings[0], late))
    [problem] = review_too_late(c, late)
    assert problem.path == "meetings[1].review_date"


@pytest.mark.parametrize("kind", ["support_meeting_invitation", "aim_invitation"])
def test_an_invitation_to_a_meeting_already_past_makes_no_letter(kind: str) -> None:
    """The catalogue asks the support and AIM invitations for meeting_ahead: a letter dated
    3 March cannot invite the family to a meeting on 2 March; one on 3 March is made."""
    meeting_kind = MeetingKind.SUPPORT if kind.startswith("support") else MeetingKind.AIM
    def made(day: dt.date) -> int:
        m = meeting(id="m1", kind=meeting_kind, status=MeetingStatus.PLANNED, date=day,
                    time=dt.time(9, 30), venue=Venue(VenueKind.SCHOOL), review_date=None)
        a = assess(case(school=SIGNED, meetings=(m,)), NATIONAL, TODAY)
        return len(produce(TemplateSet(), kind, a, "m1", Options()))
    with pytest.raises(InvalidCaseError) as refused:
        made(dt.date(2026, 3, 2))
    [problem] = refused.value.problems
    assert problem.path == "meetings[0].date"
    assert problem.message.startswith('"Date" is 2 March 2026, which is before the date of '
                                      "this letter (3 March 2026)")
    assert made(TODAY) >= 1


def test_a_notice_to_improve_whose_period_is_over_makes_no_letter() -> None:
    """DfE 2024: the catalogue asks the Notice to Improve for period_running; a notice of
    20 January with 6 weeks is over by 3 March and is refused, one of 27 January is made."""
    def made(issued: dt.date) -> int:
        c = case(school=SIGNED,
                 notice_to_improve=NoticeToImprove(issued, 6, "No unauthorised absence."))
        return len(produce(TemplateSet(), "notice_to_improve", assess(c, NATIONAL, TODAY),
                           None, Options()))
    with pytest.raises(InvalidCaseError) as refused:
        made(dt.date(2026, 1, 20))
    assert [p.path for p in refused.value.problems] == ["notice_to_improve.issued_on"]
    assert made(dt.date(2026, 1, 27)) >= 1

"""Whether an Attendance Improvement Meeting may go ahead: seed 000's matrix (Gloucestershire)
or seed 001's 'hold the meeting in the parents' absence' (the national profile)."""

from __future__ import annotations

import pytest

from function_app.domain.meetings import aim_may_proceed
from function_app.domain.model import MeetingKind, Pupil
from function_app.domain.policy import load_profile
from tests.builders import aim, carer_attendee, pupil, pupil_attendee, staff

pytestmark = pytest.mark.unit

GLOUCESTERSHIRE = load_profile("gloucestershire-aim")
NATIONAL = load_profile("national-2024")
SECONDARY = pupil(year_group=9)
YEAR_7 = pupil(year_group=7)
PRIMARY = pupil(year_group=4, date_of_birth=pupil().date_of_birth.replace(year=2017))
YEAR_6 = pupil(year_group=6)


@pytest.mark.parametrize("kind", [MeetingKind.AIM, MeetingKind.AIM_REVIEW])
@pytest.mark.parametrize("who", [SECONDARY, YEAR_7], ids=["year-9", "year-7"])
@pytest.mark.parametrize(("pupil_present", "carers_present", "proceed"), [
    (True, True, True),
    (True, False, True),
    (False, True, False),
    (False, False, False),
], ids=["both-present", "pupil-only", "parents-only", "neither"])
def test_seed_000_matrix_for_a_secondary_pupil(
        kind: MeetingKind, who: Pupil, pupil_present: bool, carers_present: bool,
        proceed: bool) -> None:
    """Seed 000: proceed with pupil and parents, or a secondary-age pupil alone; do not proceed
    if that pupil is absent (even with parents there) or if neither is present."""
    decision = aim_may_proceed(aim(pupil_present, carers_present, kind=kind), who,
                               GLOUCESTERSHIRE)
    assert decision.may_proceed is proceed
    assert "seed 000" in decision.source
    assert decision.reason


@pytest.mark.parametrize("who", [PRIMARY, YEAR_6], ids=["year-4", "year-6"])
@pytest.mark.parametrize(("pupil_present", "carers_present", "proceed"), [
    (True, True, True),
    (False, True, True),
    (True, False, False),
    (False, False, False),
], ids=["both-present", "parents-only", "pupil-only", "neither"])
def test_seed_000_for_a_primary_age_pupil(
        who: Pupil, pupil_present: bool, carers_present: bool, proceed: bool) -> None:
    """Seed 000: a primary-age pupil is not expected at the AIM, so it proceeds when the parents
    are there and not otherwise; a young pupil alone is not enough."""
    decision = aim_may_proceed(aim(pupil_present, carers_present), who,
                               GLOUCESTERSHIRE)
    assert decision.may_proceed is proceed


@pytest.mark.parametrize("who", [SECONDARY, PRIMARY], ids=["secondary", "primary"])
@pytest.mark.parametrize(("pupil_present", "carers_present"), [
    (True, True), (True, False), (False, True), (False, False)])
def test_national_profile_holds_the_meeting_in_absence(
        who: Pupil, pupil_present: bool, carers_present: bool) -> None:
    """Seed 001 (national profile, 'hold_in_absence'): the AIM goes ahead whoever attends, and
    absent parents are sent the plan with a covering letter."""
    decision = aim_may_proceed(aim(pupil_present, carers_present), who,
                               NATIONAL)
    assert decision.may_proceed
    assert "seed 001" in decision.source
    if not carers_present:
        assert "plan" in decision.reason


def test_one_carer_present_of_two_counts_as_parents_present() -> None:
    """Seed 000: 'parents present' is met when a carer with day-to-day responsibility attends,
    even if the other parent does not."""
    people = (pupil_attendee(True), carer_attendee(True, "c1"), carer_attendee(False, "c2"),
              *staff())
    assert aim_may_proceed(aim(True, True, attendees=people), SECONDARY,
                           GLOUCESTERSHIRE).may_proceed


def test_staff_alone_do_not_make_an_aim() -> None:
    """Seed 000: with only school staff and agencies present the AIM does not proceed."""
    meeting = aim(False, False, attendees=staff())
    assert not aim_may_proceed(meeting, SECONDARY, GLOUCESTERSHIRE).may_proceed

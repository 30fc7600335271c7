"""Readiness for legal intervention: the steps the evidence bundle needs (seeds 000, 001,
002, 003, 004; DfE 2024; Children Act 1989 s36), each found or reported missing with what
to do."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from function_app.domain.model import (
    Case,
    ContactMode,
    Interaction,
    Intervention,
    MeetingKind,
    NoticeToImprove,
    Quote,
    ReviewDecision,
    ReviewOutcome,
    Stage,
    TargetMet,
)
from function_app.domain.policy import load_profile
from function_app.domain.readiness import Readiness, readiness
from tests.builders import (
    TODAY,
    aim,
    carer,
    case,
    figures,
    interaction,
    marks,
    meeting,
    notice,
)

pytestmark = pytest.mark.unit

PROFILES = ("national-2024", "gloucestershire-aim", "tiered-support", "devon-2023")
NTI_PROFILES = ("national-2024", "tiered-support", "devon-2023")
CARERS = ("c1", "c2")
SUPPORT_DAY = dt.date(2026, 1, 6)
REVIEW_DAY = dt.date(2026, 1, 27)  # 3 weeks on (seed 002)
LAST_DAY = dt.date(2026, 2, 17)  # 3 weeks on again; its review falls due on TODAY
ESCALATE = ReviewOutcome(TargetMet.NO, ReviewDecision.ESCALATE)


def letter(on: dt.date, summary: str, carer_id: str) -> Interaction:
    return interaction(date=on, mode=ContactMode.LETTER, summary=summary, carer_ids=(carer_id,))


def plan_letters(*days: dt.date) -> tuple[Interaction, ...]:
    return tuple(letter(d + dt.timedelta(days=1), "Copy of the plan sent", c)
                 for d in days for c in CARERS)


def complete_case(profile: str) -> Case:
    """Every step present: two parents with parental responsibility (one never attends),
    a support meeting, its review, the formal step and its letters, the plans sent."""
    support = meeting(
        id="m1", date=SUPPORT_DAY, pupil_voice=(Quote("Jordan Ellis", "Mornings are hard."),),
        interventions=(Intervention("Mentoring", offered=True, offered_on=SUPPORT_DAY,
                                    taken_up=False),))
    review = meeting(id="m2", kind=MeetingKind.REVIEW, date=REVIEW_DAY, review_outcome=ESCALATE)
    two_parents = (carer(), carer(id="c2", first_name="Sam", last_name="Ellis",
                                  relationship="Father"))
    common = {
        "carers": two_parents,
        "attendance": figures(present=78, possible=100, unauthorised=16,
                              period_start=dt.date(2025, 9, 3), period_end=dt.date(2026, 2, 27)),
        "education_supervision_order_considered": True,
        "penalty_notices": (notice(dt.date(2025, 5, 1)),),
        "profile": profile,
    }
    if profile == "gloucestershire-aim":
        last = aim(True, True, id="m3", date=LAST_DAY)
        warning = tuple(letter(dt.date(2026, 1, 28), "Warning of prosecution and invitation "
                               "to an AIM", c) for c in CARERS)
        return case(stage=Stage.AIM, meetings=(support, review, last),
                    interactions=(*warning, *plan_letters(SUPPORT_DAY, REVIEW_DAY, LAST_DAY)),
                    **common)
    last = meeting(id="m3", kind=MeetingKind.REVIEW, date=LAST_DAY, review_outcome=ESCALATE)
    nti = NoticeToImprove(dt.date(2026, 1, 28), 3)
    sent = tuple(letter(dt.date(2026, 1, 28), "Notice to Improve", c) for c in CARERS)
    return case(stage=Stage.NOTICE_TO_IMPROVE, meetings=(support, review, last),
                notice_to_improve=nti,
                interactions=(*sent, *plan_letters(SUPPORT_DAY, REVIEW_DAY, LAST_DAY)), **common)


def check(c: Case) -> Readiness:
    return readiness(c, load_profile(c.profile), TODAY)


def without_letters(words: str) -> Callable[[Case], Case]:
    def change(c: Case) -> Case:
        kept = tuple(i for i in c.interactions
                     if not (words in i.summary.lower() and "c2" in i.carer_ids))
        return replace(c, interactions=kept)
    return change


def replace_meeting(m_id: str, **changes: Any) -> Callable[[Case], Case]:
    def change(c: Case) -> Case:
        return replace(c, meetings=tuple(replace(m, **changes) if m.id == m_id else m
                                         for m in c.meetings))
    return change


def drop_meetings(*kinds: MeetingKind) -> Callable[[Case], Case]:
    def change(c: Case) -> Case:
        return replace(c, meetings=tuple(m for m in c.meetings if m.kind not in kinds))
    return change


# (step code, how to remove it, profiles it applies to)
MISSING: list[tuple[str, Callable[[Case], Case], tuple[str, ...]]] = [
    ("warning_of_prosecution", without_letters("prosecution"), ("gloucestershire-aim",)),
    ("notice_to_improve", lambda c: replace(c, notice_to_improve=None), NTI_PROFILES),
    ("notice_to_improve", without_letters("notice to improve"), NTI_PROFILES),
    ("notice_to_improve",
     lambda c: replace(c, notice_to_improve=NoticeToImprove(dt.date(2026, 3, 2), 3)),
     NTI_PROFILES),
    ("support_meeting_held", drop_meetings(MeetingKind.SUPPORT, MeetingKind.REVIEW), PROFILES),
    ("aim_held", drop_meetings(MeetingKind.AIM), ("gloucestershire-aim",)),
    ("reviews_on_time", replace_meeting("m2", date=dt.date(2026, 2, 3)), PROFILES),
    ("reviews_on_time", lambda c: replace(c, meetings=c.meetings[:1]), PROFILES),
    ("plans_sent", without_letters("plan"), PROFILES),
    ("pupil_voice", replace_meeting("m1", pupil_voice=()), PROFILES),
    ("support_offered", replace_meeting("m1", interventions=()), PROFILES),
    ("support_offered",
     replace_meeting("m1", interventions=(Intervention("Mentoring", offered=True),)), PROFILES),
    ("attendance_record",
     lambda c: replace(c, attendance=figures(present=78, possible=100, unauthorised=16)),
     PROFILES),
    ("penalty_notices_issued",
     lambda c: replace(c, carers=tuple(replace(x, parental_responsibility=False)
                                       for x in c.carers)), PROFILES),
    ("eso_considered", lambda c: replace(c, education_supervision_order_considered=False),
     PROFILES),
]
MISSING_CASES = [pytest.param(profile, code, change, id=f"{profile}-{code}-{n}")
                 for n, (code, change, profiles) in enumerate(MISSING) for profile in profiles]


@pytest.mark.parametrize("profile", PROFILES)
def test_a_case_with_every_step_is_ready(profile: str) -> None:
    """With the formal step (seeds 000/001 warning, or the DfE 2024 Notice to Improve), the
    meetings, reviews, plans, pupil voice, support, record and ESO all present, it is ready."""
    result = check(complete_case(profile))
    assert [s.code for s in result.steps if not s.found] == []
    assert result.ready
    assert all(s.source and s.evidence and not s.what_to_do for s in result.steps)


@pytest.mark.parametrize(("profile", "code", "change"), MISSING_CASES)
def test_each_missing_step_is_reported_with_what_to_do(
        profile: str, code: str, change: Callable[[Case], Case]) -> None:
    """Seed 000 (evidence every measure before legal intervention): a step taken out of an
    otherwise complete case is reported missing, with what to do and its source."""
    result = check(change(complete_case(profile)))
    step = result.step(code)
    assert not step.found
    assert step.what_to_do and step.source and step.evidence
    assert not result.ready


def test_the_formal_step_follows_the_profile() -> None:
    """Gloucestershire evidences a warning of prosecution (seeds 000, 001); the national
    profile a Notice to Improve (DfE 2024); neither asks for the other."""
    glos = {s.code for s in check(complete_case("gloucestershire-aim")).steps}
    national = {s.code for s in check(complete_case("national-2024")).steps}
    assert {"warning_of_prosecution", "aim_held"} <= glos - national
    assert "notice_to_improve" in national - glos


def test_a_parent_who_did_not_attend_still_needs_the_plan() -> None:
    """Seed 001: parents who did not attend are sent the plan with a covering letter; the
    step names the parent whose copy is not recorded."""
    step = check(without_letters("plan")(complete_case("national-2024"))).step("plans_sent")
    assert "Sam Ellis" in step.evidence and "Dana Ellis" not in step.evidence.split(
        "Not recorded as sent")[1]


def test_final_year_is_a_caution_not_a_blocker() -> None:
    """Seed 000: for a final-year pupil a case is unlikely to reach court; the step says so
    but does not make the case unready."""
    c = complete_case("national-2024")
    c = replace(c, pupil=replace(c.pupil, year_group=11, date_of_birth=dt.date(2010, 5, 14)))
    result = check(c)
    step = result.step("final_year")
    assert not step.found and not step.required and step.what_to_do
    assert result.ready


def test_a_young_pupils_voice_is_not_required() -> None:
    """Seed 000: the pupil takes part if of an age to understand (secondary); for a Year 4
    pupil the voice step is not missing."""
    c = replace_meeting("m1", pupil_voice=())(complete_case("national-2024"))
    c = replace(c, pupil=replace(c.pupil, year_group=4, date_of_birth=dt.date(2016, 11, 2)))
    assert check(c).step("pupil_voice").found


def test_marks_give_the_penalty_notice_window() -> None:
    """DfE 2024: with session marks, the period cited is the penalty-notice window of the
    rolling 10 school weeks."""
    c = replace(complete_case("national-2024"),
                marks=marks(dt.date(2026, 1, 5), dt.date(2026, 3, 6), ("/", "O")))
    step = check(c).step("attendance_record")
    assert step.found and "Penalty notice window" in step.evidence and "reaches" in step.evidence


def test_allowances_name_each_parent() -> None:
    """DfE 2024: penalty notices are per parent, per child, at most 2 in a rolling 3 years;
    the step gives the count for each parent."""
    step = check(complete_case("devon-2023")).step("penalty_notices_issued")
    assert "Dana Ellis: 1 in the last 3 years" in step.evidence
    assert "Sam Ellis: 0 in the last 3 years" in step.evidence


def test_missing_steps_are_listed() -> None:
    """The missing steps are the ones not found, in the order of the ladder."""
    c = replace(complete_case("national-2024"), education_supervision_order_considered=False,
                notice_to_improve=None)
    assert [s.code for s in check(c).missing] == ["notice_to_improve", "eso_considered"]


def test_a_warning_sent_after_the_aim_does_not_count() -> None:
    """Seeds 000/001: the first letter warns of prosecution and invites to the AIM, so a
    warning dated after the first AIM is not the evidence asked for."""
    c = complete_case("gloucestershire-aim")
    late = tuple(replace(i, date=dt.date(2026, 2, 18)) if "prosecution" in i.summary.lower()
                 and "c2" in i.carer_ids else i for i in c.interactions)
    step = check(replace(c, interactions=late)).step("warning_of_prosecution")
    assert not step.found and "Sam Ellis" in step.evidence and "17 February 2026" in step.evidence

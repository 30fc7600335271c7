"""Alerts decided by the domain, each from the bundled example that calls for it.

Every case is assessed on 22 November 2026, as in docs/examples.md. Consultations go to the
LA's officers (seed 000 "Still no engagement?"; seed 002 escalation; seed 003 severe absence;
DfE 2024 penalty notice threshold); review reminders and failures go to the school.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from function_app.domain import DEFAULT_PROFILE, Assessment, assess, load_profile
from function_app.domain.alerts import (
    Alert,
    AlertReason,
    Audience,
    alerts_for,
    generation_failed,
    reminder_digest,
)
from function_app.domain.model import Case, CaseStatus, Stage
from function_app.services.case_files.case_input import read_case_path

pytestmark = pytest.mark.unit

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TODAY = dt.date(2026, 11, 22)


def case_of(example: str) -> Case:
    return read_case_path(EXAMPLES / example)


def assessed(example: str | Case, today: dt.date = TODAY) -> Assessment:
    case = case_of(example) if isinstance(example, str) else example
    return assess(case, load_profile(case.profile or DEFAULT_PROFILE), today)


def of_reason(alerts: list[Alert], reason: AlertReason) -> list[Alert]:
    return [a for a in alerts if a.reason is reason]


def consultation(example: str) -> Alert:
    [alert] = of_reason(alerts_for(assessed(example)), AlertReason.CONSULTATION_NEEDED)
    return alert


def test_no_engagement_at_an_aim_review_needs_a_consultation() -> None:
    """Seed 000: no engagement with the AIM process sends the case to the Inclusion Officer."""
    alert = consultation("aim-review-no-engagement.json")
    assert alert.audience is Audience.LA_OFFICERS
    assert [g.code for g in alert.grounds] == ["consult_before_legal_action"]
    assert alert.grounds[0].source.startswith("seed 000")
    assert "Request to Initiate Legal Proceedings" in alert.why
    assert (alert.case_ref, alert.school, alert.tier, alert.stage) == (
        "ATT-2026-0042", "Severn Vale Academy", 3, Stage.AIM)
    assert alert.last_meeting == dt.date(2026, 10, 21)
    assert alert.review_due == dt.date(2026, 11, 18)
    assert alert.pupil_initials == "JE"


@pytest.mark.parametrize(("example", "ground", "next_step"), [
    ("support-review-no-improvement-escalate-notice-to-improve.json",
     "escalate_notice_to_improve", "a Notice to Improve"),
    ("gloucestershire-support-review-escalate-to-warning-and-aim.json",
     "escalate_warning_and_aim", "a written warning of prosecution"),
])
def test_a_review_decision_to_escalate_needs_a_consultation(
        example: str, ground: str, next_step: str) -> None:
    """Seed 002: a review that decides to escalate takes the case to the LA's formal stage."""
    alert = consultation(example)
    # the figures' 10 school weeks also reach the penalty notice threshold (DfE 2024)
    assert [g.code for g in alert.grounds] == [ground, "consider_penalty_notice"]
    assert "decided to escalate" in alert.why and next_step in alert.why


def test_severe_absence_without_a_plan_needs_a_consultation_once() -> None:
    """Seed 003: a severely absent pupil needs a plan agreed jointly with the LA, asked for once."""
    alert = consultation("severely-absent-exactly-50-percent-no-plan.json")
    # 12 unauthorised sessions in the figures' 10 school weeks reach the threshold (DfE 2024)
    assert [g.code for g in alert.grounds] == ["agree_plan_for_severe_absence",
                                                "consider_penalty_notice"]
    assert ("Attendance is 50.0% (50 of 100 possible sessions), so the pupil is severely absent"
            in alert.why)
    assert alert.tier == 4


def test_the_penalty_notice_threshold_reached_needs_a_consultation() -> None:
    """DfE 2024: 10 unauthorised sessions in 10 school weeks: a penalty notice is considered."""
    alert = consultation("penalty-threshold-reached-across-half-term.json")
    assert [g.code for g in alert.grounds] == ["consider_penalty_notice"]
    assert ("10 sessions of unauthorised absence between 7 September 2026 and 20 November "
            "2026") in alert.why


def test_parents_at_the_penalty_notice_limit_are_counted_not_named() -> None:
    """The limit of notices is reported for the LA without naming the parent who reached it."""
    alert = consultation("penalty-notice-limit-two-notices-in-three-years.json")
    assert [g.code for g in alert.grounds] == ["consider_penalty_notice",
                                                "penalty_notice_limit_reached"]
    assert "One parent has had the most penalty notices" in alert.why
    assert "Kerry" not in alert.why and "Walsh" not in alert.why


@pytest.mark.parametrize("example", [
    "penalty-threshold-not-reached-nine-sessions.json",
    "tier-1-exactly-93-percent-keep-monitoring.json",
    "gloucestershire-aim-invitation-planned.json",  # the escalation is acted on: AIM arranged
    "notice-to-improve-running-year-11.json",  # the Notice to Improve is running
])
def test_cases_that_need_no_consultation_raise_none(example: str) -> None:
    """Nine sessions, good attendance, or an escalation already acted on alert no LA officer."""
    assert not of_reason(alerts_for(assessed(example)), AlertReason.CONSULTATION_NEEDED)


def test_a_closed_case_raises_nothing() -> None:
    """A closed case raises no alert and joins no digest, however overdue its last review."""
    assert alerts_for(assessed("closed-case-attendance-recovered.json")) == []
    closed = replace(case_of("aim-review-no-engagement.json"), status=CaseStatus.CLOSED)
    assert alerts_for(assessed(closed)) == []
    assert reminder_digest([assessed(closed)], TODAY) == {}


def test_an_overdue_review_is_raised_for_the_school() -> None:
    """The AIM review's plan was due for review on 18 November and nothing has been held since."""
    [alert] = of_reason(alerts_for(assessed("aim-review-no-engagement.json")),
                        AlertReason.REVIEW_OVERDUE)
    assert alert.audience is Audience.SCHOOL
    assert (alert.last_meeting, alert.review_due) == (dt.date(2026, 10, 21), dt.date(2026, 11, 18))
    assert alert.last_meeting_kind == "AIM review"
    assert "was due on 18 November 2026 and has not been held" in alert.why


def test_a_review_due_within_seven_days_is_raised_for_the_school() -> None:
    """The APDR review set for 24 November is due within the week."""
    [alert] = alerts_for(assessed("tiered-support-tier-2-apdr.json"))
    assert (alert.reason, alert.audience) == (AlertReason.REVIEW_DUE, Audience.SCHOOL)
    assert alert.review_due == dt.date(2026, 11, 24)


def test_a_review_is_reminded_from_seven_days_before() -> None:
    """The contract's review on 8 December is reminded from 1 December, not on 30 November."""
    example = "tiered-support-attendance-contract-agreed.json"
    assert alerts_for(assessed(example, dt.date(2026, 11, 30))) == []
    [alert] = alerts_for(assessed(example, dt.date(2026, 12, 1)))
    assert alert.reason is AlertReason.REVIEW_DUE


@pytest.mark.parametrize("example", [
    "support-review-target-met-no-further-action.json",  # the review closed the plan
    "gloucestershire-aim-invitation-planned.json",  # 28 October's review was held on 11 November
])
def test_a_plan_reviewed_or_closed_is_not_reminded(example: str) -> None:
    """A plan looked at again by a later meeting is neither due nor overdue."""
    assert not [a for a in alerts_for(assessed(example)) if a.reason.in_daily_digest]


def test_the_dedupe_key_is_stable_until_the_stage_changes() -> None:
    """One alert per (case, reason, stage): the same key on later days, a new one at a new stage."""
    example = "aim-review-no-engagement.json"
    today = {a.reason: a.dedupe_key for a in alerts_for(assessed(example))}
    later_day = assessed(example, dt.date(2026, 11, 23))
    tomorrow = {a.reason: a.dedupe_key for a in alerts_for(later_day)}
    assert today == tomorrow
    assert today[AlertReason.CONSULTATION_NEEDED] == "ATT-2026-0042|consultation_needed|aim"
    moved_on = replace(case_of(example), stage=Stage.LEGAL_CONSULTATION)
    later = {a.reason: a.dedupe_key for a in alerts_for(assessed(moved_on))}
    assert later[AlertReason.CONSULTATION_NEEDED] != today[AlertReason.CONSULTATION_NEEDED]


def test_one_digest_per_school_per_day() -> None:
    """Reminders for every example gather into one digest per school, keyed by school and day."""
    everything = [assessed(p.name) for p in sorted(EXAMPLES.glob("*.json"))]
    digests = reminder_digest(everything, TODAY)
    assert sorted(digests) == ["Brookfield Community School", "Larkspur Primary School",
                               "Leckhampton Park Academy", "Seaton Carew Academy",
                               "Severn Vale Academy", "Teign Valley Academy"]
    seaton = digests["Seaton Carew Academy"]
    assert [(a.case_ref, a.review_due) for a in seaton.alerts] == [
        ("ATT-2026-0120", dt.date(2026, 11, 23)), ("ATT-2026-0121", dt.date(2026, 11, 23)),
        ("ATT-2026-0119", dt.date(2026, 11, 26))]
    assert seaton.dedupe_key == "digest|Seaton Carew Academy|2026-11-22"
    assert [a.reason for a in digests["Severn Vale Academy"].alerts] == [AlertReason.REVIEW_OVERDUE]
    assert all(d.audience is Audience.SCHOOL for d in digests.values())


def test_a_digest_lists_overdue_reviews_before_due_ones() -> None:
    """At one school, the overdue review comes first, then those due, by date."""
    overdue = assessed("aim-review-no-engagement.json")
    due = case_of("tiered-support-tier-2-apdr.json")
    same_school = assessed(replace(due, school=overdue.case.school))
    digest = reminder_digest([same_school, overdue], TODAY)["Severn Vale Academy"]
    assert [a.case_ref for a in digest.alerts] == ["ATT-2026-0042", "ATT-2026-0118"]
    assert (len(digest.overdue), len(digest.due)) == (1, 1)


def test_a_generation_failure_goes_to_the_schools_own_channel() -> None:
    """A document that could not be made is told to the school, with the reason as given."""
    alert = generation_failed("ATT-2026-0042", "Severn Vale Academy",
                              "the template aim_plan.docx is missing", stage=Stage.AIM,
                              document="AIM plan")
    assert (alert.reason, alert.audience) == (AlertReason.GENERATION_FAILED, Audience.SCHOOL)
    assert alert.why == ("The AIM plan for case ATT-2026-0042 could not be made: the template "
                         "aim_plan.docx is missing")
    assert alert.dedupe_key == "ATT-2026-0042|generation_failed|aim"


def test_alerts_carry_no_names_but_in_the_field_kept_for_cards() -> None:
    """Names stay out of every alert's words and repr; the full name only rides for cards."""
    for example in ("aim-review-no-engagement.json",
                    "penalty-notice-limit-two-notices-in-three-years.json"):
        a = assessed(example)
        names = {a.case.pupil.forename, a.case.pupil.surname,
                 *(c.first_name for c in a.case.carers), *(c.last_name for c in a.case.carers)}
        for alert in alerts_for(a):
            assert not [n for n in names if n in alert.why or n in repr(alert)]
            assert alert.pupil_name == f"{a.case.pupil.forename} {a.case.pupil.surname}"


def test_only_review_reminders_wait_for_the_daily_digest() -> None:
    """Reviews due and overdue go out in the digest; consultations and failures at once."""
    assert {r for r in AlertReason if r.in_daily_digest} == {AlertReason.REVIEW_DUE,
                                                             AlertReason.REVIEW_OVERDUE}

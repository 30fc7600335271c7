"""The bundled examples, run as a user runs them, with the results the guidance gives.

Every expected value here was worked out by hand from ../shared/domain.md and the seeds it
cites, not copied from the program's output. Where the program disagrees with the rule,
the test asserts the rule. docs/examples.md lists the same facts in a table.

Each test is registered against the example file it pins (``@pins``), so that an example
added to examples/ without a test fails ``test_every_example_is_pinned``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import pytest

from function_app.cli import main

pytestmark = pytest.mark.cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SCHEMA_REF = "../function_app/schemas/case-input.schema.json"
TODAY = "2026-11-22"
FIRST_NOTICE = "£80 if paid within 21 days, £160 if paid within 28 days"

PINNED: dict[str, int] = {}  # example file name -> the tier its tests pin

Test = TypeVar("Test", bound=Callable[..., None])


def pins(example: str, tier: int) -> Callable[[Test], Test]:
    """Register a test as pinning the results of ``example`` (whose tier is ``tier``)."""
    assert PINNED.setdefault(example, tier) == tier, f"{example}: two different tiers pinned"

    def register(test: Test) -> Test:
        return test

    return register


def assess(capsys: pytest.CaptureFixture[str], example: str, *extra: str) -> dict[str, Any]:
    code = main(["assess", "--input", str(EXAMPLES / example), "--format", "json",
                 "--today", TODAY, *extra])
    out = capsys.readouterr()
    assert code == 0, out.err
    report: dict[str, Any] = json.loads(out.out)
    return report


def codes(report: dict[str, Any], key: str) -> list[str]:
    return [item["code"] for item in report[key]]


def texts(report: dict[str, Any], key: str, code: str) -> list[str]:
    return [item["text"] for item in report[key] if item["code"] == code]


def meeting(report: dict[str, Any], meeting_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(m for m in report["meetings"] if m["id"] == meeting_id)
    return found


def attendance(report: dict[str, Any]) -> tuple[float, int, bool, bool]:
    a = report["attendance"]
    return (a["attendance_percent"], a["tier"], a["persistently_absent"], a["severely_absent"])


def allowance(report: dict[str, Any], carer_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(al for al in report["penalty_notice"]["allowances"]
                                 if al["carer_id"] == carer_id)
    return found


# Tiers and absence flags ----------------------------------------------------------------


@pins("tier-1-exactly-93-percent-keep-monitoring.json", tier=1)
def test_exactly_93_percent_is_tier_1(capsys: pytest.CaptureFixture[str]) -> None:
    """Seed 004: 93.0% (93 of 100 sessions) is on the Tier 1 boundary (100-93%), so the school keeps
    monitoring."""
    r = assess(capsys, "tier-1-exactly-93-percent-keep-monitoring.json")
    assert attendance(r) == (93.0, 1, False, False)
    assert r["attendance"]["tier_band"] == "100-93%"
    # DfE 2024: figures over 10 school weeks (7 September to 20 November, less half term)
    # decide the threshold: 2 unauthorised sessions do not reach 10
    t = r["penalty_notice"]["threshold"]
    assert (t["reached"], t["sessions"], t["school_weeks"]) == (False, 2, 10)
    assert codes(r, "next_steps") == ["keep_monitoring"]
    assert codes(r, "warnings") == []


@pins("tier-2-between-bands-92-5-percent-new-pupil.json", tier=2)
def test_92_5_percent_falls_in_the_lower_tier(capsys: pytest.CaptureFixture[str]) -> None:
    """Seed 004 and domain.md: 92.5% lies between the bands 100-93% and 92-80%, so it falls in the
    lower tier, Tier 2, and a letter of concern follows (seed 002)."""
    r = assess(capsys, "tier-2-between-bands-92-5-percent-new-pupil.json")
    assert attendance(r) == (92.5, 2, False, False)  # 3 of 40 missed: 7.5%, not persistent
    assert r["attendance"]["tier_band"] == "92-80%"
    assert codes(r, "next_steps") == ["letter_of_concern"]
    assert codes(r, "warnings") == []


@pins("severely-absent-exactly-50-percent-no-plan.json", tier=4)
def test_severely_absent_at_50_percent_needs_a_plan(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """DfE 2024 and seed 003: missing 50% of sessions is severe absence (Tier 4, '50% or lower'),
    and a severely absent pupil with no agreed plan needs one."""
    r = assess(capsys, "severely-absent-exactly-50-percent-no-plan.json")
    assert attendance(r) == (50.0, 4, True, True)
    assert r["attendance"]["tier_band"] == "50% or lower"
    # 12 unauthorised sessions in the figures' 10 school weeks reach the threshold (DfE 2024)
    assert codes(r, "next_steps") == ["invite_support_meeting", "consider_penalty_notice",
                                      "agree_plan_for_severe_absence"]
    assert codes(r, "warnings") == ["severe_absence_no_plan"]


# School attendance (support) meetings and their reviews (seed 002) ---------------------


@pins("support-review-target-met-no-further-action.json", tier=2)
def test_target_met_means_no_further_action(capsys: pytest.CaptureFixture[str]) -> None:
    """Seed 002: when the review finds the target met and decides no further action, no new review
    date is set and the school keeps monitoring."""
    r = assess(capsys, "support-review-target-met-no-further-action.json")
    assert attendance(r) == (91.0, 2, False, False)  # 9% missed: below the 10% line
    assert meeting(r, "m2")["review_due"] is None
    assert codes(r, "next_steps") == ["send_plan", "no_further_action"]


@pins("support-review-target-met-no-further-action.json", tier=2)
def test_support_review_moves_back_out_of_half_term(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Seed 002: a support meeting on 7 October is reviewed within 3 weeks; 28 October is half term,
    so the review falls on the last school day before it, 23 October."""
    r = assess(capsys, "support-review-target-met-no-further-action.json")
    m1 = meeting(r, "m1")
    assert (m1["review_due"], m1["review_set_by"], m1["review_within_guidance"],
            m1["review_overdue"]) == ("2026-10-23", "profile", True, False)
    assert codes(r, "warnings") == ["review_date_note"]
    assert "October half term" in texts(r, "warnings", "review_date_note")[0]


@pins("support-review-some-improvement-review-again.json", tier=2)
def test_some_improvement_means_a_new_plan_and_review(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Seed 002: some improvement means a new plan and another review no more than 3 weeks
    later (11 November to 2 December); 90.0% is exactly the DfE's 10% persistent-absence line."""
    r = assess(capsys, "support-review-some-improvement-review-again.json")
    assert attendance(r) == (90.0, 2, True, False)
    assert meeting(r, "m1")["review_due"] == "2026-11-11"
    assert meeting(r, "m1")["review_overdue"] is False  # the review was held that day
    assert meeting(r, "m2")["review_due"] == "2026-12-02"
    assert codes(r, "next_steps") == ["send_plan", "review_by"]
    [review] = texts(r, "next_steps", "review_by")
    assert "some improvement" in review and "2 December 2026" in review
    assert codes(r, "warnings") == []


@pins("support-review-no-improvement-escalate-notice-to-improve.json", tier=2)
def test_no_improvement_escalates_to_a_notice_to_improve(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Seed 002 and DfE 2024: a review with no improvement that decides to escalate leads to a
    Notice to Improve (3 to 6 weeks), with the action plan kept and reviewed within 3 weeks."""
    r = assess(capsys, "support-review-no-improvement-escalate-notice-to-improve.json")
    assert attendance(r) == (81.0, 2, True, False)
    assert meeting(r, "m2")["review_due"] == "2026-11-25"
    # 16 unauthorised sessions in the figures' 10 school weeks reach the threshold (DfE 2024)
    assert codes(r, "next_steps") == ["send_plan", "send_plan_with_cover_letter",
                                      "escalate_notice_to_improve", "review_by",
                                      "consider_penalty_notice"]
    [nti] = texts(r, "next_steps", "escalate_notice_to_improve")
    assert "Notice to Improve" in nti and "3 to 6 weeks" in nti
    assert "25 November 2026" in texts(r, "next_steps", "review_by")[0]
    assert codes(r, "warnings") == []


@pins("gloucestershire-support-review-escalate-to-warning-and-aim.json", tier=2)
def test_gloucestershire_escalates_to_a_warning_and_an_aim(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Seeds 000 and 001: in Gloucestershire the formal stage is a written warning of prosecution
    with an invitation to an Attendance Improvement Meeting."""
    r = assess(capsys, "gloucestershire-support-review-escalate-to-warning-and-aim.json")
    assert r["profile"]["name"] == "gloucestershire-aim"
    assert attendance(r) == (84.0, 2, True, False)
    assert meeting(r, "m2")["review_due"] == "2026-11-23"
    assert meeting(r, "m2")["review_overdue"] is False
    # 11 unauthorised sessions in the figures' 10 school weeks reach the threshold (DfE 2024)
    assert codes(r, "next_steps") == ["send_plan", "escalate_warning_and_aim", "review_by",
                                      "consider_penalty_notice"]
    [step] = texts(r, "next_steps", "escalate_warning_and_aim")
    assert "risk of prosecution" in step and "Attendance Improvement Meeting" in step
    assert codes(r, "warnings") == []


@pins("closed-case-attendance-recovered.json", tier=1)
def test_closed_case_only_keeps_monitoring(capsys: pytest.CaptureFixture[str]) -> None:
    """The process ladder, step 1 (domain.md): a closed case goes back to monitoring, with no
    other next step."""
    r = assess(capsys, "closed-case-attendance-recovered.json")
    assert r["status"] == "closed"
    assert attendance(r) == (97.0, 1, False, False)
    assert meeting(r, "m1")["review_due"] == "2026-10-07"
    assert meeting(r, "m2")["review_due"] is None  # target met, no further action
    assert codes(r, "next_steps") == ["case_closed"]
    assert codes(r, "warnings") == []


# The Attendance Improvement Meeting: the proceed rule (seeds 000 and 001) --------------


@pins("aim-review-no-engagement.json", tier=3)
def test_aim_review_without_engagement_goes_to_the_inclusion_officer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Seed 000: with no engagement after an AIM review, the school consults its Inclusion Officer,
    completes the Request to Initiate Legal Proceedings form and keeps holding AIMs every 4
    weeks."""
    r = assess(capsys, "aim-review-no-engagement.json")
    assert attendance(r) == (78.0, 3, True, False)  # 78% is in the 79-51% band
    m1, m2 = meeting(r, "m1"), meeting(r, "m2")
    assert (m1["may_proceed"], m1["review_due"], m1["review_overdue"]) == (
        True, "2026-10-21", False)
    # a secondary-age pupil present without parents: the AIM review may go ahead
    assert (m2["may_proceed"], m2["review_due"], m2["review_overdue"]) == (
        True, "2026-11-18", True)
    assert codes(r, "next_steps") == ["send_plan_with_cover_letter",
                                      "consult_before_legal_action", "legal_referral_form",
                                      "consider_eso", "review_overdue"]
    assert "Inclusion Officer" in texts(r, "next_steps", "consult_before_legal_action")[0]
    assert "Request to Initiate Legal Proceedings" in texts(
        r, "next_steps", "legal_referral_form")[0]
    assert codes(r, "warnings") == ["review_overdue"]


@pins("gloucestershire-aim-pupil-and-parents-present.json", tier=3)
def test_aim_proceeds_with_pupil_and_parents(capsys: pytest.CaptureFixture[str]) -> None:
    """Seed 000: an AIM proceeds when the pupil and the parents are present, and is reviewed 4 weeks
    later."""
    r = assess(capsys, "gloucestershire-aim-pupil-and-parents-present.json")
    assert attendance(r) == (76.0, 3, True, False)
    m1 = meeting(r, "m1")
    assert (m1["may_proceed"], m1["review_due"]) == (True, "2026-12-02")
    # 16 unauthorised sessions in the figures' 10 school weeks reach the threshold (DfE 2024)
    assert codes(r, "next_steps") == ["send_plan", "send_plan_with_cover_letter", "review_by",
                                      "consider_penalty_notice"]
    assert codes(r, "warnings") == []


@pins("gloucestershire-aim-secondary-pupil-present-parents-absent.json", tier=3)
def test_aim_proceeds_with_secondary_pupil_alone(capsys: pytest.CaptureFixture[str]) -> None:
    """Seed 000: an AIM proceeds when a secondary-age pupil is present without the parents, who are
    sent the plan with a covering letter (seed 001)."""
    r = assess(capsys, "gloucestershire-aim-secondary-pupil-present-parents-absent.json")
    assert attendance(r) == (70.0, 3, True, False)
    assert r["pupil"]["of_age_to_take_part"] is True
    m1 = meeting(r, "m1")
    assert (m1["may_proceed"], m1["review_due"]) == (True, "2026-12-04")
    # 24 unauthorised sessions in the figures' 10 school weeks reach the threshold (DfE 2024)
    assert codes(r, "next_steps") == ["send_plan_with_cover_letter", "review_by",
                                      "consider_penalty_notice"]
    assert codes(r, "warnings") == []


@pins("gloucestershire-aim-secondary-pupil-absent-does-not-proceed.json", tier=3)
def test_aim_does_not_proceed_without_secondary_pupil(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Seed 000: an AIM does not proceed when a secondary-age pupil is absent, even with parents
    present; the family is invited again."""
    r = assess(capsys, "gloucestershire-aim-secondary-pupil-absent-does-not-proceed.json")
    assert attendance(r) == (68.0, 3, True, False)
    m1 = meeting(r, "m1")
    assert (m1["status"], m1["may_proceed"], m1["review_due"]) == (
        "did_not_proceed", False, None)
    # 22 unauthorised sessions in the figures' 10 school weeks reach the threshold (DfE 2024)
    assert codes(r, "next_steps") == ["invite_aim", "consider_penalty_notice"]
    assert codes(r, "warnings") == []


@pins("gloucestershire-aim-no-one-from-family-attends.json", tier=3)
def test_aim_does_not_proceed_with_no_one_from_the_family(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Seed 000: an AIM does not proceed when neither the pupil nor the parents are present."""
    r = assess(capsys, "gloucestershire-aim-no-one-from-family-attends.json")
    assert attendance(r) == (60.0, 3, True, False)
    m1 = meeting(r, "m1")
    assert (m1["may_proceed"], m1["review_due"]) == (False, None)
    # 28 unauthorised sessions in the figures' 10 school weeks reach the threshold (DfE 2024)
    assert codes(r, "next_steps") == ["invite_aim", "consider_penalty_notice"]
    assert codes(r, "warnings") == []


@pins("gloucestershire-aim-primary-pupil-parents-present.json", tier=2)
def test_aim_proceeds_for_primary_pupil_with_parents(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Seed 000: the pupil attends only if of an age to understand, so an AIM for a Year 4 pupil
    proceeds with the parents present."""
    r = assess(capsys, "gloucestershire-aim-primary-pupil-parents-present.json")
    assert attendance(r) == (82.0, 2, True, False)
    assert r["pupil"]["of_age_to_take_part"] is False
    m1 = meeting(r, "m1")
    assert (m1["may_proceed"], m1["review_due"]) == (True, "2026-12-07")
    # 14 unauthorised sessions in the figures' 10 school weeks reach the threshold (DfE 2024)
    assert codes(r, "next_steps") == ["send_plan", "review_by", "consider_penalty_notice"]
    assert codes(r, "warnings") == []


@pins("national-aim-held-in-parents-absence.json", tier=3)
def test_national_aim_is_held_in_the_parents_absence(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Seed 001 (the national profile's rule): if the parents do not attend, the AIM is held in
    their absence and the plan is sent with a covering letter and the review date."""
    r = assess(capsys, "national-aim-held-in-parents-absence.json")
    assert r["profile"]["name"] == "national-2024"
    assert attendance(r) == (64.0, 3, True, False)
    m1 = meeting(r, "m1")
    assert (m1["may_proceed"], m1["review_due"]) == (True, "2026-12-08")
    # 30 unauthorised sessions in the figures' 10 school weeks reach the threshold (DfE 2024)
    assert codes(r, "next_steps") == ["send_plan_with_cover_letter", "review_by",
                                      "consider_penalty_notice"]
    assert codes(r, "warnings") == []


@pins("national-aim-held-in-parents-absence.json", tier=3)
def test_same_aim_under_gloucestershire_should_not_have_gone_ahead(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Seed 000: under Gloucestershire's rule the same meeting, with neither pupil nor parents
    present, should not have proceeded, and holding it is flagged."""
    r = assess(capsys, "national-aim-held-in-parents-absence.json",
               "--profile", "gloucestershire-aim")
    assert meeting(r, "m1")["may_proceed"] is False
    assert codes(r, "warnings") == ["held_against_proceed_rule"]


# Penalty notices (DfE 2024 national framework) -----------------------------------------


@pins("penalty-threshold-reached-across-half-term.json", tier=2)
def test_penalty_threshold_reached_across_half_term(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """DfE 2024: 10 sessions coded G, N, O or U within 10 school weeks that span October half term
    reach the penalty notice threshold, which must then be considered."""
    r = assess(capsys, "penalty-threshold-reached-across-half-term.json")
    a = r["attendance"]
    # 104 sessions from 3 Sep to 20 Nov, less the 2 Y4 (school closed) sessions
    assert (a["source"], a["possible_sessions"], a["present_sessions"],
            a["authorised_absences"], a["unauthorised_absences"]) == ("marks", 102, 88, 3, 11)
    assert attendance(r) == (86.2, 2, True, False)  # 86.27% shown rounded down
    t = r["penalty_notice"]["threshold"]
    assert (t["reached"], t["sessions"], t["window_start"], t["window_end"],
            t["school_weeks"]) == (True, 10, "2026-09-07", "2026-11-20", 10)
    assert t["rule"] == {"sessions": 10, "school_weeks": 10, "codes": ["G", "N", "O", "U"]}
    span = date.fromisoformat(t["window_end"]) - date.fromisoformat(t["window_start"])
    assert span.days > 10 * 7  # 10 school weeks, 11 calendar weeks: half term is skipped
    assert codes(r, "next_steps") == ["invite_support_meeting", "consider_penalty_notice"]
    [step] = texts(r, "next_steps", "consider_penalty_notice")
    assert "10 sessions" in step and "7 September 2026" in step and "20 November 2026" in step
    assert [allowance(r, c)["next_amount"] for c in ("c1", "c2")] == [FIRST_NOTICE] * 2
    assert codes(r, "warnings") == []


@pins("penalty-threshold-not-reached-nine-sessions.json", tier=2)
def test_nine_sessions_do_not_reach_the_threshold(capsys: pytest.CaptureFixture[str]) -> None:
    """DfE 2024: 9 unauthorised sessions in 10 school weeks do not reach the penalty notice
    threshold of 10; authorised (I, C) and late-before-close (L) marks never count."""
    r = assess(capsys, "penalty-threshold-not-reached-nine-sessions.json")
    a = r["attendance"]
    assert (a["possible_sessions"], a["present_sessions"], a["authorised_absences"],
            a["unauthorised_absences"]) == (100, 87, 4, 9)
    assert attendance(r) == (87.0, 2, True, False)
    t = r["penalty_notice"]["threshold"]
    assert (t["reached"], t["sessions"], t["window_start"], t["window_end"],
            t["school_weeks"]) == (False, 9, "2026-09-07", "2026-11-20", 10)
    assert codes(r, "next_steps") == ["letter_of_concern"]
    assert codes(r, "warnings") == []


@pins("penalty-notice-limit-two-notices-in-three-years.json", tier=3)
def test_no_third_penalty_notice_within_three_years(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Education (Penalty Notices) (England) Regulations 2007 as amended 2024: at most 2 notices per
    parent per child in a rolling 3 years, and a second notice is £160."""
    r = assess(capsys, "penalty-notice-limit-two-notices-in-three-years.json")
    assert attendance(r) == (68.0, 3, True, False)
    t = r["penalty_notice"]["threshold"]
    assert (t["reached"], t["sessions"], t["window_start"], t["window_end"],
            t["school_weeks"]) == (True, 14, "2026-10-12", "2026-11-20", 5)
    mother, father = allowance(r, "c1"), allowance(r, "c2")
    assert mother == {"carer_id": "c1", "issued_in_window": 2, "remaining": 0,
                      "next_amount": None, "available_again_on": "2027-02-05"}
    assert father == {"carer_id": "c2", "issued_in_window": 1, "remaining": 1,
                      "next_amount": "£160", "available_again_on": None}
    steps = codes(r, "next_steps")
    assert steps.index("consider_penalty_notice") < steps.index("penalty_notice_limit_reached")
    [limit] = texts(r, "next_steps", "penalty_notice_limit_reached")
    assert "Kerry Walsh" in limit and "5 February 2027" in limit
    assert "Dean Walsh" not in limit
    assert codes(r, "warnings") == []


# The formal stage and the final year -----------------------------------------------------


@pins("notice-to-improve-running-year-11.json", tier=3)
def test_year_11_pupil_is_flagged_before_legal_steps(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Seed 000, Legal considerations: for a pupil in their final year (Year 11) a case is unlikely
    to reach court, which the school is warned about at the formal stage."""
    r = assess(capsys, "notice-to-improve-running-year-11.json")
    assert attendance(r) == (71.0, 3, True, False)
    assert r["pupil"]["final_year"] is True
    assert codes(r, "warnings") == ["final_year_pupil"]
    assert "Take this into account before any legal step" in texts(
        r, "warnings", "final_year_pupil")[0]


@pins("notice-to-improve-running-year-11.json", tier=3)
def test_notice_to_improve_already_issued_is_not_advised_again(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """DfE 2024: once a Notice to Improve has been issued (6 November, 4 weeks), the next step is
    its improvement period, running until 4 December 2026, not another Notice to Improve."""
    r = assess(capsys, "notice-to-improve-running-year-11.json")
    steps = codes(r, "next_steps")
    assert "escalate_notice_to_improve" not in steps
    assert "improvement_period_running" in steps
    assert "4 December 2026" in texts(r, "next_steps", "improvement_period_running")[0]
    assert meeting(r, "m2")["review_due"] == "2026-11-25"  # the plan is still reviewed


# Local profiles --------------------------------------------------------------------------


@pins("devon-support-meeting-superseded-penalty-wording.json", tier=3)
def test_devon_superseded_penalty_limit_is_shown_not_applied(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Seed 003 and DfE 2024: Devon's 2023 'maximum 2 fixed penalty notices per year, per child' is
    shown as superseded, and the national 2 in a rolling 3 years is applied instead."""
    r = assess(capsys, "devon-support-meeting-superseded-penalty-wording.json")
    assert r["profile"]["name"] == "devon-2023"
    assert attendance(r) == (74.0, 3, True, False)
    assert meeting(r, "m1")["review_due"] == "2026-11-23"
    # 20 unauthorised sessions in the figures' 10 school weeks reach the threshold (DfE 2024),
    # and the mother has had the 2 notices allowed in 3 years
    assert codes(r, "next_steps") == ["send_plan", "send_plan_with_cover_letter", "review_by",
                                      "consider_penalty_notice", "penalty_notice_limit_reached"]
    assert any("A maximum 2 fixed penalty notices can be issued per year, per child." in w
               for w in texts(r, "warnings", "superseded_local_rule"))
    # one notice in June 2024 and one in June 2025: allowed under '2 per year', not nationally
    assert allowance(r, "c1") == {"carer_id": "c1", "issued_in_window": 2, "remaining": 0,
                                  "next_amount": None, "available_again_on": "2027-06-10"}
    assert allowance(r, "c2")["remaining"] == 2


@pins("devon-support-meeting-superseded-penalty-wording.json", tier=3)
def test_devon_superseded_100_session_period_is_shown(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Seed 003 and DfE 2024: Devon's 2023 'period cited is 100 sessions' was replaced by the
    national 10 sessions in a rolling 10 school weeks, so it is shown as superseded wording too."""
    r = assess(capsys, "devon-support-meeting-superseded-penalty-wording.json")
    assert any("100 sessions" in w for w in texts(r, "warnings", "superseded_local_rule"))


@pins("tiered-support-tier-2-apdr.json", tier=2)
def test_tiered_support_tier_2_actions(capsys: pytest.CaptureFixture[str]) -> None:
    """Seed 004, Tier 2 (92-80%): an Assess, Plan, Do, Review form with the pupil's voice,
    attendance in the Additional Needs Plan, and in-school support with regular reviews."""
    r = assess(capsys, "tiered-support-tier-2-apdr.json")
    assert attendance(r) == (88.0, 2, True, False)
    m1 = meeting(r, "m1")
    assert (m1["review_due"], m1["review_set_by"]) == ("2026-11-24", "school")
    assert codes(r, "next_steps") == ["send_plan", "review_by"] + ["tier_2_action"] * 3
    actions = " ".join(texts(r, "next_steps", "tier_2_action"))
    assert "Assess, Plan, Do, Review" in actions and "Additional Needs Plan" in actions
    assert codes(r, "warnings") == ["superseded_local_rule"]  # seed 004's FPN warning


@pins("tiered-support-tier-3-below-80-percent.json", tier=3)
def test_tiered_support_tier_3_actions(capsys: pytest.CaptureFixture[str]) -> None:
    """Seed 004, Tier 3 (79-51%): time-limited targeted group work with the AST SPOC, then an
    Attendance Parent Contract if there is no improvement."""
    r = assess(capsys, "tiered-support-tier-3-below-80-percent.json")
    assert attendance(r) == (77.0, 3, True, False)
    assert meeting(r, "m1")["review_due"] == "2026-11-26"
    assert codes(r, "next_steps")[:2] == ["send_plan", "review_by"]
    assert codes(r, "next_steps").count("tier_3_action") == 4
    [review] = texts(r, "next_steps", "review_by")
    assert "target was not met" in review and "26 November 2026" in review
    actions = " ".join(texts(r, "next_steps", "tier_3_action"))
    assert "targeted group work" in actions and "Attendance Parent Contract" in actions
    assert codes(r, "warnings") == ["superseded_local_rule"]


@pins("tiered-support-tier-3-below-80-percent.json", tier=3)
def test_tiered_support_below_80_percent_needs_a_support_plan(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Seed 004, Tier 2: where there is no improvement and attendance drops below 80%, the school
    initiates an attendance support plan reviewed within 3 to 4 weeks."""
    r = assess(capsys, "tiered-support-tier-3-below-80-percent.json")
    assert any("attendance support plan" in s["text"].lower() for s in r["next_steps"])


@pins("tiered-support-tier-4-early-help.json", tier=4)
def test_tiered_support_tier_4_early_help(capsys: pytest.CaptureFixture[str]) -> None:
    """Seed 004, Tier 4 (50% or lower): Early Help keywork of 12 to 20 weeks, reviewed at 10 weeks;
    with a plan agreed, severe absence raises no missing-plan warning."""
    r = assess(capsys, "tiered-support-tier-4-early-help.json")
    assert attendance(r) == (46.0, 4, True, True)
    m1 = meeting(r, "m1")
    assert (m1["kind"], m1["review_due"], m1["review_set_by"]) == (
        "early_help_review", "2026-11-23", "profile")  # 14 September + 10 weeks
    # 24 unauthorised sessions in the figures' 10 school weeks reach the threshold (DfE 2024)
    assert codes(r, "next_steps") == ["send_plan", "review_by", "consider_penalty_notice"] + [
        "tier_4_action"] * 2
    assert "Early Help keywork" in texts(r, "next_steps", "tier_4_action")[0]
    assert codes(r, "warnings") == ["superseded_local_rule"]


@pins("tiered-support-early-help-closes-at-55-percent.json", tier=3)
def test_tiered_support_early_help_closes_at_55_percent(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Seed 004, Tier 4: Early Help keywork closes when attendance reaches 55% and the case is
    handed back to the school to monitor; 55.0% is Tier 3, where Tier 4's actions do not show."""
    r = assess(capsys, "tiered-support-early-help-closes-at-55-percent.json")
    assert attendance(r) == (55.0, 3, True, False)
    assert codes(r, "next_steps") == ["send_plan", "review_by", "close_early_help"] + [
        "tier_3_action"] * 4
    [close] = texts(r, "next_steps", "close_early_help")
    assert "close the Early Help case" in close and "hand it back to the school" in close
    t = r["penalty_notice"]["threshold"]  # 6 unauthorised sessions in 10 school weeks
    assert (t["reached"], t["sessions"], t["school_weeks"]) == (False, 6, 10)
    assert codes(r, "warnings") == ["superseded_local_rule"]


@pins("stepfather-with-care-and-a-withdrawn-penalty-notice.json", tier=3)
def test_a_stepfather_with_care_is_a_parent_and_a_withdrawn_notice_does_not_count(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Education Act 1996 s576 and DfE 2024: a stepfather with care of the child is a parent with
    his own penalty-notice allowance; the mother's withdrawn notice does not count, so one more
    may be issued to her (£160); 14 unauthorised sessions in 10 school weeks reach the
    threshold from the figures alone."""
    r = assess(capsys, "stepfather-with-care-and-a-withdrawn-penalty-notice.json")
    assert attendance(r) == (78.0, 3, True, False)
    t = r["penalty_notice"]["threshold"]
    assert (t["reached"], t["sessions"], t["window_start"], t["window_end"],
            t["school_weeks"]) == (True, 14, "2026-09-07", "2026-11-20", 10)
    assert allowance(r, "c1") == {"carer_id": "c1", "issued_in_window": 1, "remaining": 1,
                                  "next_amount": "£160", "available_again_on": None}
    assert allowance(r, "c2")["next_amount"] == FIRST_NOTICE
    assert codes(r, "next_steps") == ["letter_of_concern", "consider_penalty_notice"]
    assert "care of the child" in texts(r, "next_steps", "letter_of_concern")[0]
    assert codes(r, "warnings") == []


# Every example ---------------------------------------------------------------------------


def example_files() -> list[str]:
    return sorted(p.name for p in EXAMPLES.glob("*.json"))


def test_every_example_is_pinned() -> None:
    """Every file in examples/ has a test here that pins its results, and each pinned one exists."""
    found, pinned = set(example_files()), set(PINNED)
    assert found, "no examples found"
    assert not found - pinned, f"examples without a pinned test: {sorted(found - pinned)}"
    assert not pinned - found, f"pinned examples that are missing: {sorted(pinned - found)}"


@pytest.mark.parametrize("example", example_files())
def test_every_example_names_the_schema(example: str) -> None:
    """Every example points editors at the shipped JSON Schema (function_app/schemas)."""
    data = json.loads((EXAMPLES / example).read_text(encoding="utf-8"))
    assert data["$schema"] == SCHEMA_REF
    assert (EXAMPLES / SCHEMA_REF).resolve().is_file()


@pytest.mark.parametrize("example", example_files())
def test_every_example_runs_as_text(capsys: pytest.CaptureFixture[str], example: str) -> None:
    """The default text format runs for every example and states its tier (seed 004)."""
    code = main(["assess", "--input", str(EXAMPLES / example), "--today", TODAY])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert example in PINNED, f"{example} has no pinned test"
    assert f"Tier {PINNED[example]} (" in out.out


# Meetings already arranged ------------------------------------------------------------


@pins("support-meeting-invitation-planned.json", 2)
def test_a_planned_support_meeting_asks_for_the_invitation(
        capsys: pytest.CaptureFixture[str]) -> None:
    """Seed 002: once a school attendance meeting is arranged, parents are invited by letter
    and told it may go ahead without them unless a new time is agreed."""
    r = assess(capsys, "support-meeting-invitation-planned.json")
    assert attendance(r) == (85.8, 2, True, False)  # 103/120 = 85.83%, rounded down
    assert codes(r, "next_steps") == ["meeting_planned"]
    [step] = texts(r, "next_steps", "meeting_planned")
    assert "26 November 2026 at 9:15am" in step and "go ahead" in step
    assert meeting(r, "m1")["review_due"] is None  # a planned meeting has no plan to review
    assert codes(r, "warnings") == []


@pins("support-review-invitation-planned.json", 2)
def test_a_planned_review_keeps_the_review_date_the_school_set(
        capsys: pytest.CaptureFixture[str]) -> None:
    """Seed 002: both parents came to the school attendance meeting on 12 November, so the
    plan goes to them (no covering letter), and the review the school set 3 weeks later, on
    3 December, is the review to hold; the review meeting planned for that day is what the
    review invitation is made from."""
    r = assess(capsys, "support-review-invitation-planned.json")
    assert attendance(r) == (88.3, 2, True, False)  # 106/120 = 88.33%: 11.7% missed
    assert codes(r, "next_steps") == ["send_plan", "review_by"]
    assert "3 December 2026" in texts(r, "next_steps", "review_by")[0]
    assert meeting(r, "m1")["review_due"] == "2026-12-03"
    assert meeting(r, "m1")["review_overdue"] is False
    assert meeting(r, "m2")["review_due"] is None  # planned: no plan of its own yet
    assert codes(r, "warnings") == []


@pins("support-meeting-rearranged.json", 2)
def test_a_rearranged_support_meeting_is_the_meeting_planned(
        capsys: pytest.CaptureFixture[str]) -> None:
    """Seed 002: the meeting moved by phone to 1 December is the meeting planned, and the new
    arrangement is confirmed in writing (the rearranged meeting letter)."""
    r = assess(capsys, "support-meeting-rearranged.json")
    assert attendance(r) == (86.0, 2, True, False)  # 86/100: 14% missed
    assert codes(r, "next_steps") == ["meeting_planned"]
    [step] = texts(r, "next_steps", "meeting_planned")
    assert "1 December 2026 at 9:15am" in step and "confirm in writing" in step
    assert meeting(r, "m1")["review_due"] is None
    assert codes(r, "warnings") == []


@pins("gloucestershire-aim-invitation-planned.json", 3)
def test_escalation_acted_on_shows_the_planned_aim(capsys: pytest.CaptureFixture[str]) -> None:
    """Seeds 000 and 001: after a review decides to escalate, an arranged AIM replaces the
    advice to escalate; the letter must warn of prosecution and offer a home or neutral venue;
    seed 002: the plan stays under review meanwhile (11 November + 3 weeks)."""
    r = assess(capsys, "gloucestershire-aim-invitation-planned.json")
    assert attendance(r) == (75.3, 3, True, False)  # 98/130 = 75.38%
    assert codes(r, "next_steps") == ["send_plan", "meeting_planned", "review_by"]
    [step] = texts(r, "next_steps", "meeting_planned")
    assert "30 November 2026 at 2pm" in step and "prosecution" in step and "neutral" in step
    assert meeting(r, "m2")["review_due"] == "2026-12-02"
    assert meeting(r, "m1")["review_overdue"] is False  # m2 reviewed it
    assert codes(r, "warnings") == []


@pins("tiered-support-attendance-contract-agreed.json", 3)
def test_attendance_contract_keeps_the_schools_review_date(
        capsys: pytest.CaptureFixture[str]) -> None:
    """Seed 004 Tier 3: an Attendance Parent Contract is reviewed on the date the school set,
    and the Tier 3 actions follow, with the superseded FPN warning shown."""
    r = assess(capsys, "tiered-support-attendance-contract-agreed.json")
    assert attendance(r) == (71.4, 3, True, False)  # 100/140 = 71.43%
    m1 = meeting(r, "m1")
    assert (m1["review_due"], m1["review_set_by"]) == ("2026-12-08", "school")
    assert codes(r, "next_steps") == ["send_plan", "review_by"] + ["tier_3_action"] * 4
    assert codes(r, "warnings") == ["superseded_local_rule"]

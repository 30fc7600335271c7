"""Who is a parent (Education Act 1996 s576) and four rules found wrong (issue 15, items 6, 7).

Item 6: a parent is anyone with parental responsibility or care of the child; letters,
"who attended" and penalty-notice allowances are theirs; a withdrawn notice does not count.
Item 7: Early Help closes at 55% (seed 004); a threshold crossing acted on is not reported
again; figures over at most 10 school weeks decide the threshold; Years 12-13 get no legal step.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from function_app.documents.context import Options
from function_app.documents.engine import TemplateSet, produce
from function_app.domain import assess, load_profile
from function_app.domain.assessment import Assessment
from function_app.domain.model import (
    Case,
    DateRange,
    MeetingKind,
    MeetingStatus,
    NoticeToImprove,
    Party,
    PenaltyNotice,
    ReviewDecision,
    ReviewOutcome,
    Session,
    SessionMark,
    Stage,
    TargetMet,
)
from function_app.domain.readiness import readiness
from function_app.services.case_files.case_input import case_from_dict
from function_app.services.case_lists.list_items import items_from_case_input, renamed
from function_app.services.case_lists.list_mapping import map_case
from tests.builders import TODAY, attendee, carer, case, figures, meeting

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
# This file's own example: a mother, a stepfather with care and a withdrawn notice.
EXAMPLE = ROOT / "examples" / "stepfather-with-care-and-a-withdrawn-penalty-notice.json"
NATIONAL = load_profile("national-2024")
TIERED = load_profile("tiered-support")

MOTHER = carer()
STEPFATHER = carer(id="c2", first_name="Lee", last_name="Grant", relationship="Stepfather",
                   parental_responsibility=False, has_care=True)
GRANDMOTHER = carer(id="c3", first_name="Pat", last_name="Ellis", relationship="Grandmother",
                    parental_responsibility=False, lives_with_pupil=False)


def assessed(c: Case, profile_name: str = "national-2024", today: dt.date = TODAY) -> Assessment:
    return assess(c, load_profile(profile_name), today)


def codes(advice: tuple[Any, ...] | list[Any]) -> list[str]:
    return [a.code for a in advice]


def text_of(advice: tuple[Any, ...], code: str) -> str:
    return next(a.text for a in advice if a.code == code)


def source_of(advice: tuple[Any, ...], code: str) -> str:
    return next(a.source for a in advice if a.code == code)


def school_days(first: dt.date, weeks: int) -> list[dt.date]:
    """Every weekday of ``weeks`` consecutive weeks from the Monday ``first``."""
    return [first + dt.timedelta(weeks=w, days=d) for w in range(weeks) for d in range(5)]


def marks(days: list[dt.date], unauthorised: set[dt.date]) -> tuple[SessionMark, ...]:
    """An AM and a PM mark a day; the AM of each day in ``unauthorised`` is an O."""
    return tuple(m for d in days for m in (
        SessionMark(d, Session.AM, "O" if d in unauthorised else "/"),
        SessionMark(d, Session.PM, "/")))


# -- item 6: who is a parent ---------------------------------------------------------------


def test_a_carer_with_care_of_the_child_is_a_parent_without_parental_responsibility() -> None:
    """Education Act 1996 s576: a parent is anyone with parental responsibility or who has care
    of the child, so a step-parent with care is one and a grandmother with neither is not."""
    c = case(carers=(MOTHER, STEPFATHER, GRANDMOTHER))
    assert [p.id for p in c.parents] == ["c1", "c2"]


def example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return data


def test_has_care_is_read_from_the_case_file_and_defaults_to_no() -> None:
    """Education Act 1996 s576 (care of the child) is recorded as has_care, false unless
    given, so an existing case file keeps the parents it had."""
    c = case_from_dict(example())
    assert [(x.id, x.parental_responsibility, x.has_care) for x in c.carers] == [
        ("c1", True, False), ("c2", False, True)]
    assert [p.id for p in c.parents] == ["c1", "c2"]
    assert [n.withdrawn for n in c.penalty_notices] == [False, True]


def test_has_care_and_withdrawn_survive_the_sharepoint_lists() -> None:
    """Education Act 1996 s576 and DfE 2024: the Carers list's 'Has care of the child' and the
    Penalty Notices list's 'Withdrawn' columns carry has_care and withdrawn both ways."""
    data = example()
    items, ids = items_from_case_input(data)
    assert [i.fields.get("HasCare") for i in items.carers] == [None, True]
    assert [i.fields.get("Withdrawn") for i in items.penalty_notices] == [None, True]
    mapped = map_case(items, dt.date(2026, 11, 22))
    assert mapped.problems == ()
    assert mapped.case == case_from_dict(renamed(data, ids))
    assert mapped.case is not None and mapped.case.penalty_notices[1].withdrawn


def test_living_with_the_pupil_alone_asks_staff_whether_the_carer_has_care() -> None:
    """Seed 000 ('consider who has day-to-day responsibility') and s576: a carer recorded as
    living with the pupil with neither parental responsibility nor care is flagged, not
    written to."""
    lodger = carer(id="c4", first_name="Chris", last_name="Reid", relationship="Partner",
                   parental_responsibility=False)
    a = assessed(case(carers=(MOTHER, lodger)))
    assert "lives_with_pupil_without_care" in codes(a.warnings)
    assert "Chris Reid" in text_of(a.warnings, "lives_with_pupil_without_care")
    assert [p.id for p in a.case.parents] == ["c1"]


def test_the_letter_of_concern_goes_to_a_step_parent_with_care() -> None:
    """Seed 000 (one letter to each parent) and Education Act 1996 s576: a step-parent who has
    care of the child gets their own letter; a grandmother without care gets none."""
    data = example()
    data["carers"].append({"id": "c3", "first_name": "Pat", "last_name": "Lee",
                           "relationship": "Grandmother", "parental_responsibility": False,
                           "lives_with_pupil": False, "address": "3 Ash Row"})
    c = case_from_dict(data)
    documents = produce(TemplateSet(), "letter_of_concern",
                        assess(c, load_profile(c.profile), dt.date(2026, 11, 22)), None,
                        Options(""), dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC))
    assert [d.recipient for d in documents] == ["Rachel Hughes", "Darren Cole"]


def test_a_step_parent_with_care_who_missed_the_meeting_is_sent_the_plan() -> None:
    """Seed 001 (a covering letter with the plan to parents who did not attend) and s576: who
    attended is judged over every parent, a step-parent with care included."""
    aim = meeting(kind=MeetingKind.AIM, attendees=(
        attendee(Party.CARER, name="Dana Ellis", role="Mother", carer_id="c1"),
        attendee(Party.SCHOOL), attendee(Party.SCHOOL, name="Sam Hill", role="Head")))
    a = assessed(case(carers=(MOTHER, STEPFATHER), meetings=(aim,), stage=Stage.AIM))
    assert "Lee Grant did not attend" in text_of(a.next_steps, "send_plan_with_cover_letter")


def test_penalty_notice_allowances_count_each_parent_with_care() -> None:
    """DfE 2024 (one notice per parent per child, at most 2 in 3 years) and s576: a step-parent
    with care has an allowance of their own."""
    notices = (PenaltyNotice("c2", dt.date(2025, 1, 6)), PenaltyNotice("c2", dt.date(2025, 6, 2)))
    a = assessed(case(carers=(MOTHER, STEPFATHER, GRANDMOTHER), penalty_notices=notices))
    assert [(al.carer_id, al.issued_in_window, al.remaining) for al in a.allowances] == [
        ("c1", 0, 2), ("c2", 2, 0)]


def test_a_withdrawn_penalty_notice_does_not_count_towards_the_limit() -> None:
    """DfE 2024 national framework: a withdrawn notice does not count towards the 2 per parent
    per child in a rolling 3 years, so one more may still be issued (at £160)."""
    notices = (PenaltyNotice("c1", dt.date(2025, 1, 6)),
               PenaltyNotice("c1", dt.date(2025, 6, 2), withdrawn=True))
    [al] = assessed(case(penalty_notices=notices)).allowances
    assert (al.issued_in_window, al.remaining, al.next_amount) == (1, 1, "£160")


# -- item 7: Early Help closes at 55% (seed 004) -------------------------------------------


def early_help(present: int) -> Case:
    review = meeting(kind=MeetingKind.EARLY_HELP_REVIEW, date=dt.date(2026, 1, 12))
    return case(stage=Stage.EARLY_HELP, attendance=figures(present=present),
                meetings=(review,))


def test_an_early_help_case_at_55_percent_is_closed_and_handed_back_to_the_school() -> None:
    """Seed 004, Tier 4: Early Help keywork closes when attendance reaches 55% and the case is
    handed back to the school to monitor."""
    a = assessed(early_help(55), "tiered-support")
    assert "close_early_help" in codes(a.next_steps)
    text = text_of(a.next_steps, "close_early_help")
    assert "55.0%" in text and "close the Early Help case" in text and "school" in text
    assert source_of(a.next_steps, "close_early_help").startswith("seed 004")


def test_an_early_help_case_below_55_percent_carries_on() -> None:
    """Seed 004, Tier 4: at 54% (Tier 3, above Tier 4's 50%) Early Help keywork is not yet
    closed, and the advice says it closes at 55%."""
    a = assessed(early_help(54), "tiered-support")
    assert "close_early_help" not in codes(a.next_steps)
    assert "55%" in text_of(a.next_steps, "continue_early_help")


def test_the_national_profile_has_no_early_help_closure() -> None:
    """Seed 004's 55% is that LA's rule; the national profile (DfE 2024) sets no Early Help
    tier, so no closure is advised."""
    assert NATIONAL.early_help_close_percent is None
    assert "close_early_help" not in codes(assessed(early_help(60)).next_steps)


# -- item 7: a threshold crossing already acted on (DfE 2024) -----------------------------


TERM = school_days(dt.date(2026, 1, 5), 10)  # 5 January to 13 March 2026, 10 school weeks


def test_a_crossing_followed_by_a_penalty_notice_is_not_reported_again() -> None:
    """DfE 2024 national framework: 10 unauthorised sessions acted on by a penalty notice issued
    after them are not reported as a new crossing of the threshold."""
    c = case(attendance=None, marks=marks(TERM, set(TERM[:10])),
             penalty_notices=(PenaltyNotice("c1", dt.date(2026, 1, 19)),))
    a = assessed(c, today=dt.date(2026, 3, 14))
    assert a.threshold is not None and not a.threshold.reached
    assert "consider_penalty_notice" not in codes(a.next_steps)


def test_new_absence_after_the_notice_crosses_the_threshold_again() -> None:
    """DfE 2024 national framework: 10 new unauthorised sessions after the last notice are a
    new crossing, reported with the notice's date."""
    c = case(attendance=None, marks=marks(TERM, set(TERM[:10]) | set(TERM[20:30])),
             penalty_notices=(PenaltyNotice("c1", dt.date(2026, 1, 19)),))
    a = assessed(c, today=dt.date(2026, 3, 14))
    assert a.threshold is not None and (a.threshold.reached, a.threshold.sessions) == (True, 10)
    assert "since the last notice, issued on 19 January 2026" in text_of(
        a.next_steps, "consider_penalty_notice")


def test_a_withdrawn_notice_has_not_acted_on_the_crossing() -> None:
    """DfE 2024: a withdrawn notice does not count, so the crossing before it is still
    reported."""
    c = case(attendance=None, marks=marks(TERM, set(TERM[:10])),
             penalty_notices=(PenaltyNotice("c1", dt.date(2026, 1, 19), withdrawn=True),))
    a = assessed(c, today=dt.date(2026, 3, 14))
    assert "consider_penalty_notice" in codes(a.next_steps)


def test_a_notice_to_improve_after_the_crossing_has_acted_on_it() -> None:
    """DfE 2024: a Notice to Improve is the first response to the threshold, so a crossing
    before it is not reported again; its improvement period is followed instead."""
    c = case(attendance=None, marks=marks(TERM, set(TERM[:10])),
             notice_to_improve=NoticeToImprove(dt.date(2026, 1, 19), 4))
    a = assessed(c, today=dt.date(2026, 3, 14))
    assert "consider_penalty_notice" not in codes(a.next_steps)
    assert "improvement_period_ended" in codes(a.next_steps)


# -- item 7: figures without marks (DfE 2024: 10 sessions in a rolling 10 school weeks) ---


def test_figures_over_ten_school_weeks_decide_the_threshold() -> None:
    """DfE 2024: 10 unauthorised sessions over a period of 10 school weeks reach the threshold,
    from the session figures alone."""
    f = figures(present=90, unauthorised=10, period_start=dt.date(2026, 1, 5),
                period_end=dt.date(2026, 3, 13))
    a = assessed(case(attendance=f), today=dt.date(2026, 3, 14))
    assert a.threshold is not None
    assert (a.threshold.reached, a.threshold.sessions, a.threshold.school_weeks,
            a.threshold.from_figures) == (True, 10, 10, True)
    assert "consider_penalty_notice" in codes(a.next_steps)


def test_a_holiday_week_is_not_a_school_week_of_the_figures_period() -> None:
    """DfE 2024 ('may span terms'): 11 calendar weeks with a half-term week in them are 10 school
    weeks, so the figures still decide the threshold."""
    half_term = (dt.date(2026, 2, 16), dt.date(2026, 2, 20))
    f = figures(present=88, unauthorised=12, period_start=dt.date(2026, 1, 5),
                period_end=dt.date(2026, 3, 20))
    school = case().school
    c = case(attendance=f, school=replace(school, holidays=(DateRange(*half_term, "Half term"),)))
    a = assessed(c, today=dt.date(2026, 3, 21))
    assert a.threshold is not None and (a.threshold.reached, a.threshold.school_weeks) == (
        True, 10)


def test_figures_over_a_longer_period_do_not_decide_the_threshold() -> None:
    """DfE 2024: totals over 11 school weeks say nothing about any 10, so the threshold is not
    applied to them, however many sessions were missed."""
    f = figures(present=60, unauthorised=40, period_start=dt.date(2026, 1, 5),
                period_end=dt.date(2026, 3, 20))
    a = assessed(case(attendance=f), today=dt.date(2026, 3, 21))
    assert a.threshold is None
    assert "consider_penalty_notice" not in codes(a.next_steps)


# -- item 7: Years 12 and 13 (Education Act 1996 s8 and s444) -------------------------------


def sixth_former(year: int, **changes: Any) -> Case:
    """A case whose AIM review found no improvement, with 16 unauthorised sessions in 10
    school weeks: every legal step would be advised before Year 12."""
    values: dict[str, Any] = {"stage": Stage.AIM}
    review = meeting(kind=MeetingKind.AIM_REVIEW, review_outcome=ReviewOutcome(
        TargetMet.NO, ReviewDecision.ESCALATE))
    aim = meeting(id="m0", kind=MeetingKind.AIM, date=dt.date(2026, 2, 2))
    f = figures(present=80, unauthorised=16, period_start=dt.date(2025, 12, 29),
                period_end=dt.date(2026, 3, 6))
    born = dt.date(2026 - 5 - year, 3, 1)
    values |= {"attendance": f, "meetings": (aim, review),
               "pupil": replace(case().pupil, year_group=year, date_of_birth=born)}
    return case(**(values | changes))


LEGAL = {"consult_before_legal_action", "legal_referral_form", "consider_eso",
         "consider_penalty_notice", "escalate_notice_to_improve", "escalate_warning_and_aim",
         "improvement_period_ended", "invite_aim"}


def test_year_11_is_still_advised_legal_steps_with_the_final_year_warning() -> None:
    """Seed 000: Year 11 is the final year of compulsory school age, so the legal steps are
    advised with the warning that a case is unlikely to reach court."""
    a = assessed(sixth_former(11))
    assert {"consult_before_legal_action", "consider_penalty_notice"} <= set(codes(a.next_steps))
    assert "final_year_pupil" in codes(a.warnings)


@pytest.mark.parametrize("year", [12, 13])
def test_years_12_and_13_are_advised_no_legal_step(year: int) -> None:
    """Education Act 1996 s8 and s444: compulsory school age ends in Year 11, so for Years 12
    and 13 no penalty notice, prosecution or legal referral or consultation is advised."""
    a = assessed(sixth_former(year))
    steps = codes(a.next_steps)
    assert not LEGAL & set(steps)
    assert "no_legal_step_over_compulsory_school_age" in steps
    assert "s444" in source_of(a.next_steps, "no_legal_step_over_compulsory_school_age")


@pytest.mark.parametrize("year", [12, 13])
def test_the_final_year_warning_is_year_11s_not_the_sixth_forms(year: int) -> None:
    """Seed 000's final-year warning ('a case is unlikely to go to court') is for Year 11; Years
    12 and 13 are told instead that no legal step applies (Education Act 1996 s8)."""
    a = assessed(sixth_former(year))
    assert "final_year_pupil" not in codes(a.warnings)
    assert "over_compulsory_school_age" in codes(a.warnings)
    step = readiness(a.case, NATIONAL, TODAY).step("final_year")
    assert step.required and not step.found and "over compulsory school age" in step.evidence
    assert "unlikely to reach court" not in step.evidence


def test_a_year_12_aim_invitation_carries_no_warning_of_prosecution() -> None:
    """Education Act 1996 s444 does not reach a pupil over compulsory school age, so the planned
    AIM's letter is not to warn of prosecution (seeds 000 and 001 otherwise)."""
    planned = meeting(id="m9", kind=MeetingKind.AIM, status=MeetingStatus.PLANNED,
                      date=dt.date(2026, 3, 20))
    a = assessed(sixth_former(12, meetings=(planned,), stage=Stage.FORMAL_WARNING))
    assert "prosecution" not in text_of(a.next_steps, "meeting_planned")

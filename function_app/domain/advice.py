"""What to do next, in plain words, each step citing the rule it comes from.

Support first, legal action last (domain.md, "The process ladder"). The steps are worked
out from the case's stage, its latest meeting and that meeting's outcome, the absence
flags and the profile; they are ordered as a person would act on them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from .attendance import display_percent, figure_of
from .findings import Advice as Advice  # re-exported: it was defined here
from .findings import Assessment, MeetingView
from .meetings import pupil_of_age_to_take_part
from .model import (
    CaseStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Party,
    ReviewDecision,
    Stage,
    TargetMet,
)
from .wording import clock, day, meeting_name

SEED_002_REVIEW = "seed 002, review meeting: target met yes / some improvement / no"
ESO_SOURCE = ("Children Act 1989 s36; seed 000, Legal considerations: an Education "
              "Supervision Order is considered before prosecution")
NTI_SOURCE = ("DfE, Working together to improve school attendance (2024): the Notice to "
              "Improve states the attendance record, the support already offered, a warning "
              "of a penalty notice or prosecution, and an improvement period of 3 to 6 weeks")
COMPULSORY_AGE_SOURCE = ("Education Act 1996 s8 (compulsory school age ends on the last Friday "
                         "of June in Year 11) and s444 (the offence concerns a child of "
                         "compulsory school age)")
PARENTS = "each parent (everyone with parental responsibility or care of the child)"
# The steps that are, or lead straight to, legal action against a parent: none applies to a
# pupil over compulsory school age (Years 12 and 13).
LEGAL_STEPS = frozenset({
    "consult_before_legal_action", "legal_referral_form", "consider_eso",
    "consider_penalty_notice", "penalty_notice_limit_reached", "escalate_notice_to_improve",
    "escalate_warning_and_aim", "improvement_period_running", "improvement_period_ended",
    "invite_aim",
})


def next_steps(a: Assessment) -> list[Advice]:
    if a.case.status is CaseStatus.CLOSED:
        return [Advice("case_closed", "The case is closed. Keep monitoring attendance and "
                       "reopen the case if it falls again.", "domain.md, step 1 (monitoring)")]
    steps = list(_ladder(a))
    if a.case.notice_to_improve is not None:
        steps += _notice_to_improve(a)
    steps += _penalty_notice(a)
    steps += _severe_absence(a)
    steps += _early_help(a)
    steps += _tier_actions(a)
    if over_compulsory_school_age(a):
        steps = _without_legal_steps(a, steps)
    return _unique(steps)


def over_compulsory_school_age(a: Assessment) -> bool:
    """Years 12 and 13: compulsory school age ends on the last Friday of June in Year 11
    (Education Act 1996 s8), the profile's final year, and s444 concerns a child of
    compulsory school age, so no penalty notice, prosecution or referral for legal
    intervention applies."""
    return a.case.pupil.year_group > a.profile.final_year_group


def _without_legal_steps(a: Assessment, steps: list[Advice]) -> list[Advice]:
    kept = [s for s in steps if s.code not in LEGAL_STEPS]
    if len(kept) == len(steps):
        return steps
    return [*kept, Advice(
        "no_legal_step_over_compulsory_school_age",
        f"The pupil is in Year {a.case.pupil.year_group}, over compulsory school age: no "
        "Notice to Improve, penalty notice, prosecution or referral for legal intervention "
        "applies. Keep working with the pupil and the family on a plan of support instead.",
        COMPULSORY_AGE_SOURCE)]


def _ladder(a: Assessment) -> Iterator[Advice]:
    latest = a.latest_held
    if latest is None:
        yield from _before_any_meeting(a)
        return
    m = latest.meeting
    yield from _send_the_plan(a, latest)
    outcome = m.review_outcome
    if m.kind in (MeetingKind.AIM, MeetingKind.AIM_REVIEW) and (
        (outcome is not None and outcome.decision is ReviewDecision.ESCALATE)
        or (outcome is not None and outcome.target_met is TargetMet.NO)
    ):
        yield from _consult_before_legal_action(a)
        yield from _review(latest, "Keep holding AIMs alongside any legal process: review "
                           "the plan", "seed 000: AIMs continue alongside legal involvement")
        return
    if m.kind is MeetingKind.LEGAL_CONSULTATION:
        yield from _consult_before_legal_action(a, consulted=True)
        return
    if outcome is None:
        yield from _review(latest, "Review the plan", a.profile.source("review_intervals"))
        return
    if outcome.decision is ReviewDecision.NO_FURTHER_ACTION:
        yield Advice("no_further_action",
                     "The target was met and no further action was decided. Keep monitoring "
                     "attendance and recognise the improvement with the family.", SEED_002_REVIEW)
        return
    if outcome.decision is ReviewDecision.ESCALATE:
        planned = _planned_after(a, m.date)
        if planned:  # escalation already acted on: the next meeting is arranged
            yield from _meeting_planned(a, planned[0])
        elif a.case.notice_to_improve is None:  # else the notice's period is reported below
            yield from _escalate(a)
        yield from _review(latest, "Keep an action plan in place while you escalate: review it",
                           "seed 002: for continuity, have an action plan in place even when "
                           "escalating")
        return
    words = {
        TargetMet.YES: "The target was met: continue the plan to keep things on track and "
                       "review it",
        TargetMet.SOME: "There has been some improvement: agree a new plan, explore further "
                        "support and review it",
        TargetMet.NO: "The target was not met: agree a new plan, consider whether to escalate "
                      "(legal intervention is a last resort once all support has been "
                      "explored) and review it",
    }
    yield from _review(latest, words[outcome.target_met], SEED_002_REVIEW)


def _planned_after(a: Assessment, after: date) -> list[Meeting]:
    return [m for m in a.case.meetings_by_date()
            if m.status is MeetingStatus.PLANNED and m.date > after and m.date >= a.today]


def _meeting_planned(a: Assessment, m: Meeting) -> Iterator[Advice]:
    when = day(m.date) + (f" at {clock(m.time)}" if m.time else "")
    if m.kind in (MeetingKind.AIM, MeetingKind.AIM_REVIEW):
        warn = ("" if over_compulsory_school_age(a) else
                "warn in writing that they may be at risk of prosecution, ")
        yield Advice("meeting_planned",
                     f"The Attendance Improvement Meeting is planned for {when}. Write to each "
                     f"parent individually: {warn}offer to meet at home or at a neutral venue, "
                     "and say the meeting will go ahead in their absence unless a new time is "
                     "agreed.", "seeds 000 and 001: how is an AIM organised?")
    else:
        yield Advice("meeting_planned",
                     f"The {meeting_name(m.kind)} is planned for {when}. "
                     "Invite each parent or carer by letter, say it may go ahead if they do "
                     "not attend unless a new time is agreed, and confirm in writing any "
                     "arrangement made by phone.", "seed 002: how should they be invited?")


def _before_any_meeting(a: Assessment) -> Iterator[Advice]:
    stage, view = a.case.stage, a.attendance
    planned = _planned_after(a, date.min)
    if planned:
        yield from _meeting_planned(a, planned[0])
        return
    concern = view.tier.tier >= 2 or view.flags.persistently_absent
    if stage is Stage.MONITORING:
        if concern:
            yield Advice("letter_of_concern",
                         f"Attendance is {_pct(a)}, Tier {view.tier.tier} ({view.tier.label}). "
                         f"Write a letter of concern to {PARENTS}, by name.",
                         "seed 002: before a school attendance meeting the school will have "
                         "written a letter of concern; seed 000: contact parents individually; "
                         "Education Act 1996 s576: who is a parent")
        else:
            yield Advice("keep_monitoring",
                         f"Attendance is {_pct(a)}, Tier {view.tier.tier}. Keep monitoring "
                         "and recognise good or improved attendance.",
                         a.profile.source("tier_bands"))
        return
    if stage is Stage.LETTER_OF_CONCERN:
        yield Advice("invite_support_meeting",
                     "Invite the parents or carers to a school attendance (support) meeting by "
                     "letter. Say that it may go ahead if they do not attend, unless they "
                     "contact the school and a new time is agreed; confirm any arrangement "
                     "made by phone in writing.",
                     "seed 002: how should they be invited?")
        return
    if stage in (Stage.FORMAL_WARNING, Stage.AIM):
        yield Advice("invite_aim",
                     "Write to each parent warning that they may be at risk of prosecution and "
                     "inviting them to an Attendance Improvement Meeting. Offer to meet at home "
                     "or at a neutral venue, invite them to say if the time does not suit, and "
                     "say the meeting will go ahead in their absence unless a new time is "
                     "agreed.", "seeds 000 and 001: how is an AIM organised?")
        return
    if stage is Stage.NOTICE_TO_IMPROVE:
        yield from _notice_to_improve(a)
        return
    yield Advice("hold_first_meeting",
                 "No meeting has been held yet on this case: arrange one with the family and "
                 "record it.", "seed 002: the school attendance meeting")


def _send_the_plan(a: Assessment, latest: MeetingView) -> Iterator[Advice]:
    m = latest.meeting
    if not m.kind.makes_a_plan:
        return
    who = "the pupil if appropriate, and the professionals involved"
    there = {x.carer_id for x in m.attendees_of(Party.CARER) if x.present and x.carer_id}
    carers = a.case.parents  # Education Act 1996 s576: responsibility or care of the child
    if not there and m.present(Party.CARER):  # attendees not linked to carers: trust it
        there = {c.id for c in carers}
    absent = [c for c in carers if c.id not in there]
    if len(absent) < len(carers) or not carers:
        yield Advice("send_plan",
                     f"Send a copy of the plan from the meeting on {day(m.date)} to the parents "
                     f"or carers who attended, {who}.", "seed 002, after the meeting; seed 001")
    if absent:
        names = " and ".join(c.full_name for c in absent)
        yield Advice("send_plan_with_cover_letter",
                     f"{names} did not attend on {day(m.date)}: send "
                     f"{'each of them' if len(absent) > 1 else 'them'} the plan with a covering "
                     "letter that gives the review date.",
                     "seed 001: if parents do not attend, send a copy of the plan with a letter "
                     "and include a date to review it")


def _review(latest: MeetingView, words: str, source: str) -> Iterator[Advice]:
    review = latest.review
    if review is None:
        yield Advice("set_review_date", f"{words}; set a review date for it.", source)
        return
    when = day(review.due)
    if latest.review_overdue:
        yield Advice("review_overdue", f"{words}: the review was due on {when} and is overdue.",
                     source)
    else:
        yield Advice("review_by", f"{words} by {when}.", source)


def _escalate(a: Assessment) -> Iterator[Advice]:
    if a.profile.formal_step == "warning_and_aim":
        yield Advice("escalate_warning_and_aim",
                     "Escalate to the formal stage: write to each parent warning in writing "
                     "that they may be at risk of prosecution, and invite them to an "
                     "Attendance Improvement Meeting.", a.profile.source("formal_step"))
    else:
        low, high = a.profile.notice_to_improve_weeks
        yield Advice("escalate_notice_to_improve",
                     "Escalate to the formal stage: consider a Notice to Improve to each parent. "
                     "It must set out the attendance record, the support already offered, a "
                     "warning that a penalty notice or prosecution may follow, and an "
                     f"improvement period of {low} to {high} weeks with what counts as enough "
                     "improvement.", NTI_SOURCE)


def _notice_to_improve(a: Assessment) -> Iterator[Advice]:
    nti = a.case.notice_to_improve
    if nti is None:
        yield from _escalate(a)
        return
    ends = nti.issued_on + timedelta(weeks=nti.improvement_period_weeks)
    if a.today <= ends:
        yield Advice("improvement_period_running",
                     f"The Notice to Improve's improvement period runs until {day(ends)}. Keep "
                     "the support in place and check attendance at the end of it.", NTI_SOURCE)
    else:
        yield Advice("improvement_period_ended",
                     f"The improvement period ended on {day(ends)}. If attendance has not "
                     "improved enough, consider a penalty notice, or another legal route if "
                     "one is not appropriate.", NTI_SOURCE)


def _consult_before_legal_action(a: Assessment, consulted: bool = False) -> Iterator[Advice]:
    p = a.profile
    if not consulted:
        yield Advice("consult_before_legal_action",
                     f"There has been no improvement or engagement: speak to {p.consult} about "
                     "whether legal action is appropriate.", p.source("consult"))
    yield Advice("legal_referral_form",
                 f"Complete the {p.legal_referral_form} form, with the evidence collated: the "
                 "letters sent, the plans, the minutes and the attendance record.",
                 p.source("legal_referral_form"))
    if not a.case.education_supervision_order_considered:
        yield Advice("consider_eso",
                     "Consider an Education Supervision Order before prosecution (usually for "
                     "12 months, up to 3 years).", ESO_SOURCE)


def _penalty_notice(a: Assessment) -> Iterator[Advice]:
    t = a.threshold
    if t is None or not t.reached:
        return
    rule = a.profile.penalty_threshold
    assert t.window_start and t.window_end
    since = (f" since the last notice, issued on {day(t.acted_on)}"
             if t.acted_on and t.acted_on >= t.window_start else "")
    yield Advice("consider_penalty_notice",
                 f"The penalty notice threshold is reached: {t.sessions} sessions of "
                 f"unauthorised absence between {day(t.window_start)} and {day(t.window_end)}"
                 f"{since} (the threshold is {rule.sessions} sessions in {rule.school_weeks} "
                 "school weeks). A penalty notice must be considered; give a Notice to Improve "
                 "first unless support is not appropriate, for example for a term-time holiday.",
                 a.profile.source("penalty_notice_threshold"))
    exhausted = [al for al in a.allowances if al.remaining == 0]
    for al in exhausted:
        carer = a.case.carer(al.carer_id)
        name = carer.full_name if carer else al.carer_id
        again = f" until {day(al.available_again_on)}" if al.available_again_on else ""
        yield Advice("penalty_notice_limit_reached",
                     f"{name} has had {al.issued_in_window} penalty notices for this child in "
                     f"the last {a.profile.penalty_notice_rolling_years} years: no further "
                     f"notice can be issued to them{again}. Consider an Education Supervision "
                     "Order or prosecution instead.", a.profile.source("penalty_notice_limit"))


def _severe_absence(a: Assessment) -> Iterator[Advice]:
    if a.attendance.flags.severely_absent and a.profile.severe_absence_needs_plan \
            and not has_agreed_plan(a):
        yield Advice("agree_plan_for_severe_absence",
                     f"Attendance is {_pct(a)}: the pupil is severely absent. Agree an attendance "
                     "plan with the local authority (a joint approach) and the family.",
                     a.profile.source("severe_absence_needs_plan"))


def in_early_help(a: Assessment) -> bool:
    """The case is in Early Help keywork (seed 004, Tier 4): at that stage, or its latest
    held meeting is an Early Help review."""
    latest = a.latest_held
    return a.case.stage is Stage.EARLY_HELP or (
        latest is not None and latest.meeting.kind is MeetingKind.EARLY_HELP_REVIEW)


def _early_help(a: Assessment) -> Iterator[Advice]:
    """Seed 004: Early Help keywork closes when attendance reaches 55% and the case is handed
    back to the school to monitor. Attendance of 55% is Tier 3, so Tier 4's actions no longer
    show: this step says it instead."""
    close = a.profile.early_help_close_percent
    if close is None or not in_early_help(a):
        return
    at = f"{close.numerator}%" if close.denominator == 1 else display_percent(close)
    source = a.profile.source("early_help_close_percent")
    if a.attendance.percent >= close:
        yield Advice("close_early_help",
                     f"Attendance is {_pct(a)}, at or above the {at} at which Early Help "
                     "keywork ends: close the Early Help case and hand it back to the school to "
                     "monitor attendance. The school keeps responsibility for any legal action.",
                     source)
    elif a.attendance.tier.tier != 4:  # Tier 4's own actions say it (seed 004)
        yield Advice("continue_early_help",
                     f"Attendance is {_pct(a)}: keep the Early Help keywork going until "
                     f"attendance reaches {at}, when the case closes and is handed back to the "
                     "school.", source)


def _tier_actions(a: Assessment) -> Iterator[Advice]:
    for text in a.profile.tier_actions.get(a.attendance.tier.tier, ()):
        yield Advice(f"tier_{a.attendance.tier.tier}_action", text,
                     a.profile.source("tier_actions"))


def has_agreed_plan(a: Assessment) -> bool:
    """A held meeting that recorded agreed actions for someone."""
    for view in a.meetings:
        m = view.meeting
        actions = m.agreed_actions
        if m.status is MeetingStatus.HELD and (actions.pupil or actions.parents or actions.school):
            return True
    return False


def pupil_expected(a: Assessment) -> bool:
    return pupil_of_age_to_take_part(a.case.pupil, a.profile)


def _pct(a: Assessment) -> str:
    """The attendance with its sessions: '77.8% (296 of 380 possible sessions)'."""
    return figure_of(a.attendance.figures)


def _unique(steps: list[Advice]) -> list[Advice]:
    seen: set[str] = set()
    out = []
    for s in steps:
        if s.text not in seen:
            seen.add(s.text)
            out.append(s)
    return out

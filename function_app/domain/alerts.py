"""Alerts: who in Teams needs to hear about a case today, and why.

The domain decides; adapters only deliver (design.md, "The flow"). Three kinds:

- a **consultation** for the local authority's officers when the school must consult them
  before legal action, or agree a joint plan with them (seeds 000, 002 and 003; DfE 2024);
- **review reminders** for the school: a plan's review due in the next 7 days or overdue,
  gathered into one digest per school per day (seed 002: review in 2-4 weeks; seeds 000
  and 001: AIM reviews every 4 weeks);
- a **generation failure** for the school's own channel: a document could not be made.

An alert carries the case reference, the pupil's initials, the attendance figure with its
sessions ("77.8% (296 of 380 possible sessions)", ``display_figure``) and plain words, never
a child's record (design.md, "Least privilege and minimal data"); the pupil's full name
rides along only so that a card may show it where a setting allows, and is kept out of
``repr``.
One alert per (case, reason, stage): ``dedupe_key`` stays the same until the case moves on.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from .advice import Advice
from .attendance import figure_of
from .model import CaseStatus, MeetingStatus, Stage
from .wording import day, meeting_name

if TYPE_CHECKING:
    from .findings import Assessment, MeetingView

REMINDER_DAYS = 7  # "due in the next 7 days": from today to the same weekday next week
SEED_000_NO_ENGAGEMENT = "seed 000, 'Still no engagement?'"


class AlertReason(enum.StrEnum):
    CONSULTATION_NEEDED = "consultation_needed"
    REVIEW_OVERDUE = "review_overdue"
    REVIEW_DUE = "review_due"
    GENERATION_FAILED = "generation_failed"
    LEGAL_BUNDLE_READY = "legal_bundle_ready"
    PENALTY_NOTICE_REQUESTED = "penalty_notice_requested"

    @property
    def in_daily_digest(self) -> bool:
        """Review reminders go out once a day, gathered per school, not one by one."""
        return self in (AlertReason.REVIEW_DUE, AlertReason.REVIEW_OVERDUE)

    @property
    def heading(self) -> str:
        return {
            AlertReason.CONSULTATION_NEEDED: "Consultation needed",
            AlertReason.REVIEW_OVERDUE: "Review overdue",
            AlertReason.REVIEW_DUE: "Review due",
            AlertReason.GENERATION_FAILED: "A document could not be made",
            AlertReason.LEGAL_BUNDLE_READY: "Evidence bundle for legal intervention",
            AlertReason.PENALTY_NOTICE_REQUESTED: "Penalty notice requested",
        }[self]


class Audience(enum.StrEnum):
    """Who reads the alert: the LA's officers' channel, or the school's own channel."""

    LA_OFFICERS = "la_officers"
    SCHOOL = "school"
    LA_LEGAL = "la_legal"  # the Lead Officer for Legal Intervention (seed 000)


@dataclass(frozen=True, slots=True)
class Alert:
    reason: AlertReason
    audience: Audience
    case_ref: str
    school: str
    why: str  # plain British English, no names
    tier: int | None = None
    tier_label: str = ""  # the band as the guidance writes it, e.g. "79-51%"
    stage: Stage | None = None
    last_meeting: date | None = None
    last_meeting_kind: str = ""  # what staff call it: "AIM review"
    review_due: date | None = None
    grounds: tuple[Advice, ...] = ()  # each reason for a consultation, with its source
    pupil_initials: str = ""
    pupil_name: str = field(default="", repr=False)  # shown only where a setting allows
    variant: str = ""  # tells apart alerts of one stage, e.g. bundles of different case states
    attendance: str = ""  # the figure with its sessions: "77.8% (296 of 380 possible sessions)"
    # An evidence bundle's sharing links, (officer's email, link), one button each on the card.
    bundle_links: tuple[tuple[str, str], ...] = ()

    @property
    def dedupe_key(self) -> str:
        """(case, reason, stage[, variant]): the same until the case changes stage."""
        stage = self.stage.value if self.stage is not None else ""
        parts = (self.case_ref, self.reason.value, stage)
        return "|".join((*parts, self.variant) if self.variant else parts)


@dataclass(frozen=True, slots=True)
class Digest:
    """One school's review reminders for one day: overdue first, then due, by date."""

    school: str
    day: date
    alerts: tuple[Alert, ...]

    @property
    def audience(self) -> Audience:
        return Audience.SCHOOL

    @property
    def overdue(self) -> tuple[Alert, ...]:
        return tuple(a for a in self.alerts if a.reason is AlertReason.REVIEW_OVERDUE)

    @property
    def due(self) -> tuple[Alert, ...]:
        return tuple(a for a in self.alerts if a.reason is AlertReason.REVIEW_DUE)

    @property
    def dedupe_key(self) -> str:
        """One digest per school per day."""
        return "|".join(("digest", self.school, self.day.isoformat()))


def alerts_for(a: Assessment) -> list[Alert]:
    """Every alert the assessment calls for today; none for a closed case."""
    if a.case.status is CaseStatus.CLOSED:
        return []
    found: list[Alert] = []
    consultation = _consultation(a)
    if consultation is not None:
        found.append(consultation)
    review = _review_reminder(a, a.today)
    if review is not None:
        found.append(review)
    return found


def reminder_digest(assessments: Iterable[Assessment], today: date) -> dict[str, Digest]:
    """One digest per school of the reviews overdue or due within 7 days of ``today``."""
    by_school: dict[str, list[Alert]] = {}
    for a in assessments:
        if a.case.status is CaseStatus.CLOSED:
            continue
        alert = _review_reminder(a, today)
        if alert is not None:
            by_school.setdefault(alert.school, []).append(alert)

    def order(alert: Alert) -> tuple[bool, date, str]:
        assert alert.review_due is not None
        return (alert.reason is not AlertReason.REVIEW_OVERDUE, alert.review_due, alert.case_ref)

    return {school: Digest(school, today, tuple(sorted(alerts, key=order)))
            for school, alerts in sorted(by_school.items())}


def generation_failed(case_ref: str, school: str, message: str, *, stage: Stage | None = None,
                      document: str = "") -> Alert:
    """A document could not be made: tell the school's own channel, in the reader's words."""
    what = f"The {document}" if document else "A document"
    return Alert(
        reason=AlertReason.GENERATION_FAILED,
        audience=Audience.SCHOOL,
        case_ref=case_ref,
        school=school,
        why=f"{what} for case {case_ref} could not be made: {message.strip()}",
        stage=stage,
    )


def legal_bundle_ready(case_ref: str, school: str, summary: str, *, stage: Stage | None,
                       pupil_initials: str, pupil_name: str, variant: str,
                       bundle_links: tuple[tuple[str, str], ...] = ()) -> Alert:
    """The evidence bundle is in the case folder: tell the Lead Officer for Legal
    Intervention (seed 000), with the readiness verdict in words that name no pupil or
    parent (the summary says with which legal officers the bundle is shared, or why not);
    ``bundle_links`` are the bundle's sharing links, (officer's email, link)."""
    return Alert(
        reason=AlertReason.LEGAL_BUNDLE_READY,
        audience=Audience.LA_LEGAL,
        case_ref=case_ref,
        school=school,
        why=f"The school asked for the legal referral of case {case_ref}. {summary.strip()}",
        stage=stage,
        pupil_initials=pupil_initials,
        pupil_name=pupil_name,
        variant=variant,
        bundle_links=bundle_links,
    )


def penalty_notice_requested(case_ref: str, school: str, number: str, parents: int, *,
                             stage: Stage | None, pupil_initials: str,
                             pupil_name: str, evidence_url: str = "") -> Alert:
    """A school asked for a penalty notice and the app's checks passed: tell the LA's
    officers, who decide in the Penalty Notice Requests list (DfE, Working together to
    improve school attendance, 2024: the LA issues notices on a school's request), with a
    button to the evidence the request carried (the LA's own copy, on its site)."""
    each = "its parent" if parents == 1 else f"each of its {parents} parents"
    return Alert(
        reason=AlertReason.PENALTY_NOTICE_REQUESTED,
        audience=Audience.LA_OFFICERS,
        case_ref=case_ref,
        school=school,
        why=(f"The school requested a penalty notice for {each} ({number}). The app's checks "
             "passed; decide in the Penalty Notice Requests list on the LA's site."),
        stage=stage,
        pupil_initials=pupil_initials,
        pupil_name=pupil_name,
        variant=number,
        bundle_links=(("", evidence_url),) if evidence_url else (),
    )


def stage_name(stage: Stage) -> str:
    """What the guidance calls each stage of the ladder."""
    return {
        Stage.MONITORING: "monitoring",
        Stage.LETTER_OF_CONCERN: "letter of concern",
        Stage.SUPPORT_MEETING: "school attendance (support) meeting",
        Stage.SUPPORT_REVIEW: "support meeting review",
        Stage.APDR: "Assess-Plan-Do-Review (APDR)",
        Stage.ATTENDANCE_CONTRACT: "attendance contract",
        Stage.EARLY_HELP: "Early Help",
        Stage.FORMAL_WARNING: "formal warning of prosecution",
        Stage.AIM: "Attendance Improvement Meeting (AIM)",
        Stage.NOTICE_TO_IMPROVE: "Notice to Improve",
        Stage.LEGAL_CONSULTATION: "legal consultation",
        Stage.PENALTY_NOTICE: "penalty notice",
        Stage.EDUCATION_SUPERVISION_ORDER: "Education Supervision Order",
        Stage.PROSECUTION: "prosecution",
    }[stage]


# -- consultation -------------------------------------------------------------------------


def _consultation(a: Assessment) -> Alert | None:
    grounds = tuple(_grounds(a))
    if not grounds:
        return None
    why = "The school needs to consult the local authority. " + " ".join(g.text for g in grounds)
    latest = a.latest_held
    return _alert(a, AlertReason.CONSULTATION_NEEDED, Audience.LA_OFFICERS, why, latest,
                  grounds=grounds)


def _grounds(a: Assessment) -> Iterator[Advice]:
    """Why the LA must be consulted, read from the assessment's codes (docs/assess-output.md).

    The texts are written afresh for the LA's officers: the advice's own texts are for the
    school and may name parents, which a Teams card must not.
    """
    codes = {s.code: s for s in (*a.next_steps, *a.warnings)}
    latest = a.latest_held
    held = (f"the {meeting_name(latest.meeting.kind)} on {day(latest.meeting.date)}"
            if latest is not None else "the latest meeting")
    # Seed 000, "Still no engagement?": no engagement with the AIM process (target not met,
    # or a decision to escalate) -> the school speaks with its Inclusion Officer, who
    # arranges a meeting with the Lead Officer for Legal Intervention; the school completes
    # the Request to Initiate Legal Proceedings form. advice.py emits this code then.
    if "consult_before_legal_action" in codes:
        yield Advice("consult_before_legal_action",
                     f"{held[0].upper()}{held[1:]} found no improvement or engagement: decide "
                     "with the school whether legal action is appropriate; the school "
                     f"completes the {a.profile.legal_referral_form} form with its evidence.",
                     codes["consult_before_legal_action"].source)
    # Seed 002, review meeting: "escalate to the formal legal process - consider a Notice to
    # Improve"; seeds 000 and 001 (gloucestershire-aim): the formal stage is a written
    # warning of prosecution and an AIM. Emitted only while the escalation is not yet acted
    # on (no meeting arranged, no Notice to Improve issued).
    for code, next_step in (("escalate_notice_to_improve", "a Notice to Improve"),
                            ("escalate_warning_and_aim",
                             "a written warning of prosecution and an Attendance Improvement "
                             "Meeting")):
        if code in codes:
            yield Advice(code, f"{held[0].upper()}{held[1:]} decided to escalate to the formal "
                         f"stage: {next_step}.", codes[code].source)
    # Seed 003: "attendance plans in place for all severely absent pupils ... a joint
    # approach agreed between schools and the AIO"; DfE 2024 (severe absence).
    severe = codes.get("agree_plan_for_severe_absence") or codes.get("severe_absence_no_plan")
    if severe is not None:
        yield Advice("agree_plan_for_severe_absence",
                     f"Attendance is {figure_of(a.attendance.figures)}, so the pupil is severely "
                     "absent, and no plan with agreed actions is recorded: agree a joint "
                     "approach with the school and the family.", severe.source)
    # DfE 2024 national framework: a penalty notice must be considered at 10 sessions of
    # unauthorised absence in a rolling 10 school weeks; penalty notices are the LA's.
    t = a.threshold
    if "consider_penalty_notice" in codes and t is not None and t.window_start and t.window_end:
        rule = a.profile.penalty_threshold
        yield Advice("consider_penalty_notice",
                     f"The penalty notice threshold is reached: {t.sessions} sessions of "
                     f"unauthorised absence between {day(t.window_start)} and "
                     f"{day(t.window_end)} (the threshold is {rule.sessions} sessions in "
                     f"{rule.school_weeks} school weeks).", codes["consider_penalty_notice"].source)
    if "penalty_notice_limit_reached" in codes:
        spent = sum(1 for al in a.allowances if al.remaining == 0)
        who = "One parent has" if spent == 1 else f"{spent} parents have"
        yield Advice("penalty_notice_limit_reached",
                     f"{who} had the most penalty notices allowed for this child in "
                     f"{a.profile.penalty_notice_rolling_years} years: consider an Education "
                     "Supervision Order or prosecution instead.",
                     codes["penalty_notice_limit_reached"].source)
    # DfE 2024: after a Notice to Improve's improvement period, a penalty notice (or another
    # legal route) is considered if attendance has not improved enough.
    if "improvement_period_ended" in codes:
        yield Advice("improvement_period_ended",
                     "The Notice to Improve's improvement period has ended: decide whether a "
                     "penalty notice or another legal route is needed.",
                     codes["improvement_period_ended"].source)


# -- review reminders ---------------------------------------------------------------------


def _review_reminder(a: Assessment, today: date) -> Alert | None:
    """The plan still open on ``today`` whose review is overdue or due within 7 days."""
    for view in reversed(a.meetings):
        review = view.review
        if review is None or _reviewed_since(a, view, today):
            continue
        due = review.due
        name = meeting_name(view.meeting.kind)
        if due < today:
            return _alert(a, AlertReason.REVIEW_OVERDUE, Audience.SCHOOL,
                          f"The review of the plan from the {name} on {day(view.meeting.date)} "
                          f"was due on {day(due)} and has not been held.", view)
        if due <= today + timedelta(days=REMINDER_DAYS):
            when = "today" if due == today else f"on {day(due)}"
            return _alert(a, AlertReason.REVIEW_DUE, Audience.SCHOOL,
                          f"The review of the plan from the {name} on {day(view.meeting.date)} "
                          f"is due {when}.", view)
    return None


def _reviewed_since(a: Assessment, view: MeetingView, today: date) -> bool:
    """A later meeting that makes a plan looks at this one again (as assessment.py counts it)."""
    m = view.meeting
    return any(o.meeting.status is MeetingStatus.HELD and m.date < o.meeting.date <= today
               and o.meeting.kind.makes_a_plan for o in a.meetings)


def _alert(a: Assessment, reason: AlertReason, audience: Audience, why: str,
           view: MeetingView | None, grounds: tuple[Advice, ...] = ()) -> Alert:
    pupil = a.case.pupil
    review = view.review if view is not None else None
    return Alert(
        reason=reason,
        audience=audience,
        case_ref=a.case.case_ref,
        school=a.case.school.name,
        why=why,
        tier=a.attendance.tier.tier,
        tier_label=a.attendance.tier.label,
        stage=a.case.stage,
        last_meeting=view.meeting.date if view is not None else None,
        last_meeting_kind=meeting_name(view.meeting.kind) if view is not None else "",
        review_due=review.due if review is not None else None,
        grounds=grounds,
        pupil_initials=pupil.initials,
        pupil_name=f"{pupil.forename} {pupil.surname}",
        attendance=figure_of(a.attendance.figures),
    )

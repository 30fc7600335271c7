"""Is a case ready for legal intervention? The steps the evidence bundle needs, each found or
missing, with what to do and the rule it comes from.

Seed 000 ("Steps to Take Before Initiating Legal Intervention"; "Still no engagement?"):
the school evidences the measures it took to support the pupil and family and how the
family engaged; the Lead Officer for Legal Intervention receives that evidence with the
referral form. Seed 004 (Tier 3) and seed 003 say the same for their LAs.

How the case record evidences a letter or email
-----------------------------------------------
The case model keeps no list of generated documents, so a letter is evidenced by an
``Interaction`` whose ``mode`` is ``letter`` or ``email``, whose ``carer_ids`` name the
carer it went to (seed 000: parents are contacted individually), and whose ``summary``
says what was sent:

* the warning of prosecution (``formal_step`` "warning_and_aim"): the summary mentions
  "prosecution" or "warning", dated on or before the first AIM (seeds 000, 001);
* the Notice to Improve (``formal_step`` "notice_to_improve"): the case's
  ``notice_to_improve`` record, plus a letter or email to each parent mentioning
  "notice to improve", dated on or after the day it was issued (DfE 2024);
* a plan: the summary mentions "plan", dated from the meeting's day up to the day before
  the next meeting held (or today), one per parent, whether or not they attended (seeds
  001, 002).

A step's ``found`` means nothing stands in the way on that point. ``required`` steps decide
``ready``; the final-year step is a caution (seed 000) and does not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .advice import COMPULSORY_AGE_SOURCE, ESO_SOURCE, over_compulsory_school_age
from .assessment import Assessment, MeetingView, assess
from .attendance import figure_of
from .meetings import pupil_of_age_to_take_part
from .model import Carer, Case, ContactMode, Interaction, Meeting, MeetingKind, MeetingStatus
from .policy import Profile
from .wording import counted, day, meeting_name

WRITTEN = frozenset({ContactMode.LETTER, ContactMode.EMAIL})
WARNING_WORDS = ("prosecution", "warning")
NOTICE_WORDS = ("notice to improve",)
PLAN_WORDS = ("plan",)
SUPPORT_MEETING_WORDS = ("support meeting", "attendance meeting")
SUPPORT_KINDS = frozenset({MeetingKind.SUPPORT, MeetingKind.REVIEW, MeetingKind.APDR_REVIEW,
                           MeetingKind.ATTENDANCE_CONTRACT, MeetingKind.EARLY_HELP_REVIEW})
AIM_KINDS = frozenset({MeetingKind.AIM, MeetingKind.AIM_REVIEW})

SEED_000_RECORDS = ("seed 000, Keeping clear records: contact parents individually via post or "
                    "email; record the letters sent to parents")
SEED_000_STEPS = ("seed 000: evidence what measures have been taken to support the pupil and "
                  "their family, and what engagement has been made with them")
PLAN_SOURCE = ("seed 001: a copy of the plan to the parents, and a covering letter with the "
               "plan and the review date to parents who did not attend; seed 002: the plan "
               "goes to parents, child and professionals")
VOICE_SOURCE = ("seed 000: it is crucial that the child's voice be captured; capture direct "
                "quotes")
NTI_SOURCE = ("DfE, Working together to improve school attendance (2024): a Notice to Improve "
              "to each parent, with an improvement period of 3 to 6 weeks, before a penalty "
              "notice or prosecution unless support is not appropriate")


@dataclass(frozen=True, slots=True)
class Step:
    """One thing the evidence bundle needs: found or missing, and what to do if missing."""

    code: str
    title: str
    found: bool
    evidence: str  # what the record shows, or what is missing from it
    what_to_do: str  # '' when found
    source: str
    required: bool = True


@dataclass(frozen=True, slots=True)
class Readiness:
    case_ref: str
    profile: str
    today: date
    steps: tuple[Step, ...]

    @property
    def ready(self) -> bool:
        """Every required step is found."""
        return all(s.found for s in self.steps if s.required)

    @property
    def missing(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if not s.found)

    def step(self, code: str) -> Step:
        return next(s for s in self.steps if s.code == code)


def readiness(case: Case, profile: Profile, today: date) -> Readiness:
    """The steps before legal intervention for this case under this profile, on ``today``.

    Raises InvalidCaseError, as ``assess`` does, if the case cannot be assessed.
    """
    a = assess(case, profile, today)
    steps: list[Step] = []
    steps.append(_formal_step(a))
    steps.append(_support_meeting(a))
    if profile.formal_step == "warning_and_aim":
        steps.append(_aim_held(a))
    steps.append(_reviews(a))
    steps.append(_plans_sent(a))
    steps.append(_pupil_voice(a))
    steps.append(_support_offered(a))
    steps.append(_attendance_record(a))
    steps.append(_allowances(a))
    steps.append(_final_year(a))
    steps.append(_eso(a))
    return Readiness(case.case_ref, profile.name, today, tuple(steps))


# -- letters ---------------------------------------------------------------------------


def letters_to(carer: Carer, interactions: Iterable[Interaction], words: Sequence[str],
               start: date, end: date) -> list[Interaction]:
    """Letters or emails naming this carer, dated start..end (or, for a letter the app filed
    for a meeting, about a meeting in start..end), whose summary has one of words."""
    return sorted(
        (i for i in interactions
         if i.mode in WRITTEN and carer.id in i.carer_ids
         and start <= (i.about or i.date) <= end
         and any(w in i.summary.lower() for w in words)),
        key=lambda i: i.date)


def _by(i: Interaction) -> str:
    return f"{i.mode.value} on {day(i.date)}"


def _carers_or_none(a: Assessment) -> tuple[Carer, ...]:
    """The parents: parental responsibility or care of the child (Education Act 1996 s576)."""
    return a.case.parents


def _no_carers_step(code: str, title: str, source: str) -> Step:
    return Step(code, title, False, "No parent (anyone with parental responsibility or care of "
                "the child) is recorded.",
                "Record each parent, everyone with parental responsibility or care of the "
                "child, by first and last name, with a postal or email address.", source)


def _formal_step(a: Assessment) -> Step:
    if a.profile.formal_step == "warning_and_aim":
        return _warning_letter(a)
    return _notice_to_improve(a)


def _warning_letter(a: Assessment) -> Step:
    code, title = "warning_of_prosecution", "Written warning of prosecution with the AIM invitation"
    source = a.profile.source("formal_step")
    carers = _carers_or_none(a)
    if not carers:
        return _no_carers_step(code, title, source)
    aims = [m for m in a.case.meetings_by_date() if m.kind is MeetingKind.AIM
            and m.status is not MeetingStatus.CANCELLED]
    by = aims[0].date if aims else a.today
    found: list[str] = []
    lacking: list[str] = []
    for c in carers:
        sent = letters_to(c, a.case.interactions, WARNING_WORDS, date.min, by)
        (found if sent else lacking).append(f"{c.full_name} ({_by(sent[0])})" if sent
                                            else c.full_name)
    when = f"on or before the first AIM ({day(by)})" if aims else "by today"
    evidence = "Warning letter sent to " + ", ".join(found) + "." if found else ""
    if not lacking:
        return Step(code, title, True, evidence, "", source)
    return Step(code, title, False,
                (evidence + " " if evidence else "")
                + f"No letter or email warning of prosecution {when} is recorded for "
                + " and ".join(lacking) + ".",
                "Write to each parent individually, by post or email, warning that they may "
                "be at risk of prosecution and inviting them to an Attendance Improvement "
                "Meeting; record each letter as a contact (mode "
                "letter or email, naming the parent, the summary saying 'warning of "
                "prosecution').", source)


def _notice_to_improve(a: Assessment) -> Step:
    code, title = "notice_to_improve", "Notice to Improve to each parent, improvement period over"
    notice = a.case.notice_to_improve
    if notice is None:
        return Step(code, title, False, "No Notice to Improve is recorded on the case.",
                    "Issue a Notice to Improve to each parent: "
                    "state the attendance record, the support already offered, the warning of "
                    "a penalty notice or prosecution, and an improvement period of "
                    f"{a.profile.notice_to_improve_weeks[0]} to "
                    f"{a.profile.notice_to_improve_weeks[1]} weeks with what counts as enough "
                    "improvement; then record it on the case.", NTI_SOURCE)
    carers = _carers_or_none(a)
    if not carers:
        return _no_carers_step(code, title, NTI_SOURCE)
    ends = notice.issued_on + timedelta(weeks=notice.improvement_period_weeks)
    sent: list[str] = []
    lacking: list[str] = []
    for c in carers:
        letters = letters_to(c, a.case.interactions, NOTICE_WORDS, notice.issued_on, a.today)
        (sent if letters else lacking).append(f"{c.full_name} ({_by(letters[0])})" if letters
                                              else c.full_name)
    evidence = (f"Notice to Improve issued on {day(notice.issued_on)} with an improvement "
                f"period of {notice.improvement_period_weeks} weeks, ending {day(ends)}.")
    if sent:
        evidence += " Sent to " + ", ".join(sent) + "."
    todo = []
    if lacking:
        evidence += (" No letter or email with the notice is recorded for "
                     + " and ".join(lacking) + ".")
        todo.append("Send the Notice to Improve to " + " and ".join(lacking)
                    + " individually, by post or email, and record each as a contact (mode "
                    "letter or email, naming the parent, the summary saying 'Notice to "
                    "Improve').")
    if ends > a.today:
        evidence += " The improvement period has not ended yet."
        todo.append(f"Wait until the improvement period ends on {day(ends)} and check whether "
                    "attendance improved enough.")
    return Step(code, title, not todo, evidence, " ".join(todo), NTI_SOURCE)


# -- meetings --------------------------------------------------------------------------


def _held(a: Assessment, kinds: frozenset[MeetingKind]) -> list[Meeting]:
    return [v.meeting for v in a.meetings
            if v.meeting.status is MeetingStatus.HELD and v.meeting.kind in kinds]


def _support_meeting(a: Assessment) -> Step:
    code, title = "support_meeting_held", "School attendance (support) meeting held"
    source = ("seed 002: the school attendance meeting and its review; seed 000: AIMs follow "
              "the school's efforts to support; seed 004: plans of support as evidence")
    held = _held(a, SUPPORT_KINDS)
    if held:
        listed = "; ".join(f"{meeting_name(m.kind)} on {day(m.date)}" for m in held)
        return Step(code, title, True, f"Held: {listed}.", "", source)
    # A support meeting on record is a support meeting held: one logged only as a contact, or
    # completed as an intervention, is what the referral form and the bundle show, so the
    # step never says otherwise (issue 15).
    logged = [i for i in a.case.interactions if i.mode is ContactMode.MEETING
              and any(w in i.summary.lower() for w in SUPPORT_MEETING_WORDS)]
    done = [v for m in a.case.meetings for v in m.interventions
            if v.completed and any(w in v.name.lower() for w in SUPPORT_MEETING_WORDS)]
    if logged or done:
        listed = "; ".join([f"a contact of {day(i.date)}: \u201c{i.summary}\u201d" for i in logged]
                           + [f"the intervention \u201c{v.name}\u201d, completed"
                              + (f" on {day(v.completed_on)}" if v.completed_on else "")
                              for v in done])
        return Step(code, title, True, f"Recorded as {listed} (not as a meeting in the "
                    "Meetings list, so its record and plan are not among the exhibits).", "",
                    source)
    return Step(code, title, False, "No school attendance meeting or review is recorded as held.",
                "Hold a school attendance (support) meeting with the family, agree a plan and "
                "record it as held, with who attended.", source)


def _aim_held(a: Assessment) -> Step:
    code, title = "aim_held", "Attendance Improvement Meeting held"
    source = "seeds 000 and 001: the AIM is the beginning of the legal process"
    held = _held(a, AIM_KINDS)
    if held:
        listed = "; ".join(f"{meeting_name(m.kind)} on {day(m.date)}" for m in held)
        return Step(code, title, True, f"Held: {listed}.", "", source)
    return Step(code, title, False, "No Attendance Improvement Meeting is recorded as held.",
                "Hold the Attendance Improvement Meeting (in the family's absence if they do "
                "not come, where the profile allows) and record it as held, with who "
                "attended.", source)


def _next_held(a: Assessment, view: MeetingView) -> Meeting | None:
    later = [v.meeting for v in a.meetings
             if v.meeting.status is MeetingStatus.HELD and v.meeting.kind.makes_a_plan
             and v.meeting.date > view.meeting.date]
    return later[0] if later else None


def _reviews(a: Assessment) -> Step:
    code, title = "reviews_on_time", "Each plan reviewed by its review date"
    source = a.profile.source("review_intervals")
    done, late = [], []
    for view in a.meetings:
        if view.review is None:
            continue
        name = f"the {meeting_name(view.meeting.kind)} on {day(view.meeting.date)}"
        due = view.review.due
        nxt = _next_held(a, view)
        if nxt is not None and nxt.date <= due:
            done.append(f"{name} reviewed on {day(nxt.date)} (due {day(due)})")
        elif nxt is not None:
            late.append(f"{name} was due for review on {day(due)} but the next meeting was "
                        f"held on {day(nxt.date)}")
        elif due < a.today:
            late.append(f"{name} was due for review on {day(due)} and no later meeting is "
                        "recorded as held")
        else:
            done.append(f"{name}: review due on {day(due)}, not yet reached")
    if not done and not late:
        return Step(code, title, False, "No held meeting with a plan to review is recorded.",
                    "Hold a meeting, agree a plan and set its review date.", source)
    joined = "; ".join(done + late)
    evidence = joined[0].upper() + joined[1:] + "."
    if not late:
        return Step(code, title, True, evidence, "", source)
    return Step(code, title, False, evidence,
                "Hold the overdue review now and keep to the profile's interval from here; if a "
                "review was held but not recorded, record it with its date.", source)


def _plans_sent(a: Assessment) -> Step:
    code, title = "plans_sent", "Each plan sent to every parent, including those who did not attend"
    carers = _carers_or_none(a)
    if not carers:
        return _no_carers_step(code, title, PLAN_SOURCE)
    plans = [v for v in a.meetings if v.meeting.status is MeetingStatus.HELD
             and v.meeting.kind.makes_a_plan]
    if not plans:
        return Step(code, title, False, "No held meeting with a plan is recorded.",
                    "Hold a meeting, agree a plan and send a copy to each parent.", PLAN_SOURCE)
    sent: list[str] = []
    lacking: list[str] = []
    for view in plans:
        m = view.meeting
        nxt = _next_held(a, view)
        end = (nxt.date - timedelta(days=1)) if nxt else a.today
        for c in carers:
            letters = letters_to(c, a.case.interactions, PLAN_WORDS, m.date, end)
            what = f"the plan of {day(m.date)} to {c.full_name}"
            (sent if letters else lacking).append(
                f"{what} ({_by(letters[0])})" if letters else what)
    evidence = ("Sent: " + "; ".join(sent) + "." if sent else "")
    if not lacking:
        return Step(code, title, True, evidence, "", PLAN_SOURCE)
    return Step(code, title, False,
                (evidence + " " if evidence else "") + "Not recorded as sent: "
                + "; ".join(lacking) + ".",
                "Send each missing plan to the parent by post or email (with a covering letter "
                "and the review date if they did not attend) and record it as a contact (mode "
                "letter or email, naming the parent, the summary saying 'plan').", PLAN_SOURCE)


def _pupil_voice(a: Assessment) -> Step:
    code, title = "pupil_voice", "The pupil's voice recorded"
    pupil = a.case.pupil
    if not pupil_of_age_to_take_part(pupil, a.profile):
        return Step(code, title, True,
                    f"Not expected: the pupil is in Year {pupil.year_group}, below the age to "
                    f"take part (Year {a.profile.pupil_voice_from_year} and above).", "",
                    a.profile.source("pupil_voice_from_year"))
    quotes = [(m.date, q.text) for m in _held(a, frozenset(MeetingKind))
              for q in m.pupil_voice]
    names = {pupil.forename.lower(), f"{pupil.forename} {pupil.surname}".lower(),
             (pupil.preferred_name or pupil.forename).lower(), "pupil"}
    quotes += [(i.date, q.text) for i in a.case.interactions for q in i.quotes
               if q.speaker.strip().lower() in names]
    if quotes:
        first = sorted(quotes)[0]
        return Step(code, title, True,
                    f"{counted(len(quotes), 'direct quote')} from the pupil, the first on "
                    f"{day(first[0])}: \"{first[1]}\"", "", VOICE_SOURCE)
    return Step(code, title, False, "No words of the pupil are recorded at any meeting or "
                "contact.",
                "Meet the pupil (separately if that helps) and record their view of their "
                "attendance as direct quotes.", VOICE_SOURCE)


def _support_offered(a: Assessment) -> Step:
    code, title = "support_offered", "Support offered, and whether it was taken up"
    offered = [iv for m in _held(a, frozenset(MeetingKind)) for iv in m.interventions
               if iv.offered or iv.completed]
    if not offered:
        return Step(code, title, False, "No intervention is recorded as offered.",
                    "Record the support offered to the family at each meeting (each "
                    "intervention ticked and dated), and whether it was taken up.",
                    SEED_000_STEPS + "; seed 001: interventions previously offered/completed, "
                    "each ticked and dated")
    parts, unknown = [], []
    for iv in offered:
        when = f" on {day(iv.offered_on)}" if iv.offered_on else ""
        if iv.completed:
            took = "completed"
        elif iv.taken_up is None:
            took = "take-up not recorded"
            unknown.append(iv.name)
        else:
            took = "taken up" if iv.taken_up else "not taken up"
        parts.append(f"{iv.name} (offered{when}; {took})")
    evidence = "Offered: " + "; ".join(parts) + "."
    source = SEED_000_STEPS + "; seed 001: interventions offered/completed, ticked and dated"
    if not unknown:
        return Step(code, title, True, evidence, "", source)
    return Step(code, title, False, evidence,
                "Record whether the family took up " + " and ".join(unknown) + ".", source)


def _attendance_record(a: Assessment) -> Step:
    code, title = "attendance_record", "The attendance record over the period cited"
    case, f = a.case, a.attendance.figures
    shown = figure_of(f)
    if case.marks:
        t = a.threshold
        assert t is not None and t.window_start and t.window_end
        reached = "reaches" if t.reached else "does not reach"
        rule = a.profile.penalty_threshold
        return Step(code, title, True,
                    f"Session marks from {day(min(m.date for m in case.marks))} to "
                    f"{day(max(m.date for m in case.marks))}. Penalty notice window: "
                    f"{t.sessions} unauthorised sessions between {day(t.window_start)} and "
                    f"{day(t.window_end)} ({t.school_weeks} school weeks), which {reached} the "
                    f"threshold of {rule.sessions} in {rule.school_weeks}. Attendance {shown}.",
                    "", a.profile.source("penalty_notice_threshold"))
    source = ("School Attendance (Pupil Registration) (England) Regulations 2024: the register "
              "is the legal record; " + a.profile.source("penalty_notice_threshold"))
    if f.period_start and f.period_end:
        t, rule = a.threshold, a.profile.penalty_threshold
        window = ""
        if t is not None:
            reached = "reaches" if t.reached else "does not reach"
            window = (f" The period has {t.school_weeks} school weeks, so it {reached} the "
                      f"penalty notice threshold of {rule.sessions} in {rule.school_weeks}.")
        return Step(code, title, True,
                    f"Attendance {shown}, {f.unauthorised_absences} unauthorised absences, from "
                    f"{day(f.period_start)} to {day(f.period_end)}.{window}", "", source)
    return Step(code, title, False,
                f"Attendance figures of {shown} are recorded without the period they cover.",
                "Add the period the figures cover (first and last day), or the session marks "
                "from the register for that period.", source)


def _allowances(a: Assessment) -> Step:
    code, title = "penalty_notices_issued", "Penalty notices already issued to each parent"
    source = a.profile.source("penalty_notice_limit")
    if not a.allowances:
        return _no_carers_step(code, title, source)
    years = a.profile.penalty_notice_rolling_years
    parts = []
    for al in a.allowances:
        carer = a.case.carer(al.carer_id)
        name = carer.full_name if carer else al.carer_id
        more = (f"{al.remaining} more may be issued ({al.next_amount})" if al.remaining
                else "no more may be issued" + (f" until {day(al.available_again_on)}"
                                               if al.available_again_on else "")
                + ": consider an Education Supervision Order or prosecution instead")
        parts.append(f"{name}: {al.issued_in_window} in the last {years} years; {more}")
    return Step(code, title, True, "; ".join(parts) + ".", "", source)


def _final_year(a: Assessment) -> Step:
    code, title = "final_year", "Not in the final year of compulsory school age"
    pupil, source = a.case.pupil, a.profile.source("final_year_group")
    if pupil.year_group < a.profile.final_year_group:
        return Step(code, title, True, f"The pupil is in Year {pupil.year_group}.", "", source,
                    required=False)
    if over_compulsory_school_age(a):
        return Step(code, title, False,
                    f"The pupil is in Year {pupil.year_group}, over compulsory school age: no "
                    "penalty notice, prosecution or other legal intervention applies.",
                    "Do not refer the case for legal intervention; keep supporting the pupil's "
                    "attendance with the family.", COMPULSORY_AGE_SOURCE)
    return Step(code, title, False,
                f"The pupil is in Year {pupil.year_group}, the final year of compulsory school "
                "age: a case is unlikely to reach court before they leave.",
                "Tell the Lead Officer for Legal Intervention the pupil's year, and weigh "
                "whether another route (support, an Education Supervision Order) serves the "
                "pupil better.", source, required=False)


def _eso(a: Assessment) -> Step:
    code, title = "eso_considered", "Education Supervision Order considered"
    if a.case.education_supervision_order_considered:
        return Step(code, title, True, "Recorded on the case as considered.", "", ESO_SOURCE)
    return Step(code, title, False, "The case does not record that an Education Supervision "
                "Order was considered.",
                "Consider an Education Supervision Order (usually 12 months, up to 3 years) "
                "with the local authority, and record that it was considered and why it was "
                "or was not sought.", ESO_SOURCE)

"""Warnings: things a person should look at before relying on the record.

None of these stops the assessment; each says what is wrong and where, and cites why it
matters.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from .advice import has_agreed_plan, pupil_expected
from .attendance import figure_of, figures_from_marks
from .findings import Advice, Assessment, MeetingView
from .model import Attendee, MeetingKind, MeetingStatus, Party, Stage
from .wording import counted, day, meeting_name

NAMES_IN_FULL = ("seed 001: the names and roles of people who attended are written in full")
LATER_STAGES = frozenset({Stage.FORMAL_WARNING, Stage.AIM, Stage.NOTICE_TO_IMPROVE,
                          Stage.LEGAL_CONSULTATION, Stage.PENALTY_NOTICE,
                          Stage.EDUCATION_SUPERVISION_ORDER, Stage.PROSECUTION})


def warnings(a: Assessment) -> list[Advice]:
    found: list[Advice] = []
    found += _final_year(a)
    found += _figures(a)
    found += _carers(a)
    for view in a.meetings:
        found += _meeting(a, view)
    found += _severe_without_plan(a)
    found += _superseded(a)
    return found


def _final_year(a: Assessment) -> Iterator[Advice]:
    pupil = a.case.pupil
    if pupil.year_group == a.profile.final_year_group:
        stake = (" Take this into account before any legal step."
                 if a.case.stage in LATER_STAGES else "")
        yield Advice("final_year_pupil",
                     f"The pupil is in Year {pupil.year_group}, their final year of compulsory "
                     f"school age: a prosecution is unlikely to reach court before they "
                     f"leave.{stake}", a.profile.source("final_year_group"))
    elif pupil.year_group > a.profile.final_year_group:
        yield Advice("over_compulsory_school_age",
                     f"The pupil is in Year {pupil.year_group}, over compulsory school age: "
                     "penalty notices and prosecution for non-attendance do not apply. Keep "
                     "supporting attendance.",
                     "Education Act 1996 s8 (compulsory school age) and s444 (the offence "
                     "applies to a child of compulsory school age)")
    expected = year_group_for_age(pupil.date_of_birth, a.today)
    if expected != pupil.year_group and 0 <= expected <= 13:
        yield Advice("year_group_differs_from_age",
                     f"The pupil is recorded in {_year(pupil.year_group)}, but their date of "
                     f"birth puts them in {_year(expected)} this school year: check both, as "
                     "the age decides who is expected at meetings and whether legal steps apply.",
                     "School Admissions Code: the normal year group is set by age on 31 August")


def year_group_for_age(born: date, today: date) -> int:
    """The usual year group in England: age on the 31 August that starts the school year,
    less four (Reception is 0)."""
    start_year = today.year if (today.month, today.day) >= (9, 1) else today.year - 1
    on_31_august = date(start_year, 8, 31)
    age = on_31_august.year - born.year - ((on_31_august.month, on_31_august.day)
                                           < (born.month, born.day))
    return age - 4


def _year(n: int) -> str:
    return "Reception" if n == 0 else f"Year {n}"


def _figures(a: Assessment) -> Iterator[Advice]:
    f = a.attendance.figures
    if a.attendance.from_marks:
        return
    unaccounted = f.possible_sessions - f.present_sessions - f.authorised_absences \
        - f.unauthorised_absences
    if unaccounted > 0:
        yield Advice("figures_do_not_add_up",
                     f"{unaccounted} of the {f.possible_sessions} possible sessions are neither "
                     "present, authorised nor unauthorised: check the figures against the "
                     "register.", "School Attendance (Pupil Registration) (England) "
                     "Regulations 2024, reg. 10: every possible session has one of these marks")
    if a.case.marks:  # marks given as well as figures
        m = figures_from_marks(a.case.marks)
        if (m.possible_sessions, m.present_sessions) != (
                f.possible_sessions, f.present_sessions):
            yield Advice("marks_disagree_with_figures",
                         f"The session marks give {m.present_sessions} present out of "
                         f"{m.possible_sessions} possible, but the figures say "
                         f"{f.present_sessions} out of {f.possible_sessions}. The figures were "
                         "used for the percentage; the marks for the penalty notice threshold.",
                         "the register is the legal record (Regulations 2024, reg. 10)")


S576 = ("Education Act 1996 s576: a parent is anyone with parental responsibility or who has "
        "care of the child; seed 000: consider who has day-to-day responsibility")


def _carers(a: Assessment) -> Iterator[Advice]:
    carers = a.case.parents
    if not carers:
        yield Advice("no_carer_with_parental_responsibility",
                     "No parent is recorded (anyone with parental responsibility or care of "
                     "the child), so no letter can be addressed.",
                     "seed 000: contact parents individually; " + S576)
    for carer in a.case.carers:
        if carer.lives_with_pupil and not carer.is_parent:
            yield Advice("lives_with_pupil_without_care",
                         f"{carer.full_name} is recorded as living with the pupil but with "
                         "neither parental responsibility nor care of the child. Someone who "
                         "looks after the child day to day, such as a step-parent or a partner "
                         "the child lives with, is a parent in law: record that they have care "
                         "if so, and they are written to and counted as a parent.", S576)
    for carer in carers:
        if not (carer.address or carer.email):
            yield Advice("carer_cannot_be_written_to",
                         f"There is no postal or email address for {carer.full_name}: each "
                         "parent is written to individually.",
                         "seed 000: contact parents individually via post or email")


def _meeting(a: Assessment, view: MeetingView) -> Iterator[Advice]:
    m = view.meeting
    on = f"the {meeting_name(m.kind)} on {day(m.date)}"
    if view.review_overdue and view.review:
        yield Advice("review_overdue",
                     f"The review of {on} was due on {day(view.review.due)} and has not been "
                     "held.", a.profile.source("review_intervals"))
    if view.review and view.review.note:
        code = "review_date_outside_guidance" if not view.review.within_guidance \
            else "review_date_note"
        yield Advice(code, f"Review date for {on}: {view.review.note}.",
                     a.profile.source("review_intervals"))
    if m.status is MeetingStatus.PLANNED and m.date < a.today:
        yield Advice("planned_meeting_in_the_past",
                     f"{on[0].upper()}{on[1:]} is still recorded as planned: record whether it "
                     "was held, did not go ahead, or was cancelled.",
                     "seed 000: keep clear records of every meeting")
    if m.status is MeetingStatus.DID_NOT_PROCEED and not m.reason_not_proceeded:
        yield Advice("no_reason_not_proceeded",
                     f"Record why {on} did not go ahead.", "seed 000: keep clear records")
    if view.proceed and not view.proceed.may_proceed and m.status is MeetingStatus.HELD:
        yield Advice("held_against_proceed_rule",
                     f"{on[0].upper()}{on[1:]} was held, but by the profile's rule it should "
                     f"not have gone ahead: {view.proceed.reason}", view.proceed.source)
    if m.status is not MeetingStatus.HELD:
        return
    yield from _attendees(on, m.attendees)
    pupil_there = m.present(Party.PUPIL)
    if m.kind.makes_a_plan and m.kind is not MeetingKind.LEGAL_CONSULTATION:
        if pupil_there and pupil_expected(a) and not m.agreed_actions.pupil:
            yield Advice("pupil_present_no_actions",
                         f"The pupil was at {on} but no 'young person agrees to' actions are "
                         "recorded: include the pupil's own actions and voice.",
                         "seed 001, 'Young Person agrees to'")
        if m.agreed_actions.pupil and (not pupil_there or not pupil_expected(a)):
            yield Advice("pupil_actions_without_pupil",
                         f"{on[0].upper()}{on[1:]} records actions for the young person, who "
                         "was absent or is too young to make agreements: leave that section "
                         "blank.", "seed 001, 'Young Person agrees to'")
        staff = [x for x in m.attendees_of(Party.SCHOOL) if x.present]
        if len(staff) < 2 and m.kind in (MeetingKind.SUPPORT, MeetingKind.AIM):
            yield Advice("fewer_than_two_staff",
                         f"Only {counted(len(staff), 'member')} of school staff attended "
                         f"{on}: two are advised, the person working with the family and a "
                         "senior leader who can decide on timetables.",
                         "seeds 000, 001 and 002: who should be there?")
        if pupil_there and not m.pupil_voice and pupil_expected(a):
            yield Advice("no_pupil_voice",
                         f"The pupil was at {on} but their voice is not recorded: capture "
                         "direct quotes.", "seed 000: capture the voice of the parent and the "
                         "pupil, attempting to capture direct quotes")


def _attendees(on: str, attendees: tuple[Attendee, ...]) -> Iterator[Advice]:
    for i, person in enumerate(attendees):
        if not person.role.strip():
            yield Advice("attendee_without_role",
                         f"Attendee {i + 1} at {on} has no role recorded.", NAMES_IN_FULL)
        if len(person.name.split()) < 2:
            yield Advice("attendee_name_not_in_full",
                         f"Attendee {i + 1} at {on} is recorded by one name only: write names "
                         "in full.", NAMES_IN_FULL)


def _severe_without_plan(a: Assessment) -> Iterator[Advice]:
    if a.attendance.flags.severely_absent and a.profile.severe_absence_needs_plan \
            and not has_agreed_plan(a):
        yield Advice("severe_absence_no_plan",
                     f"Attendance is {figure_of(a.attendance.figures)}, so the pupil is severely "
                     "absent, and no plan with agreed actions is recorded.",
                     a.profile.source("severe_absence_needs_plan"))


def _superseded(a: Assessment) -> Iterator[Advice]:
    for s in a.profile.superseded:
        yield Advice("superseded_local_rule",
                     f"Local guidance says: \"{s.text}\" This is no longer applied: it was "
                     f"replaced by {s.superseded_by}.", s.source)

"""Whether an AIM may go ahead, and when a meeting's plan is to be reviewed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .calendar import SchoolCalendar
from .model import Meeting, MeetingKind, Party, Pupil
from .policy import Profile, ReviewInterval
from .wording import day


@dataclass(frozen=True, slots=True)
class ProceedDecision:
    may_proceed: bool
    reason: str
    source: str


def pupil_of_age_to_take_part(pupil: Pupil, profile: Profile) -> bool:
    """Seed 000: the pupil attends 'if considered an appropriate age', i.e. secondary age."""
    return pupil.year_group >= profile.pupil_voice_from_year


def aim_may_proceed(meeting: Meeting, pupil: Pupil, profile: Profile) -> ProceedDecision:
    """The proceed rule of the profile, from who was present at an AIM or AIM review."""
    source = profile.source("aim_proceed_rule")
    pupil_there = meeting.present(Party.PUPIL)
    parents_there = meeting.present(Party.CARER)
    if profile.aim_proceed_rule == "hold_in_absence":
        if parents_there:
            return ProceedDecision(True, "The parents or carers are present.", source)
        return ProceedDecision(
            True,
            "The parents or carers are not present: hold the meeting in their absence and "
            "send them the plan with a covering letter and the review date.",
            source,
        )
    if not pupil_of_age_to_take_part(pupil, profile):
        if parents_there:
            return ProceedDecision(
                True,
                "The parents or carers are present; the pupil is too young to be expected "
                "at the meeting.",
                source,
            )
        return ProceedDecision(
            False,
            "The parents or carers are not present and the pupil is too young to take part "
            "alone: do not proceed; agree a new time with the family.",
            source,
        )
    if pupil_there and parents_there:
        return ProceedDecision(True, "The pupil and the parents or carers are present.", source)
    if pupil_there:
        return ProceedDecision(
            True,
            "The pupil is of secondary school age and present: the meeting may go ahead "
            "without the parents or carers.",
            source,
        )
    if parents_there:
        return ProceedDecision(
            False,
            "The pupil is of secondary school age and not present: do not proceed, even "
            "though the parents or carers are here; agree a time the pupil can attend.",
            source,
        )
    return ProceedDecision(
        False,
        "Neither the pupil nor the parents or carers are present: do not proceed.",
        source,
    )


@dataclass(frozen=True, slots=True)
class ReviewDue:
    due: date
    set_by: str  # "school" (typed on the meeting) or "profile" (worked out here)
    interval: ReviewInterval | None
    note: str  # why the date moved, or why it is outside the guidance; '' if neither
    within_guidance: bool


def review_due(meeting: Meeting, profile: Profile, calendar: SchoolCalendar) -> ReviewDue | None:
    """When the plan made at this meeting is to be reviewed.

    A date typed by the school wins and is checked against the profile's interval. Otherwise
    the profile's default interval is added; a date on a weekend or holiday moves back to
    the last school day before it (the guidance gives a latest date: 'no more than 3 weeks
    later'), or, if that would be sooner than the shortest interval, forward to the next
    school day, which is then said to be outside the guidance.
    """
    interval = profile.review_intervals.get(meeting.kind)
    if meeting.review_date is not None:
        return _school_set(meeting, meeting.review_date, interval, calendar)
    if interval is None:
        return None
    target = meeting.date + timedelta(weeks=interval.default_weeks)
    closed = calendar.why_closed(target)
    if not closed:
        return ReviewDue(target, "profile", interval, "", True)
    earliest = meeting.date + timedelta(weeks=interval.min_weeks)
    earlier = calendar.on_or_before(target, not_before=earliest)
    if earlier is not None:
        note = f"moved back from {day(target)} ({closed}) to the last school day before it"
        return ReviewDue(earlier, "profile", interval, note, True)
    later = calendar.on_or_after(target)
    within = later <= meeting.date + timedelta(weeks=interval.max_weeks)
    note = (f"{day(target)} is {closed} and there is no school day between "
            f"{interval.min_weeks} and {interval.default_weeks} weeks after the meeting, so "
            f"the review moves forward to {day(later)}")
    if not within:
        note += f", later than the guidance's {interval.max_weeks} weeks"
    return ReviewDue(later, "profile", interval, note, within)


def _school_set(
    meeting: Meeting, due: date, interval: ReviewInterval | None, calendar: SchoolCalendar
) -> ReviewDue:
    notes = []
    within = True
    if interval is not None:
        # Only the latest date is judged: the guidance gives a latest date ("no more than
        # 3 weeks later", seed 002) and no earliest one for a further review, and a review
        # sooner than planned never goes against its purpose. min_weeks only bounds how far
        # a worked-out date moves back off a holiday (review_due).
        days = (due - meeting.date).days
        if days > interval.max_weeks * 7:
            within = False
            notes.append(f"{days // 7} weeks and {days % 7} days after the meeting; "
                         f"the guidance is no more than {interval.max_weeks} weeks")
    closed = calendar.why_closed(due)
    if closed:
        notes.append(f"{day(due)} is {closed}")
    return ReviewDue(due, "school", interval, "; ".join(notes), within)


def kinds_with_proceed_rule() -> frozenset[MeetingKind]:
    """Seed 000's rule is written for the AIM; its reviews are AIMs too."""
    return frozenset({MeetingKind.AIM, MeetingKind.AIM_REVIEW})

"""Problems with a case that a schema cannot see: sums, dates, references between parts.

Each problem names the field path as it is written in the case file.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from .calendar import SchoolCalendar
from .codes import KNOWN_CODES, is_possible_session
from .errors import Problem
from .model import Case, Meeting, MeetingKind, MeetingStatus
from .wording import day

# A rearranged meeting is at least this many school days after the letter's date: a letter
# posted second class takes 2-3 working days to arrive, and the family then needs time to
# arrange work or childcare, or to ask for another time (seeds 000-002 ask the invitation
# to let parents say if they cannot come). Neither the seeds nor DfE 2024 set a number.
REARRANGED_NOTICE_SCHOOL_DAYS = 5

# Seed 002: a first review "between 2-4 weeks" after the school attendance meeting; after a
# review, "a review date no more than 3 weeks later". Only latest dates: no minimum is given
# for a further review, and reviewing sooner is never against the guidance's purpose.
REVIEW_LATEST_WEEKS = {MeetingKind.SUPPORT: 4, MeetingKind.REVIEW: 3}


def problems(case: Case, today: date) -> list[Problem]:
    found: list[Problem] = []
    found += _attendance(case)
    found += _marks(case)
    found += _people(case, today)
    found += _meetings(case, today)
    found += _history(case, today)
    return found


def _attendance(case: Case) -> list[Problem]:
    a = case.attendance
    if a is None:
        if not case.marks:
            return [Problem("attendance", "give the session figures or the session marks "
                                          "(attendance.marks); there is neither")]
        if all(m.code in KNOWN_CODES and not is_possible_session(m.code) for m in case.marks):
            return [Problem("attendance.marks", "has no possible session (every mark is X, Z, "
                                                "#, Q, Y1-Y7 or D), so attendance cannot be "
                                                "worked out")]
        return []
    out = []
    if a.possible_sessions == 0:
        out.append(Problem("attendance.possible_sessions",
                           "must be more than 0 to work out attendance"))
    if a.present_sessions > a.possible_sessions:
        out.append(Problem(
            "attendance.present_sessions",
            f"is {a.present_sessions}, more than the {a.possible_sessions} possible sessions"))
    elif a.authorised_absences + a.unauthorised_absences > a.possible_sessions - a.present_sessions:
        out.append(Problem(
            "attendance.unauthorised_absences",
            f"authorised ({a.authorised_absences}) and unauthorised "
            f"({a.unauthorised_absences}) absences add up to more than the "
            f"{a.possible_sessions - a.present_sessions} sessions missed"))
    if a.period_start and a.period_end and a.period_end < a.period_start:
        out.append(Problem("attendance.period_end", "is before attendance.period_start"))
    return out


def _marks(case: Case) -> list[Problem]:
    out = []
    seen: Counter[tuple[date, str]] = Counter()
    for i, mark in enumerate(case.marks):
        path = f"attendance.marks[{i}]"
        if mark.code not in KNOWN_CODES:
            out.append(Problem(f"{path}.code",
                               f"{mark.code!r} is not a national attendance code (2024)"))
        seen[(mark.date, mark.session)] += 1
        if seen[(mark.date, mark.session)] == 2:
            out.append(Problem(path, f"a second mark for the {mark.session} session of "
                                     f"{mark.date.isoformat()}"))
    return out


def _people(case: Case, today: date) -> list[Problem]:
    out = []
    for i, h in enumerate(case.school.holidays):
        if h.end < h.start:
            out.append(Problem(f"school.holidays[{i}].end", "is before its start"))
    if case.pupil.date_of_birth >= today:
        out.append(Problem("pupil.date_of_birth", "is not in the past"))
    ids = Counter(c.id for c in case.carers)
    for i, carer in enumerate(case.carers):
        if ids[carer.id] > 1:
            out.append(Problem(f"carers[{i}].id", f"{carer.id!r} is used by another carer"))
    return out


def _meetings(case: Case, today: date) -> list[Problem]:
    out = []
    carer_ids = {c.id for c in case.carers}
    ids = Counter(m.id for m in case.meetings)
    for i, m in enumerate(case.meetings):
        path = f"meetings[{i}]"
        if ids[m.id] > 1:
            out.append(Problem(f"{path}.id", f"{m.id!r} is used by another meeting"))
        if m.status in (MeetingStatus.HELD, MeetingStatus.DID_NOT_PROCEED) and m.date > today:
            out.append(Problem(f"{path}.date",
                               f"{m.date.isoformat()} is in the future, but the meeting is "
                               f"recorded as {m.status.value.replace('_', ' ')}"))
        if m.review_date is not None and m.review_date <= m.date:
            out.append(Problem(f"{path}.review_date", "must be after the meeting date"))
        if m.review_outcome is not None and not m.kind.is_review:
            out.append(Problem(f"{path}.review_outcome",
                               f"only review meetings have an outcome; this is a "
                               f"{m.kind.value} meeting"))
        if m.review_outcome is not None and m.status is not MeetingStatus.HELD:
            out.append(Problem(f"{path}.review_outcome",
                               "is given, but the meeting has not been held"))
        for j, attendee in enumerate(m.attendees):
            if attendee.carer_id and attendee.carer_id not in carer_ids:
                out.append(Problem(f"{path}.attendees[{j}].carer_id",
                                   f"{attendee.carer_id!r} is not one of the carers"))
        for j, iv in enumerate(m.interventions):
            if iv.offered_on and iv.completed_on and iv.completed_on < iv.offered_on:
                out.append(Problem(f"{path}.interventions[{j}].completed_on",
                                   "is before the date it was offered"))
    return out


def _history(case: Case, today: date) -> list[Problem]:
    out = []
    carer_ids = {c.id for c in case.carers}
    for i, n in enumerate(case.penalty_notices):
        if n.carer_id not in carer_ids:
            out.append(Problem(f"penalty_notices[{i}].carer_id",
                               f"{n.carer_id!r} is not one of the carers"))
        if n.issued_on > today:
            out.append(Problem(f"penalty_notices[{i}].issued_on", "is in the future"))
    for i, contact in enumerate(case.interactions):
        if contact.date > today:
            out.append(Problem(f"interactions[{i}].date", "is in the future"))
        for k, cid in enumerate(contact.carer_ids):
            if cid not in carer_ids:
                out.append(Problem(f"interactions[{i}].carer_ids[{k}]",
                                   f"{cid!r} is not one of the carers"))
    if case.notice_to_improve and case.notice_to_improve.issued_on > today:
        out.append(Problem("notice_to_improve.issued_on", "is in the future"))
    return out


# --- checks on one letter, at the letter's date (the documents run these) ------------------
#
# Each message names the SharePoint column staff see, in quotes, because the processor
# writes it on the item as it is.


def meeting_already_past(case: Case, meeting: Meeting, today: date) -> list[Problem]:
    """A letter dated today cannot invite anyone to a meeting before today."""
    if meeting.date >= today:
        return []
    return [Problem(f"{_where(case, meeting)}.date",
                    f'"Date" is {day(meeting.date)}, which is before the date of this letter '
                    f"({day(today)}), so the letter would invite the family to a meeting that "
                    'has already passed. If the meeting has moved, change "Date" to the new '
                    'day; if it has taken place, change "Meeting status".')]


def notice_too_short(case: Case, meeting: Meeting, today: date,
                     calendar: SchoolCalendar) -> list[Problem]:
    """A rearranged meeting needs REARRANGED_NOTICE_SCHOOL_DAYS school days' notice."""
    earliest = today
    for _ in range(REARRANGED_NOTICE_SCHOOL_DAYS):
        earliest = calendar.on_or_after(earliest + timedelta(days=1))
    if meeting.date >= earliest or meeting.date < today:  # a past date is said elsewhere
        return []
    return [Problem(f"{_where(case, meeting)}.date",
                    f'"Date" is {day(meeting.date)}, too soon after the date of this letter '
                    f"({day(today)}): a rearranged meeting needs at least "
                    f"{REARRANGED_NOTICE_SCHOOL_DAYS} school days' notice, so that the letter "
                    "can arrive and the family can make arrangements or ask for another "
                    f'time. Please choose a "Date" on or after {day(earliest)}.')]


def improvement_period_problems(case: Case, weeks_allowed: tuple[int, int],
                                today: date) -> list[Problem]:
    """DfE 2024: a Notice to Improve gives a 3-6 week period, still to run at its date."""
    n = case.notice_to_improve
    if n is None:
        return []
    low, high = weeks_allowed
    weeks = n.improvement_period_weeks
    if not low <= weeks <= high:
        return [Problem("notice_to_improve.improvement_period_weeks",
                        f'"Improvement period (weeks)" is {weeks}, but a Notice to Improve '
                        f"must give an improvement period of {low} to {high} weeks (DfE, "
                        "Working together to improve school attendance, 2024). Please change "
                        f'"Improvement period (weeks)" to a number from {low} to {high}.')]
    return []


def improvement_period_over(case: Case, today: date) -> list[Problem]:
    """A Notice to Improve dated today whose improvement period has already ended."""
    n = case.notice_to_improve
    if n is None:
        return []
    weeks = n.improvement_period_weeks
    ends = n.issued_on + timedelta(weeks=weeks)
    if ends > today:
        return []
    return [Problem("notice_to_improve.issued_on",
                    f"The improvement period of {weeks} weeks from \"Notice to Improve issued "
                    f'on" ({day(n.issued_on)}) ended on {day(ends)}, which is not after the '
                    f"date of this letter ({day(today)}), so the notice would give the family "
                    "no time to improve. Please check \"Notice to Improve issued on\" and "
                    '"Improvement period (weeks)".')]


def review_too_late(case: Case, meeting: Meeting) -> list[Problem]:
    """Seed 002: a review no more than 4 weeks after the school attendance meeting and no
    more than 3 weeks after a review; the same for the review date a meeting sets.

    A review's own date is judged only while it is planned (its invitation or rearranged
    letter): once held, its date is what happened, and refusing its record or covering
    letter would leave the family without the plan (seed 001) and change nothing."""
    out = []
    where = _where(case, meeting)
    if meeting.kind is MeetingKind.REVIEW and meeting.status is MeetingStatus.PLANNED:
        last = _last_plan_before(case, meeting)
        if last is not None:
            limit = REVIEW_LATEST_WEEKS[last.kind]
            if (meeting.date - last.date).days > limit * 7:
                out.append(Problem(
                    f"{where}.date",
                    f'"Date" of this review, {day(meeting.date)}, is '
                    f"{_gap(last.date, meeting.date)} after the {_name(last)} on "
                    f"{day(last.date)}. {_rule(last.kind)} Please choose a \"Date\" on or "
                    f"before {day(last.date + timedelta(weeks=limit))}."))
    limit_here = REVIEW_LATEST_WEEKS.get(meeting.kind)
    if (limit_here is not None and meeting.review_date is not None
            and (meeting.review_date - meeting.date).days > limit_here * 7):
        out.append(Problem(
            f"{where}.review_date",
            f'"Review date" is {day(meeting.review_date)}, '
            f"{_gap(meeting.date, meeting.review_date)} after this {_name(meeting)} on "
            f"{day(meeting.date)}. {_rule(meeting.kind)} Please change \"Review date\" to "
            f"{day(meeting.date + timedelta(weeks=limit_here))} or earlier."))
    return out


def _where(case: Case, meeting: Meeting) -> str:
    return f"meetings[{case.meetings.index(meeting)}]" if meeting in case.meetings \
        else "meetings"


def _last_plan_before(case: Case, meeting: Meeting) -> Meeting | None:
    earlier = [m for m in case.meetings_by_date()
               if m is not meeting and m.status is MeetingStatus.HELD and m.date < meeting.date
               and m.kind in REVIEW_LATEST_WEEKS]
    return earlier[-1] if earlier else None


def _name(m: Meeting) -> str:
    return "school attendance meeting" if m.kind is MeetingKind.SUPPORT else "review meeting"


def _rule(kind: MeetingKind) -> str:
    if kind is MeetingKind.SUPPORT:
        return ("The guidance is to review the plan 3 weeks after the school attendance "
                "meeting, and no more than 4 weeks after it.")
    return ("The guidance is to review again no more than 3 weeks after a review meeting, "
            "or else to escalate.")


def _gap(first: date, last: date) -> str:
    weeks, days = divmod((last - first).days, 7)
    text = f"{weeks} week{'s' if weeks != 1 else ''}"
    if days:
        text += f" and {days} day{'s' if days != 1 else ''}"
    return text

"""Problems with a case that a schema cannot see: sums, dates, references between parts.

Each problem names the field path as it is written in the case file.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from .codes import KNOWN_CODES, is_possible_session
from .errors import Problem
from .model import Case, MeetingStatus


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

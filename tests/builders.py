"""Small builders for domain objects, shared by the tests.

Plain functions with keyword overrides: ``case(meetings=(aim(...),))``. Each returns a
valid object with sensible defaults, so a test states only what matters to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from function_app.domain.calendar import SchoolCalendar
from function_app.domain.model import (
    AttendanceFigures,
    Attendee,
    Carer,
    Case,
    CaseStatus,
    ContactMode,
    DateRange,
    Interaction,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Party,
    PenaltyNotice,
    Phase,
    Pupil,
    School,
    Session,
    SessionMark,
    Stage,
)

TODAY = dt.date(2026, 3, 10)  # a Tuesday in the spring term


def school(**overrides: Any) -> School:
    values: dict[str, Any] = {"name": "Severn Vale Academy", "urn": "137001",
                              "phase": Phase.SECONDARY, "holidays": ()}
    return School(**(values | overrides))


def pupil(**overrides: Any) -> Pupil:
    values: dict[str, Any] = {"forename": "Jordan", "surname": "Ellis",
                              "date_of_birth": dt.date(2012, 5, 14), "year_group": 9}
    return Pupil(**(values | overrides))


def carer(**overrides: Any) -> Carer:
    values: dict[str, Any] = {"id": "c1", "first_name": "Dana", "last_name": "Ellis",
                              "relationship": "Mother", "parental_responsibility": True,
                              "address": "4 Mill Lane\nStroud\nGL5 1AA"}
    return Carer(**(values | overrides))


def figures(present: int = 90, possible: int = 100, authorised: int | None = None,
            unauthorised: int = 0, **overrides: Any) -> AttendanceFigures:
    """Session figures; authorised absences default to whatever is not otherwise accounted."""
    if authorised is None:
        authorised = max(0, possible - present - unauthorised)
    return AttendanceFigures(possible_sessions=possible, present_sessions=present,
                             authorised_absences=authorised,
                             unauthorised_absences=unauthorised, **overrides)


def case(**overrides: Any) -> Case:
    values: dict[str, Any] = {"case_ref": "ATT-2026-0001", "school": school(),
                              "pupil": pupil(), "stage": Stage.MONITORING,
                              "status": CaseStatus.OPEN, "attendance": figures(),
                              "carers": (carer(),)}
    return Case(**(values | overrides))


def attendee(party: Party = Party.SCHOOL, present: bool = True, **overrides: Any) -> Attendee:
    values: dict[str, Any] = {"name": "Priya Shah", "role": "Attendance Officer",
                              "party": party, "present": present}
    return Attendee(**(values | overrides))


def pupil_attendee(present: bool = True) -> Attendee:
    return attendee(Party.PUPIL, present, name="Jordan Ellis", role="Pupil")


def carer_attendee(present: bool = True, carer_id: str = "c1") -> Attendee:
    return attendee(Party.CARER, present, name="Dana Ellis", role="Mother", carer_id=carer_id)


def staff() -> tuple[Attendee, Attendee]:
    """Seed 000: two members of staff, the attendance lead and a senior leader."""
    return (attendee(), attendee(name="Mark Owen", role="Deputy Headteacher"))


def meeting(**overrides: Any) -> Meeting:
    values: dict[str, Any] = {"id": "m1", "kind": MeetingKind.SUPPORT,
                              "status": MeetingStatus.HELD, "date": dt.date(2026, 2, 3),
                              "attendees": (pupil_attendee(), carer_attendee(), *staff())}
    return Meeting(**(values | overrides))


def aim(pupil_present: bool, carers_present: bool, **overrides: Any) -> Meeting:
    """A held AIM with the pupil and one carer present or not, and two staff."""
    people = (pupil_attendee(pupil_present), carer_attendee(carers_present), *staff())
    return meeting(**({"kind": MeetingKind.AIM, "attendees": people} | overrides))


def interaction(**overrides: Any) -> Interaction:
    values: dict[str, Any] = {"date": dt.date(2026, 1, 12), "time": dt.time(9, 15),
                              "mode": ContactMode.PHONE, "staff_member": "Priya Shah",
                              "summary": "Called about absence", "carer_ids": ("c1",)}
    return Interaction(**(values | overrides))


def notice(issued_on: dt.date, carer_id: str = "c1") -> PenaltyNotice:
    return PenaltyNotice(carer_id=carer_id, issued_on=issued_on)


def holiday(start: dt.date, end: dt.date, name: str = "holiday") -> DateRange:
    return DateRange(start, end, name)


def school_days(start: dt.date, end: dt.date,
                holidays: Iterable[DateRange] = ()) -> list[dt.date]:
    """Weekdays from start to end inclusive that are not in any of the holidays."""
    calendar = SchoolCalendar(tuple(holidays))
    days = []
    day = start
    while day <= end:
        if calendar.is_school_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def marks(start: dt.date, end: dt.date,
          codes: Sequence[str] | Callable[[dt.date, Session], str] = ("/",),
          holidays: Iterable[DateRange] = ()) -> tuple[SessionMark, ...]:
    """An AM and a PM mark for every school day in the range.

    ``codes`` is either a sequence used in turn (cycled) or a function of (day, session).
    """
    out = []
    for i, (day, session) in enumerate(
            (d, s) for d in school_days(start, end, holidays) for s in (Session.AM, Session.PM)):
        code = codes(day, session) if callable(codes) else codes[i % len(codes)]
        out.append(SessionMark(day, session, code))
    return tuple(out)


def with_code(all_marks: Sequence[SessionMark], code: str,
              where: Callable[[SessionMark], bool]) -> tuple[SessionMark, ...]:
    """The same marks with ``code`` wherever ``where`` holds."""
    return tuple(replace(m, code=code) if where(m) else m for m in all_marks)

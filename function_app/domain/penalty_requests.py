"""A school's request to the LA for a penalty notice, checked before the LA decides
(issue 19, point 1): the threshold, the Notice to Improve or why none, support offered,
each parent named, the LA's deadline and no duplicate; each failing check a plain
message naming what is missing and where to put it right. The register's own rules
(amounts, the 3-year limit, the clock) are in ``penalty_register``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .calendar import SchoolCalendar
from .model import Carer, NoticeToImprove, PenaltyNotice, Pupil, SessionMark
from .penalty import last_notice_issued, penalty_threshold
from .penalty_register import (
    FRAMEWORK,
    REGULATIONS,
    Problem,
    RegisteredNotice,
    RequestReason,
    child_key,
    parent_key,
)
from .policy import Profile
from .wording import day as say_day

WHERE = {
    "marks": "the case's Attendance Marks list",
    "nti": "the Cases item's 'Notice to Improve issued on' and 'Improvement period (weeks)'",
    "no_nti": "the request's 'Why no Notice to Improve' column",
    "support": "the case's Interventions list (what was offered, and when)",
    "parents": "the request's 'Parents' column and the Carers list",
    "last_absence": "the request's 'Last day of absence' column",
    "open": "the LA's Penalty Notice Requests list",
}


@dataclass(frozen=True, slots=True)
class Request:
    """A school's request to the LA for a notice to each parent named, with its facts."""
    number: str
    school: str
    pupil: Pupil
    parents: tuple[Carer, ...]
    requested_on: date
    reason: RequestReason
    last_absence: date | None
    marks: tuple[SessionMark, ...]
    notice_to_improve: NoticeToImprove | None = None
    no_notice_to_improve_because: str = ""
    support_offered: tuple[str, ...] = ()  # what was offered, in plain words with its date


@dataclass(frozen=True, slots=True)
class OpenRequest:
    number: str
    school: str
    child: str
    parents: frozenset[str]
    requested_on: date


def check_request(request: Request, register: Sequence[RegisteredNotice],
                  open_requests: Iterable[OpenRequest], profile: Profile,
                  calendar: SchoolCalendar) -> list[Problem]:
    """Everything the LA checks before it issues: each failing check says what is missing
    and where to put it right. An empty list: the request may go to the LA's officers."""
    return [*_threshold(request, register, profile), *_notice_to_improve(request),
            *_support(request), *_parents(request),
            *_deadline(request, profile, calendar), *_duplicate(request, open_requests)]


def _threshold(request: Request, register: Sequence[RegisteredNotice],
               profile: Profile) -> list[Problem]:
    rule = profile.penalty_threshold
    child = child_key(request.pupil)
    # Sessions up to the latest notice in force for this child, at any school, were its
    # ground and are not counted again (penalty.py).
    acted_on = last_notice_issued(
        PenaltyNotice(n.parent, n.issued_on, n.withdrawn_by(request.requested_on))
        for n in register if n.child == child and n.issued_on <= request.requested_on)
    t = penalty_threshold(request.marks, profile, acted_on)
    if t is not None and t.reached:
        return []
    codes = ", ".join(sorted(rule.codes))
    found = ("no register marks are attached" if t is None else
             f"the most in any {t.school_weeks} school weeks is {t.sessions} "
             f"({say_day(t.window_start or request.requested_on)} to "
             f"{say_day(t.window_end or request.requested_on)})")
    since = (f", counting only sessions after the last notice on {say_day(acted_on)}"
             if acted_on else "")
    return [Problem(
        "threshold_not_met",
        f"The threshold of {rule.sessions} unauthorised sessions (codes {codes}) within "
        f"{rule.school_weeks} school weeks is not shown: {found}{since}. Add the pupil's "
        f"marks to {WHERE['marks']}, or check the codes, then request again.",
        WHERE["marks"], profile.source("penalty_notice_threshold"))]


def _notice_to_improve(request: Request) -> list[Problem]:
    nti = request.notice_to_improve
    source = (f"{FRAMEWORK}: a Notice to Improve first, unless support is not appropriate, "
              "e.g. a term-time holiday")
    if nti is None:
        if (request.reason is RequestReason.TERM_TIME_HOLIDAY
                or request.no_notice_to_improve_because.strip()):
            return []
        return [Problem(
            "no_notice_to_improve",
            "No Notice to Improve is recorded. Record the day it was issued and its "
            f"improvement period in {WHERE['nti']}, or say why none was appropriate (for "
            f"example a term-time holiday) in {WHERE['no_nti']}.", WHERE["nti"], source)]
    over = nti.issued_on + timedelta(weeks=nti.improvement_period_weeks)
    if request.requested_on >= over:
        return []
    return [Problem(
        "improvement_period_not_over",
        f"The Notice to Improve issued on {say_day(nti.issued_on)} gives "
        f"{nti.improvement_period_weeks} weeks to improve, which end on "
        f"{say_day(over - timedelta(days=1))}. Request the notice from {say_day(over)}, or "
        f"correct the dates in {WHERE['nti']}.", WHERE["nti"], source)]


def _support(request: Request) -> list[Problem]:
    if request.reason is RequestReason.TERM_TIME_HOLIDAY or request.support_offered:
        return []
    return [Problem(
        "no_support_offered",
        "No support offered to the family is recorded. A penalty notice follows support that "
        f"did not work or was not taken up: record what was offered, and when, in "
        f"{WHERE['support']}.", WHERE["support"],
        f"{FRAMEWORK}: support first, where it is appropriate")]


def _parents(request: Request) -> list[Problem]:
    """Each parent named, by name, as a parent, with an address. Not the limit of notices:
    the LA counts that on its register when it decides (``penalty_register.decide_issue``),
    for every school, so a school is not shown notices issued through another."""
    s576 = "Education Act 1996 s576; " + FRAMEWORK + ": one notice per parent per child"
    if not request.parents:
        return [Problem("no_parent_named", "No parent is named. Name each parent the notice "
                        f"is for in {WHERE['parents']}.", WHERE["parents"], s576)]
    problems = []
    for c in request.parents:
        name = c.full_name.strip() or "A parent"
        problems += [Problem(code, message, "the Carers list", source) for bad, code, message,
                     source in (
            (not (c.first_name.strip() and c.last_name.strip()), "parent_not_named",
             f"{name}: a notice names the parent by first and last name. Give both in the "
             "Carers list.", s576),
            (not c.is_parent, "not_a_parent", f"{name} is not recorded as a parent: neither "
             "'Parental responsibility' nor 'Has care of the child' is ticked in the Carers "
             "list. Tick the one that is true, or take them off the request.", s576),
            (not c.address.strip(), "no_address", f"{name} has no postal address, where a "
             "notice is served. Add it in the Carers list ('Postal address').",
             "Education Act 1996 s572 (serving a notice at the parent's address)")) if bad]
    return problems


def _deadline(request: Request, profile: Profile, calendar: SchoolCalendar) -> list[Problem]:
    within = profile.penalty_notice_request_within_school_days
    source = profile.source("penalty_notice_request_within_school_days")
    if within is None:
        return []
    if request.last_absence is None:
        return [Problem("no_last_absence", "The last day of absence is not given. Give it in "
                        f"{WHERE['last_absence']}.", WHERE["last_absence"], source)]
    by, day, counted = request.last_absence, request.last_absence, 0
    while day < request.requested_on:
        day += timedelta(days=1)
        if calendar.is_school_day(day):
            counted += 1
            if counted == within:
                by = day
    if counted <= within:
        return []
    return [Problem(
        "request_late",
        f"The request was made on {say_day(request.requested_on)}, {counted} school days after "
        f"the last absence on {say_day(request.last_absence)}; the LA asks for it within "
        f"{within} school days, by {say_day(by)}. Ask the LA's penalty notice officers whether "
        f"it can still be considered, or check the date in {WHERE['last_absence']}.",
        WHERE["last_absence"], source)]


def _duplicate(request: Request, open_requests: Iterable[OpenRequest]) -> list[Problem]:
    child = child_key(request.pupil)
    parents = {parent_key(c) for c in request.parents}
    return [Problem(
        "duplicate_request",
        f"Request {o.number} from {o.school}, made on {say_day(o.requested_on)}, is still open "
        "for the same child and parent. Add any new evidence to that request in "
        f"{WHERE['open']} rather than making another.", WHERE["open"],
        f"{REGULATIONS}, regulation 14: the code of conduct avoids duplicate notices")
        for o in open_requests
        if o.child == child and o.parents & parents and o.number != request.number]

"""Reviews due in the coming week, and reviews overdue, across every open case.

The domain decides when each plan is to be reviewed and whether that is overdue
(``assess``: each meeting's ``review`` and ``review_overdue``); this reads every case from
one snapshot of the lists and gathers them. Where they go is the ``Reminders`` port: the
next issue posts them to the Inclusion Officer's Teams channel. Until then the only
implementation is ``LoggedReminders``, which tells nobody: it logs how many there are.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

from function_app.adapters.graph.records import ListInfo, ListItem
from function_app.adapters.teams.poster import PostResult
from function_app.domain import DEFAULT_PROFILE, assess, load_profile
from function_app.domain.alerts import Digest, reminder_digest
from function_app.domain.assessment import Assessment, MeetingView
from function_app.domain.errors import CaseworkError
from function_app.domain.model import CaseStatus, MeetingStatus
from function_app.services.case_lists import list_columns as lc
from function_app.services.case_lists.list_mapping import map_case
from function_app.services.case_lists.snapshot import CASEWORK_LISTS, Snapshot

log = logging.getLogger(__name__)
DAYS_AHEAD = 7


@dataclass(frozen=True, slots=True, order=True)
class ReviewReminder:
    """A plan to review: references and dates only, never a child's or parent's name."""

    due: date
    case_ref: str
    case_item_id: str  # the Cases item
    meeting_item_id: str  # the Meetings item that made the plan
    overdue: bool


@dataclass
class ReminderReport:
    today: date
    due_soon: list[ReviewReminder] = field(default_factory=list)  # today .. today + 7
    overdue: list[ReviewReminder] = field(default_factory=list)
    cases: int = 0  # open cases read
    unreadable: int = 0  # cases whose items have problems to fix first (said on the items)
    digests: dict[str, Digest] = field(default_factory=dict)  # school -> the day's digest


class Reminders(Protocol):
    """Where reminders go (the next issue: a Teams channel)."""

    async def send(self, report: ReminderReport) -> None: ...


class TeamsReminders:
    """Each school's digest of reviews due and overdue, posted to its Teams channel."""

    def __init__(self, poster: DigestPoster) -> None:
        self.poster = poster

    async def send(self, report: ReminderReport) -> None:
        for school, digest in report.digests.items():
            result = await self.poster.post(digest)
            if not result.posted:  # the school is named: it is not personal data
                log.warning("review digest for %s not posted: %s", school, result.reason)


class DigestPoster(Protocol):
    async def post(self, item: Digest) -> PostResult: ...


class LoggedReminders:
    """A stand-in that sends nothing: it logs the counts, so the timer can run meanwhile."""

    async def send(self, report: ReminderReport) -> None:
        log.info("reviews on %s: %d due within %d days, %d overdue, across %d open cases "
                 "(%d unreadable); not sent anywhere yet: the Teams reminder is not built",
                 report.today.isoformat(), len(report.due_soon), DAYS_AHEAD,
                 len(report.overdue), report.cases, report.unreadable)


class ListReader(Protocol):
    async def lists(self) -> dict[str, ListInfo]: ...
    async def all_items(self, list_id: str) -> list[ListItem]: ...


async def reviews_due(graph: ListReader, today: date, profile: str = "",
                      days: int = DAYS_AHEAD) -> ReminderReport:
    """Every open case's reviews due from today to ``days`` ahead, and those overdue."""
    lists = await graph.lists()
    names = [n for n in CASEWORK_LISTS if n in lists]
    pages = await asyncio.gather(*(graph.all_items(lists[n].id) for n in names))
    snapshot = Snapshot.of(dict(zip(names, pages, strict=True)))
    report = ReminderReport(today)
    assessments: list[Assessment] = []
    for case_id in snapshot.items.get(lc.CASES.title, {}):
        mapped = map_case(snapshot.case_items(case_id), today)
        case = mapped.case
        if case is None:
            report.unreadable += 1
            continue
        if case.status is CaseStatus.CLOSED:
            continue
        report.cases += 1
        try:
            assessment = assess(case, load_profile(case.profile or profile or DEFAULT_PROFILE),
                                today)
        except CaseworkError:
            report.unreadable += 1
            continue
        assessments.append(assessment)
        for view in assessment.meetings:
            reminder = _reminder(view, assessment, case_id, today, days)
            if reminder is not None:
                (report.overdue if reminder.overdue else report.due_soon).append(reminder)
    report.due_soon.sort()
    report.overdue.sort()
    report.digests = reminder_digest(assessments, today)
    return report


def _reminder(view: MeetingView, assessment: Assessment, case_id: str, today: date,
              days: int) -> ReviewReminder | None:
    if view.review is None:
        return None
    due = view.review.due
    if view.review_overdue:
        return ReviewReminder(due, assessment.case.case_ref, case_id, view.meeting.id, True)
    if not today <= due <= today + timedelta(days=days) or _reviewed_early(view, assessment):
        return None
    return ReviewReminder(due, assessment.case.case_ref, case_id, view.meeting.id, False)


def _reviewed_early(view: MeetingView, assessment: Assessment) -> bool:
    """A later meeting that looks at a plan again, already held, is the review (as the
    domain counts it for overdue reviews)."""
    m = view.meeting
    return any(o.status is MeetingStatus.HELD and m.date < o.date <= assessment.today
               and o.kind.makes_a_plan for o in assessment.case.meetings)

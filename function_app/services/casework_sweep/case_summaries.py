"""The Cases item's Tier, Attendance (%) and Severe absence, as the rules work them out.

Staff filter and group the Cases views by these columns (sharepoint_schema/formatting), so
the app keeps them true: after each case is assessed, only what differs is written, with
the item's own status write-back when there is one (one write, not two), else on its own
with the item's eTag so that an edit made meanwhile is not lost. Once per site, the first
sweep after the columns exist fills in every case, so that cases nobody touches still show
in the views.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, Protocol

from function_app.adapters.graph.errors import (
    GraphError,
    PreconditionFailedError,
    ValidationRefusedError,
)
from function_app.adapters.graph.records import ListInfo
from function_app.domain import assess, load_profile
from function_app.domain.assessment import Assessment
from function_app.domain.errors import CaseworkError
from function_app.services.case_lists import list_columns as lc
from function_app.services.case_lists.list_mapping import map_case
from function_app.services.case_lists.snapshot import Snapshot
from function_app.services.ports import StateStore

from . import own_writes

log = logging.getLogger(__name__)
# A new key would fill every case again after a change to how the columns are worked out.
FILLED_SCOPE, FILLED_KEY = "attendance-summary", "filled-v1"


class ItemWriter(Protocol):
    async def update_fields(self, list_id: str, item_id: str, fields: dict[str, Any],
                            etag: str = "") -> dict[str, Any]: ...


def summary_columns(lists: dict[str, ListInfo]) -> set[str]:
    """Which of Tier, AttendancePercent and SevereAbsence the site's Cases list has (a site
    not yet provisioned again lacks them, and nothing is written to it then)."""
    return {str(c.get("name")) for c in lists[lc.CASES.title].columns
            } & set(lc.ATTENDANCE_SUMMARY_COLUMNS)


class CaseSummaries:
    def __init__(self, graph: ItemWriter, state: StateStore, concurrency: int) -> None:
        self.graph, self.state, self.concurrency = graph, state, concurrency
        # "Cases/<id>" -> what the item should hold and does not, until written.
        self._pending: dict[str, dict[str, Any]] = {}

    def plan(self, case_id: str, assessment: Assessment, snapshot: Snapshot,
             lists: dict[str, ListInfo]) -> None:
        """Keep what the case item should hold where it differs from what it holds."""
        item = snapshot.get(lc.CASES.title, case_id)
        if item is None:
            return
        view = assessment.attendance
        there = summary_columns(lists)
        changes = {k: v for k, v in lc.summary_changes(item.fields, lc.attendance_summary(
            view.percent, view.tier.tier, view.flags.severely_absent)).items() if k in there}
        if changes:
            self._pending[f"{lc.CASES.title}/{item.id}"] = changes

    def take(self, list_name: str, item_id: str) -> dict[str, Any]:
        """What is pending for the item, to go with its write-back (and so not again)."""
        return self._pending.pop(f"{list_name}/{item_id}", {})

    async def write(self, case_id: str, snapshot: Snapshot,
                    lists: dict[str, ListInfo]) -> None:
        """What the case item's write-back did not carry (its case changed through a
        meeting, a mark or a carer, say), written on its own. Nothing has written the item
        since the snapshot, so its eTag holds unless someone edited it meanwhile; their
        change comes in the next sweep and is assessed then."""
        changes = self.take(lc.CASES.title, case_id)
        item = snapshot.get(lc.CASES.title, case_id)
        if not changes or item is None:
            return
        try:
            await self.graph.update_fields(lists[lc.CASES.title].id, item.id, changes,
                                           etag=item.etag)
        except (PreconditionFailedError, ValidationRefusedError):
            log.info("case item %s not given its tier: it changed or is refused", item.id)
            return
        own_writes.remember(self.state, lc.CASES.title, item.id, item.fields | changes)

    def forget(self, case_id: str) -> None:
        self._pending.pop(f"{lc.CASES.title}/{case_id}", None)

    def needs_filling(self, lists: dict[str, ListInfo]) -> bool:
        return (not self.state.recall(FILLED_SCOPE, FILLED_KEY)
                and summary_columns(lists) == set(lc.ATTENDANCE_SUMMARY_COLUMNS))

    async def fill(self, snapshot: Snapshot, lists: dict[str, ListInfo], processed: set[str],
                   profile_for: Callable[[str], str], today: Any) -> None:
        """Once per site: give each case not processed in this sweep its columns. A case
        that cannot be assessed (a mistake its items already report) keeps them blank until
        it is corrected; a write Graph failed is tried again at the next sweep."""
        limit = asyncio.Semaphore(self.concurrency)
        failed: list[str] = []

        async def one(case_id: str) -> None:
            try:
                mapped = map_case(snapshot.case_items(case_id), today)
                if mapped.case is None:
                    return
                assessment = assess(mapped.case, load_profile(profile_for(
                    mapped.case.profile)), today)
            except (CaseworkError, ValueError):
                return
            self.plan(case_id, assessment, snapshot, lists)
            async with limit:
                try:
                    await self.write(case_id, snapshot, lists)
                except GraphError as exc:
                    failed.append(case_id)
                    log.warning("case item %s not given its tier: %s", case_id,
                                type(exc).__name__)

        await asyncio.gather(*(one(c) for c in snapshot.items.get(lc.CASES.title, {})
                               if c not in processed))
        if not failed:
            self.state.remember(FILLED_SCOPE, FILLED_KEY, "done")

"""The change processor: from list changes to filed documents and written-back items.

One sweep: read each casework list's changes from its stored delta link; trace every
change made by a person (not our own write-backs) to its case and meeting; read those cases,
and only those, into one snapshot (services/case_lists/case_reader.py); assess each;
produce the documents the catalogue gives for that meeting or stage; claim each one
atomically before making it; file it in the case folder with its columns; write back to the
item what was made, or in plain words why not.

Nothing is lost, nothing is made twice (docs/exactly-once.md):

- a document counts as made only once its file is in the case folder (services/filing.py);
  an item whose document another live worker holds waits for the next sweep, and is not
  said to be done;
- each case is processed on its own (``case_work``): whatever goes wrong in one (a Graph
  error, the state store failing, a bug) is said on its items and kept for the next sweep;
  the others go on;
- the delta links move past a sweep's changes only when every changed item is done, says
  why not, or is recorded for the next sweep; a sweep that is stopped first cancels and
  awaits its cases, which let go of their claims;
- an error already written to an item is not written again; an alert Teams could not take
  is posted again at every sweep (services/casework_sweep/outbox.py).
"""

from __future__ import annotations

import asyncio
import logging

from function_app.adapters.graph.errors import GraphError, ResyncRequiredError
from function_app.adapters.graph.records import ListInfo, ListItem
from function_app.services.case_lists import list_columns as lc
from function_app.services.case_lists.case_reader import ItemReader, read_changed_cases
from function_app.services.case_lists.snapshot import CASEWORK_LISTS, Snapshot

from . import own_writes, retention
from .case_work import CaseWork
from .sweep_report import LIBRARY, RETRY_SCOPE, SetupError, SweepReport, Trigger

log = logging.getLogger(__name__)
# More changed items than this, and the lists are read whole rather than case by case.
WHOLE_READ_ABOVE = 200


class ChangeProcessor(CaseWork):
    """One sweep of every casework list's changes; each case's work is ``CaseWork``'s."""

    read_whole_lists = False  # read every item of every list each sweep (the old way)

    async def sweep(self) -> SweepReport:
        report = SweepReport()
        lists = await self._lists()
        await self.graph.use_library(lists[LIBRARY].id)
        await self._retry_waiting_alerts(lists, report)
        changed, links = await self._changes(lists)
        for key in self.state.keys(RETRY_SCOPE):  # items that failed or waited last time
            list_name, _, item_id = key.partition("/")
            changed.setdefault((list_name, item_id), None)
        people = {k: v for k, v in changed.items()
                  if v is None or not own_writes.is_own_write(self.state, k[0], v)}
        report.changes = len(people)
        report.own_writes = len(changed) - len(people)
        snapshot: Snapshot | None = None
        by_case: dict[str, list[Trigger]] = {}
        unrecorded: list[str] = []  # items whose failure could not be kept for next time
        if people:
            snapshot = await self._snapshot(lists, people)
            orphans: list[Trigger] = []
            by_case = self._triggers(people, snapshot, orphans)
            for t in orphans:
                await self._needs_attention(lists, t, "This item is not linked to a case that "
                                            "exists: choose its case.", report)
            report.cases = len(by_case)
            # Cases are independent: several at once hide Graph's latency; documents within
            # one case stay in order. A task group awaits every case, also when the sweep
            # is cancelled (a worker shutting down): each lets go of its claims first.
            limit = asyncio.Semaphore(self.config.concurrency)

            async def one(case_id: str, triggers: list[Trigger]) -> None:
                async with limit:
                    await self._process_case(case_id, triggers, snapshot, lists, report,
                                             unrecorded)

            async with asyncio.TaskGroup() as group:
                for case_id, triggers in by_case.items():
                    group.create_task(one(case_id, triggers))
        if self.summaries.needs_filling(lists):
            whole = snapshot if snapshot is not None and snapshot.whole else None
            await self.summaries.fill(whole or await self._snapshot(lists), lists,
                                      set(by_case), lambda p: p or self.config.profile,
                                      self.config.today)
        if not await self._send_letters(lists, changed, report):
            unrecorded.append("letters")  # a meeting's tick not yet acted on: read it again
        if unrecorded:
            # Their changes must be read again: the links stay where they were.
            log.warning("%d changed items could not be recorded for the next sweep; the "
                        "lists' changes will be read again", len(unrecorded))
            return report
        for list_id, link in links.items():
            self.state.save_delta_link(list_id, link)
        report.links_saved = True
        # Once a day per site, closed cases' entries go 90 days after closing: the day's
        # first sweep reads the Cases list whole (acceptable once a day), the others read
        # nothing; a failure is logged by kind and fails nothing (retention.py).
        await retention.forget_once_a_day(self.graph, self.state,
                                          lists[lc.CASES.title].id, self.config.today)
        return report

    async def _send_letters(self, lists: dict[str, ListInfo],
                            changed: dict[tuple[str, str], ListItem | None],
                            report: SweepReport) -> bool:
        """Letters to parents (services/delivery/sending.py): meetings whose letters staff
        approved with one tick, then every approved letter sent or put in the day's print
        pack, and posted packs recorded. A failure is said in the report and logged by
        kind; what was not done is found again at the next sweep (the documents' Sending
        column). False when a meeting's tick could not be acted on, so its change is read
        again."""
        ticked = [item for (name, _), item in changed.items()
                  if name == lc.MEETINGS.title and item is not None and not item.deleted
                  and item.fields.get("ApproveLetters") is True]
        try:
            cleared, approved = await self.sender.approve_meetings(lists, ticked)
            for item in ticked:
                if item.id in cleared:
                    await self.graph.update_fields(lists[lc.MEETINGS.title].id, item.id,
                                                   cleared[item.id])
                    own_writes.remember(self.state, lc.MEETINGS.title, item.id,
                                        item.fields | cleared[item.id])
            report.letters_approved = approved
        except GraphError as exc:
            report.sending_failed = str(exc)
            log.warning("a meeting's letters could not be approved (%s)", type(exc).__name__)
            return False
        try:
            report.letters = await self.sender.run(lists)
        except Exception as exc:  # isolation: the documents and alerts stand
            report.sending_failed = str(exc) if isinstance(exc, GraphError) else \
                f"an unexpected {type(exc).__name__}"
            log.warning("sending letters stopped this sweep (%s); the next sweep goes on",
                        type(exc).__name__)
        return True

    # -- reading -----------------------------------------------------------------------

    async def _lists(self) -> dict[str, ListInfo]:
        lists = await self.graph.lists()
        missing = [name for name in (*CASEWORK_LISTS, LIBRARY) if name not in lists]
        if missing:
            raise SetupError(f"The site has no {', '.join(missing)}. Run `casework provision` "
                             "to create the lists and library.")
        return lists

    async def _changes(self, lists: dict[str, ListInfo]
                       ) -> tuple[dict[tuple[str, str], ListItem | None], dict[str, str]]:
        changed: dict[tuple[str, str], ListItem | None] = {}
        links: dict[str, str] = {}
        for name in CASEWORK_LISTS:
            list_id = lists[name].id
            link = self.state.delta_link(list_id)
            while True:
                try:
                    page = await self.graph.delta(list_id, link)
                except ResyncRequiredError:
                    log.info("delta link expired for list %s: reading it whole", list_id)
                    link = ""
                    continue
                for item in page.items:
                    changed[(name, item.id)] = item  # a later page wins
                if page.next_link:
                    link = page.next_link
                    continue
                links[list_id] = page.delta_link
                break
        return changed, links

    async def _snapshot(self, lists: dict[str, ListInfo],
                        changed: dict[tuple[str, str], ListItem | None] | None = None
                        ) -> Snapshot:
        """The cases ``changed`` belongs to, read by indexed lookups (case_reader); every
        item of every list when no changes are given, when the summary columns are to be
        filled for every case, when there are more changes than reading their cases one by
        one is worth (a delta link that expired gives every item of its list), or when
        ``read_whole_lists`` says so."""
        if (changed is not None and not self.read_whole_lists
                and len(changed) <= WHOLE_READ_ABOVE and isinstance(self.graph, ItemReader)
                and not self.summaries.needs_filling(lists)):
            try:
                return await read_changed_cases(
                    self.graph, {n: lists[n].id for n in CASEWORK_LISTS}, changed)
            except GraphError as exc:
                if exc.status != 400:
                    raise
                # A lookup column not indexed (a site provisioned before it was): the
                # sweep still works, at the cost of reading every list.
                log.warning("the changed cases could not be read by their lookup columns "
                            "(%s); reading the lists whole. Run `casework provision`.", exc)
        names = list(CASEWORK_LISTS)
        pages = await asyncio.gather(*(self.graph.all_items(lists[n].id) for n in names))
        return Snapshot.of(dict(zip(names, pages, strict=True)))

    def _triggers(self, changed: dict[tuple[str, str], ListItem | None], snapshot: Snapshot,
                  orphans: list[Trigger]) -> dict[str, list[Trigger]]:
        by_case: dict[str, list[Trigger]] = {}
        for list_name, item_id in changed:
            item = snapshot.get(list_name, item_id)
            if item is None:  # deleted, or gone since: nothing to make
                self.state.forget(RETRY_SCOPE, f"{list_name}/{item_id}")
                continue
            case_id = snapshot.case_of(list_name, item)
            if not case_id or snapshot.get(lc.CASES.title, case_id) is None:
                if list_name != lc.HOLIDAYS.title:
                    orphans.append(Trigger(list_name, item, "", ""))
                continue
            by_case.setdefault(case_id, []).append(
                Trigger(list_name, item, case_id, snapshot.meeting_of(list_name, item)))
        return by_case

"""The change processor: from list changes to filed documents and written-back items.

One sweep: read each casework list's changes from its stored delta link; trace every
change made by a person (not our own write-backs) to its case and meeting; read the whole
case from one snapshot of the lists; assess it; produce the documents the catalogue gives
for that meeting or stage; claim each one atomically before making it; file it in the case
folder with its columns; write back to the item what was made, or in plain words why not.

Nothing is lost, nothing is made twice (docs/exactly-once.md):

- a document counts as made only once its file is in the case folder (services/filing.py);
  an item whose document another live worker holds waits for the next sweep, and is not
  said to be done;
- each case is processed on its own: whatever goes wrong in one (a Graph error, the state
  store failing, a bug) is said on its items and kept for the next sweep; the others go on;
- the delta links move past a sweep's changes only when every changed item is done, says
  why not, or is recorded for the next sweep; a sweep that is stopped first cancels and
  awaits its cases, which let go of their claims;
- an error already written to an item is not written again; an alert Teams could not take
  is posted again at every sweep (services/outbox.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from function_app.adapters.graph.errors import (
    GraphError,
    PreconditionFailedError,
    ResyncRequiredError,
    ValidationRefusedError,
)
from function_app.adapters.graph.records import DeltaPage, ListInfo, ListItem
from function_app.adapters.teams.cards import CaseLinks
from function_app.documents.context import Options
from function_app.documents.engine import Document, TemplateSet, produce
from function_app.documents.naming import case_folder
from function_app.domain import DEFAULT_PROFILE, assess, load_profile
from function_app.domain.alerts import Alert, alerts_for, generation_failed, legal_bundle_ready
from function_app.domain.errors import CaseworkError, InvalidCaseError
from function_app.domain.model import Case, Meeting, MeetingStatus
from function_app.domain.wording import counted

from . import list_columns as lc
from . import own_writes
from .case_summaries import CaseSummaries
from .filing import Filer, Filing, Library, Outcome
from .list_mapping import map_case
from .outbox import AlertPoster, Outbox, said
from .ports import StateStore
from .snapshot import CASEWORK_LISTS, Snapshot

if TYPE_CHECKING:
    from .legal_referral import LegalReferrals, Referral

log = logging.getLogger(__name__)
LIBRARY = "Case Files"
RETRY_SCOPE = "retry"
ERROR_SCOPE = "reported-error"
LEGAL_TICK, LEGAL_READINESS = "PrepareLegalReferral", "LegalReadiness"  # Cases columns


class SharePoint(Library, Protocol):
    """What the processor needs of Graph (function_app.adapters.graph.client.GraphClient):
    the lists, and the library as filing needs it."""

    async def lists(self) -> dict[str, ListInfo]: ...
    async def use_library(self, list_id: str) -> None: ...
    async def delta(self, list_id: str, link: str = "") -> DeltaPage: ...
    async def all_items(self, list_id: str) -> list[ListItem]: ...
    async def get_item(self, list_id: str, item_id: str) -> ListItem: ...
    async def update_fields(self, list_id: str, item_id: str, fields: dict[str, Any],
                            etag: str = "") -> dict[str, Any]: ...
    async def ensure_folder(self, path: str) -> str: ...


class SetupError(CaseworkError):
    """The site lacks a list or library the product needs."""


@dataclass(frozen=True, slots=True)
class Filed:
    case_ref: str
    kind: str
    path: str  # folder/name inside the Case Files library
    web_url: str


@dataclass
class SweepReport:
    changes: int = 0  # items changed by people since the last sweep
    own_writes: int = 0  # changes that were our own write-backs, skipped
    cases: int = 0
    filed: list[Filed] = field(default_factory=list)
    already_made: int = 0  # documents another worker or an earlier sweep filed
    needs_attention: dict[str, str] = field(default_factory=dict)  # "List/id" -> message
    failed: dict[str, str] = field(default_factory=dict)  # "List/id" -> why; tried again
    pending: dict[str, str] = field(default_factory=dict)  # "List/id" -> what it waits for
    links_saved: bool = False  # the lists' delta links moved past this sweep's changes
    alerts: list[RaisedAlert] = field(default_factory=list)
    legal: list[Referral] = field(default_factory=list)  # evidence bundles prepared or found

    @property
    def nothing_new(self) -> bool:
        return not (self.filed or self.needs_attention or self.failed or self.pending)


@dataclass(frozen=True, slots=True)
class RaisedAlert:
    case_ref: str
    reason: str
    audience: str
    outcome: str  # "posted", "waiting: why", "failed: why", or "not sent: no webhook"


@dataclass(frozen=True, slots=True)
class ProcessorConfig:
    owner: str  # this worker's name, for claims
    today: date
    options: Options = field(default_factory=Options)
    folder_pattern: str = "{school}/{case_ref} {surname}, {forename}"
    profile: str = DEFAULT_PROFILE
    concurrency: int = 8  # cases processed at once
    site_path: str = "/sites/attendance"  # counts towards SharePoint's 400-character paths
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


@dataclass
class _Trigger:
    list_name: str
    item: ListItem
    case_id: str
    meeting_id: str


class ChangeProcessor:
    def __init__(self, graph: SharePoint, state: StateStore, templates: TemplateSet,
                 config: ProcessorConfig, alerts: AlertPoster | None = None,
                 legal: LegalReferrals | None = None) -> None:
        self.graph, self.state, self.templates, self.config = graph, state, templates, config
        self.alerts = alerts
        self.legal = legal
        self.summaries = CaseSummaries(graph, state, config.concurrency)
        self.filer = Filer(graph, state, config.owner)
        self.outbox = Outbox(alerts, state, config.clock)

    async def close(self) -> None:
        """Close what the processor holds open (the Teams poster's connections)."""
        closer = getattr(self.alerts, "aclose", None)
        if closer is not None:
            await closer()

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
        by_case: dict[str, list[_Trigger]] = {}
        unrecorded: list[str] = []  # items whose failure could not be kept for next time
        if people:
            snapshot = await self._snapshot(lists)
            orphans: list[_Trigger] = []
            by_case = self._triggers(people, snapshot, orphans)
            for t in orphans:
                await self._needs_attention(lists, t, "This item is not linked to a case that "
                                            "exists: choose its case.", report)
            report.cases = len(by_case)
            # Cases are independent: several at once hide Graph's latency; documents within
            # one case stay in order. A task group awaits every case, also when the sweep
            # is cancelled (a worker shutting down): each lets go of its claims first.
            limit = asyncio.Semaphore(self.config.concurrency)

            async def one(case_id: str, triggers: list[_Trigger]) -> None:
                async with limit:
                    await self._process_case(case_id, triggers, snapshot, lists, report,
                                             unrecorded)

            async with asyncio.TaskGroup() as group:
                for case_id, triggers in by_case.items():
                    group.create_task(one(case_id, triggers))
        if self.summaries.needs_filling(lists):
            await self.summaries.fill(snapshot or await self._snapshot(lists), lists,
                                      set(by_case), lambda p: p or self.config.profile,
                                      self.config.today)
        if unrecorded:
            # Their changes must be read again: the links stay where they were.
            log.warning("%d changed items could not be recorded for the next sweep; the "
                        "lists' changes will be read again", len(unrecorded))
            return report
        for list_id, link in links.items():
            self.state.save_delta_link(list_id, link)
        report.links_saved = True
        return report

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

    async def _snapshot(self, lists: dict[str, ListInfo]) -> Snapshot:
        names = list(CASEWORK_LISTS)
        pages = await asyncio.gather(*(self.graph.all_items(lists[n].id) for n in names))
        return Snapshot.of(dict(zip(names, pages, strict=True)))

    def _triggers(self, changed: dict[tuple[str, str], ListItem | None], snapshot: Snapshot,
                  orphans: list[_Trigger]) -> dict[str, list[_Trigger]]:
        by_case: dict[str, list[_Trigger]] = {}
        for list_name, item_id in changed:
            item = snapshot.get(list_name, item_id)
            if item is None:  # deleted, or gone since: nothing to make
                self.state.forget(RETRY_SCOPE, f"{list_name}/{item_id}")
                continue
            case_id = snapshot.case_of(list_name, item)
            if not case_id or snapshot.get(lc.CASES.title, case_id) is None:
                if list_name != lc.HOLIDAYS.title:
                    orphans.append(_Trigger(list_name, item, "", ""))
                continue
            by_case.setdefault(case_id, []).append(
                _Trigger(list_name, item, case_id, snapshot.meeting_of(list_name, item)))
        return by_case

    # -- one case ----------------------------------------------------------------------

    async def _process_case(self, case_id: str, triggers: list[_Trigger], snapshot: Snapshot,
                            lists: dict[str, ListInfo], report: SweepReport,
                            unrecorded: list[str]) -> None:
        """Everything one case's changes call for; whatever fails stays with this case."""
        try:
            await self._case(case_id, triggers, snapshot, lists, report)
        except Exception as exc:  # isolation: any failure is this case's alone
            await self._failed(triggers, lists, exc, report, unrecorded)
        finally:
            self.summaries.forget(case_id)

    async def _case(self, case_id: str, triggers: list[_Trigger], snapshot: Snapshot,
                    lists: dict[str, ListInfo], report: SweepReport) -> None:
        mapped = map_case(snapshot.case_items(case_id), self.config.today)
        if mapped.case is None:
            data = mapped.case_input or {}
            where = (str(data.get("case_ref", "")), str((data.get("school") or {}).get(
                "name", "")))
            await self._report_problems(mapped.messages(), triggers, snapshot, lists,
                                        report, where)
            return
        case = mapped.case
        profile = load_profile(case.profile or self.config.profile)
        assessment = assess(case, profile, self.config.today)
        self.summaries.plan(case_id, assessment, snapshot, lists)
        made: set[str] = set()  # kinds a meeting made, so the stage does not repeat them
        for trigger in sorted(self._document_triggers(triggers, snapshot),
                              key=lambda t: not t.meeting_id):
            skip = set() if trigger.meeting_id else made  # each meeting makes its own
            made |= await self._make_documents(trigger, case, assessment, snapshot, lists,
                                               report, skip=skip)
        await self._raise_alerts(case_id, case, assessment, snapshot, lists, report)
        await self.summaries.write(case_id, snapshot, lists)
        await self._legal_referral(case_id, case, snapshot, lists, report)

    async def _failed(self, triggers: list[_Trigger], lists: dict[str, ListInfo],
                      exc: Exception, report: SweepReport, unrecorded: list[str]) -> None:
        """Keep each of the case's items for the next sweep and say so on it, in plain
        words that name nobody; logs get the kind of failure only."""
        why = _plain(exc)
        log.warning("a case failed and is kept for the next sweep (%s)", type(exc).__name__)
        for t in triggers:
            key = f"{t.list_name}/{t.item.id}"
            report.failed[key] = why
            try:
                self.state.remember(RETRY_SCOPE, key, why)
            except Exception:
                unrecorded.append(key)
        for t in self._document_triggers(triggers, Snapshot(), keep_retries=True):
            message = (f"Not finished: {why}. The casework app will try again at its next "
                       "run; nothing needs doing unless this stays.")
            try:
                await self._write_back(lists, replace(t, item=replace(t.item, etag="")),
                                       lc.GenerationStatus.PENDING, message, [], report)
            except Exception:  # the item cannot be written either: the retry stands
                log.info("the failure could not be said on an item (%s)", type(exc).__name__)

    async def _raise_alerts(self, case_id: str, case: Case, assessment: Any,
                            snapshot: Snapshot, lists: dict[str, ListInfo],
                            report: SweepReport) -> None:
        """The domain's alerts for this case, each posted once per (case, reason, stage).

        Reviews due and overdue go in the daily digest instead. One Teams could not take
        waits in the outbox and is posted again at every sweep; one that cannot go (no
        channel) is said on the case item, once.
        """
        item = snapshot.get(lc.CASES.title, case_id)
        links = {case.case_ref: CaseLinks(item_url=item.web_url if item else "")}
        for alert in alerts_for(assessment):
            if alert.reason.in_daily_digest:
                continue
            await self._post(alert, links, report, lists, f"{lc.CASES.title}/{case_id}")

    async def _legal_referral(self, case_id: str, case: Case, snapshot: Snapshot,
                              lists: dict[str, ListInfo], report: SweepReport) -> None:
        """Staff ticked "Prepare legal referral": file the evidence bundle in the case
        folder's Legal subfolder (once per case state), say the readiness on the item and
        tell the Lead Officer for Legal Intervention (function_app/services/legal_referral)."""
        item = snapshot.get(lc.CASES.title, case_id)
        if self.legal is None or item is None or item.fields.get(LEGAL_TICK) is not True:
            return
        ours = _Trigger(lc.CASES.title, replace(item, etag=""), case_id, "")
        try:
            referral = await self.legal.prepare(case, load_profile(
                case.profile or self.config.profile), self.folder_for(case), self.config.today)
        except GraphError as exc:
            if exc.status != 406:  # 406: Graph cannot make a PDF here; else try again later
                raise
            await self._needs_attention(lists, ours, f"The evidence bundle could not be made: "
                                        f"{exc}", report)
            return
        except CaseworkError as exc:  # the bundle could not be made as promised
            await self._needs_attention(lists, ours, f"The evidence bundle could not be made: "
                                        f"{exc}", report)
            return
        if not referral.exists:  # another worker is making it: look again next sweep
            self.state.remember(RETRY_SCOPE, f"{lc.CASES.title}/{case_id}", "bundle pending")
            report.pending[f"{lc.CASES.title}/{case_id}"] = "the evidence bundle"
            return
        report.legal.append(referral)
        # The tick is a request: done, it is cleared (our own write, so no new change).
        written = {LEGAL_READINESS: referral.item_text(), LEGAL_TICK: False}
        await self.graph.update_fields(lists[lc.CASES.title].id, item.id, written)
        own_writes.remember(self.state, lc.CASES.title, item.id, item.fields | written)
        if not referral.made:
            return
        alert = legal_bundle_ready(case.case_ref, case.school.name, referral.summary,
                                   stage=case.stage, pupil_initials=case.pupil.initials,
                                   pupil_name=f"{case.pupil.forename} {case.pupil.surname}",
                                   variant=referral.state_key)
        # The item, not the bundle: the case folder's path names the pupil.
        await self._post(alert, {case.case_ref: CaseLinks(item_url=item.web_url)}, report,
                         lists, f"{lc.CASES.title}/{case_id}")

    async def _post(self, alert: Alert, links: Mapping[str, CaseLinks], report: SweepReport,
                    lists: dict[str, ListInfo], item: str) -> None:
        """Post once (by its dedupe key), through the outbox; a failure that will not pass
        by trying again is said on ``item`` ("Cases/12")."""
        if self.outbox.posted(alert):
            return
        posted = await self.outbox.post(alert, links, item)
        report.alerts.append(RaisedAlert(alert.case_ref, alert.reason.value,
                                         alert.audience.value, posted.outcome))
        if posted.say_on_item and item:
            list_name, _, item_id = item.partition("/")
            await self._say_on_item(lists, list_name, item_id, said(alert, posted.say_on_item),
                                    report)

    async def _retry_waiting_alerts(self, lists: dict[str, ListInfo],
                                    report: SweepReport) -> None:
        async def say(list_name: str, item_id: str, message: str) -> None:
            await self._say_on_item(lists, list_name, item_id, message, report)

        for alert, posted in await self.outbox.retry_waiting(say):
            report.alerts.append(RaisedAlert(alert.case_ref, alert.reason.value,
                                             alert.audience.value, posted.outcome))

    async def _say_on_item(self, lists: dict[str, ListInfo], list_name: str, item_id: str,
                           message: str, report: SweepReport) -> None:
        """Our own note after our own write-back: no eTag check, it would refuse us."""
        if list_name not in lists:
            return
        try:
            item = await self.graph.get_item(lists[list_name].id, item_id)
        except GraphError as exc:
            if exc.status == 404:
                return
            raise
        await self._needs_attention(lists, _Trigger(list_name, replace(item, etag=""),
                                                    "", ""), message, report)

    def _document_triggers(self, triggers: list[_Trigger], snapshot: Snapshot,
                           keep_retries: bool = False) -> Iterable[_Trigger]:
        """One trigger per meeting changed, and the case itself if its item changed."""
        seen: set[str] = set()
        for t in triggers:
            target = f"meeting:{t.meeting_id}" if t.meeting_id else (
                "case" if t.list_name == lc.CASES.title else "")
            if not target or target in seen:
                if not target and not keep_retries:  # a carer, contact or sibling: nothing
                    self.state.forget(RETRY_SCOPE, f"{t.list_name}/{t.item.id}")
                continue
            seen.add(target)
            if t.meeting_id and t.list_name != lc.MEETINGS.title:
                meeting = snapshot.get(lc.MEETINGS.title, t.meeting_id)
                if meeting is None:
                    continue
                yield _Trigger(lc.MEETINGS.title, meeting, t.case_id, t.meeting_id)
            else:
                yield t

    async def _make_documents(self, trigger: _Trigger, case: Case, assessment: Any,
                              snapshot: Snapshot, lists: dict[str, ListInfo],
                              report: SweepReport, skip: set[str]) -> set[str]:
        """Make and file this trigger's documents; the kinds made."""
        meeting = next((m for m in case.meetings if m.id == trigger.meeting_id), None)
        kinds = [k for k in self._kinds_for(case, meeting) if k not in skip]
        if trigger.meeting_id:
            version = snapshot.source_version(trigger.meeting_id)
            scope = f"{lc.MEETINGS.title}/{trigger.meeting_id}/{version}"
        else:  # stage documents are made once each time the case enters a stage
            version = case.stage.value
            scope = f"{lc.CASES.title}/{trigger.item.id}/{version}"
        filings: list[Filing] = []
        problems: list[str] = []
        for kind in kinds:
            try:
                documents = produce(self.templates, kind, assessment, trigger.meeting_id or None,
                                    self.config.options, datetime.now(UTC))
            except InvalidCaseError as exc:
                problems += [f"{self.templates.catalogue.get(kind).title}: {p.message}"
                             for p in exc.problems]
                continue
            for document in documents:
                filings.append(await self._file(document, case, scope, version, report))
        key = f"{trigger.list_name}/{trigger.item.id}"
        links = [f.web_url for f in filings if f.exists and f.web_url]
        waiting = [f for f in filings if not f.exists]
        if waiting:
            # Another worker is making some of them: nothing is said until they are there.
            why = f"{counted(len(waiting), 'document')} being made by another worker"
            report.pending[key] = why
            self.state.remember(RETRY_SCOPE, key, why)
            return set(kinds)
        if problems:
            message = "Some documents could not be made:\n" + "\n".join(problems)
            await self._needs_attention(lists, trigger, message, report, links,
                                        case=(case.case_ref, case.school.name),
                                        keep=_figures_to_keep(trigger, meeting, case))
        else:
            warnings = [w.text for w in assessment.warnings][:5]
            note = _filed_note(filings)
            if warnings:
                note += "\nPlease check:\n" + "\n".join(f"- {w}" for w in warnings)
            await self._write_back(lists, trigger, lc.GenerationStatus.GENERATED, note, links,
                                   report, keep=_figures_to_keep(trigger, meeting, case))
            self.state.forget(ERROR_SCOPE, key)
        self.state.forget(RETRY_SCOPE, key)
        return set(kinds)

    def _kinds_for(self, case: Case, meeting: Meeting | None) -> list[str]:
        if meeting is not None:  # its kind, status and whether it was rearranged
            return [k.kind for k in self.templates.catalogue.kinds if k.fits(meeting)]
        return [k.kind for k in self.templates.catalogue.kinds if case.stage.value in k.stages]

    async def _file(self, document: Document, case: Case, scope: str, version: str,
                    report: SweepReport) -> Filing:
        folder = self.folder_for(case)
        filing = await self.filer.file(
            f"{scope}/{document.kind}/{document.carer_id or '-'}", folder, document.file_name,
            document.content,
            {"CaseRef": case.case_ref, "DocumentKind": document.kind,
             "MeetingId": document.meeting_id, "CarerId": document.carer_id,
             "SourceVersion": version,
             "GeneratedAt": self.config.clock().strftime("%Y-%m-%dT%H:%M:%SZ")})
        if filing.outcome is Outcome.FILED:
            report.filed.append(Filed(case.case_ref, document.kind,
                                      f"{folder}/{filing.name}", filing.web_url))
        elif filing.outcome is Outcome.ALREADY_FILED:
            report.already_made += 1
        return filing

    def folder_for(self, case: Case) -> str:
        return case_folder(self.config.folder_pattern, school=case.school.name,
                           case_ref=case.case_ref, surname=case.pupil.surname,
                           forename=case.pupil.forename,
                           prefix=f"{self.config.site_path.rstrip('/')}/{LIBRARY}")

    async def _report_problems(self, messages: dict[tuple[str, str], str],
                               triggers: list[_Trigger], snapshot: Snapshot,
                               lists: dict[str, ListInfo], report: SweepReport,
                               case: tuple[str, str] = ("", "")) -> None:
        """Each problem goes to the item it is about; nothing is made for the case."""
        for (list_name, item_id), message in messages.items():
            item = snapshot.get(list_name, item_id)
            if item is not None:
                await self._needs_attention(lists, _Trigger(list_name, item, "", ""), message,
                                            report, case=case)
        for t in triggers:
            self.state.forget(RETRY_SCOPE, f"{t.list_name}/{t.item.id}")

    async def _needs_attention(self, lists: dict[str, ListInfo], trigger: _Trigger,
                               message: str, report: SweepReport,
                               links: list[str] | None = None,
                               case: tuple[str, str] = ("", ""),
                               keep: Mapping[str, Any] | None = None) -> None:
        """Say on the item what is wrong, once: the same message is not written again; and
        tell the school's channel that something could not be made (without the message,
        which may name a parent: the item says what to fix)."""
        key = f"{trigger.list_name}/{trigger.item.id}"
        report.needs_attention[key] = message
        if self.state.recall(ERROR_SCOPE, key) == _digest(message):
            self.state.forget(RETRY_SCOPE, key)
            return
        await self._write_back(lists, trigger, lc.GenerationStatus.NEEDS_ATTENTION, message,
                               links or [], report, keep)
        self.state.remember(ERROR_SCOPE, key, _digest(message))
        self.state.forget(RETRY_SCOPE, key)
        case_ref, school = case
        if case_ref and school:
            alert = generation_failed(
                case_ref, school, f"an item in the {trigger.list_name} list needs attention; "
                "its status column says what to fix")
            await self._post(alert, {case_ref: CaseLinks(item_url=trigger.item.web_url)},
                             report, lists, "")

    async def _write_back(self, lists: dict[str, ListInfo], trigger: _Trigger,
                          status: lc.GenerationStatus, message: str, links: list[str],
                          report: SweepReport, keep: Mapping[str, Any] | None = None) -> None:
        fields: dict[str, Any] = {"GenerationStatus": status.value,
                                  "GenerationMessage": message,
                                  "LastProcessedVersion": trigger.item.version}
        if links:
            fields["GeneratedDocuments"] = "\n".join(links)
        fields |= keep or {}  # a held meeting's figures, kept the first time: same write
        # The case's tier and percentage go with its write-back: one write, not two.
        fields |= self.summaries.take(trigger.list_name, trigger.item.id)
        try:
            await self.graph.update_fields(lists[trigger.list_name].id, trigger.item.id, fields,
                                           etag=trigger.item.etag)
        except PreconditionFailedError:
            # Someone edited the item meanwhile: their change will come in the next sweep.
            log.info("item %s/%s changed while processing", trigger.list_name, trigger.item.id)
            return
        except ValidationRefusedError:
            # SharePoint checks the whole item on every write: one saved before its list's
            # validation formula changed refuses even our status columns until staff fix it.
            key = f"{trigger.list_name}/{trigger.item.id}"
            report.failed[key] = (f"SharePoint refused the casework app's status on the "
                                  f"{trigger.list_name} item {trigger.item.id}: it fails the "
                                  "list's validation; correct the item in the list and it "
                                  "will be processed again")
            log.warning("item %s refused by list validation", key)
            return
        own_writes.remember(self.state, trigger.list_name, trigger.item.id,
                            trigger.item.fields | fields)


def _figures_to_keep(trigger: _Trigger, meeting: Meeting | None, case: Case) -> dict[str, Any]:
    """The Meetings columns that keep the case totals as they stand now, for a held meeting
    whose columns are still empty and when the totals end on or before its date: filled
    once, never overwritten, so its record remade after the school updates the totals gives
    the same figures (docs/documents.md, "How figures are shown")."""
    totals = case.attendance
    if (meeting is None or trigger.list_name != lc.MEETINGS.title
            or meeting.status is not MeetingStatus.HELD or meeting.figures_at_meeting is not None
            or any(trigger.item.fields.get(c) not in (None, "")
                   for c in lc.MEETING_FIGURES_COLUMNS)
            or totals is None or totals.possible_sessions <= 0 or totals.period_end is None
            or totals.period_end > meeting.date):
        return {}
    kept: dict[str, Any] = {
        "MeetingPossibleSessions": totals.possible_sessions,
        "MeetingPresentSessions": totals.present_sessions,
        "MeetingAuthorisedAbsences": totals.authorised_absences,
        "MeetingUnauthorisedAbsences": totals.unauthorised_absences,
        "MeetingFiguresTo": _day(totals.period_end)}
    if totals.period_start is not None:
        kept["MeetingFiguresFrom"] = _day(totals.period_start)
    return kept


def _day(day: date) -> str:
    """A dateOnly value as midday UTC: the list reads a date as the day whose midnight is
    nearest (list_mapping), which is this day for a site within 12 hours of UTC."""
    return f"{day.isoformat()}T12:00:00Z"


def _filed_note(filings: list[Filing]) -> str:
    """What is in the case folder for this item, by name: the files, never a count of
    claims."""
    new = [f.name for f in filings if f.outcome is Outcome.FILED]
    old = [f.name for f in filings if f.outcome is Outcome.ALREADY_FILED]
    if not (new or old):
        return "Nothing new to make."
    lines = []
    if new:
        lines += [f"Made {counted(len(new), 'document')}:", *(f"- {n}" for n in new)]
    if old:
        lines += ["Already in the case folder:", *(f"- {n}" for n in old)]
    return "\n".join(lines)


def _plain(exc: Exception) -> str:
    """Why a case could not be finished, in words staff can read. Our own errors say it
    plainly; anything else is named by its kind only (its text may quote a pupil)."""
    if isinstance(exc, CaseworkError):
        return str(exc).rstrip(".")
    return f"an unexpected error in the casework app ({type(exc).__name__})"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

"""The change processor: from list changes to filed documents and written-back items.

One sweep: read each casework list's changes from its stored delta link; trace every
change made by a person (not our own write-backs) to its case and meeting; read the whole
case from one snapshot of the lists; assess it; produce the documents the catalogue gives
for that meeting or stage; claim each one atomically before making it; file it in the case
folder with its columns; write back to the item what was made, or in plain words why not.

Nothing is lost: the delta links are saved only after the sweep, a failed item is kept for
the next sweep, and an error already written to an item is not written again.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from function_app.adapters.graph.errors import (
    GraphError,
    PreconditionFailedError,
    ResyncRequiredError,
    ValidationRefusedError,
)
from function_app.adapters.graph.records import DeltaPage, DriveItem, ListInfo, ListItem
from function_app.adapters.teams.cards import CaseLinks
from function_app.adapters.teams.poster import PostResult
from function_app.documents.context import Options
from function_app.documents.engine import Document, TemplateSet, produce
from function_app.documents.naming import safe_name
from function_app.domain import DEFAULT_PROFILE, assess, load_profile
from function_app.domain.alerts import Alert, alerts_for, generation_failed, legal_bundle_ready
from function_app.domain.errors import CaseworkError, InvalidCaseError
from function_app.domain.model import Case, Meeting
from function_app.domain.wording import counted

from . import list_columns as lc
from .case_summaries import CaseSummaries
from .list_mapping import map_case
from .ports import StateStore
from .snapshot import CASEWORK_LISTS, Snapshot

if TYPE_CHECKING:
    from .legal_referral import LegalReferrals, Referral

log = logging.getLogger(__name__)
LIBRARY = "Case Files"
LEASE_SECONDS = 600
RETRY_SCOPE = "retry"
ALERT_SCOPE = "alert-posted"
ERROR_SCOPE = "reported-error"
LEGAL_TICK, LEGAL_READINESS = "PrepareLegalReferral", "LegalReadiness"  # Cases columns


class SharePoint(Protocol):
    """What the processor needs of Graph (function_app.adapters.graph.client.GraphClient)."""

    async def lists(self) -> dict[str, ListInfo]: ...
    async def use_library(self, list_id: str) -> None: ...
    async def delta(self, list_id: str, link: str = "") -> DeltaPage: ...
    async def all_items(self, list_id: str) -> list[ListItem]: ...
    async def update_fields(self, list_id: str, item_id: str, fields: dict[str, Any],
                            etag: str = "") -> dict[str, Any]: ...
    async def ensure_folder(self, path: str) -> str: ...
    async def upload(self, folder_path: str, name: str, content: bytes) -> DriveItem: ...
    async def set_file_fields(self, item_id: str, fields: dict[str, Any]) -> dict[str, Any]: ...


class AlertPoster(Protocol):
    """Where alerts go (function_app.adapters.teams.poster.TeamsPoster)."""

    async def post(self, item: Alert, links: Mapping[str, CaseLinks] | None = None
                   ) -> PostResult: ...


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
    already_made: int = 0  # documents another worker or an earlier sweep made
    needs_attention: dict[str, str] = field(default_factory=dict)  # "List/id" -> message
    failed: dict[str, str] = field(default_factory=dict)
    alerts: list[RaisedAlert] = field(default_factory=list)
    legal: list[Referral] = field(default_factory=list)  # evidence bundles prepared or found

    @property
    def nothing_new(self) -> bool:
        return not (self.filed or self.needs_attention or self.failed)


@dataclass(frozen=True, slots=True)
class RaisedAlert:
    case_ref: str
    reason: str
    audience: str
    outcome: str  # "posted", "failed: why", or "not sent: no Teams webhook is set"


@dataclass(frozen=True, slots=True)
class ProcessorConfig:
    owner: str  # this worker's name, for claims
    today: date
    options: Options = field(default_factory=Options)
    folder_pattern: str = "{school}/{case_ref} {surname}, {forename}"
    profile: str = DEFAULT_PROFILE
    concurrency: int = 8  # cases processed at once


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

    async def close(self) -> None:
        """Close what the processor holds open (the Teams poster's connections)."""
        closer = getattr(self.alerts, "aclose", None)
        if closer is not None:
            await closer()

    async def sweep(self) -> SweepReport:
        report = SweepReport()
        lists = await self._lists()
        await self.graph.use_library(lists[LIBRARY].id)
        changed, links = await self._changes(lists)
        for key in self.state.keys(RETRY_SCOPE):  # items that failed last time
            list_name, _, item_id = key.partition("/")
            changed.setdefault((list_name, item_id), None)
        people = {k: v for k, v in changed.items() if v is None or not v.modified_by_app}
        report.changes = len(people)
        report.own_writes = len(changed) - len(people)
        snapshot: Snapshot | None = None
        by_case: dict[str, list[_Trigger]] = {}
        if people:
            snapshot = await self._snapshot(lists)
            orphans: list[_Trigger] = []
            by_case = self._triggers(people, snapshot, orphans)
            for t in orphans:
                await self._needs_attention(lists, t, "This item is not linked to a case that "
                                            "exists: choose its case.", report)
            report.cases = len(by_case)
            # Cases are independent: several at once hide Graph's latency. Documents within
            # one case stay in order.
            limit = asyncio.Semaphore(self.config.concurrency)

            async def one(case_id: str, triggers: list[_Trigger]) -> None:
                async with limit:
                    await self._process_case(case_id, triggers, snapshot, lists, report)

            await asyncio.gather(*(one(c, t) for c, t in by_case.items()))
        if self.summaries.needs_filling(lists):
            await self.summaries.fill(snapshot or await self._snapshot(lists), lists,
                                      set(by_case), lambda p: p or self.config.profile,
                                      self.config.today)
        for list_id, link in links.items():
            self.state.save_delta_link(list_id, link)
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
                            lists: dict[str, ListInfo], report: SweepReport) -> None:
        try:
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
        except GraphError as exc:
            for t in triggers:
                key = f"{t.list_name}/{t.item.id}"
                report.failed[key] = str(exc)
                self.state.remember(RETRY_SCOPE, key, str(exc))
                log.warning("case item %s failed: %s", key, type(exc).__name__)
        finally:
            self.summaries.forget(case_id)

    async def _raise_alerts(self, case_id: str, case: Case, assessment: Any,
                            snapshot: Snapshot, lists: dict[str, ListInfo],
                            report: SweepReport) -> None:
        """The domain's alerts for this case, each posted once per (case, reason, stage).

        Reviews due and overdue go in the daily digest instead. A post that failed is said
        on the case item, where staff will see it, once; if trying again may help, the case
        is kept for the next sweep, which posts it then.
        """
        item = snapshot.get(lc.CASES.title, case_id)
        links = {case.case_ref: CaseLinks(item_url=item.web_url if item else "")}
        for alert in alerts_for(assessment):
            if alert.reason.in_daily_digest:
                continue
            failure = await self._post(alert, links, report,
                                       retry_key=f"{lc.CASES.title}/{case_id}")
            if failure and item is not None:
                # Our own note after our own write-back: no eTag check, it would refuse us.
                await self._needs_attention(
                    lists, _Trigger(lc.CASES.title, replace(item, etag=""), case_id, ""),
                    f"The Teams alert ({alert.reason.value.replace('_', ' ')}) was not sent: "
                    f"{failure}", report)

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
        report.legal.append(referral)
        # The tick is a request: done, it is cleared (our own write, so no new change).
        await self.graph.update_fields(lists[lc.CASES.title].id, item.id,
                                       {LEGAL_READINESS: referral.item_text(),
                                        LEGAL_TICK: False})
        if not referral.made:
            return
        alert = legal_bundle_ready(case.case_ref, case.school.name, referral.summary,
                                   stage=case.stage, pupil_initials=case.pupil.initials,
                                   pupil_name=f"{case.pupil.forename} {case.pupil.surname}",
                                   variant=referral.state_key)
        # The item, not the bundle: the case folder's path names the pupil.
        await self._post(alert, {case.case_ref: CaseLinks(item_url=item.web_url)}, report,
                         retry_key="")

    async def _post(self, alert: Alert, links: Mapping[str, CaseLinks], report: SweepReport,
                    retry_key: str) -> str:
        """Post once (by its dedupe key). A failure is returned in plain words, to be said on
        the item, and one worth trying again keeps ``retry_key`` for the next sweep."""
        if self.state.recall(ALERT_SCOPE, alert.dedupe_key):
            return ""
        lasting = ""
        if self.alerts is None:
            outcome = "not sent: no Teams webhook is set"
        else:
            result = await self.alerts.post(alert, links)
            if result.posted:
                self.state.remember(ALERT_SCOPE, alert.dedupe_key, "posted")
                outcome = "posted"
            else:
                outcome = f"failed: {result.reason}"
                # Teams busy or unreachable: try again next sweep. Nothing to post to (no
                # channel set): said on the item, and raised again when the case next changes.
                if result.retry_later and result.attempts > 0 and retry_key:
                    self.state.remember(RETRY_SCOPE, retry_key, outcome)
                lasting = result.reason
        report.alerts.append(RaisedAlert(alert.case_ref, alert.reason.value,
                                         alert.audience.value, outcome))
        return lasting

    def _document_triggers(self, triggers: list[_Trigger], snapshot: Snapshot
                           ) -> Iterable[_Trigger]:
        """One trigger per meeting changed, and the case itself if its item changed."""
        seen: set[str] = set()
        for t in triggers:
            target = f"meeting:{t.meeting_id}" if t.meeting_id else (
                "case" if t.list_name == lc.CASES.title else "")
            if not target or target in seen:
                if not target:  # a carer, contact or sibling: nothing of its own to make
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
        links: list[str] = []
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
                link = await self._file(document, case, scope, version, report)
                if link:
                    links.append(link)
        key = f"{trigger.list_name}/{trigger.item.id}"
        if problems:
            message = "Some documents could not be made:\n" + "\n".join(problems)
            await self._needs_attention(lists, trigger, message, report, links,
                                        case=(case.case_ref, case.school.name))
        else:
            warnings = [w.text for w in assessment.warnings][:5]
            note = (f"Made {counted(len(links), 'document')}." if links else "Nothing new to make.")
            if warnings:
                note += "\nPlease check:\n" + "\n".join(f"- {w}" for w in warnings)
            await self._write_back(lists, trigger, lc.GenerationStatus.GENERATED, note, links,
                                   report)
            self.state.forget(ERROR_SCOPE, key)
        self.state.forget(RETRY_SCOPE, key)
        return set(kinds)

    def _kinds_for(self, case: Case, meeting: Meeting | None) -> list[str]:
        kinds = []
        for k in self.templates.catalogue.kinds:
            if meeting is not None:
                if meeting.kind.value in k.meeting_kinds and (
                        not k.meeting_statuses or meeting.status.value in k.meeting_statuses):
                    kinds.append(k.kind)
            elif case.stage.value in k.stages:
                kinds.append(k.kind)
        return kinds

    async def _file(self, document: Document, case: Case, scope: str, version: str,
                    report: SweepReport) -> str:
        claim = f"{scope}/{document.kind}/{document.carer_id or '-'}"
        now = datetime.now(UTC)
        if not self.state.claim(claim, self.config.owner, now, LEASE_SECONDS):
            existing = self.state.get_claim(claim)
            report.already_made += 1
            return existing.result if existing and existing.state == "done" else ""
        try:
            folder = self.folder_for(case)
            uploaded = await self.graph.upload(folder, document.file_name, document.content)
            await self.graph.set_file_fields(uploaded.id, {
                "CaseRef": case.case_ref, "DocumentKind": document.kind,
                "MeetingId": document.meeting_id, "SourceVersion": version,
                "GeneratedAt": now.strftime("%Y-%m-%dT%H:%M:%SZ")})
        except BaseException:
            self.state.release(claim, self.config.owner)
            raise
        self.state.complete(claim, self.config.owner, uploaded.web_url)
        report.filed.append(Filed(case.case_ref, document.kind,
                                  f"{folder}/{document.file_name}", uploaded.web_url))
        return uploaded.web_url

    def folder_for(self, case: Case) -> str:
        parts = self.config.folder_pattern.format(
            school=case.school.name, case_ref=case.case_ref, surname=case.pupil.surname,
            forename=case.pupil.forename).split("/")
        return "/".join(safe_name(p) for p in parts if p.strip())

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
                               case: tuple[str, str] = ("", "")) -> None:
        """Say on the item what is wrong, once: the same message is not written again; and
        tell the school's channel that something could not be made (without the message,
        which may name a parent: the item says what to fix)."""
        key = f"{trigger.list_name}/{trigger.item.id}"
        report.needs_attention[key] = message
        self.state.forget(RETRY_SCOPE, key)
        if self.state.recall(ERROR_SCOPE, key) == _digest(message):
            return
        await self._write_back(lists, trigger, lc.GenerationStatus.NEEDS_ATTENTION, message,
                               links or [], report)
        self.state.remember(ERROR_SCOPE, key, _digest(message))
        case_ref, school = case
        if case_ref and school:
            alert = generation_failed(
                case_ref, school, f"an item in the {trigger.list_name} list needs attention; "
                "its status column says what to fix")
            await self._post(alert, {case_ref: CaseLinks(item_url=trigger.item.web_url)},
                             report, retry_key="")

    async def _write_back(self, lists: dict[str, ListInfo], trigger: _Trigger,
                          status: lc.GenerationStatus, message: str, links: list[str],
                          report: SweepReport) -> None:
        fields: dict[str, Any] = {"GenerationStatus": status.value,
                                  "GenerationMessage": message,
                                  "LastProcessedVersion": trigger.item.version}
        if links:
            fields["GeneratedDocuments"] = "\n".join(links)
        # The case's tier and percentage go with its write-back: one write, not two.
        fields |= self.summaries.take(trigger.list_name, trigger.item.id)
        try:
            await self.graph.update_fields(lists[trigger.list_name].id, trigger.item.id, fields,
                                           etag=trigger.item.etag)
        except PreconditionFailedError:
            # Someone edited the item meanwhile: their change will come in the next sweep.
            log.info("item %s/%s changed while processing", trigger.list_name, trigger.item.id)
        except ValidationRefusedError:
            # SharePoint checks the whole item on every write: one saved before its list's
            # validation formula changed refuses even our status columns until staff fix it.
            key = f"{trigger.list_name}/{trigger.item.id}"
            report.failed[key] = (f"SharePoint refused the casework app's status on the "
                                  f"{trigger.list_name} item {trigger.item.id}: it fails the "
                                  "list's validation; correct the item in the list and it "
                                  "will be processed again")
            log.warning("item %s refused by list validation", key)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

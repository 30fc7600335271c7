"""What one case's changes call for: read the whole case from the sweep's snapshot, assess
it, make and file the documents its changed meetings and stage call for, raise its alerts,
keep its summary columns true, prepare its legal referral when staff ask, and write back to
each changed item what was made, or in plain words why not.

Each case is processed on its own: whatever goes wrong in one (a Graph error, the state
store failing, a bug) is said on its items and kept for the next sweep; the others go on.
An error already written to an item is not written again; an alert Teams could not take is
posted again at every sweep (``outbox``). ``processor.ChangeProcessor`` adds the sweep
itself (reading the lists' changes, the delta links, the items kept for the next sweep).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from function_app.adapters.graph.errors import (
    GraphError,
    PreconditionFailedError,
    ValidationRefusedError,
)
from function_app.adapters.graph.records import ListInfo
from function_app.adapters.teams.cards import CaseLinks
from function_app.documents.engine import Document, TemplateSet, produce
from function_app.documents.naming import case_folder
from function_app.domain import assess, load_profile
from function_app.domain.alerts import Alert, alerts_for, generation_failed
from function_app.domain.delivery import needs_approval
from function_app.domain.errors import CaseworkError, InvalidCaseError
from function_app.domain.model import Case, CaseStatus, Meeting, MeetingStatus
from function_app.domain.policy import LETTERS_TO_PARENTS
from function_app.domain.wording import counted
from function_app.services.case_lists import list_columns as lc
from function_app.services.case_lists.list_mapping import map_case
from function_app.services.case_lists.snapshot import Snapshot
from function_app.services.delivery.letter_status import filed_status
from function_app.services.delivery.sending import LetterSender, SendingConfig
from function_app.services.filing import Filer, Filing, Outcome
from function_app.services.ports import StateStore

from . import own_writes
from .case_requests import CaseRequests
from .case_summaries import CaseSummaries
from .outbox import AlertPoster, Outbox, said
from .sweep_report import (
    ERROR_SCOPE,
    LIBRARY,
    RETRY_SCOPE,
    Filed,
    ProcessorConfig,
    RaisedAlert,
    SharePoint,
    SweepReport,
    Trigger,
)

if TYPE_CHECKING:
    from function_app.services.legal.legal_referral import LegalReferrals
    from function_app.services.penalty_notices.requesting import PenaltyRequests

log = logging.getLogger(__name__)
# What a closed case's changed item says: a closed case makes no documents (its alerts are
# none already: domain/alerts.py), whatever its stage or meetings say.
CLOSED_NOTE = ("This case is closed: nothing was made. Reopen the case to make its letters "
               "again.")


class CaseWork(CaseRequests):
    """The processor's work on one case at a time; ``ChangeProcessor`` adds the sweep."""

    def __init__(self, graph: SharePoint, state: StateStore, templates: TemplateSet,
                 config: ProcessorConfig, alerts: AlertPoster | None = None,
                 legal: LegalReferrals | None = None,
                 penalty: PenaltyRequests | None = None) -> None:
        self.graph, self.state, self.templates, self.config = graph, state, templates, config
        self.alerts = alerts
        self.legal = legal
        self.penalty = penalty
        self.summaries = CaseSummaries(graph, state, config.concurrency)
        self.filer = Filer(graph, state, config.owner)
        self.outbox = Outbox(alerts, state, config.clock)
        self.sender = LetterSender(graph, state, self.filer, SendingConfig(  # type: ignore[arg-type]
            self.filer.owner, config.today, config.mailbox, config.profile, config.site_path,
            config.clock))

    async def close(self) -> None:
        """Close what the processor holds open (the Teams poster's connections)."""
        for held in (self.alerts, self.penalty):
            closer = getattr(held, "aclose", None)
            if closer is not None:
                await closer()

    async def _process_case(self, case_id: str, triggers: list[Trigger], snapshot: Snapshot,
                            lists: dict[str, ListInfo], report: SweepReport,
                            unrecorded: list[str]) -> None:
        """Everything one case's changes call for; whatever fails stays with this case."""
        try:
            await self._case(case_id, triggers, snapshot, lists, report)
        except Exception as exc:  # isolation: any failure is this case's alone
            await self._failed(triggers, lists, exc, report, unrecorded)
        finally:
            self.summaries.forget(case_id)

    async def _case(self, case_id: str, triggers: list[Trigger], snapshot: Snapshot,
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
            if case.status is CaseStatus.CLOSED:  # nothing made; said on the item
                await self._write_back(lists, trigger, lc.GenerationStatus.GENERATED,
                                       CLOSED_NOTE, [], report)
                self.state.forget(ERROR_SCOPE, f"{trigger.list_name}/{trigger.item.id}")
                self.state.forget(RETRY_SCOPE, f"{trigger.list_name}/{trigger.item.id}")
                continue
            skip = set() if trigger.meeting_id else made  # each meeting makes its own
            made |= await self._make_documents(trigger, case, assessment, snapshot, lists,
                                               report, skip=skip)
        await self._raise_alerts(case_id, case, assessment, snapshot, lists, report)
        await self.summaries.write(case_id, snapshot, lists)
        await self._legal_referral(case_id, case, snapshot, lists, report)
        await self._penalty_request(case_id, case, snapshot, lists, report)

    async def _failed(self, triggers: list[Trigger], lists: dict[str, ListInfo],
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
        await self._needs_attention(lists, Trigger(list_name, replace(item, etag=""),
                                                    "", ""), message, report)

    def _document_triggers(self, triggers: list[Trigger], snapshot: Snapshot,
                           keep_retries: bool = False) -> Iterable[Trigger]:
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
                yield Trigger(lc.MEETINGS.title, meeting, t.case_id, t.meeting_id)
            else:
                yield t

    async def _make_documents(self, trigger: Trigger, case: Case, assessment: Any,
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
            if not trigger.meeting_id:
                made_before = await self._stage_made(case, scope, kind)
                if made_before is not None:  # not made (nor judged) again
                    filings += made_before
                    report.already_made += len(made_before)
                    continue
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

    async def _stage_made(self, case: Case, scope: str, kind: str) -> list[Filing] | None:
        """The stage's documents of ``kind`` when every one was filed already in this stage
        (one per parent, or one for the case): a later change to the case (a tick, a
        figure) neither makes nor judges them again, so a letter whose dates were right
        when it was made is not said to be wrong weeks later. None when any is missing."""
        per_carer = self.templates.catalogue.get(kind).per_carer
        ids = [c.id for c in case.parents] if per_carer else ["-"]
        if not ids:
            return None
        found = []
        for carer_id in ids:
            filing = await self.filer.filed_before(f"{scope}/{kind}/{carer_id}",
                                                   case.case_ref, self.folder_for(case))
            if filing is None:
                return None
            found.append(filing)
        return found

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
             "GeneratedAt": self.config.clock().strftime("%Y-%m-%dT%H:%M:%SZ"),
             **_sending_columns(document, case.profile or self.config.profile)})
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
                               triggers: list[Trigger], snapshot: Snapshot,
                               lists: dict[str, ListInfo], report: SweepReport,
                               case: tuple[str, str] = ("", "")) -> None:
        """Each problem goes to the item it is about; nothing is made for the case."""
        for (list_name, item_id), message in messages.items():
            item = snapshot.get(list_name, item_id)
            if item is not None:
                await self._needs_attention(lists, Trigger(list_name, item, "", ""), message,
                                            report, case=case)
        for t in triggers:
            self.state.forget(RETRY_SCOPE, f"{t.list_name}/{t.item.id}")

    async def _needs_attention(self, lists: dict[str, ListInfo], trigger: Trigger,
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

    async def _write_back(self, lists: dict[str, ListInfo], trigger: Trigger,
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


def _sending_columns(document: Document, profile: str) -> dict[str, str]:
    """A letter to one parent is filed as a draft for staff to approve, or approved already
    where the local authority's rules let its kind go without (issue 18); other documents
    are not sent by the app."""
    if not document.carer_id or document.kind not in LETTERS_TO_PARENTS:
        return {}
    return filed_status(needs_approval(document.kind, load_profile(profile)))


def _figures_to_keep(trigger: Trigger, meeting: Meeting | None, case: Case) -> dict[str, Any]:
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
    old = [f.name for f in filings if f.outcome is Outcome.ALREADY_FILED and f.name]
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

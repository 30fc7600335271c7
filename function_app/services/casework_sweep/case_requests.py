"""What staff ask of the processor with a tick on the Cases item, for one case: "Prepare
legal referral" (the evidence bundle, services/legal/legal_referral.py) and "Request a
penalty notice" (the request to the LA, services/penalty_notices/requesting.py). Each tick
is a request: once acted on, it is cleared and the answer written beside it (the app's own
write, so no new change). Mixed into case_work.CaseWork, whose helpers it uses.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from function_app.adapters.graph.errors import GraphError
from function_app.adapters.graph.records import ListInfo
from function_app.adapters.teams.cards import CaseLinks
from function_app.domain import load_profile
from function_app.domain.alerts import legal_bundle_ready, penalty_notice_requested
from function_app.domain.errors import CaseworkError
from function_app.domain.model import Case, CaseStatus
from function_app.services.case_lists import list_columns as lc
from function_app.services.case_lists.snapshot import Snapshot
from function_app.services.ports import StateStore

from . import own_writes
from .sweep_report import (
    LEGAL_READINESS,
    LEGAL_TICK,
    RETRY_SCOPE,
    ProcessorConfig,
    SharePoint,
    SweepReport,
    Trigger,
)

if TYPE_CHECKING:
    from function_app.services.legal.legal_referral import Exhibit, LegalReferrals
    from function_app.services.penalty_notices.requesting import PenaltyRequests

log = logging.getLogger(__name__)
PENALTY_TICK, PENALTY_ANSWER = "RequestPenaltyNotice", "PenaltyNoticeRequest"


class CaseRequests:
    """The ticks' work; CaseWork gives the graph, state, config and helpers."""

    graph: SharePoint
    state: StateStore
    config: ProcessorConfig
    legal: LegalReferrals | None
    penalty: PenaltyRequests | None
    _needs_attention: Any  # CaseWork's helpers
    _post: Any
    folder_for: Any

    async def _legal_referral(self, case_id: str, case: Case, snapshot: Snapshot,
                              lists: dict[str, ListInfo], report: SweepReport) -> None:
        """Staff ticked "Prepare legal referral": file the evidence bundle in the case
        folder's Legal subfolder (once per case state), say the readiness on the item and
        tell the Lead Officer for Legal Intervention
        (function_app/services/legal/legal_referral)."""
        item = snapshot.get(lc.CASES.title, case_id)
        if self.legal is None or item is None or item.fields.get(LEGAL_TICK) is not True:
            return
        ours = Trigger(lc.CASES.title, replace(item, etag=""), case_id, "")
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
        # Posted once per case state (the alert's key carries it): a bundle made earlier for
        # a penalty notice request, and never announced, is announced now.
        alert = legal_bundle_ready(case.case_ref, case.school.name, referral.summary,
                                   stage=case.stage, pupil_initials=case.pupil.initials,
                                   pupil_name=f"{case.pupil.forename} {case.pupil.surname}",
                                   variant=referral.state_key,
                                   bundle_links=referral.bundle_links)
        # The item, not the bundle: the case folder's path names the pupil. The bundle's
        # buttons are each officer's own sharing link, which names nobody.
        await self._post(alert, {case.case_ref: CaseLinks(item_url=item.web_url)}, report,
                         lists, f"{lc.CASES.title}/{case_id}")
    async def _penalty_request(self, case_id: str, case: Case, snapshot: Snapshot,
                               lists: dict[str, ListInfo], report: SweepReport) -> None:
        """Staff ticked "Request a penalty notice": check it as the LA would and send it to
        the LA's Penalty Notice Requests list, or say what to put right; the LA's officers
        are told on Teams when it went."""
        item = snapshot.get(lc.CASES.title, case_id)
        if self.penalty is None or item is None or item.fields.get(PENALTY_TICK) is not True:
            return
        profile = load_profile(case.profile or self.config.profile)
        evidence = None
        if self.legal is not None:  # the case's evidence bundle goes with the request
            legal, folder, today = self.legal, self.folder_for(case), self.config.today

            async def evidence() -> Exhibit | None:
                return await legal.exhibit(case, profile, folder, today)

        requested = None
        if case.status is CaseStatus.CLOSED:
            text = "This case is closed, so no penalty notice was requested: reopen it first."
        else:
            try:
                requested = await self.penalty.request(case, item, profile, self.config.today,
                                                       evidence=evidence)
                text = requested.text
            except (CaseworkError, GraphError) as exc:  # its evidence bundle was not made
                if isinstance(exc, GraphError) and exc.status != 406:
                    raise  # Graph busy or down: the sweep tries the case again
                text = (f"The request was not sent to the local authority: its evidence "
                        f"bundle could not be made: {exc}.")
        if requested is not None and requested.pending:  # another worker makes the bundle
            self.state.remember(RETRY_SCOPE, f"{lc.CASES.title}/{case_id}", "bundle pending")
            report.pending[f"{lc.CASES.title}/{case_id}"] = "the penalty notice's evidence"
            return
        written = {PENALTY_ANSWER: text, PENALTY_TICK: False}
        await self.graph.update_fields(lists[lc.CASES.title].id, item.id, written)
        own_writes.remember(self.state, lc.CASES.title, item.id, item.fields | written)
        if requested is None or not requested.open:
            return
        # With the LA: the officers are told once (the outbox's key carries the request's
        # number), also when the sweep that sent it stopped before it could tell them.
        alert = penalty_notice_requested(
            case.case_ref, case.school.name, requested.number, len(case.parents),
            stage=case.stage, pupil_initials=case.pupil.initials,
            pupil_name=f"{case.pupil.forename} {case.pupil.surname}",
            evidence_url=requested.evidence_url)
        # The request on the LA's site, not the school's case: the officers cannot open a
        # school's site.
        links = CaseLinks(item_url=requested.request_url, item_title="Open the request")
        await self._post(alert, {case.case_ref: links}, report, lists,
                         f"{lc.CASES.title}/{case_id}")

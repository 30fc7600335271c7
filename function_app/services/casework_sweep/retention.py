"""How long the state store remembers a closed case: RETENTION_DAYS after it was closed.

The state store is the app's machinery, not the case's record: claims (so each document
is made once), notes of uploads under way, alerts posted or waiting, digests of what was
written to an item. The record itself (the letters in the case folder, the list items)
stays in SharePoint under the school's own records policy (the IRMS Toolkit for Schools
schedules attendance records in years); nothing here is needed to read it. UK GDPR's
storage limitation (Art. 5(1)(e)) then asks that the machinery's entries go once they
cannot be needed: while a case is open they stop a change made twice from making its
letters twice, and a closed case is sometimes reopened when attendance falls again, most
often in the next term. So a closed case's entries are kept for 90 days, a school term
and the holiday after it, then forgotten. docs/exactly-once.md, "What the state store
keeps", says what that means for a case reopened later.

A case is closed when its Cases item's "Case status" is Closed; the lists keep no date of
closing, so the item's last modification stands for it (``closed_since``): a later edit
only moves the date later, never earlier. Call it once a day per site, with every closed
case of the site::

    forget_closed_cases(state, closed_since(cases_items), today)

where ``cases_items`` are the Cases list's items (``graph.all_items(lists["Cases"].id)``);
with ``items=case_item_keys(snapshot, ...)`` from a whole snapshot, the per-item facts
(retry reasons, error digests, own-write digests) and claims kept before claims carried
their case go too.

The sweep does this itself (``forget_once_a_day``, called by ``processor`` after a sweep
whose changes are all done): on the site's first sweep of the day it reads the Cases list
whole and forgets what is due, with the Cases items' own facts; every other sweep that day
only recalls the day it last ran. A failure fails no sweep: what was not forgotten is
still due, and the next sweep tries again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

from function_app.adapters.graph.records import ListItem
from function_app.domain.alerts import AlertReason
from function_app.services.case_lists import list_columns as lc
from function_app.services.case_lists.snapshot import Snapshot
from function_app.services.filing import UPLOADING_SCOPE, case_prefix
from function_app.services.ports import StateStore

from . import own_writes
from .outbox import POSTED_SCOPE, WAITING_SCOPE
from .sweep_report import ERROR_SCOPE, RETRY_SCOPE, SharePoint

RETENTION_DAYS = 90
RETENTION_SCOPE, LAST_RUN = "retention", "last-run"  # the day it last ran: once a day
LEGACY_BUNDLES = "legal-bundle/"  # bundle claims kept before claims carried their case
_REASONS = frozenset(r.value for r in AlertReason)
log = logging.getLogger(__name__)


def closed_since(cases: Iterable[ListItem]) -> dict[str, date]:
    """Each closed case's reference and the day its Cases item was last modified."""
    closed_label = lc.CASE_STATUSES.label_of("closed").casefold()
    found: dict[str, date] = {}
    for item in cases:
        status = str(item.fields.get("CaseStatus") or "").strip().casefold()
        ref = str(item.fields.get("Title") or "")
        if ref and status in (closed_label, "closed") and item.last_modified:
            found[ref] = datetime.fromisoformat(item.last_modified.replace("Z", "+00:00")).date()
    return found


def closed_case_items(cases: Sequence[ListItem]) -> dict[str, list[str]]:
    """Each closed case's Cases item as "Cases/<id>", from the same Cases items: its facts
    (retry reason, error and own-write digests) go with the case's claims."""
    refs = closed_since(cases)
    return {ref: [f"{lc.CASES.title}/{item.id}"] for item in cases
            if (ref := str(item.fields.get("Title") or "")) in refs}


def ran_today(state: StateStore, today: date) -> bool:
    return state.recall(RETENTION_SCOPE, LAST_RUN) == today.isoformat()


async def forget_once_a_day(graph: SharePoint, state: StateStore, cases_list_id: str,
                            today: date) -> list[str] | None:
    """The sweep's retention: on the site's first call of ``today``, read the Cases list
    whole and forget each case closed ``RETENTION_DAYS`` ago (``forget_closed_cases``);
    the references forgotten. Reading the whole Cases list once a day per site is
    acceptable: one list, a page of 500 items a request, against the sweeps of a day; any
    later call that day reads nothing (``ran_today``, one state read). None when it
    failed: logged by kind only (an error's text may quote a pupil), nothing is lost (a
    claim or fact not forgotten is still due, and the day is not marked done, so the next
    sweep tries again), and the sweep goes on."""
    try:
        if ran_today(state, today):
            return []
        cases = await graph.all_items(cases_list_id)
        return forget_closed_cases(state, closed_since(cases), today,
                                   items=closed_case_items(cases))
    except Exception as exc:  # retention never fails a sweep
        log.warning("closed cases could not be forgotten this sweep; the next tries again "
                    "(%s)", type(exc).__name__)
        return None


def case_item_keys(snapshot: Snapshot, refs: Iterable[str]) -> dict[str, list[str]]:
    """The "List/id" of every item of each case in ``refs``, from a whole snapshot."""
    wanted = set(refs)
    case_ids = {case_id: str(item.fields.get("Title") or "")
                for case_id, item in snapshot.items.get(lc.CASES.title, {}).items()}
    keys: dict[str, list[str]] = {}
    for list_name, items in snapshot.items.items():
        for item in items.values():
            ref = case_ids.get(snapshot.case_of(list_name, item), "")
            if ref in wanted:
                keys.setdefault(ref, []).append(f"{list_name}/{item.id}")
    return keys


def forget_closed_cases(state: StateStore, closed: Mapping[str, date], today: date, *,
                        items: Mapping[str, Iterable[str]] | None = None,
                        retention_days: int = RETENTION_DAYS) -> list[str]:
    """Forget every entry of each case closed ``retention_days`` or more before ``today``
    (``closed``: case reference -> day closed): its claims and upload notes, its alerts
    posted or waiting, and with ``items`` ("List/id" of its items, per reference) those
    items' facts. Runs once a day (a second call that day does nothing); the references
    forgotten, in order."""
    if state.recall(RETENTION_SCOPE, LAST_RUN) == today.isoformat():
        return []
    due = sorted(ref for ref, day in closed.items() if (today - day).days >= retention_days)
    if due:
        item_keys = [k for ref in due for k in (items or {}).get(ref, ())]
        prefixes = [case_prefix(ref) for ref in due]
        prefixes += [f"{LEGACY_BUNDLES}{ref}/" for ref in due]
        prefixes += [f"{k}/" for k in item_keys]  # claims kept before they carried the case
        state.forget_claims(prefixes)
        starts = tuple(prefixes)
        for key in state.keys(UPLOADING_SCOPE):
            if key.startswith(starts):
                state.forget(UPLOADING_SCOPE, key)
        for scope in (POSTED_SCOPE, WAITING_SCOPE):
            for key in state.keys(scope):
                if _alert_of(key, due):
                    state.forget(scope, key)
        for scope in (RETRY_SCOPE, ERROR_SCOPE, own_writes.SCOPE):
            for key in item_keys:
                state.forget(scope, key)
    state.remember(RETENTION_SCOPE, LAST_RUN, today.isoformat())
    return due


def _alert_of(dedupe_key: str, refs: Iterable[str]) -> bool:
    """The alert's dedupe key ("<case ref>|<reason>|<stage>[|variant]") is of these cases."""
    for ref in refs:
        rest = dedupe_key.removeprefix(f"{ref}|")
        if rest != dedupe_key and rest.split("|", 1)[0] in _REASONS:
            return True
    return False

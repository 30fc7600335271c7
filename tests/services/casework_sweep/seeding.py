"""Many cases typed into the dev tenant at once, for tests and benchmarks of big sites.

``Site.type_case`` (tests/integration/helpers.py) creates a case's items one request at a
time; this creates every case's items of one list in $batch requests of 20, list by list
(a child needs its parent's id), as a member of staff. Then ``settle`` moves the
processor's delta links past them and marks the summary columns filled, so that the next
sweep sees only what a test does afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from function_app.adapters.graph.lists import BATCH_LIMIT
from function_app.services.case_lists.list_items import items_from_case_input
from function_app.services.case_lists.snapshot import CASEWORK_LISTS
from function_app.services.casework_sweep.case_summaries import FILLED_KEY, FILLED_SCOPE
from function_app.services.casework_sweep.processor import ChangeProcessor
from tests.integration.helpers import ORDER, Site, example

Typed = dict[tuple[str, str], str]  # (list, typed id) -> real id, per case


def bench_case(n: int, name: str = "aim-review-no-engagement.json") -> dict[str, Any]:
    data = example(name, case_ref=f"BENCH-{n:05d}")
    data["pupil"]["surname"] = f"Pupil{n:05d}"
    return data


async def type_cases(site: Site, cases: Sequence[Mapping[str, Any]]) -> list[Typed]:
    """Create every item of every case; per case, its typed ids -> real ids. Only the
    first case's school holidays are typed (the list is site-wide)."""
    parsed = [items_from_case_input(data, utc_offset_hours=0)[0] for data in cases]
    real: list[Typed] = [{} for _ in cases]
    for name in ORDER:
        todo: list[tuple[int, str, dict[str, Any]]] = []
        for n, items in enumerate(parsed):
            if name == "School Holidays" and n:
                continue
            for item in _of_list(items, name):
                todo.append((n, item.id, Site._writable(item.fields, real[n])))
        url = f"/sites/{await site.staff.site_id()}/lists/{site.lists[name].id}/items"
        for start in range(0, len(todo), BATCH_LIMIT):
            chunk = todo[start:start + BATCH_LIMIT]
            answers = await site.staff.batch([
                {"id": str(i), "method": "POST", "url": url, "body": {"fields": fields},
                 "headers": {"Content-Type": "application/json"}}
                for i, (_, _, fields) in enumerate(chunk)])
            for (n, typed, _), answer in zip(chunk, answers, strict=True):
                assert answer["status"] == 201, answer
                real[n][(name, typed)] = str(answer["body"]["id"])
    for made in real:
        site.ids.update(made)
    return real


def _of_list(items: Any, name: str) -> list[Any]:
    by_list = {"Cases": [items.case], "Carers": items.carers, "Siblings": items.siblings,
               "Meetings": items.meetings, "Meeting Attendees": items.attendees,
               "Agreed Actions": items.agreed_actions, "Interventions": items.interventions,
               "Contacts": items.contacts, "Voice": items.voice,
               "Penalty Notices": items.penalty_notices, "Attendance Marks": items.marks,
               "School Holidays": items.holidays}
    return [i for i in by_list[name] if i is not None]


async def settle(site: Site, processor: ChangeProcessor) -> None:
    """The processor's delta links at the lists' latest change, and the one-off filling of
    the summary columns done: the next sweep sees only changes made after this."""
    site_id = await site.app.site_id()
    for name in CASEWORK_LISTS:
        list_id = site.lists[name].id
        # As the processor asks for changes: with their fields (a delta link keeps the
        # query it was made with).
        page = await site.app.json("read changes", "GET", f"/sites/{site_id}/lists/{list_id}"
                                   "/items/delta?token=latest&$expand=fields")
        processor.state.save_delta_link(list_id, page["@odata.deltaLink"])
    processor.state.remember(FILLED_SCOPE, FILLED_KEY, "done")

"""A sweep reads only the cases its changes belong to (issue 17, point 4): one edit costs
the same Graph requests in a site of 60 cases as in one of 30, and the documents and
write-backs are those the whole-list read gave."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from function_app.devtenant import DevTenant
from function_app.services.case_lists import list_columns as lc
from function_app.services.case_lists.case_reader import read_changed_cases
from function_app.services.case_lists.snapshot import (
    CASEWORK_LISTS,
    MEETING_CHILDREN,
    Snapshot,
    lookup,
)
from function_app.services.casework_sweep.processor import ChangeProcessor
from function_app.services.casework_sweep.sweep_report import SweepReport
from tests.integration.helpers import Site, example, files_under

from .seeding import Typed, bench_case, settle, type_cases

pytestmark = pytest.mark.integration
WRITE_BACKS = ("GenerationStatus", "GenerationMessage", "GeneratedDocuments",
               "LastProcessedVersion", *lc.MEETING_FIGURES_COLUMNS,
               *lc.ATTENDANCE_SUMMARY_COLUMNS)


def planned_review(n: int) -> dict[str, Any]:
    """A case whose AIM review (m2) is still planned: staff mark it held."""
    data = bench_case(n)
    data["meetings"][1]["status"] = "planned"
    return data


async def mark_held(site: Site, typed: Typed) -> None:
    await site.staff.update_fields(site.lists["Meetings"].id, typed[("Meetings", "402")],
                                   {"MeetingStatus": "Held"})


async def one_edit(tenant: DevTenant, site: Site, processor: ChangeProcessor,
                   typed: Typed) -> tuple[Counter[str], Counter[str], SweepReport]:
    """The requests (HTTP, and inside $batch) of the sweep after staff mark a meeting held."""
    await mark_held(site, typed)
    tenant.reset_counts()
    report = await processor.sweep()
    return tenant.requests, tenant.batch_requests, report


def test_one_edit_costs_the_same_requests_in_a_site_twice_the_size(tmp_path: Path) -> None:
    """30 cases, then 30 more: the sweep after one edit sends the same requests, the same
    $batch sub-requests; only the edited case is read (filtered by its lookup columns)."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            typed = await type_cases(site, [planned_review(n) for n in range(30)])
            processor = site.processor(tmp_path / "state.sqlite")
            await settle(site, processor)
            await one_edit(tenant, site, processor, typed[0])  # the school's folder made
            small, small_batched, report = await one_edit(tenant, site, processor, typed[1])
            assert report.cases == 1 and report.filed and not report.failed
            typed += await type_cases(site, [planned_review(n) for n in range(30, 60)])
            await settle(site, processor)
            big, big_batched, report = await one_edit(tenant, site, processor, typed[45])
            assert report.cases == 1 and report.filed and not report.failed
            assert big == small
            assert big_batched == small_batched
            items = "GET /sites/{site-id}/lists/{list-id}/items"
            assert small[items] == 0  # no list is read whole, not even outside a $batch
            # The case's lists, then its meetings', then the Case Files for letters to send.
            assert small["POST /$batch"] == 3
            # Its item by id, its child lists by its id, its two meetings' children by their
            # ids (both meetings in one request, joined by "or"), Holidays whole; the Case
            # Files by their Sending column.
            assert small_batched == Counter({items: 6 + 4 + 1 + 1, f"{items}/{{item-id}}": 1})

    asyncio.run(run())


def test_the_cases_read_are_those_of_a_whole_read(tmp_path: Path) -> None:
    """For changes anywhere (the case, a carer, a meeting, an attendee, a quote, an item
    with no case), the snapshot of the changed cases holds for each of them what the
    snapshot of every list holds, and nothing of the other cases."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            examples = ("aim-review-no-engagement.json",
                        "gloucestershire-aim-pupil-and-parents-present.json",
                        "stepfather-with-care-and-a-withdrawn-penalty-notice.json",
                        "penalty-threshold-reached-across-half-term.json")
            typed = [await site.type_case(example(name)) for name in examples]
            ids = {n: lst.id for n, lst in site.lists.items() if n in CASEWORK_LISTS}
            gone = await site.type_case(example("aim-review-no-engagement.json",
                                                case_ref="ATT-2026-9999"))
            await site.staff.delete_item(ids["Cases"], gone[("Cases", "7")])
            whole = Snapshot.of({n: await site.app.all_items(i) for n, i in ids.items()})
            orphan = whole.items["Carers"][gone[("Carers", "201")]]  # its case deleted
            for name, typed_id in typed[0]:
                key = (name, typed[0][(name, typed_id)])
                if name == "School Holidays":
                    continue
                part = await read_changed_cases(site.app, ids, {key: None})
                case_id = whole.case_of(name, whole.items[name][key[1]])
                assert set(part.items[lc.CASES.title]) == {case_id}
                assert part.case_items(case_id) == whole.case_items(case_id), key
                for meeting in part.items.get(lc.MEETINGS.title, {}):
                    assert part.source_version(meeting) == whole.source_version(meeting)
            # Several changes at once, each found through what the delta gave for it.
            voice = next(i for i in whole.items[lc.VOICE.title].values()
                         if lookup(i, "Meeting") or lookup(i, "Contact"))
            attendee = next(iter(whole.items[lc.ATTENDEES.title].values()))
            case_3 = typed[3][("Cases", next(t for n, t in typed[3] if n == "Cases"))]
            changed = {(lc.VOICE.title, voice.id): voice,
                       (lc.ATTENDEES.title, attendee.id): attendee,
                       (lc.CASES.title, case_3): None,
                       ("Carers", orphan.id): orphan}
            part = await read_changed_cases(site.app, ids, changed)
            cases = {whole.case_of(lc.VOICE.title, voice),
                     whole.case_of(lc.ATTENDEES.title, attendee), case_3}
            assert set(part.items[lc.CASES.title]) == cases
            for case_id in cases:
                assert part.case_items(case_id) == whole.case_items(case_id)
            assert part.get("Carers", orphan.id) is not None  # to be said to be orphaned
            assert part.get(lc.CASES.title, gone[("Cases", "7")]) is None
            others = set(whole.items[lc.CASES.title]) - cases
            assert others and not any(
                lookup(i, "Case") in others for name in part.items
                for i in part.items[name].values())
            assert all(not part.items.get(name) or set(part.items[name]) <= set(
                whole.items[name]) for name in MEETING_CHILDREN)

    asyncio.run(run())


def test_documents_and_write_backs_are_those_of_the_whole_read(tmp_path: Path) -> None:
    """The same cases and edits, swept once reading only the changed cases and once reading
    every list (the old way): the same files in the case folders, the same reports and the
    same columns written back on every item."""

    async def scenario(folder: Path, whole: bool) -> dict[str, Any]:
        with DevTenant(folder / "tenant") as tenant:
            site = await Site.ready(tenant)
            typed = [await site.type_case(example(name)) for name in (
                "aim-review-no-engagement.json",
                "gloucestershire-aim-invitation-planned.json",
                "stepfather-with-care-and-a-withdrawn-penalty-notice.json")]
            processor = site.processor(folder / "state.sqlite")
            processor.read_whole_lists = whole
            reports = [await processor.sweep()]
            ids = site.lists
            first = typed[0]
            await site.staff.update_fields(ids["Meetings"].id, first[("Meetings", "402")],
                                           {"Target": "Two weeks without absence"})
            await site.staff.update_fields(ids["Carers"].id, first[("Carers", "201")],
                                           {"Phone": "01234 567890"})
            await site.staff.delete_item(ids["Cases"].id, typed[2][("Cases", "7")])
            await site.staff.update_fields(ids["Carers"].id, typed[2][("Carers", "201")],
                                           {"Phone": "01234 567890"})  # its case gone
            attendee = next(v for (n, _), v in typed[1].items() if n == "Meeting Attendees")
            await site.staff.delete_item(ids["Meeting Attendees"].id, attendee)
            reports.append(await processor.sweep())
            reports.append(await processor.sweep())
            base = tenant.base_url.split("/v1.0")[0]
            columns = {}
            for name, info in ids.items():
                if name not in CASEWORK_LISTS:
                    continue
                for item in await site.app.all_items(info.id):
                    columns[(name, item.id)] = {k: _same(item.fields.get(k), base)
                                                for k in WRITE_BACKS}
            root = tenant.files_root.parent / "Case Files"
            return {"files": [str(p.relative_to(root)) for p in files_under(root)],
                    "columns": columns,
                    "reports": [(sorted(f.path for f in r.filed), r.changes, r.own_writes,
                                 r.cases, r.already_made, _same(r.needs_attention, base),
                                 r.failed, r.pending, r.links_saved) for r in reports]}

    async def run() -> None:
        old = await scenario(tmp_path / "old", whole=True)
        new = await scenario(tmp_path / "new", whole=False)
        assert old["files"] and old["reports"][1][0]  # the edits made documents
        assert new == old

    asyncio.run(run())


def _same(value: Any, base: str) -> Any:
    """A value with the tenant's address (its port differs between tenants) left out."""
    if isinstance(value, str):
        return re.sub(r"http://127\.0\.0\.1:\d+", "", value.replace(base, ""))
    if isinstance(value, dict):
        return {k: _same(v, base) for k, v in value.items()}
    return value

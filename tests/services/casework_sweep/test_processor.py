"""The change processor against the dev tenant: exactly one document per change, however
notifications and workers behave, and every item says what happened to it."""

from __future__ import annotations

import asyncio
import io
import json
from collections import Counter
from pathlib import Path

import pytest
from docx import Document

from function_app.devtenant import DevTenant
from tests.integration.helpers import Site, client, example, files_under

pytestmark = pytest.mark.integration
CASE_FILES = "Case Files"


def library_files(tenant: DevTenant) -> list[Path]:
    return files_under(tenant.files_root.parent / CASE_FILES)


async def meeting_fields(site: Site, typed_id: str) -> dict[str, object]:
    item = await site.app.get_item(site.lists["Meetings"].id, site.ids[("Meetings", typed_id)])
    return item.fields


def test_a_held_aim_files_its_plan_and_a_letter_per_parent(tmp_path: Path) -> None:
    """Two held AIMs give a plan each and a covering letter to each parent, filed in the
    case folder with their columns, and each meeting item says what was made."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            await site.type_case(example("aim-review-no-engagement.json"))
            report = await site.processor(tmp_path / "state.sqlite").sweep()
            names = sorted(p.name for p in library_files(tenant))
            assert names == sorted([
                "2026-09-23 AIM plan.docx",
                "2026-09-23 Covering letter with the plan - Chris Ellis.docx",
                "2026-09-23 Covering letter with the plan - Dana Ellis.docx",
                "2026-10-21 AIM plan.docx",
                "2026-10-21 Covering letter with the plan - Chris Ellis.docx",
                "2026-10-21 Covering letter with the plan - Dana Ellis.docx"])
            folder = library_files(tenant)[0].parent
            assert folder.name == "ATT-2026-0042 Ellis, Jordan"
            assert folder.parent.name == "Severn Vale Academy"
            for path in library_files(tenant):
                Document(io.BytesIO(path.read_bytes()))
            assert len(report.filed) == 6
            fields = await meeting_fields(site, "401")
            assert fields["GenerationStatus"] == "Generated"
            assert str(fields["GeneratedDocuments"]).count("https://") == 3

    asyncio.run(run())


def test_a_second_sweep_makes_nothing_and_own_writes_do_not_loop(tmp_path: Path) -> None:
    """After a sweep, the next one sees only the product's own write-backs and makes nothing."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            await site.type_case(example("aim-review-no-engagement.json"))
            processor = site.processor(tmp_path / "state.sqlite")
            await processor.sweep()
            again = await processor.sweep()
            assert again.nothing_new and again.changes == 0
            assert again.own_writes >= 1
            assert len(library_files(tenant)) == 6

    asyncio.run(run())


def test_two_processors_at_once_make_each_document_once(tmp_path: Path) -> None:
    """Two workers sweeping the same changes at the same time file each document once; an
    item whose documents the other worker was still making waits, and the next sweep
    finishes it."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            await site.type_case(example("aim-review-no-engagement.json"))
            await site.type_case(example("gloucestershire-aim-pupil-and-parents-present.json"))
            state = tmp_path / "state.sqlite"
            first = site.processor(state, owner="worker-1")
            second = site.processor(state, owner="worker-2",
                                    app=client(tenant, tenant.app_token, site.app.target.app_id))
            a, b = await asyncio.gather(first.sweep(), second.sweep())
            made = [f.path for f in a.filed + b.filed]
            assert len(made) == len(set(made))
            on_disk = library_files(tenant)
            assert len(on_disk) == len(made)
            waited = a.already_made + b.already_made + len(a.pending) + len(b.pending)
            assert waited >= 1 or not (a.filed and b.filed)
            after = await first.sweep()
            assert not after.filed and not after.pending
            assert len(library_files(tenant)) == len(made)

    asyncio.run(run())


def test_a_replayed_old_delta_link_makes_nothing_twice(tmp_path: Path) -> None:
    """A notification that arrives late, with an old change link, repeats nothing."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            processor = site.processor(tmp_path / "state.sqlite")
            await processor.sweep()  # nothing yet: stores the links
            old = {lst.id: processor.state.delta_link(lst.id) for lst in site.lists.values()}
            await site.type_case(example("aim-review-no-engagement.json"))
            first = await processor.sweep()
            for list_id, link in old.items():
                if link:
                    processor.state.save_delta_link(list_id, link)
            replay = await processor.sweep()
            assert len(first.filed) == 6
            assert not replay.filed
            assert len(library_files(tenant)) == 6

    asyncio.run(run())


def test_with_one_request_in_five_failing_every_document_is_made_once(tmp_path: Path) -> None:
    """With 20% of Graph requests throttled, refused or dropped, sweeps finish the work:
    the same documents as without faults, each exactly once, and every item says Generated."""
    cases = ("aim-review-no-engagement.json", "support-review-some-improvement-review-again.json")

    async def run(folder: Path, fault_rate: float) -> list[str]:
        with DevTenant(folder / "tenant", seed=7) as tenant:
            site = await Site.ready(tenant)
            for name in cases:
                await site.type_case(example(name))
            tenant.set_faults(fault_rate)
            processor = site.processor(folder / "state.sqlite")
            for _ in range(8):
                report = await processor.sweep()
                if not report.failed:
                    break
            tenant.set_faults(0.0)
            final = await processor.sweep()
            assert not final.failed and not final.filed
            if fault_rate:
                print(f"retries taken under {fault_rate:.0%} faults: "
                      f"{sum(site.app.retries.values())}")
            for typed in ("401", "402"):
                fields = await meeting_fields(site, typed)
                assert fields["GenerationStatus"] == "Generated"
            root = tenant.files_root.parent / CASE_FILES
            return [str(p.relative_to(root)) for p in library_files(tenant)]

    clean = asyncio.run(run(tmp_path / "clean", 0.0))
    faulty = asyncio.run(run(tmp_path / "faulty", 0.2))
    assert faulty == clean and len(clean) == len(set(clean)) >= 9


def test_a_mistake_is_written_back_once_and_nothing_is_filed(tmp_path: Path) -> None:
    """A review date before its meeting puts a plain message on the meeting item, files
    nothing for the case, and is not written again on the next sweep."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            data = example("aim-review-no-engagement.json")
            data["meetings"][0]["review_date"] = "2026-09-01"
            await site.type_case(data)
            processor = site.processor(tmp_path / "state.sqlite")
            report = await processor.sweep()
            assert not report.filed and not library_files(tenant)
            item = await site.app.get_item(site.lists["Meetings"].id,
                                           site.ids[("Meetings", "401")])
            assert item.fields["GenerationStatus"] == "Needs attention"
            assert "Review date" in str(item.fields["GenerationMessage"])
            assert "after the meeting" in str(item.fields["GenerationMessage"])
            await processor.sweep()
            again = await site.app.get_item(site.lists["Meetings"].id, item.id)
            assert again.etag == item.etag  # not written a second time

    asyncio.run(run())


def test_a_staff_edit_to_a_held_meeting_remakes_its_documents_in_place(tmp_path: Path) -> None:
    """Adding an agreed action to a held meeting makes its plan again, replacing the file
    of the same name rather than adding a second."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            await site.type_case(example("aim-review-no-engagement.json"))
            processor = site.processor(tmp_path / "state.sqlite")
            await processor.sweep()
            plan = next(p for p in library_files(tenant) if p.name == "2026-10-21 AIM plan.docx")
            before = plan.read_bytes()
            await site.staff.create_item(site.lists["Agreed Actions"].id, {
                "MeetingLookupId": site.ids[("Meetings", "402")], "ActionParty": "School",
                "Title": "Ask the school nurse to meet Jordan"})
            report = await processor.sweep()
            assert {f.kind for f in report.filed} >= {"aim_plan"}
            counts = Counter(p.name for p in library_files(tenant))
            assert all(n == 1 for n in counts.values())
            text = "\n".join(c.text for t in Document(plan).tables for r in t.rows
                             for c in r.cells)
            assert plan.read_bytes() != before
            assert "Ask the school nurse to meet Jordan" in text + "\n".join(
                p.text for p in Document(plan).paragraphs)

    asyncio.run(run())


def test_a_meeting_whose_case_is_gone_is_told_so_and_the_rest_proceed(tmp_path: Path) -> None:
    """A meeting left pointing at a deleted case says so on its item, is not filed, and
    does not hold up another case's documents."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            orphan = await site.type_case(example("aim-review-no-engagement.json"))
            await site.staff.delete_item(site.lists["Cases"].id, orphan[("Cases", "7")])
            good = await site.type_case(
                example("gloucestershire-aim-pupil-and-parents-present.json"))
            report = await site.processor(tmp_path / "state.sqlite").sweep()
            assert {f.case_ref for f in report.filed} == {"ATT-2026-0107"}
            item = await site.app.get_item(site.lists["Meetings"].id,
                                           orphan[("Meetings", "401")])
            assert item.fields["GenerationStatus"] == "Needs attention"
            assert "not linked to a case" in str(item.fields["GenerationMessage"])
            assert good[("Cases", "7")]

    asyncio.run(run())


def test_a_kind_called_for_by_both_stage_and_meeting_is_made_once(tmp_path: Path) -> None:
    """A case entering legal consultation in the same sweep as its consultation meeting is
    recorded gets one legal referral, not one for each."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            sample = json.loads((Path(__file__).resolve().parents[3] / "templates" /
                                 "sample-case.json").read_text(encoding="utf-8"))
            await site.type_case(sample)
            report = await site.processor(tmp_path / "state.sqlite").sweep()
            referrals = [f for f in report.filed if f.kind == "legal_referral"]
            assert len(referrals) == 1

    asyncio.run(run())


def test_a_case_needing_consultation_alerts_la_officers_once(tmp_path: Path) -> None:
    """An AIM review with no engagement posts one Adaptive Card to the LA officers' channel,
    with the case reference and initials, and the next sweep does not post it again."""
    from function_app.adapters.teams.poster import TeamsPoster
    from function_app.devtenant.teams_sink import TeamsSink
    from function_app.services.casework_sweep.processor import ChangeProcessor

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant, TeamsSink(tmp_path) as sink:
            site = await Site.ready(tenant)
            await site.type_case(example("aim-review-no-engagement.json"))
            base = site.processor(tmp_path / "state.sqlite")
            async with TeamsPoster({"la_officers": sink.url_for("la_officers"),
                                    "school": sink.url_for("school")}) as poster:
                processor = ChangeProcessor(base.graph, base.state, base.templates,
                                            base.config, alerts=poster)
                report = await processor.sweep()
                await site.staff.create_item(site.lists["Contacts"].id, {
                    "CaseLookupId": site.ids[("Cases", "7")], "Title": "Phoned home",
                    "ContactDate": "2026-11-20", "ContactMode": "Phone call",
                    "StaffMember": "Priya Shah", "Summary": "No answer."})
                again = await processor.sweep()
            posted = [a for a in report.alerts if a.outcome == "posted"]
            assert [(a.reason, a.audience) for a in posted] == \
                [("consultation_needed", "la_officers")]
            assert not [a for a in again.alerts if a.outcome == "posted"]
            cards = sink.cards("la_officers")
            assert len(cards) == 1
            text = json.dumps(cards[0])
            assert "ATT-2026-0042" in text and "JE" in text
            assert "Jordan" not in text and "Ellis" not in text

    asyncio.run(run())


def test_an_alert_with_no_channel_to_go_to_is_said_on_the_case_item(tmp_path: Path) -> None:
    """With no Teams channel set for the LA officers, the consultation alert is not lost:
    the case item says it was not sent and why, in plain words, once."""
    from function_app.adapters.teams.poster import TeamsPoster
    from function_app.devtenant.teams_sink import TeamsSink
    from function_app.services.casework_sweep.processor import ChangeProcessor

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant, TeamsSink(tmp_path) as sink:
            site = await Site.ready(tenant)
            await site.type_case(example("aim-review-no-engagement.json"))
            base = site.processor(tmp_path / "state.sqlite")
            async with TeamsPoster({"school": sink.url_for("school")}) as poster:
                processor = ChangeProcessor(base.graph, base.state, base.templates,
                                            base.config, alerts=poster)
                await processor.sweep()
                first = await site.app.get_item(site.lists["Cases"].id,
                                                site.ids[("Cases", "7")])
                await processor.sweep()  # nothing changed: nothing said again
            item = await site.app.get_item(site.lists["Cases"].id, site.ids[("Cases", "7")])
            assert item.fields["GenerationStatus"] == "Needs attention"
            message = str(item.fields["GenerationMessage"])
            assert "Teams alert (consultation needed) was not sent" in message
            assert "officers" in message
            assert not sink.cards("la_officers")
            assert item.etag == first.etag

    asyncio.run(run())

"""Made means filed, each case on its own, names that never collide, alerts that are not
lost: the processor's promises (issue 14) against the dev tenant."""

from __future__ import annotations

import asyncio
import shutil
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from function_app.adapters.graph.errors import GraphUnavailableError
from function_app.adapters.state.sqlite import SqliteStateStore
from function_app.adapters.teams.poster import PostRetry, TeamsPoster
from function_app.devtenant import DevTenant
from function_app.devtenant.teams_sink import TeamsSink
from function_app.documents.catalogue import SHIPPED_TEMPLATES
from function_app.documents.engine import TemplateSet
from function_app.services.casework_sweep.processor import ChangeProcessor
from function_app.services.casework_sweep.sweep_report import ProcessorConfig
from function_app.services.filing import process_owner
from tests.integration.chaos_support import claims_on_items, filed, library
from tests.integration.helpers import TODAY, Site, example, no_sleep

pytestmark = pytest.mark.integration


def _same_name_parents() -> dict[str, object]:
    data = example("aim-review-no-engagement.json")
    carers = data["carers"]
    carers[0].update(first_name="Chris", last_name="Jones", address="12 Elm Road\nStroud")
    carers[1].update(first_name="Chris", last_name="Jones", address="4 Mill Lane\nStroud",
                     email="")
    return data


def test_two_parents_with_one_name_each_get_their_own_warning(tmp_path: Path) -> None:
    """A father and a mother both called Chris Jones, at different addresses, each get their
    own letter, named by their address; neither replaces the other (seed 000: contact each
    parent individually)."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            await site.type_case(_same_name_parents())
            report = await site.processor(tmp_path / "state.sqlite").sweep()
            names = sorted(Path(f.path).name for f in report.filed if "Chris Jones" in f.path)
            assert len(names) == len(set(names)) >= 2
            assert any("Chris Jones (12 Elm Road)" in n for n in names)
            assert any("Chris Jones (4 Mill Lane)" in n for n in names)
            assert all(n == 1 for n in filed(tenant).values())

    asyncio.run(run())


def test_an_emoji_case_reference_and_a_slash_in_a_surname_are_filed(tmp_path: Path) -> None:
    """A case reference of 70 emoji and a surname with a "/" are filed in one case folder
    each, directly under the school, and the state store takes their keys."""

    async def run() -> None:
        data = example("aim-review-no-engagement.json", case_ref="😀" * 70)
        data["pupil"]["surname"] = "Ellis/Smith"
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            await site.type_case(data)
            report = await site.processor(tmp_path / "state.sqlite").sweep()
            assert report.filed and not report.failed
            folders = {p.parent.relative_to(library(tenant))
                       for p in library(tenant).rglob("*.docx")}
            assert len(folders) == 1
            (folder,) = folders
            assert len(folder.parts) == 2  # school / case: the "/" made no third level
            assert "Ellis-Smith" in folder.parts[1]
            assert await claims_on_items(site) == []

    asyncio.run(run())


def test_one_case_failing_in_any_way_leaves_the_others_done(tmp_path: Path) -> None:
    """A broken template (not a Graph error) fails the cases that need it: their items say
    the work is not finished and will be tried again, the other cases are filed, and once
    the template is mended the next sweep files what was missing, once."""
    broken = tmp_path / "templates"
    broken.mkdir()
    plan = TemplateSet().catalogue.get("aim_plan").file
    (broken / plan).write_bytes(b"this is not a Word document")

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            await site.type_case(example("aim-review-no-engagement.json"))  # has an AIM plan
            await site.type_case(example("support-meeting-invitation-planned.json"))
            state = SqliteStateStore(tmp_path / "state.sqlite")
            config = ProcessorConfig(owner="worker-1", today=TODAY)
            first = await ChangeProcessor(site.app, state, TemplateSet(broken), config).sweep()
            assert first.failed
            other = example("support-meeting-invitation-planned.json")["case_ref"]
            assert other in {f.case_ref for f in first.filed}
            assert "aim_plan" not in {f.kind for f in first.filed}
            failing = set(first.failed)
            meetings = await site.app.all_items(site.lists["Meetings"].id)
            said = {f"Meetings/{m.id}": m.fields.get("GenerationStatus") for m in meetings}
            assert any(said.get(k) == "Pending" for k in failing)
            shutil.rmtree(broken)
            second = await ChangeProcessor(site.app, state, TemplateSet(), config).sweep()
            assert not second.failed
            assert "aim_plan" in {f.kind for f in second.filed}
            assert all(n == 1 for n in filed(tenant).values())
            assert await claims_on_items(site) == []
            statuses = Counter(str(m.fields.get("GenerationStatus")) for m in
                               await site.app.all_items(site.lists["Meetings"].id))
            assert statuses["Pending"] == 0

    assert SHIPPED_TEMPLATES.is_dir()
    asyncio.run(run())


def test_a_claim_of_a_killed_process_is_finished_at_once_by_the_next(tmp_path: Path) -> None:
    """A document whose claim is held by a process of this host that is no longer running
    is made by the next sweep at once, not after the lease, and not counted as made
    before its file is there."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            await site.type_case(example("aim-review-no-engagement.json"))
            state = SqliteStateStore(tmp_path / "state.sqlite")
            config = ProcessorConfig(owner="worker-1", today=TODAY)
            assert (await ChangeProcessor(site.app, state, TemplateSet(), config).sweep()).filed
            assert state.open_claims() == []
            # A dead process of this host holds a new claim: pid 2**22 + 1 is never running.
            dead = process_owner("worker-1").rsplit(":", 1)[0] + f":{2**22 + 1}"
            await site.staff.create_item(site.lists["Agreed Actions"].id, {
                "MeetingLookupId": site.ids[("Meetings", "402")], "ActionParty": "School",
                "Title": "Ask the school nurse to meet Jordan"})
            version_claims: list[str] = []
            original = state.claim

            def claim_first_as_dead(key: str, owner: str, now: datetime, lease: float) -> bool:
                if not version_claims:
                    version_claims.append(key)
                    original(key, dead, now, lease)  # the dead process took it first
                return original(key, owner, now, lease)

            state.claim = claim_first_as_dead  # type: ignore[method-assign]
            again = await ChangeProcessor(site.app, state, TemplateSet(), config).sweep()
            assert version_claims and again.filed and not again.pending
            assert state.open_claims() == []

    asyncio.run(run())


def test_a_teams_card_refused_with_503_is_sent_at_a_later_sweep(tmp_path: Path) -> None:
    """A consultation card Teams refuses with 503 is not lost: it waits and is posted at the
    next sweep, though nothing in the case changed; posted once."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant, TeamsSink(tmp_path) as sink:
            site = await Site.ready(tenant)
            await site.type_case(example("aim-review-no-engagement.json"))
            base = site.processor(tmp_path / "state.sqlite")
            retry = PostRetry(attempts=2, sleep=no_sleep)
            async with TeamsPoster({"la_officers": sink.url_for("la_officers"),
                                    "school": sink.url_for("school")}, retry=retry) as poster:
                processor = ChangeProcessor(base.graph, base.state, base.templates,
                                            base.config, alerts=poster)
                sink.fail(times=2, status=503)
                first = await processor.sweep()
                assert not sink.cards("la_officers")
                assert [a.outcome.split(":")[0] for a in first.alerts
                        if a.audience == "la_officers"] == ["waiting"]
                await processor.sweep()
                await processor.sweep()
            assert len(sink.cards("la_officers")) == 1
            case = await site.app.get_item(site.lists["Cases"].id, site.ids[("Cases", "7")])
            assert "was not sent" not in str(case.fields.get("GenerationMessage"))

    asyncio.run(run())


def test_a_card_failing_for_a_day_is_said_on_the_case_item(tmp_path: Path) -> None:
    """A card Teams keeps refusing is tried at every sweep for a day, then the case item
    says it was not sent and why, so staff can tell the officers themselves."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant, TeamsSink(tmp_path) as sink:
            site = await Site.ready(tenant)
            await site.type_case(example("aim-review-no-engagement.json"))
            base = site.processor(tmp_path / "state.sqlite")
            now = [datetime(2026, 11, 22, 9, 0, tzinfo=UTC)]
            config = ProcessorConfig(owner="worker-1", today=TODAY, clock=lambda: now[0])
            retry = PostRetry(attempts=1, sleep=no_sleep)
            async with TeamsPoster({"la_officers": sink.url_for("la_officers"),
                                    "school": sink.url_for("school")}, retry=retry) as poster:
                processor = ChangeProcessor(base.graph, base.state, base.templates, config,
                                            alerts=poster)
                sink.fail(times=100, status=503)
                await processor.sweep()
                now[0] += timedelta(hours=12)
                await processor.sweep()
                case = await site.app.get_item(site.lists["Cases"].id,
                                               site.ids[("Cases", "7")])
                assert "was not sent" not in str(case.fields.get("GenerationMessage"))
                now[0] += timedelta(hours=13)
                await processor.sweep()
            case = await site.app.get_item(site.lists["Cases"].id, site.ids[("Cases", "7")])
            message = str(case.fields.get("GenerationMessage"))
            assert case.fields.get("GenerationStatus") == "Needs attention"
            assert "Teams alert (consultation needed) was not sent" in message
            assert "tried for a day" in message
            assert not sink.cards("la_officers")

    asyncio.run(run())


def test_own_writes_attributed_to_sharepoint_app_without_an_id_do_not_loop(
        tmp_path: Path) -> None:
    """When SharePoint reports the app's writes as "SharePoint App" with no application id,
    the app still knows them by content: the sweep after its write-backs finds no change by
    staff and writes nothing."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant", app_identity="both-no-id") as tenant:
            site = await Site.ready(tenant)
            await site.type_case(example("aim-review-no-engagement.json"))
            processor = site.processor(tmp_path / "state.sqlite")
            first = await processor.sweep()
            assert first.filed
            second = await processor.sweep()
            assert second.changes == 0 and second.own_writes > 0 and second.nothing_new
            tenant.reset_counts()
            third = await processor.sweep()
            assert third.changes == 0 and third.own_writes == 0
            # A $batch is a POST; what it carries is counted on its own (batch_requests): the
            # one a quiet sweep sends reads the Case Files for letters to send, nothing else.
            requests = tenant.requests + tenant.batch_requests
            writes = [k for k in requests if k.split(" ")[0] in ("PATCH", "PUT", "POST")
                      and k != "POST /$batch"]
            assert writes == []
            assert set(tenant.batch_requests) <= {"GET /sites/{site-id}/lists/{list-id}/items"}

    asyncio.run(run())


def test_a_sweep_stopped_midway_lets_go_of_its_claims(tmp_path: Path) -> None:
    """A sweep cancelled while it files (a worker shutting down) waits for its cases to stop,
    leaves no claim held and no item saying a letter was made that is not there; the next
    sweep files the rest, once each."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant", latency_ms=3) as tenant:
            site = await Site.ready(tenant)
            for n in range(6):
                await site.type_case(example("aim-review-no-engagement.json",
                                             case_ref=f"STOP-{n}"))
            state = SqliteStateStore(tmp_path / "state.sqlite")
            config = ProcessorConfig(owner="worker-1", today=TODAY)
            sweep = asyncio.create_task(
                ChangeProcessor(site.app, state, TemplateSet(), config).sweep())
            while sum(filed(tenant).values()) < 3:
                await asyncio.sleep(0.005)
            sweep.cancel()
            with pytest.raises(asyncio.CancelledError):
                await sweep
            assert state.open_claims() == []
            assert await claims_on_items(site) == []
            partial = sum(filed(tenant).values())
            report = await ChangeProcessor(site.app, state, TemplateSet(), config).sweep()
            assert report.filed and not report.failed and not report.pending
            assert all(n == 1 for n in filed(tenant).values())
            assert sum(filed(tenant).values()) > partial

    asyncio.run(run())


def test_throttling_for_minutes_leaves_the_work_to_a_later_sweep(tmp_path: Path) -> None:
    """When Graph asks to wait 300 seconds, the sweep does not retry early: the cases it
    could not finish are kept, nothing is said to be made, and a later sweep files them."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant", seed=3) as tenant:
            site = await Site.ready(tenant)
            await site.type_case(example("aim-review-no-engagement.json"))
            processor = site.processor(tmp_path / "state.sqlite")
            tenant.set_faults(0.1, kinds=("throttled",), retry_after_seconds=300)
            deferred = 0
            for _ in range(4):
                try:
                    report = await processor.sweep()
                except GraphUnavailableError as exc:  # reading the lists: the whole sweep
                    assert exc.retry_after == 300
                    deferred += 1
                else:
                    deferred += len(report.failed)
                    assert all("300 s" in why for why in report.failed.values())
                assert await claims_on_items(site) == []
            tenant.set_faults(0.0)
            assert deferred > 0
            while not (await processor.sweep()).nothing_new:
                pass
            assert all(n == 1 for n in filed(tenant).values())
            assert await claims_on_items(site) == []

    asyncio.run(run())


def test_casework_process_says_try_again_when_graph_is_busy_reading_the_lists(
        tmp_path: Path) -> None:
    """When Graph asks `casework process` to wait minutes while it reads the lists, the
    command fails (exit 1, not the bad-input 2) saying nothing was lost, and the next run
    files everything."""
    from tests.integration.chaos_support import Worker

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            await site.type_case(example("aim-review-no-engagement.json"))
            worker = Worker.for_tenant(tenant, tmp_path / "state.sqlite")
            tenant.set_faults(1.0, kinds=("throttled",), retry_after_seconds=300)
            code, out = await asyncio.to_thread(worker.run)
            assert code == 1, out
            assert "Nothing was lost" in out and "300 s" in out
            tenant.set_faults(0.0)
            code, out = await asyncio.to_thread(worker.run)
            assert code == 0, out
            assert filed(tenant) and all(n == 1 for n in filed(tenant).values())

    asyncio.run(run())

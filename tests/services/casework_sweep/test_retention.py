"""A closed case's entries leave the state store RETENTION_DAYS after it was closed
(issue 17, point 5); claims kept before they carried their case are still honoured, and a
filed document deleted since is not said to be in the folder."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from function_app.adapters.state.sqlite import SqliteStateStore
from function_app.adapters.teams.poster import PostRetry, TeamsPoster
from function_app.devtenant import DevTenant
from function_app.devtenant.teams_sink import TeamsSink
from function_app.documents.engine import TemplateSet
from function_app.services.case_lists.snapshot import CASEWORK_LISTS, Snapshot
from function_app.services.casework_sweep.outbox import POSTED_SCOPE, WAITING_SCOPE
from function_app.services.casework_sweep.processor import ChangeProcessor
from function_app.services.casework_sweep.retention import (
    RETENTION_DAYS,
    case_item_keys,
    closed_since,
    forget_closed_cases,
)
from function_app.services.casework_sweep.sweep_report import ProcessorConfig
from function_app.services.filing import case_prefix, filed_item_id, parse_result
from tests.integration.chaos_support import claims_on_items, filed
from tests.integration.helpers import TODAY, Site, example, no_sleep

pytestmark = pytest.mark.integration
CLOSED, OPEN = "ATT-2026-0042", "ATT-2026-0131"


def all_claims(path: Path) -> dict[str, tuple[str, str]]:
    import sqlite3

    db = sqlite3.connect(path)
    try:
        return {k: (s, r) for k, s, r in db.execute("SELECT key, state, result FROM claims")}
    finally:
        db.close()


def test_a_closed_case_is_forgotten_after_its_retention_and_no_other(tmp_path: Path) -> None:
    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant, TeamsSink(tmp_path) as sink:
            site = await Site.ready(tenant)
            typed = await site.type_case(example("aim-review-no-engagement.json"))
            await site.type_case(example("support-meeting-invitation-planned.json"))
            state = SqliteStateStore(tmp_path / "state.sqlite")
            config = ProcessorConfig(owner="worker-1", today=TODAY)
            async with TeamsPoster({"la_officers": sink.url_for("la_officers"),
                                    "school": sink.url_for("school")},
                                   retry=PostRetry(attempts=1, sleep=no_sleep)) as poster:
                sink.fail(times=100, status=503)
                report = await ChangeProcessor(site.app, state, TemplateSet(), config,
                                               alerts=poster).sweep()
            assert {f.case_ref for f in report.filed} == {CLOSED, OPEN}
            assert any(k.startswith(f"{CLOSED}|") for k in state.keys(WAITING_SCOPE))
            state.remember(POSTED_SCOPE, f"{CLOSED}|consultation_needed|aim", "posted")
            state.remember(POSTED_SCOPE, f"{CLOSED}-2|consultation_needed|aim", "posted")
            state.remember(POSTED_SCOPE, f"{OPEN}|consultation_needed|aim", "posted")

            case_id = typed[("Cases", "7")]
            await site.staff.update_fields(site.lists["Cases"].id, case_id,
                                           {"CaseStatus": "Closed"})
            cases = await site.app.all_items(site.lists["Cases"].id)
            closed = closed_since(cases)
            assert list(closed) == [CLOSED]
            whole = Snapshot.of({n: await site.app.all_items(site.lists[n].id)
                                 for n in CASEWORK_LISTS})
            items = case_item_keys(whole, closed)
            assert f"Cases/{case_id}" in items[CLOSED] and len(items[CLOSED]) > 3
            state.remember("retry", f"Cases/{case_id}", "an unexpected error")

            closed_on = TODAY - timedelta(days=RETENTION_DAYS - 1)
            assert forget_closed_cases(state, {CLOSED: closed_on}, TODAY, items=items) == []
            assert any(k.startswith(case_prefix(CLOSED)) for k in all_claims(state_path))
            later = TODAY + timedelta(days=1)  # 90 days after: forgotten
            assert forget_closed_cases(state, {CLOSED: closed_on}, later, items=items) == [CLOSED]
            assert forget_closed_cases(state, {CLOSED: closed_on}, later, items=items) == []
            claims = all_claims(state_path)
            assert not any(k.startswith(case_prefix(CLOSED)) for k in claims)
            assert any(k.startswith(case_prefix(OPEN)) for k in claims)
            assert not any(k.startswith(f"{CLOSED}|") for k in state.keys(WAITING_SCOPE))
            assert state.keys(POSTED_SCOPE) == [f"{CLOSED}-2|consultation_needed|aim",
                                                f"{OPEN}|consultation_needed|aim"]
            assert state.recall("retry", f"Cases/{case_id}") == ""
            assert state.recall("content-seen", f"Cases/{case_id}") == ""
            assert all(n == 1 for n in filed(tenant).values())
            state.close()

    state_path = tmp_path / "state.sqlite"
    asyncio.run(run())


def test_claims_kept_before_they_carried_their_case_are_honoured(tmp_path: Path) -> None:
    """A state store of before: each done claim under its old key, with the file's link and
    name. The next change makes nothing again; each claim is then kept under its case with
    the file's id alone; and a file staff deleted since is not said to be in the folder."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            await site.type_case(example("aim-review-no-engagement.json"))
            case_id = site.ids[("Cases", "7")]
            await site.staff.update_fields(site.lists["Cases"].id, case_id,
                                           {"Stage": "Letter of concern"})
            state = SqliteStateStore(state_path)
            config = ProcessorConfig(owner="worker-1", today=TODAY)
            first = await ChangeProcessor(site.app, state, TemplateSet(), config).sweep()
            assert "letter_of_concern" in {f.kind for f in first.filed}
            await site.app.use_library(site.lists["Case Files"].id)
            made = all_claims(state_path)
            prefix = case_prefix(CLOSED)
            assert made and all(k.startswith(prefix) and r.startswith("item:")
                                for k, (_, r) in made.items())
            state.forget_claims([prefix])
            for key, (_, result) in made.items():  # as an older version kept them
                item = await site.app.file_by_id(str(filed_item_id(result)))
                assert item is not None
                old = key.removeprefix(prefix)
                state.claim(old, "worker-0", first_claimed, 600)
                state.complete(old, "worker-0", f"{item.web_url}\n{item.name}")
            await site.staff.update_fields(site.lists["Cases"].id, case_id,
                                           {"SchoolUrn": "123456"})  # the stage is the same
            again = await ChangeProcessor(site.app, state, TemplateSet(), config).sweep()
            assert not again.filed and again.already_made > 0 and not again.failed
            now = all_claims(state_path)
            stage_claims = [k for k in now if k.startswith(f"{prefix}Cases/")]
            assert stage_claims and all(now[k][1].startswith("item:") for k in stage_claims)
            assert all(n == 1 for n in filed(tenant).values())
            assert await claims_on_items(site) == []

            # A stage document deleted by staff: made once, never again, and not listed.
            gone = await site.app.file_by_id(str(filed_item_id(now[stage_claims[0]][1])))
            assert gone is not None
            await site.staff.use_library(site.lists["Case Files"].id)
            await site.staff.send("delete", "DELETE",
                                  f"/drives/{await site.staff.drive_id()}/items/{gone.id}")
            await site.staff.update_fields(site.lists["Cases"].id, case_id,
                                           {"SchoolUrn": "654321"})
            third = await ChangeProcessor(site.app, state, TemplateSet(), config).sweep()
            assert not third.filed and not third.failed and third.already_made > 0
            said = await site.app.get_item(site.lists["Cases"].id, case_id)
            assert said.fields.get("GenerationStatus") == "Generated"
            assert gone.name not in str(said.fields.get("GenerationMessage"))
            assert gone.web_url not in str(said.fields.get("GeneratedDocuments"))
            assert parse_result(f"{gone.web_url}\n{gone.name}")[1] == gone.name
            state.close()

    from datetime import UTC, datetime

    first_claimed = datetime(2026, 11, 1, tzinfo=UTC)
    state_path = tmp_path / "state.sqlite"
    asyncio.run(run())

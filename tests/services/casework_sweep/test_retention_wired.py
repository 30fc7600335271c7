"""Retention runs in the sweep itself (retention.forget_once_a_day): on a site's first sweep
of the day, after the sweep's changes are done, a case closed RETENTION_DAYS ago loses its
claims and its Cases item's facts; an open case keeps its own; later sweeps that day read
no list for it; and a failure of retention fails no sweep and is tried again.

The dev tenant sets an item's Modified itself (now), so the days are driven by the sweep's
``today`` instead: the day the Cases item was last modified, then 89 and 91 days on.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from function_app.adapters.graph.records import ListItem
from function_app.adapters.state.sqlite import SqliteStateStore
from function_app.devtenant import DevTenant
from function_app.documents.engine import TemplateSet
from function_app.services.casework_sweep import own_writes
from function_app.services.casework_sweep.case_work import CLOSED_NOTE
from function_app.services.casework_sweep.processor import ChangeProcessor
from function_app.services.casework_sweep.retention import closed_since, ran_today
from function_app.services.casework_sweep.sweep_report import ProcessorConfig, SweepReport
from function_app.services.filing import case_prefix
from tests.integration.helpers import TODAY, Site, example

pytestmark = pytest.mark.integration
CLOSED, OPEN = "ATT-2026-0042", "ATT-2026-0131"
READ_WHOLE = "GET /sites/{site-id}/lists/{list-id}/items"


def claim_keys(path: Path) -> list[str]:
    db = sqlite3.connect(path)
    try:
        return [k for (k,) in db.execute("SELECT key FROM claims")]
    finally:
        db.close()


def of_case(keys: list[str], ref: str) -> list[str]:
    return [k for k in keys if k.startswith(case_prefix(ref))]


async def sweep(site: Site, state: SqliteStateStore, today: date) -> SweepReport:
    report = await ChangeProcessor(site.app, state, TemplateSet(),
                                   ProcessorConfig(owner="worker-1", today=today)).sweep()
    assert report.links_saved and not report.failed, report
    return report


async def two_cases_one_closed(site: Site, state: SqliteStateStore,
                               path: Path) -> tuple[str, str, date]:
    """Both cases' letters filed, then staff close one: its Cases item id, the open one's,
    and the day the closed one's item was last modified."""
    closed = await site.type_case(example("aim-review-no-engagement.json"))
    opened = await site.type_case(example("support-meeting-invitation-planned.json"))
    report = await sweep(site, state, TODAY)
    assert {f.case_ref for f in report.filed} == {CLOSED, OPEN}
    assert of_case(claim_keys(path), CLOSED) and of_case(claim_keys(path), OPEN)
    cases_id = site.lists["Cases"].id
    closed_id, open_id = closed[("Cases", "7")], opened[("Cases", "7")]
    await site.staff.update_fields(cases_id, closed_id, {"CaseStatus": "Closed"})
    return closed_id, open_id, closed_since(await site.app.all_items(cases_id))[CLOSED]


def test_the_days_first_sweep_forgets_a_case_closed_over_90_days_ago(tmp_path: Path) -> None:
    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            path = tmp_path / "state.sqlite"
            state = SqliteStateStore(path)
            closed_id, open_id, closed_on = await two_cases_one_closed(site, state, path)

            # The closing is swept the same day: retention ran today already, so no list
            # is read whole for it; nothing is made, and the item says why.
            tenant.reset_counts()
            report = await sweep(site, state, TODAY)
            assert tenant.requests[READ_WHOLE] == 0
            assert not report.filed
            item = await site.app.get_item(site.lists["Cases"].id, closed_id)
            assert item.fields["GenerationMessage"] == CLOSED_NOTE
            assert of_case(claim_keys(path), CLOSED)
            # Our own write-back moved Modified on: the closing day stands at its latest.
            closed_on = max(closed_on, closed_since([item])[CLOSED])

            tenant.reset_counts()
            await sweep(site, state, closed_on + timedelta(days=89))
            assert tenant.requests[READ_WHOLE] == 1  # the Cases list, once that day
            assert of_case(claim_keys(path), CLOSED)

            before = claim_keys(path)
            day = closed_on + timedelta(days=91)
            tenant.reset_counts()
            report = await sweep(site, state, day)
            assert tenant.requests[READ_WHOLE] == 1
            assert report.nothing_new
            after = claim_keys(path)
            assert not of_case(after, CLOSED)
            assert of_case(after, OPEN) == of_case(before, OPEN)
            assert state.recall(own_writes.SCOPE, f"Cases/{closed_id}") == ""
            assert state.recall(own_writes.SCOPE, f"Cases/{open_id}") != ""
            assert ran_today(state, day)

            tenant.reset_counts()  # a later sweep that day reads nothing for retention
            await sweep(site, state, day)
            assert tenant.requests[READ_WHOLE] == 0
            state.close()

    asyncio.run(run())


def test_a_failing_retention_fails_no_sweep_and_is_tried_at_the_next(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            path = tmp_path / "state.sqlite"
            state = SqliteStateStore(path)
            closed_id, _, closed_on = await two_cases_one_closed(site, state, path)
            day = closed_on + timedelta(days=91)
            reads = site.app.all_items

            async def refused(list_id: str) -> list[ListItem]:
                raise RuntimeError(f"{list_id}: Jordan Ellis")  # its text is never logged

            monkeypatch.setattr(site.app, "all_items", refused)
            report = await sweep(site, state, day)  # the closing itself is swept
            item = await site.app.get_item(site.lists["Cases"].id, closed_id)
            assert item.fields["GenerationMessage"] == CLOSED_NOTE
            assert of_case(claim_keys(path), CLOSED) and not ran_today(state, day)
            assert report.links_saved
            said = [r.getMessage() for r in caplog.records if "closed cases" in r.getMessage()]
            assert said and all("RuntimeError" in m and "Jordan" not in m for m in said)

            monkeypatch.setattr(site.app, "all_items", reads)
            await sweep(site, state, day)
            assert not of_case(claim_keys(path), CLOSED) and of_case(claim_keys(path), OPEN)
            assert ran_today(state, day)
            state.close()

    asyncio.run(run())

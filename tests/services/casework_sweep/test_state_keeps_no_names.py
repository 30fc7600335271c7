"""The state store keeps ids and digests, never a name (issue 17, point 5): after a
demo-like run of several cases (letters filed, a case edited and swept again, a Teams card
waiting, an upload interrupted, an evidence bundle filed and asked for again), no pupil's
or parent's forename or surname and no file name is anywhere in the SQLite state file; and
two schools' sites sharing one state store each get their own letters (issue 17: case
references and item ids repeat from site to site)."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from function_app.adapters.state.sqlite import SqliteStateStore
from function_app.adapters.teams.poster import PostRetry, TeamsPoster
from function_app.devtenant import DevTenant
from function_app.devtenant.teams_sink import TeamsSink
from function_app.documents.context import Options
from function_app.documents.engine import TemplateSet
from function_app.services.casework_sweep.processor import ChangeProcessor
from function_app.services.casework_sweep.sweep_report import ProcessorConfig
from function_app.services.legal.legal_referral import LegalReferrals
from function_app.services.site_state import SiteState
from tests.integration.chaos_support import claims_on_items, filed, library
from tests.integration.helpers import TODAY, Site, example, files_under, no_sleep

pytestmark = pytest.mark.integration
CASES = ("aim-review-no-engagement.json", "penalty-threshold-reached-across-half-term.json",
         "stepfather-with-care-and-a-withdrawn-penalty-notice.json",
         "gloucestershire-aim-pupil-and-parents-present.json")


def names_of(data: dict[str, Any]) -> set[str]:
    pupil = data["pupil"]
    names = {pupil["forename"], pupil["surname"]}
    for carer in data.get("carers", []):
        names |= {carer.get("first_name", ""), carer.get("last_name", "")}
    return {n for n in names if n}


def everything_in(path: Path) -> str:
    """Every key, scope and value in the state file, one a line."""
    db = sqlite3.connect(path)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return "\n".join(str(value) for table in tables
                         for row in db.execute(f"SELECT * FROM {table}")
                         for value in row)
    finally:
        db.close()


def named_in(text: str, names: set[str]) -> list[str]:
    return sorted(n for n in names
                  if re.search(rf"(?<![\w]){re.escape(n)}(?![\w])", text, re.IGNORECASE))


class FailOnce:
    """The app's Graph client whose first setting of a file's columns fails: the upload
    is there, the claim is released and the upload's note is left for the retry."""

    def __init__(self, graph: Any) -> None:
        self.graph, self.failed = graph, False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.graph, name)

    async def set_file_fields(self, item_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        if not self.failed:
            self.failed = True
            raise ConnectionError("lost")
        result: dict[str, Any] = await self.graph.set_file_fields(item_id, fields)
        return result


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_the_state_store_names_no_pupil_parent_or_file(tmp_path: Path) -> None:
    state_path = tmp_path / "state.sqlite"
    names: set[str] = set()
    snapshots: list[str] = []

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant, TeamsSink(tmp_path) as sink:
            site = await Site.ready(tenant)
            for name in CASES:
                data = example(name)
                names.update(names_of(data))
                await site.type_case(data)
            state = SqliteStateStore(state_path)
            templates, config = TemplateSet(), ProcessorConfig(owner="worker-1", today=TODAY)
            retry = PostRetry(attempts=1, sleep=no_sleep)
            async with TeamsPoster({"la_officers": sink.url_for("la_officers"),
                                    "school": sink.url_for("school"),
                                    "legal": sink.url_for("legal")}, retry=retry) as poster:
                def processor(graph: Any) -> ChangeProcessor:
                    return ChangeProcessor(graph, state, templates, config, alerts=poster,
                                           legal=LegalReferrals(graph, state, templates,
                                                                Options(), "worker-1"))

                sink.fail(times=100, status=503)  # cards wait in the state store
                first = await processor(FailOnce(site.app)).sweep()
                assert first.filed and first.failed  # one case's upload was interrupted
                snapshots.append(everything_in(state_path))
                assert "uploading" in snapshots[-1]  # its note is there, for the retry
                sink.fail(times=0)
                second = await processor(site.app).sweep()
                assert second.filed and not second.failed
                case_id = site.ids[("Cases", "7")]
                await site.staff.update_fields(site.lists["Cases"].id, case_id,
                                               {"PrepareLegalReferral": True})
                third = await processor(site.app).sweep()
                assert third.already_made > 0 and third.legal and third.legal[0].made
                snapshots.append(everything_in(state_path))
                await site.staff.update_fields(site.lists["Cases"].id, case_id,
                                               {"PrepareLegalReferral": True})
                fourth = await processor(site.app).sweep()
                (again,) = fourth.legal
                assert not again.made and again.pdf_name.endswith(".pdf") and again.docx_url
            assert all(n == 1 for n in filed(tenant).values())
            assert await claims_on_items(site) == []
            files = [p.name for p in files_under(library(tenant))]
            assert len(files) > 10
            names.update(files)
            names.update(p.rsplit(".", 1)[0] for p in files)
            state.close()

    asyncio.run(run())
    snapshots.append(everything_in(state_path))
    for text in snapshots:
        assert "item:" in text and "case/ATT-2026-0042/" in text
        assert named_in(text, names) == []
        # Links to lists and delta links name nobody; no link or path into the library is kept.
        assert "case files" not in text.casefold() and "case%20files" not in text.casefold()
        assert ".docx" not in text and ".pdf" not in text


def test_two_sites_sharing_one_state_store_each_get_their_own_letters(tmp_path: Path) -> None:
    """Two schools' sites, each with a case "ATT-2026-0042" in Cases item 1, swept with one
    state file: each site's letters are filed in its own library, once, and each item links
    its own site's files (before SiteState, the second site's were "already made")."""

    async def run() -> None:
        store = SqliteStateStore(tmp_path / "state.sqlite")
        config = ProcessorConfig(owner="worker-1", today=TODAY)
        reports = []
        with DevTenant(tmp_path / "a") as a, DevTenant(tmp_path / "b") as b:
            for tenant, site_name in ((a, "contoso.sharepoint.com/sites/hillside"),
                                      (b, "contoso.sharepoint.com/sites/riverside")):
                site = await Site.ready(tenant)
                await site.type_case(example("aim-review-no-engagement.json"))
                state = SiteState(store, site_name)
                reports.append(await ChangeProcessor(site.app, state, TemplateSet(),
                                                     config).sweep())
                assert await claims_on_items(site) == []
                assert all(n == 1 for n in filed(tenant).values())
            assert filed(a) == filed(b) and filed(a)
        first, second = reports
        assert len(first.filed) == len(second.filed) > 0
        assert second.already_made == 0
        store.close()

    asyncio.run(run())

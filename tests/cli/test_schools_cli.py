"""The commands for many schools (issue 17): `casework provision --la-site` makes the LA
site's Schools list, `--school NAME` a school's lists; `casework doctor` checks every
school's site under its name, a missing one said by name; `casework process` processes
every school and says, by name, which could not be."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from function_app.cli import main
from function_app.devtenant import DevTenant
from tests.integration.helpers import TODAY, example
from tests.integration.test_schools import LA_SITE, graph, school_site

pytestmark = pytest.mark.integration


def environment(monkeypatch: pytest.MonkeyPatch, tenant: DevTenant, tmp_path: Path) -> None:
    monkeypatch.setenv("SHAREPOINT_LA_SITE", f"https://{tenant.hostname}{LA_SITE}")
    monkeypatch.setenv("GRAPH_BASE_URL", tenant.base_url)
    monkeypatch.setenv("GRAPH_DEV_TOKEN", tenant.app_token)
    monkeypatch.setenv("CASEWORK_STATE", str(tmp_path / "state.sqlite"))
    monkeypatch.delenv("SHAREPOINT_SITE", raising=False)


def test_provision_doctor_and_process_name_each_school(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    with DevTenant(tmp_path / "tenant") as tenant:
        environment(monkeypatch, tenant, tmp_path)
        tenant.add_site(LA_SITE, members=["Ann Officer"])
        assert main(["provision", "--la-site"]) == 0
        officer = graph(tenant, LA_SITE, tenant.user_token("Ann Officer"))

        async def register() -> None:
            lists = await officer.lists()
            for name, path in (("Hillside Primary School", "/sites/hillside"),
                               ("Old Mill School", "/sites/old-mill")):
                await officer.create_item(lists["Schools"].id, {
                    "Title": name, "SiteUrl": f"https://{tenant.hostname}{path}"})
            site = await school_site(tenant, "/sites/hillside", "Priya Shah")
            await site.type_case(example("aim-review-no-engagement.json"))

        asyncio.run(register())
        capsys.readouterr()
        assert main(["provision", "--school", "hillside primary school"]) == 0
        assert "== Hillside Primary School" in capsys.readouterr().out
        assert main(["provision", "--school", "Nowhere"]) == 2
        assert "there is no school called 'Nowhere'" in capsys.readouterr().err

        assert main(["doctor"]) == 1
        out = capsys.readouterr().out
        hill = out.index("== Hillside Primary School")
        mill = out.index(f"== Old Mill School (https://{tenant.hostname}/sites/old-mill)")
        assert hill < mill and "FAIL  SharePoint site: there is no site at" in out[mill:]
        assert "check the school's Site address in the LA site's Schools list" in out[mill:]
        assert "SHAREPOINT_SITE" not in out[mill:]

        assert main(["process", "--today", TODAY.isoformat()]) == 1
        done = capsys.readouterr()
        assert "== Hillside Primary School" in done.out
        assert "Old Mill School's site" in done.out and "was not found" in done.out
        assert "1 school not processed" in done.err

"""`casework report penalty-notices` end to end: the LA's site on the dev tenant, a request
and two notices typed by an officer, and the files the command writes."""

from __future__ import annotations

import asyncio
import csv
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook

from function_app.adapters.graph.auth import dev_token_provider, request_adapter
from function_app.adapters.graph.client import GraphClient, GraphTarget
from function_app.cli import main
from function_app.devtenant import DevTenant
from function_app.services.provisioning.list_schema import LA_SITE_SCHEMA_DIR, load_lists
from function_app.services.provisioning.provision import provision
from function_app.settings import Settings

LA_SITE = "/sites/attendance-service"


def _graph(tenant: DevTenant, token: str) -> GraphClient:
    return GraphClient(GraphTarget(tenant.base_url, tenant.hostname, LA_SITE, ""),
                       request_adapter(tenant.base_url, dev_token_provider(tenant.base_url,
                                                                           token)))


async def _la_site(tenant: DevTenant) -> None:
    tenant.add_site(LA_SITE, members=["Ann Officer"])
    await provision(_graph(tenant, tenant.app_token), load_lists(LA_SITE_SCHEMA_DIR))
    officer = _graph(tenant, tenant.user_token("Ann Officer"))
    lists = await officer.lists()
    await officer.create_item(lists["Penalty Notice Requests"].id, {
        "Title": "PNR-1", "School": "Oak Primary", "Reason": "Term-time holiday",
        "RequestedOn": "2025-09-20T00:00:00Z", "Decision": "Issue"})
    register = lists["Penalty Notice Register"].id
    await officer.create_item(register, {
        "Title": "PN-1", "School": "Oak Primary", "Reason": "Term-time holiday",
        "IssuedOn": "2025-10-01T00:00:00Z", "ServedBy": "Email",
        "SentOn": "2025-10-01T00:00:00Z", "PaidOn": "2025-10-10T00:00:00Z",
        "AmountPaid": 80, "State": "Paid within 21 days"})
    await officer.create_item(register, {
        "Title": "PN-2", "School": "Oak Primary", "Reason": "Term-time holiday",
        "IssuedOn": "2025-10-01T00:00:00Z", "ServedBy": "Email",
        "SentOn": "2025-10-01T00:00:00Z", "State": "Issued"})


def test_the_report_is_written_from_the_las_lists(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    with DevTenant(tmp_path / "tenant") as tenant:
        asyncio.run(_la_site(tenant))
        settings = replace(Settings(), la_site_url=f"https://{tenant.hostname}{LA_SITE}",
                           graph_base_url=tenant.base_url, dev_token=tenant.app_token)
        monkeypatch.setattr(Settings, "from_environment", classmethod(lambda cls: settings))
        code = main(["report", "penalty-notices", "--out", str(tmp_path / "out"),
                     "--today", "2026-01-15", "--la-name", "Anyshire"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Autumn 2025: 1 requested, 2 issued, 1 paid" in out
    assert "1 notice with a State on the register that differs" in out
    book = load_workbook(tmp_path / "out" / "Penalty notices 2026-01-15.xlsx")
    last = [c.value for c in list(book["By term and school"].iter_rows())[-1]]
    assert last[0] == "Total"
    with (tmp_path / "out" / "DfE return penalty notices 2026-01-15.csv").open() as f:
        row = next(csv.DictReader(f))
    assert (row["la_name"], row["pn_issued"], row["pn_paid_21"], row["pn_unresolved"]) == \
        ("Anyshire", "2", "1", "1")


def test_without_the_las_site_it_says_what_to_set(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(Settings, "from_environment", classmethod(lambda cls: Settings()))
    code = main(["report", "penalty-notices", "--out", str(tmp_path)])
    assert code == 2
    assert "SHAREPOINT_LA_SITE" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())

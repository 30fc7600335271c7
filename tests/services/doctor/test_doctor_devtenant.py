"""casework doctor against the local dev tenant: all good once provisioned, and a plain
instruction for each thing that is not (lists missing, a wrong site, access refused)."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from function_app import bootstrap
from function_app.adapters.graph.client import GraphClient
from function_app.bootstrap import DEV_APP_ID
from function_app.devtenant import DevTenant
from function_app.services.doctor.check import Check
from function_app.services.doctor.diagnosis import diagnose, format_checks
from function_app.services.provisioning.list_schema import load_lists
from function_app.services.provisioning.provision import provision
from function_app.settings import Settings
from tests.integration.helpers import Site, client

pytestmark = pytest.mark.integration

CLIENT_STATE = "cs-" + "7f3a9c" * 7  # 45 characters
WEBHOOK = ("https://prod-01.uksouth.logic.azure.com:443/workflows/abc/triggers/manual/paths/"
           "invoke?api-version=2016-06-01&sig=SIGNATURE0123456789")


@pytest.fixture(scope="module")
def provisioned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTenant]:
    with DevTenant(tmp_path_factory.mktemp("provisioned")) as tenant:
        asyncio.run(Site.ready(tenant))
        yield tenant


def settings_for(tenant: DevTenant, workspace: Path, site_path: str = "") -> Settings:
    settings = bootstrap.settings_for_dev_tenant(tenant.base_url, tenant.hostname,
                                                 site_path or tenant.site_path, workspace)
    return replace(settings, notification_url="https://casework.example.org/api/notifications",
                   client_state=CLIENT_STATE)


def run(settings: Settings,
        factory: Callable[[Settings], GraphClient] = bootstrap.graph_client) -> list[Check]:
    return asyncio.run(diagnose(settings, graph_factory=factory,
                                env={"CASEWORK_TEAMS_LA_WEBHOOK": WEBHOOK}))


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {check.name: check for check in checks}


def test_a_provisioned_dev_tenant_is_all_good(provisioned: DevTenant, tmp_path: Path) -> None:
    """Every check passes: settings, credential, site, lists, library, templates, state,
    notifications and Teams."""
    checks = run(settings_for(provisioned, tmp_path))
    text = format_checks(checks)
    print(text)  # what an admin sees; shown with pytest -s
    assert all(check.ok for check in checks), text
    assert text.endswith("All good: nothing to fix.")
    names = [check.name for check in checks]
    for name in ("SHAREPOINT_SITE", "Credential", "SharePoint site", "SharePoint lists",
                 "Case Files library", "Templates", "State store", "CASEWORK_CLIENT_STATE"):
        assert name in names


def test_no_secret_appears_when_all_is_well(provisioned: DevTenant, tmp_path: Path) -> None:
    """Even when every check passes, the client state, the dev token and the webhook's
    signature are not in the output."""
    text = format_checks(run(settings_for(provisioned, tmp_path)))
    for secret in (CLIENT_STATE, "dev-app-token", "SIGNATURE0123456789"):
        assert secret not in text


def test_an_unprovisioned_site_names_the_missing_lists(tmp_path: Path) -> None:
    """On a bare site, the lists check names each missing list and says to run casework
    provision; the Case Files library is missing too."""
    with DevTenant(tmp_path / "tenant") as tenant:
        checks = by_name(run(settings_for(tenant, tmp_path)))
    lists = checks["SharePoint lists"]
    assert not lists.ok
    wanted = [d["displayName"] for d in load_lists() if d["displayName"] != "Case Files"]
    for name in wanted:
        assert name in lists.detail
    assert f"{len(wanted)} of {len(wanted)} lists missing" in lists.detail
    assert lists.fix.startswith("run casework provision --site https://")
    assert not checks["Case Files library"].ok
    assert "casework provision" in checks["Case Files library"].fix


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    """A list provisioned without one of its columns is reported with that column, and
    casework provision is the fix."""
    lists = copy.deepcopy(load_lists())
    meetings = next(d for d in lists if d["displayName"] == "Meetings")
    meetings["columns"] = [c for c in meetings["columns"] if c["name"] != "GenerationStatus"]

    async def go() -> list[Check]:
        with DevTenant(tmp_path / "tenant") as tenant:
            await provision(client(tenant, tenant.app_token, DEV_APP_ID), lists)
            return await diagnose(settings_for(tenant, tmp_path), env={})

    found = by_name(asyncio.run(go()))["SharePoint lists"]
    assert not found.ok and "1 column missing: Meetings/GenerationStatus" in found.detail
    assert "casework provision" in found.fix


def test_a_wrong_site_says_to_check_sharepoint_site(provisioned: DevTenant,
                                                    tmp_path: Path) -> None:
    """A site address with nothing there fails the site check with "check SHAREPOINT_SITE"
    and asks nothing further of Graph."""
    checks = run(settings_for(provisioned, tmp_path, "/sites/not-attendance"))
    site = by_name(checks)["SharePoint site"]
    assert not site.ok and "no site at" in site.detail
    assert site.fix.startswith("check SHAREPOINT_SITE")
    assert "SharePoint lists" not in by_name(checks)


def test_access_refused_shows_the_grant_call(provisioned: DevTenant, tmp_path: Path) -> None:
    """When Graph refuses the app, the fix is the Sites.Selected grant: the lookup of the
    site's id and the POST to its permissions with roles write and the app's id."""

    def stranger(settings: Settings) -> GraphClient:
        return bootstrap.graph_client(settings, token="not-a-token-the-tenant-knows")

    settings = settings_for(provisioned, tmp_path)
    site = by_name(run(settings, stranger))["SharePoint site"]
    assert not site.ok and "refused this app (401" in site.detail
    host = provisioned.hostname
    assert f"GET {provisioned.base_url}/sites/{host}:/sites/attendance?$select=id" in site.fix
    assert f"POST {provisioned.base_url}/sites/{{that id}}/permissions with" in site.fix
    assert '"roles": ["write"]' in site.fix
    assert '"grantedToIdentities": [{"application": {"id": "' in site.fix
    assert "Sites.Selected" in site.fix


def test_the_mailbox_is_named_and_no_email_is_sent(provisioned: DevTenant,
                                                   tmp_path: Path) -> None:
    """With CASEWORK_MAILBOX set, the doctor names the mailbox and says it cannot check
    from here whether Exchange lets the app send as it: it sends no test email."""
    before = sum(n for k, n in provisioned.requests.items() if "sendMail" in k)
    settings = replace(settings_for(provisioned, tmp_path),
                       mailbox="office@brookfield.example.org")
    letters = by_name(run(settings))["Letters by email"]
    assert letters.ok
    assert "emailed from office@brookfield.example.org (from CASEWORK_MAILBOX)" in \
        letters.detail
    assert "Not checked from here" in letters.detail
    assert provisioned.sent_mail() == []
    assert sum(n for k, n in provisioned.requests.items() if "sendMail" in k) == before


def test_the_las_site_is_checked_and_a_missing_column_names_the_fix(tmp_path: Path) -> None:
    """An LA site made by an earlier version lacks a column this one writes (the register's
    Evidence): doctor names it and `casework provision --la-site`; once provisioned, good."""
    from function_app.services.provisioning.list_schema import LA_SITE_SCHEMA_DIR

    old = copy.deepcopy(load_lists(LA_SITE_SCHEMA_DIR))
    register = next(d for d in old if d["displayName"] == "Penalty Notice Register")
    register["columns"] = [c for c in register["columns"] if c["name"] != "Evidence"]

    async def go() -> tuple[Check, Check]:
        with DevTenant(tmp_path / "tenant") as tenant:
            await Site.ready(tenant)
            tenant.add_site("/sites/attendance-service")
            la = bootstrap.graph_client(settings_for(tenant, tmp_path), site_url=(
                f"https://{tenant.hostname}/sites/attendance-service"))
            await provision(la, old)
            settings = replace(settings_for(tenant, tmp_path), la_site_url=(
                f"https://{tenant.hostname}/sites/attendance-service"))
            before = by_name(await diagnose(settings, env={}))["LA site lists"]
            await provision(la, load_lists(LA_SITE_SCHEMA_DIR))
            after = by_name(await diagnose(settings, env={}))["LA site lists"]
            return before, after

    before, after = asyncio.run(go())
    assert not before.ok
    assert before.detail == "1 column missing: Penalty Notice Register/Evidence"
    assert before.fix == "run casework provision --la-site"
    assert after.ok and "with their columns" in after.detail

"""casework doctor without a tenant: it checks the settings and the credential before it
asks Microsoft Graph anything, says what to set, and never shows a secret."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from function_app.adapters.graph.client import GraphClient
from function_app.documents import checker
from function_app.services.doctor.check import Check
from function_app.services.doctor.diagnosis import diagnose, format_checks
from function_app.settings import Settings

pytestmark = pytest.mark.unit

SITE = "https://contoso.sharepoint.com/sites/attendance"
STATE = "k" * 40
WEBHOOK = ("https://prod-01.uksouth.logic.azure.com:443/workflows/abc/triggers/manual/paths/"
           "invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=SIGla123456")
SCHOOL_WEBHOOK = WEBHOOK.replace("SIGla123456", "SIGschool789")


@pytest.fixture(autouse=True)
def templates_pass(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The templates check is the integration tests' business: here it passes at once."""
    monkeypatch.setattr(checker, "check_templates", lambda folder=None: [])
    yield


def never_called(settings: Settings) -> GraphClient:
    raise AssertionError("Microsoft Graph was asked although the settings are not right")


def no_connection(settings: Settings) -> GraphClient:
    raise ValueError("no connection in this test")


def run(settings: Settings, env: Mapping[str, str] | None = None,
        factory: Callable[[Settings], GraphClient] = never_called) -> list[Check]:
    return asyncio.run(diagnose(settings, graph_factory=factory, env=env or {}))


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {check.name: check for check in checks}


def outside_azure(tmp_path: Path, **changes: str) -> Settings:
    values: dict[str, object] = {"site_url": SITE, "state_path": tmp_path / "state.sqlite"}
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


def test_with_no_credential_it_says_what_to_set(tmp_path: Path) -> None:
    """Outside Azure with no certificate, the credential check fails naming the three
    settings to set, and Graph is not asked."""
    checks = by_name(run(outside_azure(tmp_path)))
    credential = checks["Credential"]
    assert not credential.ok
    for name in ("GRAPH_CERTIFICATE_PATH", "AZURE_CLIENT_ID", "AZURE_TENANT_ID"):
        assert name in credential.fix
    assert not checks["SharePoint site"].ok
    assert "not asked" in checks["SharePoint site"].detail


def test_a_managed_identity_needs_its_client_id(tmp_path: Path) -> None:
    """In Azure (IDENTITY_ENDPOINT set) without AZURE_CLIENT_ID, it says to set it to the
    user-assigned identity's client id."""
    env = {"IDENTITY_ENDPOINT": "http://localhost:42356/msi/token"}
    credential = by_name(run(outside_azure(tmp_path), env))["Credential"]
    assert not credential.ok and "AZURE_CLIENT_ID" in credential.fix


def test_a_certificate_must_be_readable_and_hold_its_key(tmp_path: Path) -> None:
    """A missing certificate file and a PEM without a private key are each named."""
    ids = {"client_id": "11111111-2222-3333-4444-555555555555", "tenant_id": "contoso.com"}
    missing = by_name(run(outside_azure(tmp_path, certificate_path=str(tmp_path / "no.pem"),
                                        **ids)))["Credential"]
    assert not missing.ok and "cannot be read" in missing.detail
    public = tmp_path / "public.pem"
    public.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    keyless = by_name(run(outside_azure(tmp_path, certificate_path=str(public),
                                        **ids)))["Credential"]
    assert not keyless.ok and "no private key" in keyless.detail


def test_a_certificate_without_the_app_ids_says_so(tmp_path: Path) -> None:
    """A certificate alone is not enough: AZURE_CLIENT_ID and AZURE_TENANT_ID are named."""
    pem = tmp_path / "app.pem"
    pem.write_text("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n")
    credential = by_name(run(outside_azure(tmp_path, certificate_path=str(pem))))["Credential"]
    assert not credential.ok
    assert "AZURE_CLIENT_ID is not set" in credential.detail
    assert "AZURE_TENANT_ID is not set" in credential.detail


@pytest.mark.parametrize("site, problem", [
    ("", "not set"),
    ("http://contoso.sharepoint.com/sites/attendance", "https://"),
    ("https://contoso.sharepoint.com", "names no site"),
    ("https://contoso.sharepoint.com/sites/attendance?web=1", "without ?"),
])
def test_a_malformed_site_says_how_it_should_look(tmp_path: Path, site: str,
                                                  problem: str) -> None:
    """SHAREPOINT_SITE must be the site's https address; the fix shows an example."""
    check = by_name(run(outside_azure(tmp_path, site_url=site)))["SHAREPOINT_SITE"]
    assert not check.ok and problem in check.detail
    assert "https://contoso.sharepoint.com/sites/attendance" in check.fix


def test_graph_must_be_https_unless_on_this_machine(tmp_path: Path) -> None:
    """Plain http to Graph is refused, except to the dev tenant on loopback."""
    remote = by_name(run(outside_azure(tmp_path, graph_base_url="http://graph.example.org/v1.0")))
    assert not remote["GRAPH_BASE_URL"].ok
    local = by_name(run(outside_azure(tmp_path, graph_base_url="http://127.0.0.1:1/v1.0"),
                        factory=no_connection))
    assert local["GRAPH_BASE_URL"].ok and local["Credential"].ok


def test_notifications_need_https_and_a_long_client_state(tmp_path: Path) -> None:
    """With a notification URL set, it must be https and the client state 32+ characters;
    without one, nothing about notifications fails."""
    short = by_name(run(outside_azure(
        tmp_path, notification_url="http://casework.example.org/api/notifications",
        client_state="too-short")))
    assert not short["CASEWORK_NOTIFICATION_URL"].ok
    assert "https" in short["CASEWORK_NOTIFICATION_URL"].detail
    assert not short["CASEWORK_CLIENT_STATE"].ok
    assert "at least 32" in short["CASEWORK_CLIENT_STATE"].detail
    none = by_name(run(outside_azure(tmp_path)))
    assert none["CASEWORK_NOTIFICATION_URL"].ok
    assert "CASEWORK_CLIENT_STATE" not in none


def test_a_retired_connector_is_refused(tmp_path: Path) -> None:
    """An Office 365 connector address for Teams fails, with the Workflows template to use."""
    env = {"CASEWORK_TEAMS_LA_WEBHOOK": "https://contoso.webhook.office.com/webhookb2/x/y"}
    teams = by_name(run(outside_azure(tmp_path), env))["Teams alerts"]
    assert not teams.ok and "retired" in teams.detail
    assert "When a Teams webhook request is received" in teams.fix


def test_a_secret_never_appears_in_the_output(tmp_path: Path) -> None:
    """The dev token, client state, Teams webhook signatures, a function key in the
    notification URL and a storage key are never printed, whether checks pass or fail."""
    settings = outside_azure(
        tmp_path, dev_token="dev-token-SECRET-1", client_state=STATE,
        notification_url="https://casework.example.org/api/notifications?code=FUNCKEY123",
        state_connection="AccountKey=STORAGEKEY456==")
    env = {"CASEWORK_TEAMS_LA_WEBHOOK": WEBHOOK,
           "CASEWORK_TEAMS_SCHOOL_WEBHOOKS": f'{{"Severn Vale Academy": "{SCHOOL_WEBHOOK}"}}'}
    checks = run(settings, env)
    text = format_checks(checks) + repr(checks)
    for secret in ("dev-token-SECRET-1", STATE, "SIGla123456", "SIGschool789", "FUNCKEY123",
                   "STORAGEKEY456"):
        assert secret not in text
    found = by_name(checks)
    assert found["CASEWORK_CLIENT_STATE"].ok and "40 characters, not shown" in \
        found["CASEWORK_CLIENT_STATE"].detail
    assert found["Teams alerts"].ok and "logic.azure.com" in found["Teams alerts"].detail
    assert not found["Credential"].ok and "GRAPH_DEV_TOKEN" in found["Credential"].fix
    assert not found["State store"].ok


def test_the_report_puts_a_fix_under_each_failure() -> None:
    """format_checks prints ok/FAIL lines, the fix under a failure, and a count."""
    text = format_checks([Check("One", True, "fine"), Check("Two", False, "broken", "mend it")])
    assert text.splitlines() == ["ok    One: fine", "FAIL  Two: broken", "      to fix: mend it",
                                 "", "1 problem to fix, each with what to do."]
    assert format_checks([Check("One", True, "fine")]).endswith("All good: nothing to fix.")

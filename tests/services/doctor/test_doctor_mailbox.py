"""casework doctor on letters by email (issue 18): which mailbox each school's letters to
parents are emailed from (the school's Mailbox in the Schools list, else CASEWORK_MAILBOX,
else none: by post), whether it looks like an address, and a plain word that whether
Exchange lets the app send as it cannot be checked from here, with the command that can."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from function_app.adapters.graph.client import GraphClient
from function_app.domain.errors import CaseworkError
from function_app.services.doctor.check import Check
from function_app.services.doctor.diagnosis import diagnose, format_checks
from function_app.services.doctor.mail_checks import RegistryReader, looks_like_address
from function_app.services.schools.registry import Registry, School
from function_app.settings import Settings

pytestmark = pytest.mark.unit

SITE = "https://contoso.sharepoint.com/sites/hillside"
LA_SITE = "https://contoso.sharepoint.com/sites/attendance-service"
APP = "11111111-2222-3333-4444-555555555555"
NAME = "Letters by email"


def no_connection(settings: Settings) -> GraphClient:
    raise ValueError("no connection in this test")


def settings(tmp_path: Path, **changes: object) -> Settings:
    """Settings whose essentials pass (the dev tenant's address on loopback), so that the
    doctor goes as far as the Schools list; Graph itself is not reached."""
    values: dict[str, object] = {"site_url": SITE, "state_path": tmp_path / "state.sqlite",
                                 "graph_base_url": "http://127.0.0.1:1/v1.0",
                                 "client_id": APP}
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


def schools(*entries: School) -> RegistryReader:
    async def read(settings: Settings) -> Registry:
        return Registry(entries)
    return read


def letters_check(s: Settings, read: RegistryReader | None = None) -> tuple[Check, str]:
    async def never(settings: Settings) -> Registry:
        raise AssertionError("the Schools list was read for a single school")

    checks = asyncio.run(diagnose(s, graph_factory=no_connection, env={},
                                  read_registry=read or never))
    found = [c for c in checks if c.name == NAME]
    assert len(found) == 1, checks
    return found[0], format_checks(checks)


def test_without_a_mailbox_letters_go_by_post(tmp_path: Path) -> None:
    """One school and no CASEWORK_MAILBOX: all is well, and the admin reads that letters go
    by post in the print pack, and what to set to email them."""
    check, text = letters_check(settings(tmp_path))
    assert check.ok
    assert "no mailbox is set, so this school's letters to parents go by post" in check.detail
    assert "print pack" in check.detail and "set CASEWORK_MAILBOX" in check.detail
    assert f"ok    {NAME}: no mailbox is set" in text


def test_casework_mailbox_is_named_and_the_exchange_grant_is_not_claimed(
        tmp_path: Path) -> None:
    """CASEWORK_MAILBOX set: the admin sees the mailbox, that sending as it is not checked
    from here, and the exact Test-ServicePrincipalAuthorization to run, with the guide."""
    check, text = letters_check(settings(tmp_path, mailbox="attendance@hillside.sch.uk"))
    assert check.ok
    assert check.detail.startswith("this school's letters to parents are emailed from "
                                   "attendance@hillside.sch.uk (from CASEWORK_MAILBOX)")
    assert "Not checked from here: whether Exchange Online lets this app send as " \
        "attendance@hillside.sch.uk" in check.detail
    assert (f"Test-ServicePrincipalAuthorization -Identity {APP} -Resource "
            "attendance@hillside.sch.uk") in check.detail
    assert "Application Mail.Send" in check.detail
    assert "docs/deployment.md" in check.detail
    assert "goes by post instead" in check.detail
    assert "attendance@hillside.sch.uk" in text


@pytest.mark.parametrize("mailbox", [
    "Hillside Office <office@hillside.sch.uk>",
    "office@hillside",
    "office at hillside.sch.uk",
    "office@hillside.sch.uk, head@hillside.sch.uk",
])
def test_a_mailbox_that_is_not_an_address_fails(tmp_path: Path, mailbox: str) -> None:
    """A name with the address, a domain without a dot, words, or a list: FAIL, saying
    letters would go by post, with the setting to correct and an example."""
    check, text = letters_check(settings(tmp_path, mailbox=mailbox))
    assert not check.ok
    assert "is not an email address" in check.detail and "by post instead" in check.detail
    assert check.fix.startswith("put the shared mailbox's address alone in CASEWORK_MAILBOX")
    assert "      to fix: put the shared mailbox's address alone" in text


def test_a_schools_own_mailbox_comes_before_casework_mailbox(tmp_path: Path) -> None:
    """Many schools: the school's Mailbox column wins over CASEWORK_MAILBOX, and the check
    says where it came from."""
    check, _ = letters_check(
        settings(tmp_path, la_site_url=LA_SITE, mailbox="letters@council.gov.uk"),
        schools(School("Hillside Primary School", SITE, mailbox="office@hillside.sch.uk"),
                School("Oak Academy", "https://contoso.sharepoint.com/sites/oak",
                       mailbox="office@oak.sch.uk")))
    assert check.ok
    assert check.detail.startswith(
        "Hillside Primary School's letters to parents are emailed from "
        "office@hillside.sch.uk (from the Mailbox column of Hillside Primary School's item "
        "in the Schools list)")
    assert "letters@council.gov.uk" not in check.detail
    assert "office@oak.sch.uk" not in check.detail


def test_a_school_without_its_own_mailbox_uses_casework_mailbox(tmp_path: Path) -> None:
    check, _ = letters_check(
        settings(tmp_path, la_site_url=LA_SITE, mailbox="letters@council.gov.uk"),
        schools(School("Hillside Primary School", SITE)))
    assert check.ok
    assert "emailed from letters@council.gov.uk (from CASEWORK_MAILBOX, as Hillside Primary " \
        "School's item in the Schools list names no mailbox of its own)" in check.detail


def test_a_school_with_no_mailbox_anywhere_posts_and_is_told_where_to_set_one(
        tmp_path: Path) -> None:
    check, _ = letters_check(settings(tmp_path, la_site_url=LA_SITE),
                             schools(School("Hillside Primary School", f"{SITE}/")))
    assert check.ok
    assert "Hillside Primary School's letters to parents go by post" in check.detail
    assert "set the Mailbox column of Hillside Primary School's item in the Schools list, " \
        "or CASEWORK_MAILBOX for every school" in check.detail


def test_a_bad_mailbox_column_names_the_schools_item(tmp_path: Path) -> None:
    check, _ = letters_check(settings(tmp_path, la_site_url=LA_SITE),
                             schools(School("Hillside Primary School", SITE,
                                            mailbox="Office")))
    assert not check.ok
    assert check.fix.startswith("put the shared mailbox's address alone in the Mailbox "
                                "column of Hillside Primary School's item in the Schools list")


def test_a_schools_list_that_cannot_be_read_says_so(tmp_path: Path) -> None:
    async def refused(settings: Settings) -> Registry:
        raise CaseworkError("The LA site has no Schools list.")

    check, _ = letters_check(settings(tmp_path, la_site_url=LA_SITE), refused)
    assert not check.ok
    assert "the LA site's Schools list could not be read (The LA site has no Schools " \
        "list.)" in check.detail
    assert "SHAREPOINT_LA_SITE" in check.fix


def test_the_schools_list_is_not_read_before_the_settings_are_right(tmp_path: Path) -> None:
    """Many schools with no credential: the letters check waits, as the site check does."""
    s = Settings(site_url=SITE, la_site_url=LA_SITE,
                 state_path=tmp_path / "state.sqlite")
    check, _ = letters_check(s)
    assert not check.ok and "not asked" in check.detail


@pytest.mark.parametrize("text, ok", [
    ("office@hillside.sch.uk", True), ("a.b-c+d@x.example.org", True),
    ("", False), ("office", False), ("@hillside.sch.uk", False), ("office@", False),
    ("office@.uk", False), ("office@hillside..uk", False), ("mailto:office@x.org", False),
])
def test_what_looks_like_an_address(text: str, ok: bool) -> None:
    assert looks_like_address(text) is ok

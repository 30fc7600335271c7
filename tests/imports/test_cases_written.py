"""`casework import attendance FILE --site URL` against the local dev tenant: cases opened
where the rules call for one, figures updated on the cases that exist (and nothing else on
them), all or nothing, --skip-invalid, and a second import that changes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from function_app.bootstrap import DEV_APP_ID
from function_app.cli import main
from function_app.devtenant import DevTenant
from function_app.domain import load_profile
from function_app.domain.attendance import (
    absence_flags,
    attendance_percent,
    display_percent,
    tier_for,
)
from tests.imports import builder
from tests.integration.helpers import Site, client

pytestmark = pytest.mark.integration

NOAH = "K801200000044"  # Tier 2 in the fixture: has a case already, typed by staff
STAFF_FIELDS = {
    "Title": "ATT-2026-0007", "Stage": "Letter of concern", "CaseStatus": "Open",
    "SchoolName": builder.SCHOOL, "SignatoryName": "Ruth Ellison",
    "SignatoryRole": "Attendance Lead", "PupilForename": "Noah", "PupilSurname": "Williams",
    "PupilPreferredName": "Noe", "PupilDateOfBirth": "2011-12-16T00:00:00Z",
    "YearGroup": 9.0, "Upn": NOAH, "PossibleSessions": 40.0, "PresentSessions": 39.0,
    "AuthorisedAbsences": 1.0, "UnauthorisedAbsences": 0.0,
    "FiguresFrom": "2026-09-07T00:00:00Z", "FiguresTo": "2026-10-02T00:00:00Z",
}
FIGURES = ("PossibleSessions", "PresentSessions", "AuthorisedAbsences", "UnauthorisedAbsences",
           "FiguresFrom", "FiguresTo")
SUMMARY = ("Tier", "AttendancePercent", "SevereAbsence")  # the app's, from the figures


@dataclass
class Tenant:
    dev: DevTenant
    url: str

    def cases(self) -> dict[str, dict[str, Any]]:
        """Every Cases item's fields by case reference, as the list now holds them."""
        async def read() -> dict[str, dict[str, Any]]:
            app = client(self.dev, self.dev.app_token, DEV_APP_ID)
            cases = (await app.lists())["Cases"].id
            return {str(i.fields["Title"]): dict(i.fields) for i in await app.all_items(cases)}
        return asyncio.run(read())


async def _ready(dev: DevTenant) -> None:
    site = await Site.ready(dev)
    await site.staff.create_item(site.lists["Cases"].id, dict(STAFF_FIELDS))


@pytest.fixture
def tenant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Tenant]:
    with DevTenant(tmp_path / "tenant") as dev:
        asyncio.run(_ready(dev))
        monkeypatch.setenv("GRAPH_BASE_URL", dev.base_url)
        monkeypatch.setenv("GRAPH_DEV_TOKEN", dev.app_token)
        yield Tenant(dev, f"https://{dev.hostname}{dev.site_path}")


def run_import(tenant: Tenant, path: Path, *more: str) -> int:
    return main(["import", "attendance", str(path), "--site", tenant.url, "--school",
                 builder.SCHOOL, "--phase", "secondary", "--today", builder.TODAY, *more])


def test_import_opens_cases_and_updates_only_the_figures(
        tenant: Tenant, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The pupils who need a case and have none get one at Monitoring; the case staff
    typed gets this term's figures and keeps every other column as typed."""
    path = builder.detailed_grid_file(tmp_path)
    assert run_import(tenant, path) == 0
    out = capsys.readouterr().out
    cases = tenant.cases()
    by_upn = {f.get("Upn"): f for f in cases.values()}
    needing = {p.upn for p in builder.PUPILS if p.figures().present_sessions * 100
               < 93 * p.figures().possible_sessions}
    assert set(by_upn) == needing  # one case each, Noah's not duplicated
    noah = by_upn[NOAH]
    for column, typed in STAFF_FIELDS.items():
        if column not in FIGURES + SUMMARY:
            assert noah[column] == typed, column
    expected = next(p for p in builder.PUPILS if p.upn == NOAH).figures()
    assert (noah["PossibleSessions"], noah["PresentSessions"]) == (
        expected.possible_sessions, expected.present_sessions)
    assert noah["FiguresTo"].startswith("2026-11-13")
    opened = [f for f in cases.values() if f["Title"] != STAFF_FIELDS["Title"]]
    assert all(f["Stage"] == "Monitoring" and f["CaseStatus"] == "Open"
               and f["SchoolPhase"] == "Secondary" for f in opened)
    assert f"opened {len(opened)}, updated the attendance columns of 1" in out
    assert "ATT-2026-0008" in out  # numbered on from the highest reference


def test_import_fills_in_each_case_s_tier_percentage_and_severe_absence(
        tenant: Tenant, tmp_path: Path) -> None:
    """Every case the import opens or updates gets the tier, the percentage as the letters
    print it and whether the pupil is severely absent, as the rules work them out from the
    imported figures, so the Cases views can filter and group by them at once."""
    assert run_import(tenant, builder.detailed_grid_file(tmp_path)) == 0
    profile = load_profile("national-2024")
    by_upn = {f.get("Upn"): f for f in tenant.cases().values()}
    for pupil in builder.PUPILS:
        if pupil.upn not in by_upn:
            continue
        percent = attendance_percent(pupil.figures())
        case = by_upn[pupil.upn]
        assert case["Tier"] == tier_for(percent, profile.tier_bands).tier, pupil.upn
        assert f"{case['AttendancePercent']:.1f}%" == display_percent(percent), pupil.upn
        severe = absence_flags(percent, profile).severely_absent
        assert case["SevereAbsence"] == ("Yes" if severe else "No"), pupil.upn
    assert by_upn[NOAH]["Tier"] in (2, 3)  # the staff-typed case, updated
    assert {f["SevereAbsence"] for f in by_upn.values()} == {"Yes", "No"}


def test_a_case_with_these_figures_but_no_tier_yet_gets_it(
        tenant: Tenant, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A case from before the tier columns, already holding this export's figures, has only
    its tier, percentage and severe absence written: the figures are not written again."""
    path = builder.detailed_grid_file(tmp_path)
    assert run_import(tenant, path) == 0
    noah = tenant.cases()[STAFF_FIELDS["Title"]]

    async def clear() -> None:
        app = client(tenant.dev, tenant.dev.app_token, DEV_APP_ID)
        cases = (await app.lists())["Cases"]
        item = next(i for i in await app.all_items(cases.id)
                    if i.fields["Title"] == STAFF_FIELDS["Title"])
        await app.update_fields(cases.id, item.id, {k: None for k in SUMMARY})

    asyncio.run(clear())
    capsys.readouterr()
    assert run_import(tenant, path) == 0
    assert "updated the attendance columns of 1" in capsys.readouterr().out
    after = tenant.cases()[STAFF_FIELDS["Title"]]
    assert {k: after[k] for k in SUMMARY} == {k: noah[k] for k in SUMMARY}
    assert {k: after[k] for k in FIGURES} == {k: noah[k] for k in FIGURES}


def test_a_second_import_of_the_same_export_changes_nothing(
        tenant: Tenant, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Importing the same export again opens no case and writes no figures."""
    path = builder.detailed_grid_file(tmp_path)
    assert run_import(tenant, path) == 0
    before = tenant.cases()
    capsys.readouterr()
    assert run_import(tenant, path) == 0
    out = capsys.readouterr().out
    assert "opened 0, updated the attendance columns of 0" in out
    assert tenant.cases() == before


def test_dry_run_says_what_it_would_do_and_writes_nothing(
        tenant: Tenant, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--dry-run with a site lists the cases it would open and update; the list is as it
    was."""
    before = tenant.cases()
    assert run_import(tenant, builder.detailed_grid_file(tmp_path), "--dry-run") == 0
    out = capsys.readouterr().out
    assert "would open 4, would update the attendance columns of 1" in out
    assert tenant.cases() == before


def test_a_rejected_row_means_nothing_is_written(
        tenant: Tenant, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One bad mark rejects the file: no case is opened or updated, and the message names
    the sheet, row and column."""
    rows = builder.detailed_rows()
    rows[7][20] = "?"  # Mohammed's register, one unknown code
    before = tenant.cases()
    assert run_import(tenant, builder.detailed_grid_file(tmp_path, rows=rows)) == 2
    err = capsys.readouterr().err
    assert "sheet 'Attendance', row 12, column U" in err and "nothing was imported" in err
    assert tenant.cases() == before


def test_skip_invalid_writes_the_rest_and_reports_the_row(
        tenant: Tenant, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With --skip-invalid the other pupils are written and the left-out row is reported."""
    rows = builder.detailed_rows()
    rows[7][20] = "?"
    assert run_import(tenant, builder.detailed_grid_file(tmp_path, rows=rows),
                      "--skip-invalid") == 0
    out = capsys.readouterr().out
    assert "Left out (--skip-invalid), 1 problem:" in out and "row 12, column U" in out
    upns = {f.get("Upn") for f in tenant.cases().values()}
    assert "K801200000088" not in upns and "K801200000077" in upns


def test_a_pupil_without_a_date_of_birth_is_reported_not_opened(
        tenant: Tenant, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The list needs a date of birth for a new case: the pupil is named as not opened,
    with the reason, and the others are opened."""
    rows = builder.detailed_rows()
    rows[6][3] = ""  # Poppy: no date of birth
    assert run_import(tenant, builder.detailed_grid_file(tmp_path, rows=rows)) == 0
    out = capsys.readouterr().out
    assert "cannot open a case for K801200000077" in out and "date of birth" in out
    assert "K801200000077" not in {f.get("Upn") for f in tenant.cases().values()}


def test_the_second_import_reports_the_trend(
        tenant: Tenant, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A later export of the same school shows each pupil's change since the previous."""
    early = builder.detailed_grid_file(tmp_path, "early.xlsx")
    assert main(["import", "attendance", str(early), "--site", tenant.url, "--school",
                 builder.SCHOOL, "--today", "2026-10-02"]) == 0
    capsys.readouterr()
    assert run_import(tenant, builder.detailed_grid_file(tmp_path), "--format", "json") == 0
    import json

    report = json.loads(capsys.readouterr().out)
    assert report["compared_with_previous"] == len(builder.PUPILS)
    # Mohammed's absences start in week 3: lower now than at the start of October
    assert report["trend"]["K801200000088"] < 0

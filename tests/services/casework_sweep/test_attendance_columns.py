"""The Cases columns the change processor fills in from the attendance figures, against the
dev tenant: Tier, Attendance (%) and Severe absence agree with the rules, are written only
when they change (in the same write as the case's status where there is one), and a second
sweep writes nothing."""

from __future__ import annotations

import asyncio
import copy
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from function_app.adapters.graph.records import ListItem
from function_app.adapters.sharepoint_rest import SharePointRest
from function_app.adapters.sharepoint_rest.auth import dev_token
from function_app.bootstrap import DEV_APP_ID
from function_app.devtenant import DevTenant
from function_app.domain import load_profile
from function_app.domain.attendance import (
    absence_flags,
    attendance_percent,
    display_percent,
    figures_from_marks,
    tier_for,
)
from function_app.domain.model import AttendanceFigures, Session, SessionMark
from function_app.services.case_lists.list_columns import ATTENDANCE_SUMMARY_COLUMNS
from function_app.services.provisioning.list_formatting import load_formatting
from function_app.services.provisioning.list_schema import load_lists
from function_app.services.provisioning.provision import provision
from tests.integration.helpers import Site, client, example

pytestmark = pytest.mark.integration
PROFILE = load_profile("national-2024")


def expected(figures: AttendanceFigures) -> dict[str, Any]:
    """What a member of staff should read in the three columns, by the rules."""
    percent: Fraction = attendance_percent(figures)
    return {"Tier": tier_for(percent, PROFILE.tier_bands).tier,
            "AttendancePercent": display_percent(percent),
            "SevereAbsence": "Yes" if absence_flags(percent, PROFILE).severely_absent else "No"}


def shown(fields: dict[str, Any]) -> dict[str, Any]:
    """The three columns as a view shows them (the percentage to one decimal)."""
    return {"Tier": fields.get("Tier"),
            "AttendancePercent": f"{fields['AttendancePercent']:.1f}%"
            if fields.get("AttendancePercent") is not None else None,
            "SevereAbsence": fields.get("SevereAbsence")}


def figures(data: dict[str, Any]) -> AttendanceFigures:
    a = data["attendance"]
    if "marks" in a:
        return figures_from_marks(_mark(m) for m in a["marks"])
    return AttendanceFigures(a["possible_sessions"], a["present_sessions"],
                             a["authorised_absences"], a["unauthorised_absences"])


def _mark(raw: dict[str, str]) -> SessionMark:
    return SessionMark(date.fromisoformat(raw["date"]), Session(raw["session"]),
                       raw["code"])


async def case_item(site: Site, real: dict[tuple[str, str], str]) -> ListItem:
    case_id = next(v for (name, _), v in real.items() if name == "Cases")
    return await site.app.get_item(site.lists["Cases"].id, case_id)


def test_a_sweep_fills_in_tier_percentage_and_severe_absence(tmp_path: Path) -> None:
    """After one sweep each case holds the tier, the percentage as the letters print it and
    whether the pupil is severely absent (exactly 50% is: DfE, missing half or more), also
    for a case recorded only as register marks, which has no session figures to read."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            cases = {}
            for name in ("severely-absent-exactly-50-percent-no-plan.json",
                         "aim-review-no-engagement.json",
                         "penalty-threshold-reached-across-half-term.json"):
                data = example(name)
                cases[name] = (data, await site.type_case(data))
            for _, real in cases.values():
                assert shown((await case_item(site, real)).fields)["Tier"] is None
            await site.processor(tmp_path / "state.sqlite").sweep()
            for name, (data, real) in cases.items():
                item = await case_item(site, real)
                assert shown(item.fields) == expected(figures(data)), name
            severe = (await case_item(site, cases[
                "severely-absent-exactly-50-percent-no-plan.json"][1])).fields
            assert shown(severe) == {"Tier": 4, "AttendancePercent": "50.0%",
                                     "SevereAbsence": "Yes"}
            marks_only = (await case_item(site, cases[
                "penalty-threshold-reached-across-half-term.json"][1])).fields
            assert marks_only.get("PossibleSessions") is None and marks_only["Tier"] in (1, 2)

    asyncio.run(run())


def test_a_second_sweep_writes_nothing(tmp_path: Path) -> None:
    """The processor's own writes of the three columns do not come back as changes: the
    next sweep sends no write at all and the case item keeps its version."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            real = await site.type_case(example("aim-review-no-engagement.json"))
            processor = site.processor(tmp_path / "state.sqlite")
            await processor.sweep()
            before = await case_item(site, real)
            assert before.fields["Tier"] == 3
            tenant.reset_counts()
            again = await processor.sweep()
            assert again.changes == 0 and again.nothing_new
            writes = {k: n for k, n in tenant.requests.items()
                      if k.split(" ")[0] in ("PATCH", "POST", "PUT", "DELETE")}
            assert not any("/items/" in k for k in writes), writes
            assert (await case_item(site, real)).version == before.version

    asyncio.run(run())


def test_new_figures_move_the_case_to_its_tier_in_the_case_s_one_write(tmp_path: Path) -> None:
    """Staff type new figures: the sweep writes the new tier, percentage and severe absence
    together with the case's status, one write, so the item is one version on."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            real = await site.type_case(example("aim-review-no-engagement.json"))
            processor = site.processor(tmp_path / "state.sqlite")
            await processor.sweep()
            item = await case_item(site, real)
            await site.staff.update_fields(site.lists["Cases"].id, item.id, {
                "PresentSessions": 40, "AuthorisedAbsences": 20, "UnauthorisedAbsences": 40})
            typed = await case_item(site, real)
            await processor.sweep()
            after = await case_item(site, real)
            assert shown(after.fields) == {"Tier": 4, "AttendancePercent": "40.0%",
                                           "SevereAbsence": "Yes"}
            assert after.fields["GenerationStatus"] in ("Generated", "Needs attention")
            assert int(after.version) == int(typed.version) + 1

    asyncio.run(run())


def test_a_meeting_change_leaves_an_unchanged_tier_unwritten(tmp_path: Path) -> None:
    """A change that reaches the case through one of its meetings, with the figures as
    they were, writes nothing to the case item."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            real = await site.type_case(example("aim-review-no-engagement.json"))
            processor = site.processor(tmp_path / "state.sqlite")
            await processor.sweep()
            before = await case_item(site, real)
            meeting = next(v for (name, _), v in real.items() if name == "Meetings")
            await site.staff.create_item(site.lists["Agreed Actions"].id, {
                "MeetingLookupId": meeting, "ActionParty": "School",
                "Title": "Ask the school nurse to meet the pupil"})
            report = await processor.sweep()
            assert report.cases == 1
            assert (await case_item(site, real)).version == before.version

    asyncio.run(run())


def test_a_tier_typed_by_staff_is_put_right_at_the_next_sweep(tmp_path: Path) -> None:
    """The columns are the app's: a tier or percentage someone types over is written back
    as the rules have it at the next sweep."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            data = example("severely-absent-exactly-50-percent-no-plan.json")
            real = await site.type_case(data)
            processor = site.processor(tmp_path / "state.sqlite")
            await processor.sweep()
            item = await case_item(site, real)
            await site.staff.update_fields(site.lists["Cases"].id, item.id, {
                "Tier": 1, "AttendancePercent": 99.9, "SevereAbsence": "No"})
            await processor.sweep()
            fields = (await case_item(site, real)).fields
            assert shown(fields) == expected(figures(data))
            assert set(ATTENDANCE_SUMMARY_COLUMNS) <= set(fields)

    asyncio.run(run())


def _old_schema() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The lists and formatting as they were before the three columns: no Tier,
    AttendancePercent or SevereAbsence, the pill on Present sessions, "Severe absence"
    listing every open case and "By school and tier" grouped by Stage."""
    lists = copy.deepcopy(load_lists())
    cases = next(lst for lst in lists if lst["displayName"] == "Cases")
    cases["columns"] = [c for c in cases["columns"]
                        if c["name"] not in ATTENDANCE_SUMMARY_COLUMNS]
    formatting = copy.deepcopy(load_formatting(load_lists()))
    entry = formatting["Cases"]
    entry["columns"] = {"PresentSessions": entry["columns"]["Tier"]}
    views = {v["name"]: v for v in entry["views"]}
    views["Severe absence"]["where"] = OPEN
    views["By school and tier"]["groupBy"][1]["field"] = "Stage"
    for view in entry["views"]:
        view["viewFields"] = [f for f in view["viewFields"] if f != "Tier"]
        view["orderBy"] = [o for o in view["orderBy"] if o["field"] != "AttendancePercent"]
    return lists, formatting


OPEN = ('<Where><Eq><FieldRef Name="CaseStatus"/><Value Type="Choice">Open</Value></Eq>'
        "</Where>")


async def _provision(tenant: DevTenant, lists: list[dict[str, Any]],
                     formatting: dict[str, Any], replace: bool = False) -> list[str]:
    web = f"http://127.0.0.1:{tenant.port}{tenant.site_path}"
    rest = SharePointRest(web, dev_token(web, tenant.app_token))
    try:
        report = await provision(client(tenant, tenant.app_token, DEV_APP_ID), lists, rest,
                                 formatting, replace_differing=replace)
    finally:
        await rest.aclose()
    return report.lines()


def test_a_site_from_before_the_columns_gets_them_and_its_cases_are_filled_in(
        tmp_path: Path) -> None:
    """A site provisioned before the columns existed keeps working with the new processor
    (nothing is written to columns it lacks); provisioning adds the three columns and the
    tier pill, says the two views differ (replaced with --replace-differing), and the next
    sweep fills in the cases nobody has touched since, once."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            old_lists, old_formatting = _old_schema()
            await _provision(tenant, old_lists, old_formatting)
            site = Site(tenant, client(tenant, tenant.app_token, DEV_APP_ID),
                        client(tenant, tenant.user_token("Priya Shah")))
            site.lists = await site.app.lists()
            data = example("severely-absent-exactly-50-percent-no-plan.json")
            real = await site.type_case(data)
            processor = site.processor(tmp_path / "state.sqlite")
            first = await processor.sweep()
            assert not first.failed
            assert (await case_item(site, real)).fields["GenerationStatus"] == "Generated"

            lines = await _provision(tenant, load_lists(), load_formatting(load_lists()))
            for name in ATTENDANCE_SUMMARY_COLUMNS:
                assert f"Added column Cases.{name}." in lines
            assert 'Set the formatting of column "Tier" on Cases.' in lines
            differs = "\n".join(line for line in lines if line.startswith("Differs"))
            assert '"Severe absence"' in differs and '"By school and tier"' in differs
            replaced = await _provision(tenant, load_lists(), load_formatting(load_lists()),
                                        replace=True)
            assert any(line.startswith('Replaced view "Severe absence"') for line in replaced)

            site.lists = await site.app.lists()
            untouched = await processor.sweep()
            assert untouched.changes == 0 and untouched.nothing_new
            filled = await case_item(site, real)
            assert shown(filled.fields) == expected(figures(data))
            await processor.sweep()
            assert (await case_item(site, real)).version == filled.version

    asyncio.run(run())

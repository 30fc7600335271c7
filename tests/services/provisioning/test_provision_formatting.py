"""`casework provision` against the dev tenant: lists and columns through Graph, then views,
column formatters, forms and validation through SharePoint REST; twice changes nothing, and
what someone removed is put back without touching the items."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from function_app.adapters.graph.client import GraphClient
from function_app.adapters.sharepoint_rest import SharePointRest
from function_app.adapters.sharepoint_rest.auth import dev_token
from function_app.bootstrap import DEV_APP_ID
from function_app.devtenant import DevTenant
from function_app.services.provisioning.list_formatting import load_formatting
from function_app.services.provisioning.list_schema import load_lists
from function_app.services.provisioning.provision import ProvisionReport, provision
from tests.integration.helpers import Site, client, example

pytestmark = pytest.mark.integration

LISTS = load_lists()
FORMATTING = load_formatting(LISTS)
WRITES = ("create view", "set view fields", "update view", "update field", "update list",
          "update content type", "delete view", "delete field")


def _rest(tenant: DevTenant) -> SharePointRest:
    web = f"http://127.0.0.1:{tenant.port}{tenant.site_path}"
    return SharePointRest(web, dev_token(web, tenant.app_token))


async def _provision(tenant: DevTenant, replace: bool = False
                     ) -> tuple[ProvisionReport, SharePointRest]:
    rest = _rest(tenant)
    try:
        report = await provision(client(tenant, tenant.app_token, DEV_APP_ID), LISTS, rest,
                                 FORMATTING, replace_differing=replace)
    finally:
        await rest.aclose()
    return report, rest


async def _items(app: GraphClient, site: Site) -> dict[tuple[str, str], tuple[str, Any]]:
    out = {}
    for name, info in (await app.lists()).items():
        if name == "Case Files":
            continue
        for item in await app.all_items(info.id):
            out[(name, item.id)] = (item.etag, item.fields)
    return out


def test_provisioning_twice_changes_nothing_the_second_time(tmp_path: Path) -> None:
    """The first run adds every view, formatter, form and validation rule the schema names;
    the second sends no write at all and says that nothing needed changing."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            first, rest = await _provision(tenant)
            wanted_views = sum(len(e["views"]) for e in FORMATTING.values())
            assert sum(line.startswith("Added view") for line in first.lines()) == wanted_views
            assert any(line.startswith("Set the form layout of Meetings")
                       for line in first.lines())
            assert any(line.startswith("Set the validation of Cases") for line in first.lines())
            second, rest = await _provision(tenant)
            assert second.changed_nothing
            assert second.lines() == ["Nothing to change: the site already has every list and "
                                      "column, and every view, formatter, form and validation "
                                      "rule."]
            assert not set(rest.requests) & set(WRITES), rest.requests

    asyncio.run(run())


def test_a_removed_view_and_column_are_added_back_and_items_are_untouched(
        tmp_path: Path) -> None:
    """Someone deletes the Severe absence view and the School phone column; provisioning adds
    exactly those two back, and every item keeps its version and its other values."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            await _provision(tenant)
            site = await Site.ready(tenant)
            await site.type_case(example("aim-review-no-engagement.json"))
            rest = _rest(tenant)
            views = {v["Title"]: v["Id"] for v in await rest.views("Cases")}
            await rest.delete_view("Cases", views["Severe absence"])
            await rest.delete_field("Cases", "SchoolPhone")
            await rest.aclose()
            before = await _items(site.app, site)
            report, _ = await _provision(tenant)
            assert report.lines() == ["Added column Cases.SchoolPhone.",
                                      'Added view "Severe absence" to Cases.']
            after = await _items(site.app, site)
            assert before.keys() == after.keys() and before
            for key, (etag, fields) in before.items():
                assert after[key][0] == etag, key
                assert {k: v for k, v in after[key][1].items() if k != "SchoolPhone"} == fields

    asyncio.run(run())


def test_a_view_changed_on_the_site_is_reported_not_overwritten(tmp_path: Path) -> None:
    """A view an admin changed is reported as differing and left as it is; asked to replace
    what differs, provisioning puts the schema's back."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            await _provision(tenant)
            rest = _rest(tenant)
            mine = next(v for v in await rest.views("Cases") if v["Title"] == "My open cases")
            await rest.update_view("Cases", mine["Id"], {"RowLimit": 5})
            report, _ = await _provision(tenant)
            assert report.changed_nothing
            [difference] = [line for line in report.lines() if line.startswith("Differs")]
            assert '"My open cases"' in difference and "5 items a page" in difference
            changed = next(v for v in await rest.views("Cases") if v["Title"] == "My open cases")
            assert changed["RowLimit"] == 5
            replaced, _ = await _provision(tenant, replace=True)
            assert any(line.startswith('Replaced view "My open cases" on Cases')
                       for line in replaced.lines())
            restored = next(v for v in await rest.views("Cases")
                            if v["Title"] == "My open cases")
            assert restored["RowLimit"] == 30
            await rest.aclose()

    asyncio.run(run())


def test_when_sharepoint_rest_refuses_the_lists_made_are_still_reported(tmp_path: Path) -> None:
    """Without the SharePoint permission, provisioning says which lists Graph made and
    that the views and formatting were not applied, and why; nothing is hidden."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            web = f"http://127.0.0.1:{tenant.port}{tenant.site_path}"
            rest = SharePointRest(web, dev_token(web, "not-the-app-token"))
            try:
                report = await provision(client(tenant, tenant.app_token, DEV_APP_ID), LISTS,
                                         rest, FORMATTING)
            finally:
                await rest.aclose()
            lines = report.lines()
            assert sum(line.startswith("Created list") for line in lines) == len(LISTS)
            assert report.formatting is None and report.formatting_failed
            assert lines[-1].startswith("The views, column formatting, forms and validation "
                                        "were NOT applied: ")
            assert not any(line.startswith("Nothing to change") for line in lines)

    asyncio.run(run())


class LaggingRest:
    """SharePoint REST as it is a moment after Graph made a list: the list is unknown to it
    the first ``lag`` times it is asked for, as the site's caches catch up."""

    def __init__(self, rest: SharePointRest, lag: int) -> None:
        self.rest, self.lag = rest, lag
        self.asked: dict[str, int] = {}

    async def list_settings(self, title: str) -> dict[str, Any]:
        from function_app.adapters.sharepoint_rest.errors import RestNotFoundError

        self.asked[title] = self.asked.get(title, 0) + 1
        if self.asked[title] <= self.lag:
            raise RestNotFoundError(f"List '{title}' does not exist at site.", 404)
        return await self.rest.list_settings(title)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.rest, name)


def test_a_list_rest_does_not_know_yet_is_waited_for(tmp_path: Path) -> None:
    """A list made through Graph a moment ago may be unknown to SharePoint REST for a few
    seconds: provisioning waits for it (with growing pauses) and then applies its views."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            rest = _rest(tenant)
            waits: list[float] = []

            async def sleep(seconds: float) -> None:
                waits.append(seconds)

            try:
                report = await provision(client(tenant, tenant.app_token, DEV_APP_ID), LISTS,
                                         LaggingRest(rest, lag=2), FORMATTING, sleep=sleep)
            finally:
                await rest.aclose()
            assert not report.formatting_failed
            assert report.formatting is not None and report.formatting.done
            assert waits[:2] == [1.0, 2.0]  # the first list made, asked three times
            assert len(waits) == 2 * len(LISTS)  # each new list, twice unknown, then known

    asyncio.run(run())

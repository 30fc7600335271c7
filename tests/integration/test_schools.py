"""A school is a site (issue 17): one deployment serves every school in the LA site's
Schools list, each in its own SharePoint site, through the real wiring (bootstrap) against
the dev tenant with per-site membership.

- Each school's staff read and change only their own site: another school's lists, items
  and files answer Graph's 403.
- Two schools sharing one state store each get their own letters, in their own library,
  even with the same case reference in the same list item.
- A school whose site is missing is skipped, said by name, and told to the LA's officers
  once; the other schools are swept, and sent their review reminders, as usual.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from function_app import bootstrap
from function_app.adapters.graph.auth import dev_token_provider, request_adapter
from function_app.adapters.graph.client import GraphClient, GraphTarget
from function_app.adapters.graph.errors import AccessDeniedError, GraphError
from function_app.adapters.state.sqlite import SqliteStateStore
from function_app.devtenant import DevTenant
from function_app.devtenant.teams_sink import TeamsSink
from function_app.services.casework_sweep.subscriptions import SCOPE as SUBSCRIPTIONS
from function_app.services.casework_sweep.subscriptions import Held
from function_app.services.provisioning.list_schema import LA_SITE_SCHEMA_DIR, load_lists
from function_app.services.provisioning.provision import provision
from function_app.services.schools.registry import site_key
from function_app.services.schools.sweep import NOTICE_SCOPE
from function_app.services.site_state import SiteState
from function_app.settings import Settings
from tests.integration.helpers import TODAY, Site, example, files_under

SCHOOLS = {"Hillside Primary School": ("/sites/hillside", "Priya Shah"),
           "Riverside Academy": ("/sites/riverside", "Sam Lee")}
LA_SITE = "/sites/attendance-service"


def graph(tenant: DevTenant, path: str, token: str) -> GraphClient:
    return GraphClient(GraphTarget(tenant.base_url, tenant.hostname, path, ""),
                       request_adapter(tenant.base_url, dev_token_provider(tenant.base_url,
                                                                           token)))


async def school_site(tenant: DevTenant, path: str, member: str) -> Site:
    """A school's site, provisioned by the app, with one member of staff."""
    tenant.add_site(path, members=[member])
    app = graph(tenant, path, tenant.app_token)
    site = Site(tenant, app, graph(tenant, path, tenant.user_token(member)))
    await provision(app, load_lists())
    site.lists = await app.lists()
    return site


async def registry_site(tenant: DevTenant, schools: dict[str, str]) -> None:
    """The LA's site with its Schools list, one item a school, typed by an LA officer."""
    tenant.add_site(LA_SITE, members=["Ann Officer"])
    await provision(graph(tenant, LA_SITE, tenant.app_token), load_lists(LA_SITE_SCHEMA_DIR))
    officer = graph(tenant, LA_SITE, tenant.user_token("Ann Officer"))
    lists = await officer.lists()
    for name, path in schools.items():
        await officer.create_item(lists["Schools"].id, {
            "Title": name, "SiteUrl": f"https://{tenant.hostname}{path}", "Phase": "Primary"})


def settings_for(tenant: DevTenant, tmp_path: Path, **more: str) -> Settings:
    return replace(Settings(), la_site_url=f"https://{tenant.hostname}{LA_SITE}",
                   graph_base_url=tenant.base_url, dev_token=tenant.app_token,
                   state_path=tmp_path / "state.sqlite", **more)


def case_files(tenant: DevTenant, path: str) -> list[str]:
    site = tenant.site(path)
    root = Path(site.files_root).parent / "Case Files"
    return sorted(str(p.relative_to(root)) for p in files_under(root)) if root.exists() else []


def test_each_school_gets_its_own_letters_and_sees_only_its_own_site(tmp_path: Path) -> None:
    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            sites = {name: await school_site(tenant, path, member)
                     for name, (path, member) in SCHOOLS.items()}
            await registry_site(tenant, {n: p for n, (p, _) in SCHOOLS.items()})
            for site in sites.values():  # the same case reference in each school's item 1
                await site.type_case(example("aim-review-no-engagement.json"))
            config = settings_for(tenant, tmp_path)
            results = await bootstrap.sweep_every_school(config, TODAY, "worker-1")
            assert [(r.school.name, r.ok) for r in results] == [
                ("Hillside Primary School", True), ("Riverside Academy", True)]
            hill, river = (case_files(tenant, p) for p, _ in SCHOOLS.values())
            assert hill and hill == river  # each its own letters, in its own library
            assert all(r.report is not None and r.report.already_made == 0 for r in results)

            again = await bootstrap.sweep_every_school(config, TODAY, "worker-1")
            assert all(r.report is not None and not r.report.filed for r in again)
            assert case_files(tenant, "/sites/hillside") == hill

            priya = sites["Hillside Primary School"].staff
            riverside_as_priya = graph(tenant, "/sites/riverside",
                                       tenant.user_token("Priya Shah"))
            with pytest.raises(AccessDeniedError):
                await riverside_as_priya.lists()
            river_cases = sites["Riverside Academy"].lists["Cases"].id
            with pytest.raises(GraphError) as refused:
                await riverside_as_priya.update_fields(river_cases, "1", {"Title": "X"})
            assert refused.value.status == 403
            assert len(await priya.all_items(sites["Hillside Primary School"]
                                             .lists["Cases"].id)) == 1
            # Nor another school's letters, even knowing where one is.
            river_app = sites["Riverside Academy"].app
            await river_app.use_library(sites["Riverside Academy"].lists["Case Files"].id)
            drive = await river_app.drive_id()
            folder = "/".join(river[0].split("/")[:-1])
            letter = next(f for f in await river_app.children(folder) if f.name.endswith(".docx"))
            async with httpx.AsyncClient() as web:
                for url in (f"{tenant.base_url}/drives/{drive}/items/{letter.id}/content",
                            f"{tenant.base_url}/drives/{drive}/items/{letter.id}"):
                    answer = await web.get(url, headers={
                        "Authorization": f"Bearer {tenant.user_token('Priya Shah')}"})
                    assert answer.status_code == 403
                    assert answer.json()["error"]["code"] == "accessDenied"

    asyncio.run(run())


def test_a_missing_site_is_skipped_said_by_name_and_told_once(tmp_path: Path) -> None:
    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant, TeamsSink(tmp_path / "teams") as sink:
            site = await school_site(tenant, "/sites/hillside", "Priya Shah")
            await site.type_case(example("aim-review-no-engagement.json"))
            await registry_site(tenant, {"Hillside Primary School": "/sites/hillside",
                                         "Old Mill School": "/sites/old-mill"})
            config = settings_for(tenant, tmp_path,
                                  teams_la_webhook=sink.url_for("la_officers"))
            first = await bootstrap.sweep_every_school(config, TODAY, "worker-1")
            outcome = {r.school.name: r for r in first}
            assert outcome["Hillside Primary School"].ok
            assert outcome["Hillside Primary School"].report is not None
            assert outcome["Hillside Primary School"].report.filed
            assert not outcome["Old Mill School"].ok
            assert outcome["Old Mill School"].failure.startswith(
                "Old Mill School's site (https://")
            assert "was not found" in outcome["Old Mill School"].failure
            await bootstrap.sweep_every_school(config, TODAY, "worker-1")
            notices = [c for c in sink.cards("la_officers")
                       if "was not swept" in str(c["body"][0].get("text", ""))]
            assert len(notices) == 1
            assert "Old Mill School" in notices[0]["body"][1]["inlines"][0]["text"]
            reminded = {school.name: (report, why) for school, report, why in
                        await bootstrap.remind_every_school(config, TODAY)}
            hill_report, _ = reminded["Hillside Primary School"]
            assert hill_report is not None and hill_report.cases == 1  # read from its site
            assert reminded["Old Mill School"][0] is None
            assert "was not found" in reminded["Old Mill School"][1]
            state = SqliteStateStore(config.state_path)
            assert state.keys(NOTICE_SCOPE) == [f"{tenant.hostname}/sites/old-mill".lower()]
            state.close()

    asyncio.run(run())


def test_every_graph_client_a_sweep_opens_is_closed(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker lives for hours and sweeps every 15 minutes, a client per school's site: each
    sweep closes the connections it opened (the registry's, each school's)."""
    made: list[GraphClient] = []
    real = bootstrap.graph_client

    def recording(*args: object, **kwargs: object) -> GraphClient:
        client = real(*args, **kwargs)  # type: ignore[arg-type]
        made.append(client)
        return client

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            for path, member in SCHOOLS.values():
                await school_site(tenant, path, member)
            await registry_site(tenant, {n: p for n, (p, _) in SCHOOLS.items()})
            monkeypatch.setattr(bootstrap, "graph_client", recording)
            await bootstrap.sweep_every_school(settings_for(tenant, tmp_path), TODAY, "w-1")

    asyncio.run(run())
    assert len(made) == 3  # the LA site's registry, and each school's site
    assert all(c.request_adapter._http_client.is_closed for c in made)


def test_a_notification_sweeps_only_the_school_whose_list_changed(tmp_path: Path) -> None:
    """Graph says which subscription a notification is for; each school's subscriptions are
    kept in its own part of the state store, so only that school's site is swept. One the
    deployment does not hold (an old or a stranger's) sweeps every school: nothing missed."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            sites = {name: await school_site(tenant, path, member)
                     for name, (path, member) in SCHOOLS.items()}
            await registry_site(tenant, {n: p for n, (p, _) in SCHOOLS.items()})
            config = settings_for(tenant, tmp_path)
            for site in sites.values():
                await site.type_case(example("aim-review-no-engagement.json"))
            # Each school's subscriptions as casework_sweep/subscriptions keeps them, one per
            # list, in the school's own part of the state store (Graph's handshake with a
            # notification URL is not what this test is about).
            store = SqliteStateStore(config.state_path)
            for name, (path, _) in SCHOOLS.items():
                state = SiteState(store, site_key(f"https://{tenant.hostname}{path}"))
                for title, info in sites[name].lists.items():
                    state.remember(SUBSCRIPTIONS, info.id, Held(
                        f"{path}/{title}", datetime.now(UTC), "https://x.example/api", "d"
                    ).to_json())
            store.close()
            subscription = "/sites/hillside/Meetings"

            swept = await bootstrap.sweep_every_school(config, TODAY, "w-1",
                                                       subscription_id=subscription)
            assert [r.school.name for r in swept] == ["Hillside Primary School"]
            assert case_files(tenant, "/sites/hillside")
            assert case_files(tenant, "/sites/riverside") == []

            every = await bootstrap.sweep_every_school(config, TODAY, "w-1",
                                                       subscription_id="not-ours")
            assert [r.school.name for r in every] == list(SCHOOLS)
            assert case_files(tenant, "/sites/riverside")

    asyncio.run(run())


"""A school requests a penalty notice from its case (issue 19, point 1), through the real
wiring (bootstrap: each school's site, the LA's site) against the dev tenant: a request
that passes the LA's checks lands once in the LA's Penalty Notice Requests list with its
facts, the LA's officers get a card, and the case says so; one that does not is never sent
and the case says what to put right and where; the tick is cleared either way."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from function_app import bootstrap
from function_app.adapters.graph.records import ListItem
from function_app.devtenant import DevTenant
from function_app.devtenant.teams_sink import TeamsSink
from function_app.services.penalty_notices.register_columns import REQUESTS
from tests.integration.helpers import TODAY, Site, example
from tests.integration.test_schools import (
    LA_SITE,
    graph,
    registry_site,
    school_site,
    settings_for,
)

pytestmark = pytest.mark.integration
SCHOOL, PATH, STAFF = "Hillside Primary School", "/sites/hillside", "Priya Shah"
CASE = "penalty-threshold-reached-across-half-term.json"  # 10+ sessions by 20 November


async def sweep(config: Any) -> None:
    (swept,) = await bootstrap.sweep_every_school(config, TODAY, "worker-1")
    assert swept.report is not None and not swept.report.failed, swept


async def requests(tenant: DevTenant) -> list[ListItem]:
    la = graph(tenant, LA_SITE, tenant.app_token)
    return await la.all_items((await la.lists())[REQUESTS].id)


def in_hillside(tmp_path: Path, test: Any, **case: Any) -> None:
    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant, TeamsSink(tmp_path / "teams") as sink:
            site = await school_site(tenant, PATH, STAFF)
            typed = await site.type_case(example(CASE, **case))
            await registry_site(tenant, {SCHOOL: PATH})
            config = settings_for(tenant, tmp_path, teams_la_webhook=sink.url_for("la_officers"))
            await sweep(config)
            await test(tenant, sink, site, typed[("Cases", "7")] if ("Cases", "7") in typed
                       else next(v for (k, _), v in typed.items() if k == "Cases"), config)

    asyncio.run(run())


async def tick(site: Site, case_id: str, **fields: Any) -> None:
    await site.staff.update_fields(site.lists["Cases"].id, case_id,
                                   {"RequestPenaltyNotice": True, **fields})


def test_a_request_that_passes_the_checks_reaches_the_la_once(tmp_path: Path) -> None:
    async def test(tenant: DevTenant, sink: TeamsSink, site: Site, case_id: str,
                   config: Any) -> None:
        await tick(site, case_id, PenaltyNoticeReason="Term-time holiday",
                   LastAbsence="2026-11-16T00:00:00Z")
        await sweep(config)
        (request,) = await requests(tenant)
        f = request.fields
        assert f["Title"] == "PNR-ATT-2026-0113-1"
        assert f["School"] == example(CASE)["school"]["name"]
        assert f["CaseRef"] == "ATT-2026-0113" and f["Decision"] == "Waiting for a decision"
        assert f["Reason"] == "Term-time holiday" and f["Pupil"] == "Mason Clarke"
        assert f["Parents"].splitlines() == [
            "Stacey Clarke; 9 Mill Street, Bedford, MK40 3HD",
            "Ryan Clarke; 31 Kimbolton Road, Bedford, MK40 2NR"]
        assert f["RequestedBy"] == STAFF and f["RequestedOn"].startswith("2026-11-22")
        case = await site.app.get_item(site.lists["Cases"].id, case_id)
        assert case.fields["RequestPenaltyNotice"] is False  # the request is done
        assert case.fields["PenaltyNoticeRequest"].startswith(
            "Requested on 22 November 2026: PNR-ATT-2026-0113-1 went to the local "
            "authority's penalty notice officers, for a notice to Stacey Clarke and Ryan "
            "Clarke.")
        cards = [c for c in sink.cards("la_officers")
                 if "Penalty notice requested" in str(c["body"][0])]
        assert len(cards) == 1 and "PNR-ATT-2026-0113-1" in str(cards[0])
        assert "Stacey" not in str(cards[0]) and "Ryan" not in str(cards[0])

        await tick(site, case_id)  # asked again: it is already with the LA
        await sweep(config)
        assert len(await requests(tenant)) == 1
        case = await site.app.get_item(site.lists["Cases"].id, case_id)
        assert case.fields["PenaltyNoticeRequest"].startswith(
            "Already requested on 22 November 2026: PNR-ATT-2026-0113-1 is with the local "
            "authority")

    in_hillside(tmp_path, test)


def test_a_request_that_fails_a_check_is_not_sent_and_says_what_to_put_right(
        tmp_path: Path) -> None:
    """No Notice to Improve and no reason why, no support recorded, the last absence too
    long ago: nothing reaches the LA, and the case names each thing and where."""

    async def test(tenant: DevTenant, sink: TeamsSink, site: Site, case_id: str,
                   config: Any) -> None:
        await tick(site, case_id, PenaltyNoticeReason="Other unauthorised absence",
                   LastAbsence="2026-10-22T00:00:00Z")
        await sweep(config)
        assert await requests(tenant) == []
        case = await site.app.get_item(site.lists["Cases"].id, case_id)
        said = case.fields["PenaltyNoticeRequest"]
        assert said.startswith("The request was not sent to the local authority.")
        assert "No Notice to Improve is recorded." in said
        assert "No support offered to the family is recorded." in said
        assert "the LA asks for it within 10 school days" in said
        assert case.fields["RequestPenaltyNotice"] is False
        assert not [c for c in sink.cards("la_officers")
                    if "Penalty notice requested" in str(c["body"][0])]

    in_hillside(tmp_path, test)


def test_a_parent_with_no_address_stops_the_request(tmp_path: Path) -> None:
    carers: list[dict[str, Any]] = example(CASE)["carers"]
    carers[1] = {**carers[1], "address": "", "email": "ryan.clarke@example.org"}

    async def test(tenant: DevTenant, sink: TeamsSink, site: Site, case_id: str,
                   config: Any) -> None:
        await tick(site, case_id, PenaltyNoticeReason="Term-time holiday",
                   LastAbsence="2026-11-16T00:00:00Z")
        await sweep(config)
        assert await requests(tenant) == []
        case = await site.app.get_item(site.lists["Cases"].id, case_id)
        assert "Ryan Clarke has no postal address, where a notice is served" in \
            case.fields["PenaltyNoticeRequest"]

    in_hillside(tmp_path, test, carers=carers)

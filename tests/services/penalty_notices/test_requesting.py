"""A school requests a penalty notice from its case (issue 19, point 1), through the real
wiring (bootstrap: each school's site, the LA's site) against the dev tenant: a request
that passes the LA's checks lands once in the LA's Penalty Notice Requests list with its
facts, the LA's officers get a card, and the case says so; one that does not is never sent
and the case says what to put right and where; the tick is cleared either way."""

from __future__ import annotations

import asyncio
from dataclasses import replace
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


async def ask_for_a_holiday_notice(site: Site, case_id: str) -> None:
    """Staff ask for a notice for a term-time holiday whose last day, 16 November, is
    within the LA's 10 school days of the sweep's day."""
    await tick(site, case_id, PenaltyNoticeReason="Term-time holiday",
               LastAbsence="2026-11-16T00:00:00Z")


def test_a_request_that_passes_the_checks_reaches_the_la_once(tmp_path: Path) -> None:
    async def test(tenant: DevTenant, sink: TeamsSink, site: Site, case_id: str,
                   config: Any) -> None:
        await ask_for_a_holiday_notice(site, case_id)
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
        await ask_for_a_holiday_notice(site, case_id)
        await sweep(config)
        assert await requests(tenant) == []
        case = await site.app.get_item(site.lists["Cases"].id, case_id)
        assert "Ryan Clarke has no postal address, where a notice is served" in \
            case.fields["PenaltyNoticeRequest"]

    in_hillside(tmp_path, test, carers=carers)


# -- the LA decides (issue 19, points 2 and 3) -------------------------------------------

LA_DETAILS = {"la_name": "Anyshire County Council",
              "la_address": "County Hall; Anytown; AN1 1AA",
              "penalty_how_to_pay": "Pay online at anyshire.gov.uk/pay, quoting the notice "
                                    "number, or by phone on 01234 567890.",
              "la_phone": "01234 567890", "la_email": "penalty.notices@anyshire.example.org"}


async def decide(tenant: DevTenant, decision: str, reasons: str = "") -> None:
    officer = graph(tenant, LA_SITE, tenant.user_token("Ann Officer"))
    lists = await officer.lists()
    (request,) = await officer.all_items(lists[REQUESTS].id)
    await officer.update_fields(lists[REQUESTS].id, request.id,
                                {"Decision": decision, "DecisionReasons": reasons})


async def register(tenant: DevTenant) -> list[ListItem]:
    la = graph(tenant, LA_SITE, tenant.app_token)
    return await la.all_items((await la.lists())["Penalty Notice Register"].id)


def test_the_la_issues_one_notice_per_parent_once_and_the_school_is_told(
        tmp_path: Path) -> None:
    """Regulations 2007 reg 4 (amounts) and the 2024 framework (one notice per parent per
    child): two first notices, each filed in the LA's Penalty Notices library and entered
    on the register once, however often the LA's run goes again."""

    async def test(tenant: DevTenant, sink: TeamsSink, site: Site, case_id: str,
                   config: Any) -> None:
        config = replace(config, **LA_DETAILS)
        await ask_for_a_holiday_notice(site, case_id)
        await sweep(config)
        await decide(tenant, "Issue")
        for _ in range(2):
            run = await bootstrap.penalty_notices(config, TODAY, "worker-1")
            assert run is not None
        notices = sorted(await register(tenant), key=lambda i: str(i.fields["Title"]))
        assert [n.fields["Title"] for n in notices] == ["PN-ATT-2026-0113-1-1",
                                                        "PN-ATT-2026-0113-1-2"]
        assert [n.fields["ParentName"] for n in notices] == ["Stacey Clarke", "Ryan Clarke"]
        assert {n.fields["State"] for n in notices} == {"Issued"}
        assert all(n.fields["Second"] is False for n in notices)
        assert all("£80" in n.fields["Amount"] and "£160" in n.fields["Amount"]
                   for n in notices)
        assert all(n.fields["RequestRef"] == "PNR-ATT-2026-0113-1" for n in notices)
        library = tenant.site(LA_SITE).files_root.parent / "Penalty Notices"
        filed = sorted(p.name for p in library.rglob("*.docx")
                       if p.parent.name != "Notices to post" and "Penalty notice " in p.name)
        assert filed == ["2026-11-22 Penalty notice PN-ATT-2026-0113-1-1 - Stacey Clarke.docx",
                         "2026-11-22 Penalty notice PN-ATT-2026-0113-1-2 - Ryan Clarke.docx"]
        case = await site.app.get_item(site.lists["Cases"].id, case_id)
        said = case.fields["PenaltyNoticeRequest"]
        assert said.startswith("The local authority decided request PNR-ATT-2026-0113-1 on "
                               "22 November 2026:")
        assert "PN-ATT-2026-0113-1-1: a notice to Stacey Clarke" in said
        assert "PN-ATT-2026-0113-1-2: a notice to Ryan Clarke" in said
        await sweep(config)  # the LA's note on the case is not a change by staff
        again = await site.app.get_item(site.lists["Cases"].id, case_id)
        assert again.fields["PenaltyNoticeRequest"] == said

    in_hillside(tmp_path, test)


def test_a_refusal_reaches_the_school_in_the_officers_words(tmp_path: Path) -> None:
    async def test(tenant: DevTenant, sink: TeamsSink, site: Site, case_id: str,
                   config: Any) -> None:
        await ask_for_a_holiday_notice(site, case_id)
        await sweep(config)
        await decide(tenant, "Refuse", "The holiday was authorised by the head teacher.")
        await bootstrap.penalty_notices(config, TODAY, "worker-1")
        assert await register(tenant) == []
        case = await site.app.get_item(site.lists["Cases"].id, case_id)
        assert case.fields["PenaltyNoticeRequest"] == (
            "The local authority refused request PNR-ATT-2026-0113-1 on 22 November 2026: "
            "The holiday was authorised by the head teacher.")

    in_hillside(tmp_path, test)


def test_a_refusal_without_reasons_waits_for_them_and_says_so_on_the_request(
        tmp_path: Path) -> None:
    """Bad input where the officer works: the school is told in the officer's words, so a
    refusal with none is not sent; the request's Outcome says what to add. Once added, the
    next run tells the school."""

    async def test(tenant: DevTenant, sink: TeamsSink, site: Site, case_id: str,
                   config: Any) -> None:
        await ask_for_a_holiday_notice(site, case_id)
        await sweep(config)
        await decide(tenant, "Refuse")
        await bootstrap.penalty_notices(config, TODAY, "worker-1")
        (request,) = await requests(tenant)
        await bootstrap.penalty_notices(config, TODAY, "worker-1")  # again: nothing new
        assert (await requests(tenant))[0].version == request.version
        assert request.fields["Outcome"] == (
            "Not sent to the school: say why it is refused in Decision reasons (the school "
            "is told in your words), then save.")
        case = await site.app.get_item(site.lists["Cases"].id, case_id)
        assert case.fields["PenaltyNoticeRequest"].startswith("Requested on 22 November")
        await decide(tenant, "Refuse", "The absence was authorised after all.")
        await bootstrap.penalty_notices(config, TODAY, "worker-1")
        case = await site.app.get_item(site.lists["Cases"].id, case_id)
        assert case.fields["PenaltyNoticeRequest"] == (
            "The local authority refused request PNR-ATT-2026-0113-1 on 22 November 2026: "
            "The absence was authorised after all.")

    in_hillside(tmp_path, test)


def test_without_the_las_details_no_notice_is_issued_and_the_request_says_why(
        tmp_path: Path) -> None:
    async def test(tenant: DevTenant, sink: TeamsSink, site: Site, case_id: str,
                   config: Any) -> None:
        await ask_for_a_holiday_notice(site, case_id)
        await sweep(config)
        await decide(tenant, "Issue")
        await bootstrap.penalty_notices(config, TODAY, "worker-1")
        assert await register(tenant) == []
        (request,) = await requests(tenant)
        assert request.fields["Outcome"].startswith(
            "No notice was issued: set CASEWORK_LA_NAME, CASEWORK_LA_ADDRESS, "
            "CASEWORK_PENALTY_HOW_TO_PAY")

    in_hillside(tmp_path, test)


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_the_notices_of_a_request_go_in_one_print_pack_for_the_las_post(
        tmp_path: Path) -> None:
    """Served by post through the delivery route: the request's two notices in one pack in
    the Penalty Notices library's "Notices to post", each on a new sheet after a cover that
    lists them; the register's note names the pack; a second run makes no second pack."""
    from pypdf import PdfReader

    async def test(tenant: DevTenant, sink: TeamsSink, site: Site, case_id: str,
                   config: Any) -> None:
        config = replace(config, **LA_DETAILS)
        await ask_for_a_holiday_notice(site, case_id)
        await sweep(config)
        await decide(tenant, "Issue")
        for _ in range(2):
            await bootstrap.penalty_notices(config, TODAY, "worker-1")
        library = tenant.site(LA_SITE).files_root.parent / "Penalty Notices"
        (pack,) = (library / "Notices to post").glob("*.pdf")
        assert pack.name == "2026-11-22 Letters to post.pdf"
        cover = PdfReader(str(pack)).pages[0].extract_text()
        assert "Stacey Clarke" in cover and "Ryan Clarke" in cover
        (request,) = await requests(tenant)  # where the officer finds them to post
        assert ("In the print pack \u201c2026-11-22 Letters to post.pdf\u201d (Notices to "
                "post): print it, post each notice today, first class.") in \
            request.fields["Outcome"]

    in_hillside(tmp_path, test)


def test_asked_for_more_the_school_hears_what_and_the_request_stays_open(
        tmp_path: Path) -> None:
    async def test(tenant: DevTenant, sink: TeamsSink, site: Site, case_id: str,
                   config: Any) -> None:
        await ask_for_a_holiday_notice(site, case_id)
        await sweep(config)
        await decide(tenant, "Ask for more", "Send the letter refusing the leave request.")
        await bootstrap.penalty_notices(config, TODAY, "worker-1")
        case = await site.app.get_item(site.lists["Cases"].id, case_id)
        assert case.fields["PenaltyNoticeRequest"] == (
            "The local authority asks for more before it decides request "
            "PNR-ATT-2026-0113-1 (22 November 2026): Send the letter refusing the leave "
            "request. Send it to them; the request stays open.")
        await tick(site, case_id)  # asked again meanwhile: still the one open request
        await sweep(config)
        assert len(await requests(tenant)) == 1
        case = await site.app.get_item(site.lists["Cases"].id, case_id)
        assert "The LA asked for more: Send the letter refusing the leave request." in \
            case.fields["PenaltyNoticeRequest"]
        await bootstrap.penalty_notices(config, TODAY, "worker-1")  # nothing new to act on
        assert await register(tenant) == []

    in_hillside(tmp_path, test)

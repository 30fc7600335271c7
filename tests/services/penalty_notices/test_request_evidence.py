"""What a school's penalty notice request carries to the LA, and who counts the limit
(issue 19, points 1 and 3), through the real wiring against the dev tenant:

- the request carries the case's evidence bundle: the LA keeps its own copy in its
  Penalty Notices library (the school's case folder stays the school's), the request names
  it, and the officers' card opens it; the bundle is not shared with anyone by this;
- the limit of 2 notices in 3 years is counted by the LA when it decides, across schools:
  the school's request for a parent at the limit reaches the LA, which refuses that parent
  naming the other tool, and issues to the other parent.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from function_app import bootstrap
from function_app.devtenant import DevTenant
from function_app.devtenant.teams_sink import TeamsSink
from function_app.domain.model import Carer, Pupil
from function_app.domain.penalty_register import (
    RegisteredNotice,
    ServedBy,
    child_key,
    parent_key,
    standing,
)
from function_app.domain.policy import load_profile
from function_app.services.penalty_notices.register_items import notice_fields
from function_app.services.provisioning.list_schema import LA_SITE_SCHEMA_DIR, load_lists
from function_app.services.provisioning.provision import provision
from tests.integration.helpers import TODAY, Site, example
from tests.integration.test_schools import LA_SITE, graph, school_site, settings_for
from tests.services.penalty_notices.test_requesting import (
    CASE,
    LA_DETAILS,
    PATH,
    STAFF,
    ask_for_a_holiday_notice,
    decide,
    in_hillside,
    register,
    requests,
    sweep,
    tick,
)

pytestmark = pytest.mark.integration
REQUEST = "PNR-ATT-2026-0113-1"


def la_library(tenant: DevTenant) -> Path:
    return Path(tenant.site(LA_SITE).files_root).parent / "Penalty Notices"


def school_bundles(tenant: DevTenant) -> list[Path]:
    root = Path(tenant.site(PATH).files_root).parent / "Case Files"
    return sorted(p for p in root.rglob("*Evidence bundle*") if p.is_file())


def test_the_request_carries_the_cases_evidence_bundle_as_the_las_own_copy(
        tmp_path: Path) -> None:
    async def test(tenant: DevTenant, sink: TeamsSink, site: Site, case_id: str,
                   config: Any) -> None:
        config = replace(config, legal_officers=("lead.legal@anyshire.example.org",))
        await ask_for_a_holiday_notice(site, case_id)
        await sweep(config)
        (request,) = await requests(tenant)
        (copy,) = [p for p in la_library(tenant).rglob("*") if p.is_file()]
        # In the LA's library, in the case's folder there, named by the request: no pupil.
        assert copy.parent.name == "ATT-2026-0113"
        assert copy.parent.parent.name == example(CASE)["school"]["name"]
        assert copy.name.startswith(f"{REQUEST} 2026-11-22 Evidence bundle ATT-2026-0113.")
        assert "Mason" not in str(copy) and "Clarke" not in str(copy)
        # The same bytes as the bundle filed in the school's case folder.
        (filed,) = [p for p in school_bundles(tenant) if p.suffix == copy.suffix]
        assert copy.read_bytes() == filed.read_bytes()
        about, url = request.fields["Evidence"].splitlines()
        assert about.startswith("The case's evidence bundle of ")
        assert unquote(url).endswith(copy.name)
        if copy.suffix == ".docx":  # no LibreOffice here: said, not hidden
            assert "a Word document only, without its exhibits: no PDF was made" in about
        else:
            assert copy.read_bytes().startswith(b"%PDF")
        (card,) = [c for c in sink.cards("la_officers")
                   if "Penalty notice requested" in str(c["body"][0])]
        assert {"type": "Action.OpenUrl", "title": "Open the evidence bundle",
                "url": url} in card["actions"]
        # The request on the LA's site, not the school's case: the LA cannot open that site.
        assert [a["title"] for a in card["actions"]] == ["Open the evidence bundle",
                                                         "Open the request"]
        assert card["actions"][1]["url"] == request.web_url
        # Sent with the request, shared with no one: no legal card, no invitation.
        assert not [c for c in sink.cards("la_officers")
                    if "legal" in str(c["body"][0]).lower()]
        assert sink.cards("la_legal") == []
        case = await site.app.get_item(site.lists["Cases"].id, case_id)
        assert case.fields["PenaltyNoticeRequest"].startswith("Requested on 22 November")

        await tick(site, case_id)  # asked again: nothing is copied again
        await sweep(config)
        assert [p for p in la_library(tenant).rglob("*") if p.is_file()] == [copy]

        # Staff then prepare the legal referral: the same bundle (the case has not changed),
        # now announced to the legal officers, once however often it is ticked.
        bundles = school_bundles(tenant)
        for _ in range(2):
            await site.staff.update_fields(site.lists["Cases"].id, case_id,
                                           {"PrepareLegalReferral": True})
            await sweep(config)
        assert school_bundles(tenant) == bundles
        legal = [c for c in sink.cards("la_officers") if "legal" in str(c["body"][0]).lower()]
        assert len(legal) == 1

    in_hillside(tmp_path, test)


def test_a_parent_at_the_limit_reaches_the_la_which_refuses_them_naming_the_other_tool(
        tmp_path: Path) -> None:
    """The 2024 amendment regulations: no third notice to a parent for a child in 3 years,
    counted across schools by the LA when it decides (DfE 2024 framework: then another
    tool). The school's check does not count it: it is not shown other schools' notices."""

    async def test(tenant: DevTenant, sink: TeamsSink, site: Site, case_id: str,
                   config: Any) -> None:
        config = replace(config, **LA_DETAILS)
        officer = graph(tenant, LA_SITE, tenant.user_token("Ann Officer"))
        register_id = (await officer.lists())["Penalty Notice Register"].id
        p = example(CASE)["pupil"]
        pupil = Pupil(forename=p["forename"], surname=p["surname"], year_group=7,
                      date_of_birth=dt.date.fromisoformat(p["date_of_birth"]))
        mum = parent_key(Carer("x", "Stacey", "Clarke", "", True))
        for number, issued in (("RA-PN-1", dt.date(2024, 12, 2)),
                               ("RA-PN-2", dt.date(2026, 1, 12))):
            notice = RegisteredNotice(number, child_key(pupil), mum, "Riverside Academy",
                                      issued, ServedBy.POST, issued,
                                      second=number.endswith("2"))
            await officer.create_item(register_id, notice_fields(
                notice, standing(notice, load_profile("national-2024"), issued), "",
                "Stacey Clarke"))
        await ask_for_a_holiday_notice(site, case_id)
        await sweep(config)
        case = await site.app.get_item(site.lists["Cases"].id, case_id)
        assert case.fields["PenaltyNoticeRequest"].startswith("Requested on 22 November")
        assert "Riverside" not in case.fields["PenaltyNoticeRequest"]
        assert len(await requests(tenant)) == 1  # it reached the LA
        # Before deciding, the officer sees what the register says of each parent.
        await bootstrap.penalty_notices(config, dt.date(2026, 11, 23), "worker-1")
        (request,) = await requests(tenant)
        head, stacey, ryan = request.fields["RegisterCheck"].splitlines()
        assert head == ("If you choose Issue, as the register stands on 23 November 2026 "
                        "(notices for this child at every school):")
        assert stacey.startswith(
            "- No penalty notice can be issued to Stacey Clarke for Mason Clarke: 2 were "
            "issued to them for this child in the 3 years ending 23 November 2026 (RA-PN-1 "
            "on 2 December 2024; RA-PN-2 on 12 January 2026), and the limit is 2. Consider "
            "another tool instead: prosecution for the absence")
        assert ryan == ("- Ryan Clarke: a first notice, £80 if paid within 21 days, £160 if "
                        "paid within 28 days.")
        await decide(tenant, "Issue")
        await bootstrap.penalty_notices(config, dt.date(2026, 11, 23), "worker-1")
        notices = {str(i.fields["Title"]): i.fields for i in await register(tenant)}
        assert sorted(notices) == ["PN-ATT-2026-0113-1-2", "RA-PN-1", "RA-PN-2"]  # Ryan's
        # The notice keeps the evidence its request carried, for deciding on prosecution.
        assert notices["PN-ATT-2026-0113-1-2"]["Evidence"] == request.fields["Evidence"]
        case = await site.app.get_item(site.lists["Cases"].id, case_id)
        said = case.fields["PenaltyNoticeRequest"]
        assert said.startswith(f"The local authority decided request {REQUEST} on "
                               "23 November 2026:")
        assert ("No notice to Stacey Clarke: No penalty notice can be issued to Stacey "
                "Clarke for Mason Clarke: 2 were issued to them for this child") in said
        assert "Consider another tool instead: prosecution for the absence" in said
        assert "PN-ATT-2026-0113-1-2: a notice to Ryan Clarke" in said
        assert "RA-PN-1 on 2 December 2024" in said and "Riverside" not in said

    in_hillside(tmp_path, test)


ITEMS = "POST /sites/{site-id}/lists/{list-id}/items"  # creating a list item, as counted


def test_a_request_whose_answer_was_lost_is_sent_once_and_the_officers_told_once(
        tmp_path: Path) -> None:
    """Exactly once, whatever fails: the LA's list saved the request but its answer was
    lost on the way back (the sweep cannot tell that from a request never made), then
    Graph was unavailable for the next try. The next sweeps find the request by its case,
    send nothing again, copy the evidence once, and still tell the officers, once."""

    async def test(tenant: DevTenant, sink: TeamsSink, site: Site, case_id: str,
                   config: Any) -> None:
        await ask_for_a_holiday_notice(site, case_id)
        tenant.strike_next("lost", method="POST", route=ITEMS)
        tenant.strike_next("unavailable", count=3)
        for _ in range(6):
            try:
                (swept,) = await bootstrap.sweep_every_school(config, TODAY, "worker-1")
            except Exception:  # a sweep Graph failed outright: the next one goes on
                continue
            case = await site.app.get_item(site.lists["Cases"].id, case_id)
            if case.fields.get("PenaltyNoticeRequest") and swept.report is not None \
                    and not swept.report.failed and not swept.report.pending:
                break
        assert sum(tenant.faults.values()) >= 4  # the strikes were used
        (request,) = await requests(tenant)
        assert request.fields["Title"] == REQUEST
        assert len([p for p in la_library(tenant).rglob("*") if p.is_file()]) == 1
        case = await site.app.get_item(site.lists["Cases"].id, case_id)
        assert REQUEST in case.fields["PenaltyNoticeRequest"]
        assert case.fields["RequestPenaltyNotice"] is False
        cards = [c for c in sink.cards("la_officers")
                 if "Penalty notice requested" in str(c["body"][0])]
        assert len(cards) == 1 and REQUEST in str(cards[0])

    in_hillside(tmp_path, test)


def test_a_card_that_waited_for_teams_keeps_its_buttons(tmp_path: Path) -> None:
    """Teams refused the card for a while (503s): it waits in the outbox and is posted at a
    later sweep with the same buttons, to the evidence and to the request."""

    async def test(tenant: DevTenant, sink: TeamsSink, site: Site, case_id: str,
                   config: Any) -> None:
        await ask_for_a_holiday_notice(site, case_id)
        sink.fail(times=100, status=503)
        await sweep(config)
        assert not [c for c in sink.cards("la_officers")
                    if "Penalty notice requested" in str(c["body"][0])]
        sink.fail(times=0)
        await sweep(config)
        (request,) = await requests(tenant)
        (card,) = [c for c in sink.cards("la_officers")
                   if "Penalty notice requested" in str(c["body"][0])]
        url = request.fields["Evidence"].splitlines()[-1]
        assert [(a["title"], a["url"]) for a in card["actions"]] == [
            ("Open the evidence bundle", url), ("Open the request", request.web_url)]

    in_hillside(tmp_path, test)


def test_an_la_site_provisioned_before_this_version_says_what_to_run_and_then_issues(
        tmp_path: Path) -> None:
    """Upgrading: an LA site made by the last version lacks the register's Evidence and the
    requests' 'On the register'. Nothing is half-recorded: the officer's Issue waits, the
    request's Outcome says what to run; once `casework provision --la-site` has added the
    columns, the next run issues the notices and tells the school."""
    new = {"Penalty Notice Register": "Evidence", "Penalty Notice Requests": "RegisterCheck"}
    old = [{**d, "columns": [c for c in d.get("columns", [])
                             if c["name"] != new.get(d["displayName"])]}
           for d in load_lists(LA_SITE_SCHEMA_DIR)]

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await school_site(tenant, PATH, STAFF)
            carers = example(CASE)["carers"]
            carers[0] = {**carers[0], "email": "stacey.clarke@example.org"}
            typed = await site.type_case(example(CASE, carers=carers))
            case_id = next(v for (k, _), v in typed.items() if k == "Cases")
            tenant.add_site(LA_SITE, members=["Ann Officer"])
            app = graph(tenant, LA_SITE, tenant.app_token)
            await provision(app, old)
            officer = graph(tenant, LA_SITE, tenant.user_token("Ann Officer"))
            await officer.create_item((await officer.lists())["Schools"].id, {
                "Title": "Hillside Primary School", "Phase": "Primary",
                "SiteUrl": f"https://{tenant.hostname}{PATH}"})
            config = replace(settings_for(tenant, tmp_path), **LA_DETAILS)
            await sweep(config)
            await ask_for_a_holiday_notice(site, case_id)
            await sweep(config)
            await decide(tenant, "Issue")
            for _ in range(2):  # said once, however often the run goes
                await bootstrap.penalty_notices(config, TODAY, "worker-1")
            (request,) = await requests(tenant)
            assert "RegisterCheck" not in request.fields
            assert request.fields["Outcome"].startswith(
                "The register refused PN-ATT-2026-0113-1-1: ")
            assert "run `casework provision --la-site`" in request.fields["Outcome"]
            assert await register(tenant) == []
            case = await site.app.get_item(site.lists["Cases"].id, case_id)
            assert case.fields["PenaltyNoticeRequest"].startswith("Requested on")

            await provision(app, load_lists(LA_SITE_SCHEMA_DIR))  # the upgrade, next day
            await bootstrap.penalty_notices(config, TODAY + dt.timedelta(days=1), "worker-1")
            entered = {str(i.fields["Title"]): i.fields for i in await register(tenant)}
            assert sorted(entered) == ["PN-ATT-2026-0113-1-1", "PN-ATT-2026-0113-1-2"]
            # The first notice was filed on the first day: the register says the day
            # written on it, not the day it was entered.
            first = entered["PN-ATT-2026-0113-1-1"]
            assert first["IssuedOn"].startswith(TODAY.isoformat())
            assert first["SentOn"].startswith("2026-11-23")  # in the post from the day after
            # Served by post: the register does not say it was emailed, though the request
            # gave Stacey's email address.
            assert "stacey.clarke@example.org" in request.fields["Parents"]
            assert first["ServedBy"] == "Post" and not first.get("Email")
            assert unquote(first["Document"]).split("/")[-1].startswith(
                f"{TODAY.isoformat()} Penalty notice PN-ATT-2026-0113-1-1")
            case = await site.app.get_item(site.lists["Cases"].id, case_id)
            assert case.fields["PenaltyNoticeRequest"].startswith(
                f"The local authority decided request {REQUEST}")

    asyncio.run(run())

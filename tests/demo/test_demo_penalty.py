"""`casework demo` and the LA's penalty notices (issue 19, point 6), under the national
framework (2024): Brackenfield asks for a notice for a family that ignored its Notice to
Improve; the LA issues one per parent, filed in its Penalty Notices library; one is paid
within 21 days and the other, by the later day the demo runs the LA's side for, is "Unpaid:
consider prosecution"; Hartwell Green's request for a mother who already had two notices
in three years reaches the LA, and when the LA's officer decides to issue, the LA's run
refuses it at the limit with the reason and the other tool to consider, issuing nothing. A
second run sends, issues and records nothing again.

Reads the session's played demo (tests/demo/conftest.py)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import docx
import pytest

from function_app import bootstrap
from function_app.demo import scenario
from function_app.demo.scenario import LA_SITE
from function_app.settings import Settings
from tests.demo.test_demo import Played

pytestmark = pytest.mark.integration

RILEY, EVIE = scenario.RILEY, scenario.EVIE
REQUEST = f"PNR-{RILEY}-1"
EVIE_REQUEST = f"PNR-{EVIE}-1"
HISTORY = ("WCC-PN-2025-0142", "WCC-PN-2026-0031")  # to Jodie Marsh, from the LA's records
NOTICES = (f"PN-{RILEY}-1-1", f"PN-{RILEY}-1-2")  # to Donna and to Wayne Hargreaves
UNPAID = "Unpaid: consider prosecution"


def _items(workspace: Path, site_path: str, list_name: str) -> list[dict[str, Any]]:
    """A list's items' fields, read back through Graph from the demo's tenant."""
    from function_app.devtenant import DevTenant

    async def read(base_url: str, hostname: str) -> list[dict[str, Any]]:
        settings = bootstrap.settings_for_dev_tenant(base_url, hostname, site_path, workspace,
                                                     base=Settings())
        graph = bootstrap.graph_client(settings)
        try:
            lists = await graph.lists()
            return [i.fields for i in await graph.all_items(lists[list_name].id)]
        finally:
            await graph.aclose()

    with DevTenant(workspace / "tenant") as tenant:
        return asyncio.run(read(tenant.base_url, tenant.hostname))


def _library(played: Played) -> Path:
    return played.workspace / "tenant" / LA_SITE.lstrip("/") / "Penalty Notices"


def test_the_la_issues_one_notice_per_parent_one_paid_one_unpaid(played: Played) -> None:
    register = {f["Title"]: f for f in _items(played.workspace, LA_SITE,
                                              "Penalty Notice Register")}
    mine = {n: f for n, f in register.items() if f.get("RequestRef") == REQUEST}
    assert sorted(mine) == list(NOTICES)
    assert [mine[n]["ParentName"] for n in NOTICES] == ["Donna Hargreaves", "Wayne Hargreaves"]
    paid, unpaid = (mine[n] for n in NOTICES)
    assert paid["State"] == "Paid within 21 days"
    assert paid["PaidOn"].startswith("2026-12-22") and float(paid["AmountPaid"]) == 80
    assert unpaid["State"] == UNPAID
    assert "the days to pay ended on 11 January 2027" in unpaid["StateNote"]
    assert all(f["IssuedOn"].startswith("2026-12-11") for f in mine.values())


def test_the_week_and_the_summary_say_what_the_la_did(played: Played) -> None:
    out = played.first_output
    assert (f"  {RILEY}: Brackenfield Academy's attendance lead Nadia Okoro asked for a penalty "
            "notice (other unauthorised absence, last absence 4 December 2026); the sweep sent "
            f"{REQUEST} to the LA's Penalty Notice Requests list.") in out
    assert (f"The LA's officer Andrea Lomax decided to issue; the LA's run as on 11 December "
            f"2026 issued 2 (one per parent): {NOTICES[0]} to Donna Hargreaves (£80 if paid "
            "within 21 days, £160 if paid within 28 days)") in out
    assert "these are days after the demo's term" in out
    assert "4 January 2027: the LA's payment file" in out
    assert f"{NOTICES[1]} (Brackenfield Academy): Issued -> {UNPAID}." in out
    summary = out[out.index("Penalty notices, national framework (2024)"):]
    assert f"{NOTICES[0]} to Donna Hargreaves" in summary and "Paid within 21 days" in summary
    assert f"{NOTICES[1]} to Wayne Hargreaves" in summary and UNPAID in summary
    assert "The register stands as on 20 January 2027" in summary


def test_the_second_schools_request_is_refused_at_the_limit_with_the_other_tool(
        played: Played) -> None:
    """Jodie Marsh, Evie's only parent, had two notices for her in the last three years
    (entered on the register by the LA's officer): the request reaches the LA, the officer
    decides to issue, and the LA's run refuses it at the limit, naming the notices and the
    tool to consider instead; nothing is issued, entered or filed, and the school is told."""
    requests = {f["CaseRef"]: f for f in _items(played.workspace, LA_SITE,
                                                "Penalty Notice Requests")}
    assert sorted(requests) == sorted([RILEY, EVIE])
    evie = requests[EVIE]
    assert evie["Title"] == EVIE_REQUEST and evie["Decision"] == "Issue"
    refused = (f"The local authority refused request {EVIE_REQUEST} on 18 December 2026: the "
               "register does not allow a notice.",
               "- No notice to Jodie Marsh: No penalty notice can be issued to Jodie Marsh for "
               "Evie Marsh: 2 were issued")
    (case,) = [f for f in _items(played.workspace, scenario.HARTWELL.site_path, "Cases")
               if f["Title"] == EVIE]
    for said in (evie["Outcome"], case["PenaltyNoticeRequest"]):
        assert said.startswith("\n".join(refused)), said
        assert f"{HISTORY[0]} on 9 June 2025" in said and HISTORY[1] in said
        assert "Consider another tool instead: prosecution for the absence" in said
        assert "Education Supervision Order" in said
    assert "The school was told on its case on 18 December 2026." in evie["Outcome"]
    assert case["RequestPenaltyNotice"] is False
    register = _items(played.workspace, LA_SITE, "Penalty Notice Register")
    assert not [f for f in register if f.get("RequestRef") == EVIE_REQUEST]
    assert sorted(f["Title"] for f in register if f.get("CaseRef") == EVIE) == list(HISTORY)
    assert not [p for p in _library(played).rglob("*.docx")
                if "Penalty notice" in p.name and (EVIE in str(p) or "Marsh" in p.name)]
    cards = " ".join(p.read_text(encoding="utf-8")
                     for p in sorted((played.workspace / "teams").rglob("*.json")))
    assert f"Penalty notice requested: {EVIE} (EM)" in cards  # the officers' card: initials
    assert not [name for name in ("Evie", "Jodie", "Marsh") if name in cards]
    out = played.first_output
    assert (f"  {EVIE}: Hartwell Green Primary School's attendance lead Fiona Lacey asked for "
            "a penalty notice (term-time holiday, last absence 11 December 2026); the sweep "
            f"sent {EVIE_REQUEST} to the LA's Penalty Notice Requests list.") in out
    assert ("    The LA's officer Andrea Lomax decided to issue; the LA's run as on 18 December "
            "2026 refused it at the limit of 2 notices to a parent for a child in 3 years "
            "(counted on the register, at every school): no notice issued, nothing entered on "
            "the register or filed in the Penalty Notices library. It names the tool to "
            "consider instead: prosecution for the absence, or an Education Supervision "
            "Order.") in out
    assert ("    Hartwell Green Primary School was told on its case:\n"
            f"      {refused[0]}\n      {refused[1]}") in out
    summary = out[out.index("Penalty notices, national framework (2024)"):]
    assert (f"  {EVIE_REQUEST} from Hartwell Green Primary School ({EVIE}), requested 18 "
            "December 2026: the LA's decision Issue.\n"
            "    No notice on the register for it. Its Outcome says:\n"
            f"      {refused[0]}\n      {refused[1]}") in summary
    for old in ("stopped it before", "not sent to the LA", "own check"):
        assert old not in out


def test_the_notices_are_filed_as_word_documents_in_the_las_library(played: Played) -> None:
    folder = _library(played) / "Brackenfield Academy" / RILEY
    names = sorted(p.name for p in _library(played).rglob("*.docx")
                   if p.parent.name != "Notices to post" and "Penalty notice " in p.name)
    assert names == [f"2026-12-11 Penalty notice {NOTICES[0]} - Donna Hargreaves.docx",
                     f"2026-12-11 Penalty notice {NOTICES[1]} - Wayne Hargreaves.docx"]
    text = "\n".join(p.text for p in docx.Document(str(folder / names[0])).paragraphs)
    assert NOTICES[0] in text and "Westmoor County Council" in text


def test_the_officers_card_for_the_unpaid_notice_names_no_one(played: Played) -> None:
    cards = [json.dumps(json.loads(p.read_text(encoding="utf-8")))
             for p in sorted((played.workspace / "teams" / "la_officers").glob("*.json"))]
    unpaid = [c for c in cards if NOTICES[1] in c]
    assert unpaid
    assert not any(name in c for c in unpaid for name in ("Hargreaves", "Riley", "Wayne"))


def test_a_second_run_sends_issues_and_records_nothing_again(played: Played) -> None:
    out = played.second_output
    assert "Recorded 0, already recorded 1, with a problem 0." in out
    assert ("20 January 2027: the LA's run found the register already moved on for that day "
            "and no new decision: nothing issued, nothing moved.") in out
    assert "The LA's officer" not in out  # no history entered, no decision taken again
    assert len(_items(played.workspace, LA_SITE, "Penalty Notice Requests")) == 2  # Riley's, Evie's
    assert len(_items(played.workspace, LA_SITE, "Penalty Notice Register")) == 4  # 2 + history
    assert len([p for p in _library(played).rglob("*.docx")
                if p.parent.name != "Notices to post" and "Penalty notice " in p.name]) == 2
    assert len([p for p in _library(played).rglob("*Evidence bundle*")]) == 2  # one a request


def test_each_request_carried_its_evidence_bundle_into_the_las_library(
        played: Played) -> None:
    """Issue 19 point 1: the request carries its evidence; the LA keeps its own copy, named
    by the request, in the case's folder of its Penalty Notices library (no pupil named)."""
    requests = _items(played.workspace, LA_SITE, "Penalty Notice Requests")
    for f in requests:
        about, url = str(f["Evidence"]).splitlines()
        assert about.startswith("The case's evidence bundle of ")
        (copy,) = [p for p in (_library(played) / f["School"] / f["CaseRef"]).iterdir()
                   if p.name.startswith(f"{f['Title']} ") and "Evidence bundle" in p.name]
        assert unquote(url).endswith(copy.name)
    summary = played.first_output[played.first_output.index("Penalty notices, national"):]
    assert summary.count("Its evidence, copied into the LA's Penalty Notices library") == 2


def test_the_officer_sees_the_register_before_deciding(played: Played) -> None:
    """Issue 19 point 2: the LA decides knowing the register: the limit, counted at every
    school, is shown on each request before the officer chooses."""
    requests = {f["CaseRef"]: f for f in _items(played.workspace, LA_SITE,
                                                "Penalty Notice Requests")}
    riley = requests[RILEY]["RegisterCheck"].splitlines()
    assert riley[1:] == [
        "- Donna Hargreaves: a first notice, £80 if paid within 21 days, £160 if paid "
        "within 28 days.",
        "- Wayne Hargreaves: a first notice, £80 if paid within 21 days, £160 if paid "
        "within 28 days."]
    evie = requests[EVIE]["RegisterCheck"]
    assert "- No penalty notice can be issued to Jodie Marsh for Evie Marsh" in evie
    assert "Before deciding, the officer reads the request's \u201cOn the register\u201d:" \
        in played.first_output


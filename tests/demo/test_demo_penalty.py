"""`casework demo` and the LA's penalty notices (issue 19, point 6), under the national
framework (2024): Brackenfield asks for a notice for a family that ignored its Notice to
Improve; the LA issues one per parent, filed in its Penalty Notices library; one is paid
within 21 days and the other, by the later day the demo runs the LA's side for, is "Unpaid:
consider prosecution"; Hartwell Green's request for a mother who already had two notices
in three years is refused by the school's own check with the limit's reason. A second run
sends, issues and records nothing again.

Reads the session's played demo (tests/demo/conftest.py)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

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
            f"2026 issued 2 (one per parent): {NOTICES[0]} to Donna Hargreaves (£80 due by 4 "
            "January 2027, then £160 by 11 January 2027)") in out
    assert "these are days after the demo's term" in out
    assert "4 January 2027: the LA's payment file" in out
    assert f"{NOTICES[1]} (Brackenfield Academy): Issued -> {UNPAID}." in out
    summary = out[out.index("Penalty notices, national framework (2024)"):]
    assert f"{NOTICES[0]} to Donna Hargreaves" in summary and "Paid within 21 days" in summary
    assert f"{NOTICES[1]} to Wayne Hargreaves" in summary and UNPAID in summary
    assert "The register stands as on 20 January 2027" in summary


def test_the_second_schools_request_is_refused_at_the_limit_with_the_other_tool(
        played: Played) -> None:
    """Jodie Marsh had two notices for Evie in the last three years (entered on the register
    by the LA's officer): the school's check stops the request before it reaches the LA,
    and the case names the notices and the tool to consider instead."""
    requests = _items(played.workspace, LA_SITE, "Penalty Notice Requests")
    assert [f["CaseRef"] for f in requests] == [RILEY]
    (case,) = [f for f in _items(played.workspace, scenario.HARTWELL.site_path, "Cases")
               if f["Title"] == EVIE]
    said = case["PenaltyNoticeRequest"]
    assert said.startswith("The request was not sent to the local authority.")
    assert "No penalty notice can be issued to Jodie Marsh for Evie Marsh: 2 were issued" in said
    assert "WCC-PN-2025-0142 on 9 June 2025" in said and "WCC-PN-2026-0031" in said
    assert "Consider another tool instead: prosecution for the absence" in said
    assert "Education Supervision Order" in said
    assert case["RequestPenaltyNotice"] is False
    out = played.first_output
    assert f"  {EVIE}: Hartwell Green Primary School's attendance lead" in out
    assert "the casework app's check stopped it before it reached the LA" in out
    assert f"{EVIE} (Hartwell Green Primary School): not sent to the LA" in out


def test_the_notices_are_filed_as_word_documents_in_the_las_library(played: Played) -> None:
    folder = _library(played) / "Brackenfield Academy" / RILEY
    names = sorted(p.name for p in _library(played).rglob("*.docx")
                   if p.parent.name != "Notices to post")
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
    assert len(_items(played.workspace, LA_SITE, "Penalty Notice Requests")) == 1
    assert len(_items(played.workspace, LA_SITE, "Penalty Notice Register")) == 4
    assert len([p for p in _library(played).rglob("*.docx")
                if p.parent.name != "Notices to post"]) == 2

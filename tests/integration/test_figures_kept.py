"""Figures kept on a held meeting: its record, remade after the school updates the case's
totals, still gives the figures as they were at the meeting (issue 15, item 1)."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from function_app.devtenant import DevTenant

from .helpers import Site, example, files_under

pytestmark = pytest.mark.integration
PLAN = "2026-10-21 AIM plan.docx"  # the record of the AIM review held on 21 October 2026
# Totals ending on 16 October, before the review; the example's own run to 20 November.
AT_THE_MEETING = {"possible_sessions": 60, "present_sessions": 48, "authorised_absences": 4,
                  "unauthorised_absences": 8, "period_start": "2026-09-03",
                  "period_end": "2026-10-16"}
KEPT = {"MeetingPossibleSessions": 60, "MeetingPresentSessions": 48,
        "MeetingAuthorisedAbsences": 4, "MeetingUnauthorisedAbsences": 8}
THEN, LATER = "80.0% (48 of 60 possible sessions)", "78.0% (78 of 100 possible sessions)"


def docx_text(path: Path) -> str:
    """Every paragraph and table cell of a Word file."""
    document = Document(io.BytesIO(path.read_bytes()))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def plan_text(tenant: DevTenant) -> str:
    root = tenant.files_root.parent / "Case Files"
    return docx_text(next(p for p in files_under(root) if p.name == PLAN))


async def meeting(site: Site, typed_id: str) -> dict[str, Any]:
    item = await site.app.get_item(site.lists["Meetings"].id, site.ids[("Meetings", typed_id)])
    return item.fields


def kept(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: fields.get(k) for k in KEPT} | {
        "from": str(fields.get("MeetingFiguresFrom") or "")[:10],
        "to": str(fields.get("MeetingFiguresTo") or "")[:10]}


async def set_totals(site: Site, possible: int, present: int, authorised: int,
                     unauthorised: int, to: str) -> None:
    """Staff overwrite the case's totals, as a school does at each data drop."""
    await site.staff.update_fields(site.lists["Cases"].id, site.ids[("Cases", "7")], {
        "PossibleSessions": possible, "PresentSessions": present,
        "AuthorisedAbsences": authorised, "UnauthorisedAbsences": unauthorised,
        "FiguresTo": f"{to}T00:00:00Z"})


async def edit_meeting(site: Site, action: str) -> None:
    """Staff add an agreed action to the review, so its record is made again."""
    await site.staff.create_item(site.lists["Agreed Actions"].id, {
        "MeetingLookupId": site.ids[("Meetings", "402")], "ActionParty": "School",
        "Title": action})


def test_the_first_record_of_a_held_meeting_keeps_the_totals_it_gave(tmp_path: Path) -> None:
    """A held meeting's first record, made while the totals end before it, fills its
    figures columns with those totals, and that write is the app's own."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            await site.type_case(example("aim-review-no-engagement.json",
                                         attendance=AT_THE_MEETING))
            processor = site.processor(tmp_path / "state.sqlite")
            await processor.sweep()
            assert THEN in plan_text(tenant)
            review = await meeting(site, "402")
            assert review["GenerationStatus"] == "Generated"
            assert kept(review) == KEPT | {"from": "2026-09-03", "to": "2026-10-16"}
            # The AIM of 23 September came before the totals' end: nothing is kept for it.
            first = await meeting(site, "401")
            assert not any(first.get(k) for k in (*KEPT, "MeetingFiguresTo"))
            again = await processor.sweep()
            assert again.nothing_new and again.changes == 0

    asyncio.run(run())


def test_a_record_remade_after_the_totals_move_on_gives_the_figures_then(
        tmp_path: Path) -> None:
    """Once staff update the totals past the meeting and edit it, the remade record still
    gives the figures at the meeting, not "no figures recorded" nor the later ones."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            await site.type_case(example("aim-review-no-engagement.json",
                                         attendance=AT_THE_MEETING))
            processor = site.processor(tmp_path / "state.sqlite")
            await processor.sweep()
            before = plan_text(tenant)
            await set_totals(site, 100, 78, 6, 16, "2026-11-20")
            await edit_meeting(site, "Ask the school nurse to meet Jordan")
            report = await processor.sweep()
            assert "aim_plan" in {f.kind for f in report.filed}
            after = plan_text(tenant)
            assert after != before and "Ask the school nurse to meet Jordan" in after
            assert THEN in after
            assert LATER not in after and "No attendance figures up to" not in after
            assert kept(await meeting(site, "402"))["MeetingPossibleSessions"] == 60

    asyncio.run(run())


def test_figures_kept_on_a_meeting_are_never_overwritten(tmp_path: Path) -> None:
    """Totals corrected to another period that still ends before the meeting neither change
    the kept figures nor the record made again from them."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            await site.type_case(example("aim-review-no-engagement.json",
                                         attendance=AT_THE_MEETING))
            processor = site.processor(tmp_path / "state.sqlite")
            await processor.sweep()
            await set_totals(site, 70, 50, 6, 14, "2026-10-20")
            await edit_meeting(site, "Ask the school nurse to meet Jordan")
            report = await processor.sweep()
            assert "aim_plan" in {f.kind for f in report.filed}
            assert kept(await meeting(site, "402")) == KEPT | {"from": "2026-09-03",
                                                               "to": "2026-10-16"}
            text = plan_text(tenant)
            assert "Ask the school nurse to meet Jordan" in text
            assert THEN in text and "50 of 70" not in text

    asyncio.run(run())

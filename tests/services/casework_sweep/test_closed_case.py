"""A closed case makes no new documents: whatever staff change in it (its stage, a held
meeting), nothing is filed and each changed item says so in plain words; reopened, its
letters are made again."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from function_app.devtenant import DevTenant
from function_app.services.casework_sweep.case_work import CLOSED_NOTE
from tests.integration.chaos_support import filed
from tests.integration.helpers import Site, example

pytestmark = pytest.mark.integration


def test_a_closed_case_makes_nothing_until_it_is_reopened(tmp_path: Path) -> None:
    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            typed = await site.type_case(example("aim-review-no-engagement.json"))
            processor = site.processor(tmp_path / "state.sqlite")
            first = await processor.sweep()
            assert first.filed and not first.failed
            files = filed(tenant)
            cases, meetings = site.lists["Cases"].id, site.lists["Meetings"].id
            case_id, review = typed[("Cases", "7")], typed[("Meetings", "402")]

            await site.staff.update_fields(cases, case_id, {"CaseStatus": "Closed",
                                                            "Stage": "Letter of concern"})
            # A held meeting changed: open, its plan and letters would be made again.
            await site.staff.update_fields(meetings, review, {"MeetingTime": "10:30"})
            report = await processor.sweep()
            assert not report.filed and not report.failed and not report.needs_attention
            assert not report.alerts and report.links_saved
            assert filed(tenant) == files
            for list_id, item_id in ((cases, case_id), (meetings, review)):
                item = await site.app.get_item(list_id, item_id)
                assert item.fields["GenerationStatus"] == "Generated"
                assert item.fields["GenerationMessage"] == CLOSED_NOTE
            assert (await processor.sweep()).nothing_new  # our own notes are not changes

            await site.staff.update_fields(cases, case_id, {"CaseStatus": "Open"})
            reopened = await processor.sweep()
            assert {f.kind for f in reopened.filed} == {"letter_of_concern"}  # one a parent
            item = await site.app.get_item(cases, case_id)
            assert item.fields["GenerationMessage"] != CLOSED_NOTE

    asyncio.run(run())

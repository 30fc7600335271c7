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


def test_a_later_change_to_the_case_does_not_judge_its_filed_letters_again(
        tmp_path: Path) -> None:
    """The Notice to Improve is filed while its improvement period runs. Weeks later, when
    the period has ended, staff change the case (tick the penalty notice request, say):
    the letter is not made again, nor judged by the new date (which would say its period
    is over), and the case is not said to need attention."""
    from dataclasses import replace
    from datetime import timedelta

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            typed = await site.type_case(example("notice-to-improve-running-year-11.json"))
            processor = site.processor(tmp_path / "state.sqlite")
            first = await processor.sweep()
            assert "notice_to_improve" in {f.kind for f in first.filed}
            files = filed(tenant)
            processor.config = replace(processor.config,
                                       today=processor.config.today + timedelta(weeks=8))
            case_id = next(v for (k, _), v in typed.items() if k == "Cases")
            await site.staff.update_fields(site.lists["Cases"].id, case_id,
                                           {"LastAbsence": "2027-01-08T00:00:00Z"})
            later = await processor.sweep()
            assert not later.filed and not later.needs_attention and not later.failed
            assert later.already_made == sum(f.kind == "notice_to_improve"
                                             for f in first.filed)
            assert filed(tenant) == files
            item = await site.app.get_item(site.lists["Cases"].id, case_id)
            assert item.fields["GenerationStatus"] == "Generated"

    asyncio.run(run())

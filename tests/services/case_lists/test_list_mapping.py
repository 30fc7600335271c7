"""Reading a case from its list items: the same case as the case file, and every problem
pointed at the item and the column staff must change."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from function_app.domain import DEFAULT_PROFILE, assess, load_profile
from function_app.domain.errors import Problem
from function_app.domain.model import LettersBy
from function_app.services.case_files.case_input import case_from_dict
from function_app.services.case_lists.case_items import CaseItems, ItemProblem, ListItem
from function_app.services.case_lists.list_items import CASE_ID, Ids, items_from_case_input, renamed
from function_app.services.case_lists.list_mapping import MappedCase, map_case

pytestmark = pytest.mark.unit

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
TODAY = dt.date(2026, 11, 22)  # the day tests/cli pins the examples on
AIM_REVIEW = "aim-review-no-engagement.json"


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return data


def aim_review() -> tuple[CaseItems, Ids]:
    return items_from_case_input(example(AIM_REVIEW))


def changed(items: CaseItems, group: str, item_id: str, **fields: Any) -> CaseItems:
    """The same items with some fields of one item set (None removes the field)."""
    def edit(item: ListItem) -> ListItem:
        if item.id != item_id:
            return item
        new = {k: v for k, v in {**item.fields, **fields}.items() if v is not None}
        return ListItem(item.id, new)

    if group == "case":
        assert items.case is not None
        return dataclasses.replace(items, case=edit(items.case))
    edited: dict[str, Any] = {group: tuple(edit(i) for i in getattr(items, group))}
    return dataclasses.replace(items, **edited)


def only(mapped: MappedCase) -> ItemProblem:
    assert len(mapped.problems) == 1, [str(p) for p in mapped.problems]
    return mapped.problems[0]


def where(p: ItemProblem) -> tuple[str, str, str]:
    return (p.list_name, p.item_id, p.column)


@pytest.mark.parametrize("utc_offset_hours", [1, 0], ids=["summer-time", "utc"])
@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.json")))
def test_each_example_read_back_from_list_items_gives_the_same_assessment(
        name: str, utc_offset_hours: int) -> None:
    """An example written to list items and read back is the same case, assessed the same."""
    original = example(name)
    items, ids = items_from_case_input(original, utc_offset_hours)
    mapped = map_case(items, TODAY)
    assert mapped.problems == ()
    expected = case_from_dict(renamed(original, ids))
    assert mapped.case == expected
    profile = load_profile(expected.profile or DEFAULT_PROFILE)
    assert assess(mapped.case, profile, TODAY) == assess(expected, profile, TODAY)


def test_a_review_date_before_the_meeting_is_a_problem_of_that_meeting() -> None:
    """A review date before the meeting date points at that Meetings item's "Review date"."""
    items, ids = aim_review()
    meeting = ids.meetings["m2"]
    items = changed(items, "meetings", meeting, ReviewDate="2026-10-01T23:00:00Z")
    problem = only(map_case(items, TODAY))
    assert where(problem) == ("Meetings", meeting, "Review date")
    assert problem.message == "must be after the meeting date"
    assert str(problem) == f'Meetings item {meeting}, "Review date": must be after the meeting date'


def test_a_meeting_whose_case_lookup_is_empty_is_a_problem_of_that_meeting() -> None:
    """A meeting that names no case is reported on its "Case" column, and left out."""
    items, ids = aim_review()
    meeting = ids.meetings["m1"]
    items = changed(items, "meetings", meeting, CaseLookupId=None)
    items = dataclasses.replace(
        items, attendees=tuple(a for a in items.attendees
                               if a.fields["MeetingLookupId"] != meeting),
        agreed_actions=tuple(a for a in items.agreed_actions
                             if a.fields["MeetingLookupId"] != meeting),
        voice=tuple(v for v in items.voice if v.fields.get("MeetingLookupId") != meeting))
    mapped = map_case(items, TODAY)
    problem = only(mapped)
    assert where(problem) == ("Meetings", meeting, "Case")
    assert problem.message == "is empty: choose the case it belongs to"
    assert mapped.case_input is not None
    assert [m["id"] for m in mapped.case_input["meetings"]] == [ids.meetings["m2"]]


def test_an_item_whose_case_does_not_exist_is_a_problem_of_that_item() -> None:
    """Without its Cases item, a meeting is reported as pointing to no case; nothing is built."""
    meeting = ListItem("12", {"CaseLookupId": "99", "MeetingKind": "AIM review"})
    mapped = map_case(CaseItems(case=None, meetings=(meeting,)), TODAY)
    assert mapped.case_input is None and mapped.case is None
    assert where(only(mapped)) == ("Meetings", "12", "Case")
    assert only(mapped).message == "points to no Cases item (item 99)"


def test_children_of_a_meeting_not_in_the_case_point_to_no_meeting() -> None:
    """An attendee whose meeting is not one of the case's is reported on its "Meeting" column."""
    items, _ = aim_review()
    stray = ListItem("999", {"MeetingLookupId": "12345", "Title": "Sam Smith", "Role": "Uncle",
                             "AttendeeParty": "Parent or carer", "Present": "No"})
    items = dataclasses.replace(items, attendees=(*items.attendees, stray))
    problem = only(map_case(items, TODAY))
    assert where(problem) == ("Meeting Attendees", "999", "Meeting")
    assert problem.message == "points to no meeting of this case"


def test_a_required_column_left_empty_on_the_case_is_reported_on_that_column() -> None:
    """An empty "Pupil's date of birth" is reported on the Cases item as "must be filled in"."""
    items, _ = aim_review()
    items = changed(items, "case", CASE_ID, PupilDateOfBirth=None)
    problem = only(map_case(items, TODAY))
    assert where(problem) == ("Cases", CASE_ID, "Pupil's date of birth")
    assert problem.message == "must be filled in"
    assert problem.path == "pupil.date_of_birth"


def test_a_required_column_left_empty_on_an_attendee_is_reported_on_that_attendee() -> None:
    """An attendee with no "Role" is reported on its own Meeting Attendees item."""
    items, _ = aim_review()
    attendee = items.attendees[2].id
    items = changed(items, "attendees", attendee, Role=None)
    assert where(only(map_case(items, TODAY))) == ("Meeting Attendees", attendee, "Role")


def test_a_penalty_notice_issued_to_no_one_is_reported_once() -> None:
    """A penalty notice whose "Issued to" is empty gets one problem, on that column."""
    items, _ = items_from_case_input(
        example("penalty-notice-limit-two-notices-in-three-years.json"))
    notice = items.penalty_notices[0].id
    items = changed(items, "penalty_notices", notice, CarerLookupId=None)
    problem = only(map_case(items, TODAY))
    assert where(problem) == ("Penalty Notices", notice, "Issued to")
    assert problem.message == "must be filled in"


def test_a_value_that_is_not_one_of_the_choices_is_reported_once() -> None:
    """A stage no choice matches is reported with the choices, not again as missing."""
    items, _ = aim_review()
    items = changed(items, "case", CASE_ID, Stage="Warning letter")
    problem = only(map_case(items, TODAY))
    assert where(problem) == ("Cases", CASE_ID, "Stage")
    assert problem.message.startswith('"Warning letter" is not one of the choices: Monitoring, ')


def test_the_value_behind_a_label_is_read_too() -> None:
    """A choice holding the case-input value itself ("aim") reads as its label would."""
    items, _ = aim_review()
    mapped = map_case(changed(items, "case", CASE_ID, Stage="aim"), TODAY)
    assert mapped.problems == () and mapped.case_input is not None
    assert mapped.case_input["stage"] == "aim"


def test_figures_given_in_part_name_the_columns_still_empty() -> None:
    """Possible sessions without the other figures asks for each of them by its column name."""
    items, _ = aim_review()
    items = changed(items, "case", CASE_ID, PresentSessions=None)
    problem = only(map_case(items, TODAY))
    assert where(problem) == ("Cases", CASE_ID, "Present sessions")
    assert problem.message == 'must be filled in when "Possible sessions" is filled in'


def test_a_domain_problem_names_the_other_column_it_compares_with() -> None:
    """"Figures to" before "Figures from" says so in the columns' own names."""
    items, _ = aim_review()
    items = changed(items, "case", CASE_ID, FiguresTo="2026-09-01T23:00:00Z")
    problem = only(map_case(items, TODAY))
    assert where(problem) == ("Cases", CASE_ID, "Figures to")
    assert problem.message == 'is before "Figures from"'


def test_an_attendee_linked_to_another_cases_carer_is_reported() -> None:
    """An attendee's carer must be one of this case's carers; another's is reported, not used."""
    items, _ = aim_review()
    attendee = next(a for a in items.attendees if "CarerLookupId" in a.fields).id
    items = changed(items, "attendees", attendee, CarerLookupId="4242")
    problem = only(map_case(items, TODAY))
    assert where(problem) == ("Meeting Attendees", attendee, "Which parent or carer")
    assert problem.message == "is not one of this case's parents or carers"


def test_a_quote_in_neither_a_meeting_nor_a_contact_is_reported() -> None:
    """A quote must belong to a meeting or a contact; one with neither is reported on "Meeting"."""
    items, _ = aim_review()
    quote = items.voice[0].id
    items = changed(items, "voice", quote, MeetingLookupId=None)
    problem = only(map_case(items, TODAY))
    assert where(problem) == ("Voice", quote, "Meeting")


def test_a_year_group_that_is_not_whole_is_reported() -> None:
    """Graph numbers arrive as floats: 10.0 is year 10, 9.5 is reported on "Year group"."""
    items, _ = aim_review()
    problem = only(map_case(changed(items, "case", CASE_ID, YearGroup=9.5), TODAY))
    assert where(problem) == ("Cases", CASE_ID, "Year group")
    assert problem.message == "expected a whole number, got 9.5"


def test_times_typed_with_a_dot_or_one_digit_hour_are_read() -> None:
    """9.30 and 9:30 in a Time column both read as 09:30; 25:00 is reported."""
    items, ids = aim_review()
    meeting = ids.meetings["m1"]
    for typed in ("9.30", "9:30", " 09:30 "):
        mapped = map_case(changed(items, "meetings", meeting, MeetingTime=typed), TODAY)
        assert mapped.case_input is not None
        assert mapped.case_input["meetings"][0]["time"] == "09:30"
    problem = only(map_case(changed(items, "meetings", meeting, MeetingTime="25:00"), TODAY))
    assert where(problem) == ("Meetings", meeting, "Time")


def test_a_date_only_value_is_the_day_whose_midnight_is_nearest() -> None:
    """Midnight UTC and 23:00 UTC the evening before both read as the same school day."""
    items, ids = aim_review()
    for sent in ("2026-09-23T00:00:00Z", "2026-09-22T23:00:00Z", "2026-09-23"):
        mapped = map_case(changed(items, "meetings", ids.meetings["m1"], MeetingDate=sent),
                          TODAY)
        assert mapped.case_input is not None
        assert mapped.case_input["meetings"][0]["date"] == "2026-09-23"


def test_holidays_apply_to_their_school_or_to_every_school() -> None:
    """A holiday for another school is left out; one with no school applies to every case."""
    items, _ = aim_review()
    extra = (ListItem("9001", {"Title": "Other", "School": "Another School",
                               "FirstDay": "2026-12-01", "LastDay": "2026-12-02"}),
             ListItem("9002", {"Title": "Training day", "FirstDay": "2026-12-07",
                               "LastDay": "2026-12-07"}))
    mapped = map_case(dataclasses.replace(items, holidays=(*items.holidays, *extra)), TODAY)
    assert mapped.case_input is not None
    names = [h.get("name") for h in mapped.case_input["school"]["holidays"]]
    assert names == ["October half term", "Training day"]


def test_messages_gather_each_items_problems_for_its_generation_message() -> None:
    """Problems of one item come back as that item's message, one line each."""
    items, _ = aim_review()
    items = changed(items, "case", CASE_ID, YearGroup=9.5, Stage="Warning letter")
    messages = map_case(items, TODAY).messages()
    assert list(messages) == [("Cases", CASE_ID)]
    assert messages[("Cases", CASE_ID)].splitlines()[1] == \
        '"Year group": expected a whole number, got 9.5'


def test_a_problem_found_later_is_located_the_same_way() -> None:
    """A problem the documents find (a path in the case input) maps to its item and column."""
    items, ids = aim_review()
    mapped = map_case(items, TODAY)
    located = mapped.locator.locate(Problem("meetings[1].target", "is needed for the plan"))
    assert where(located) == ("Meetings", ids.meetings["m2"], "Attendance target")
    located = mapped.locator.locate(Problem("meetings[0].attendees[1]", "has no role"))
    assert located.list_name == "Meeting Attendees" and located.column == ""


def test_the_rearranged_tick_marks_the_meeting_rearranged() -> None:
    """Seeds 000-002 (changed arrangements confirmed in writing): a ticked "Rearranged" on a
    Meetings item is the meeting's rearranged mark; no tick leaves it unmarked; a value that
    is not a tick is reported on that column."""
    items, ids = aim_review()
    meeting = ids.meetings["m2"]
    ticked = map_case(changed(items, "meetings", meeting, Rearranged=True), TODAY)
    assert ticked.problems == () and ticked.case is not None
    assert [m.rearranged for m in ticked.case.meetings] == [False, True]
    unticked = map_case(changed(items, "meetings", meeting, Rearranged=False), TODAY)
    assert unticked.case is not None
    assert not any(m.rearranged for m in unticked.case.meetings)
    problem = only(map_case(changed(items, "meetings", meeting, Rearranged="Yes"), TODAY))
    assert where(problem) == ("Meetings", meeting, "Rearranged")


def test_a_rearranged_meeting_is_written_to_the_rearranged_column() -> None:
    """The case input's rearranged is written as the "Rearranged" tick and read back."""
    data = example(AIM_REVIEW)
    data["meetings"][1]["rearranged"] = True
    items, ids = items_from_case_input(data)
    assert [m.fields.get("Rearranged") for m in items.meetings] == [None, True]
    mapped = map_case(items, TODAY)
    assert mapped.case == case_from_dict(renamed(data, ids))


def test_letters_sent_by_is_read_back_from_the_carers_list() -> None:
    """Issue 18: the Carers list records how each parent wants letters ("Letters sent by":
    Post, Email, or Email and post); written to items and read back, it is the same."""
    original = example(AIM_REVIEW)
    original["carers"][0]["letters_by"] = "both"
    items, _ = items_from_case_input(original)
    assert items.carers[0].fields["LettersBy"] == "Email and post"
    mapped = map_case(items, TODAY)
    assert mapped.problems == () and mapped.case is not None
    assert [c.letters_by for c in mapped.case.carers][:1] == [LettersBy.BOTH]
    assert all(c.letters_by is None for c in mapped.case.carers[1:])


"""List and column validation formulas: the dev tenant refuses an item that fails them, as
SharePoint does, and the Graph adapter says so as ValidationRefusedError.

The formulas are the product's own (sharepoint_schema/formatting/index.json), set on a list
over SharePoint REST as `casework provision` sets them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from function_app.adapters.graph.errors import (
    GraphError,
    ValidationRefusedError,
    error_for,
)
from function_app.devtenant import DevTenant
from function_app.devtenant.validation import CannotCheck, day_number, passes

from ..adapters.graph_support import failure_of, tenant_client
from .helpers import Graph, unique

pytestmark = pytest.mark.integration

INDEX = Path(__file__).parents[2] / "sharepoint_schema" / "formatting" / "index.json"
RULES: dict[str, dict[str, str]] = {
    name: entry["validation"]
    for name, entry in json.loads(INDEX.read_text(encoding="utf-8"))["lists"].items()
    if entry.get("validation")}
MEETINGS, CASES = RULES["Meetings"], RULES["Cases"]
REFUSED = "List data validation failed."


def _values(**by_title: Any) -> Callable[[str], Any]:
    """A lookup by display name; dates given as "YYYY-MM-DD" become day numbers."""
    def value(v: Any) -> Any:
        if isinstance(v, str) and len(v) == 10 and v[4] == "-":
            return day_number(f"{v}T00:00:00Z")
        return None if v is None else float(v) if isinstance(v, int) else v

    titles = {k.replace("_", " ").casefold(): value(v) for k, v in by_title.items()}
    return lambda title: titles.get(title.casefold())


# -- the evaluator, on the product's two formulas -----------------------------------------


@pytest.mark.parametrize(("meeting", "review", "ok"), [
    ("2027-01-07", "2027-01-08", True),    # the day after
    ("2027-01-07", "2027-01-07", False),   # the same day is not after
    ("2027-01-07", "2026-12-16", False),   # before the meeting
    ("2027-01-07", None, True),            # no review date yet
    (None, "2027-01-07", True),            # no meeting date: a blank is day 0
])
def test_the_review_date_must_be_after_the_meeting(meeting: str | None, review: str | None,
                                                   ok: bool) -> None:
    assert passes(MEETINGS["formula"], _values(Date=meeting, Review_date=review)) is ok


@pytest.mark.parametrize(("possible", "present", "authorised", "unauthorised", "ok"), [
    (100, 100, 0, 0, True),        # present equal to possible: 100%
    (100, 101, 0, 0, False),       # more present than possible
    (100, 60, 20, 20, True),       # the absences add up exactly
    (100, 60, 50, 51, False),      # absences more than possible
    (None, 500, 300, 300, True),   # no possible sessions yet: nothing to check against
    (100, None, None, None, True),  # only the possible sessions
    (0, 0, 0, 0, True),
])
def test_attendance_comes_out_between_0_and_100_percent(
        possible: int | None, present: int | None, authorised: int | None,
        unauthorised: int | None, ok: bool) -> None:
    values = _values(Possible_sessions=possible, Present_sessions=present,
                     Authorised_absences=authorised, Unauthorised_absences=unauthorised)
    assert passes(CASES["formula"], values) is ok


def test_the_evaluator_reads_what_admins_write_and_declines_what_it_does_not_know() -> None:
    """IF, NOT, text compared without case, & and arithmetic work; a calculation error
    fails the item (SharePoint refuses it); an unknown function or malformed formula is
    not checked rather than refusing valid data."""
    values = _values(Status="held", Sessions=4, Weeks=0)
    assert passes('=IF([Status]="Held",[Sessions]>=4,TRUE)', values)
    assert not passes('=NOT([Status]&"!"="HELD!")', values)
    assert passes("=[Sessions]*2-1=7", values)
    assert passes("=AND(TRUE,OR(FALSE,[Sessions]/4=1))", values)
    assert not passes("=[Sessions]/[Weeks]>1", values)  # #DIV/0!
    for unreadable in ('=LEN([Status])>2', "=[Status]=", "Status", "=[Status]<>'x'"):
        with pytest.raises(CannotCheck):
            passes(unreadable, values)


# -- the dev tenant refuses, on create and update, through Graph and $batch ---------------


@pytest.fixture
def meetings(graph: Graph, tenant: DevTenant) -> Iterator[dict[str, Any]]:
    """A Meetings-like list carrying the product's list validation, set over REST."""
    title = unique("Meetings")
    made = graph.new_list([
        {"name": "MeetingDate", "displayName": "Date", "dateTime": {"format": "dateOnly"}},
        {"name": "ReviewDate", "displayName": "Review date",
         "dateTime": {"format": "dateOnly"}}], title)
    web = f"http://127.0.0.1:{tenant.port}{tenant.site_path}"
    with httpx.Client(base_url=web, headers={"Authorization": f"Bearer {tenant.app_token}"}) \
            as rest:
        answer = rest.post(f"/_api/web/lists/GetByTitle('{quote(title)}')",
                           json={"ValidationFormula": MEETINGS["formula"],
                                 "ValidationMessage": MEETINGS["message"]},
                           headers={"X-HTTP-Method": "MERGE", "IF-MATCH": "*"})
        assert answer.status_code == 204, answer.text
    yield made


def _assert_refused(status: int, body: dict[str, Any]) -> None:
    """Graph's error shape: 400, invalidRequest, SharePoint's own words, the request ids."""
    assert status == 400
    error = body["error"]
    assert error["code"] == "invalidRequest"
    assert error["message"] == REFUSED
    assert {"date", "request-id", "client-request-id"} <= set(error["innerError"])


def test_an_item_failing_the_list_formula_is_not_created(graph: Graph,
                                                         meetings: dict[str, Any]) -> None:
    items = graph.items_url(meetings["id"])
    refused = graph.post(items, {"fields": {"Title": "Support", "MeetingDate": "2027-01-07",
                                            "ReviewDate": "2026-12-16"}})
    _assert_refused(refused.status, refused.json())
    assert graph.get(items).json()["value"] == []
    made = graph.post(items, {"fields": {"Title": "Support", "MeetingDate": "2027-01-07",
                                         "ReviewDate": "2027-01-28"}})
    assert made.status == 201


def test_an_update_is_checked_on_the_whole_item_and_a_refused_one_changes_nothing(
        graph: Graph, staff: Graph, meetings: dict[str, Any]) -> None:
    """Only the review date is sent, but it is checked against the stored meeting date;
    the item keeps its values, version and eTag."""
    items = graph.items_url(meetings["id"])
    made = graph.post(items, {"fields": {"Title": "Review", "MeetingDate": "2027-01-07"}})
    item = f"{items}/{made.json()['id']}"
    before = graph.get(f"{item}?expand=fields").json()
    refused = staff.patch(f"{item}/fields", {"ReviewDate": "2027-01-07"})
    _assert_refused(refused.status, refused.json())
    after = graph.get(f"{item}?expand=fields").json()
    assert after["eTag"] == before["eTag"]
    assert after["fields"] == before["fields"]
    assert "ReviewDate" not in after["fields"]
    moved = staff.patch(f"{item}/fields", {"MeetingDate": "2027-01-20"})  # no review date yet
    assert moved.status == 200


def test_batch_requests_are_refused_one_by_one(graph: Graph,
                                               meetings: dict[str, Any]) -> None:
    """In $batch, the refused create and update answer 400 with the same error and the
    others go through; a request depending on a refused one gets 424."""
    items = graph.items_url(meetings["id"])
    made = graph.post(items, {"fields": {"Title": "AIM", "MeetingDate": "2027-01-07"}})
    item_id = made.json()["id"]
    json_headers = {"Content-Type": "application/json"}
    body = {"requests": [
        {"id": "bad-create", "method": "POST", "url": items, "headers": json_headers,
         "body": {"fields": {"MeetingDate": "2027-02-01", "ReviewDate": "2027-01-01"}}},
        {"id": "bad-update", "method": "PATCH", "url": f"{items}/{item_id}/fields",
         "headers": json_headers, "body": {"ReviewDate": "2027-01-06"}},
        {"id": "after-bad", "dependsOn": ["bad-update"], "method": "PATCH",
         "url": f"{items}/{item_id}/fields", "headers": json_headers,
         "body": {"Title": "AIM, moved"}},
        {"id": "good-update", "method": "PATCH", "url": f"{items}/{item_id}/fields",
         "headers": json_headers, "body": {"ReviewDate": "2027-01-21"}},
    ]}
    answers = {a["id"]: a for a in graph.post("/$batch", body).json()["responses"]}
    for key in ("bad-create", "bad-update"):
        _assert_refused(answers[key]["status"], answers[key]["body"])
    assert answers["after-bad"]["status"] == 424
    assert answers["good-update"]["status"] == 200
    listed = graph.get(f"{items}?expand=fields").json()["value"]
    assert [i["fields"]["Title"] for i in listed] == ["AIM"]
    assert listed[0]["fields"]["ReviewDate"].startswith("2027-01-21")


def test_a_column_formula_is_checked_too(graph: Graph) -> None:
    """A column's own validation (Graph's columnDefinition.validation) refuses the same
    way; an unknown function in a formula is not checked, so the item is accepted."""
    made = graph.new_list([
        {"name": "PossibleSessions", "displayName": "Possible sessions", "number": {},
         "validation": {"formula": "=[Possible sessions]>0",
                        "descriptions": [{"languageTag": "en-GB",
                                          "name": "Possible sessions must be above 0."}],
                        "defaultLanguage": "en-GB"}},
        {"name": "Upn", "displayName": "UPN", "text": {},
         "validation": {"formula": "=LEN([UPN])=13"}}])
    items = graph.items_url(made["id"])
    refused = graph.post(items, {"fields": {"PossibleSessions": 0}})
    _assert_refused(refused.status, refused.json())
    assert graph.post(items, {"fields": {"PossibleSessions": 2, "Upn": "short"}}).status == 201


# -- the Graph adapter --------------------------------------------------------------------


def test_the_adapter_says_validation_refused_in_plain_words(
        tenant: DevTenant, meetings: dict[str, Any]) -> None:
    """From the dev tenant, and from SharePoint's own REST answer, the refusal is a
    ValidationRefusedError saying nothing was saved; other 400s stay plain GraphErrors."""

    async def scenario() -> None:
        app = tenant_client(tenant)
        error = await failure_of(app.create_item(meetings["id"], {
            "MeetingDate": "2027-01-07", "ReviewDate": "2027-01-01"}))
        made = await app.create_item(meetings["id"], {"MeetingDate": "2027-01-07"})
        batch = await app.update_fields_batch(meetings["id"],
                                              {made.id: {"ReviewDate": "2027-01-02"}})
        for refusal in (error, batch[made.id]):
            assert isinstance(refusal, ValidationRefusedError), refusal
            assert "refused" in str(refusal) and "nothing was saved" in str(refusal)
            assert refusal.status == 400

    asyncio.run(scenario())
    rest = error_for(500, "-2130575162, Microsoft.SharePoint.SPListDataValidationException",
                     REFUSED, "update item")
    assert isinstance(rest, ValidationRefusedError)
    other = error_for(400, "invalidRequest", "Field 'Nope' is not recognized.", "update item")
    assert type(other) is GraphError


def test_the_import_hears_each_refused_case_in_plain_words(tmp_path: Path) -> None:
    """Cases with the product's attendance rule: opening a case whose figures break it
    raises ValidationRefusedError, and a batch of figure updates says, per case item, that
    SharePoint refused it while the others are written."""
    from function_app.adapters.graph.cases_list import GraphCasesList

    with DevTenant(tmp_path / "tenant") as dev:
        graph = Graph(dev)
        graph.new_list([{"name": name, "displayName": title, "number": {}} for name, title in (
            ("PossibleSessions", "Possible sessions"), ("PresentSessions", "Present sessions"),
            ("AuthorisedAbsences", "Authorised absences"),
            ("UnauthorisedAbsences", "Unauthorised absences"))], "Cases")
        graph.close()
        web = f"http://127.0.0.1:{dev.port}{dev.site_path}"
        answer = httpx.post(f"{web}/_api/web/lists/GetByTitle('Cases')",
                            json={"ValidationFormula": CASES["formula"],
                                  "ValidationMessage": CASES["message"]},
                            headers={"Authorization": f"Bearer {dev.app_token}",
                                     "X-HTTP-Method": "MERGE", "IF-MATCH": "*"})
        assert answer.status_code == 204, answer.text

        async def scenario() -> tuple[GraphError, dict[str, str], str, str]:
            cases = GraphCasesList(tenant_client(dev))
            refused = await failure_of(cases.open_case(
                {"Title": "ATT-1", "PossibleSessions": 10, "PresentSessions": 12}))
            one = await cases.open_case({"Title": "ATT-2", "PossibleSessions": 10,
                                         "PresentSessions": 8})
            two = await cases.open_case({"Title": "ATT-3", "PossibleSessions": 10})
            outcome = await cases.update_figures({
                one: {"PossibleSessions": 20, "PresentSessions": 21},
                two: {"PresentSessions": 10}})
            return refused, outcome, one, two

        refused, outcome, one, two = asyncio.run(scenario())
    assert isinstance(refused, ValidationRefusedError)
    assert "SharePoint refused it" in outcome[one] and "nothing was saved" in outcome[one]
    assert outcome[two] == ""


def test_a_refused_write_back_is_reported_naming_the_item_and_the_sweep_goes_on(
        tmp_path: Path) -> None:
    """Items saved before their list's formula changed fail it on every later write, even of
    the casework app's status columns: the sweep says which item SharePoint refused, in
    plain words, files what it made, and does not stop."""
    from tests.integration.helpers import Site, example

    with DevTenant(tmp_path / "tenant") as dev:
        web = f"http://127.0.0.1:{dev.port}{dev.site_path}"

        async def scenario() -> Any:
            site = await Site.ready(dev)
            await site.type_case(example("aim-review-no-engagement.json"))
            answer = httpx.post(f"{web}/_api/web/lists/GetByTitle('Meetings')",
                                json={"ValidationFormula": "=ISBLANK([Date])",
                                      "ValidationMessage": "No dates here."},
                                headers={"Authorization": f"Bearer {dev.app_token}",
                                         "X-HTTP-Method": "MERGE", "IF-MATCH": "*"})
            assert answer.status_code == 204, answer.text
            return await site.processor(tmp_path / "state.sqlite").sweep()

        report = asyncio.run(scenario())
    refused = {k: v for k, v in report.failed.items() if k.startswith("Meetings/")}
    assert len(refused) == 2  # both meetings of the case
    for key, said in refused.items():
        item = key.removeprefix("Meetings/")
        assert f"SharePoint refused the casework app's status on the Meetings item {item}:" \
            in said
        assert "validation" in said and "correct the item" in said
    assert report.filed  # the documents were made and filed all the same

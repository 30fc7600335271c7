"""SharePoint REST on the dev tenant: views, field formatters, the list form and validation,
stored under the site's path with SharePoint's verbs, headers, answers and errors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import httpx
import pytest

from function_app.adapters.sharepoint_rest import (
    RestNotFoundError,
    RestUnavailableError,
    SharePointRest,
    SharePointRestError,
)
from function_app.adapters.sharepoint_rest.auth import dev_token
from function_app.devtenant import DevTenant

from .helpers import Graph, unique

pytestmark = pytest.mark.integration

NOMETADATA = "application/json;odata=nometadata"
VERBOSE = "application/json;odata=verbose"


def _web(tenant: DevTenant) -> str:
    return f"http://127.0.0.1:{tenant.port}{tenant.site_path}"


@pytest.fixture
def http(tenant: DevTenant) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=_web(tenant),
                      headers={"Authorization": f"Bearer {tenant.app_token}"}) as client:
        yield client


@pytest.fixture
def meetings(graph: Graph) -> str:
    """A new list with a date, a review date and a status, by its title."""
    title = unique("Meetings")
    graph.new_list([{"name": "MeetingDate", "displayName": "Date",
                     "dateTime": {"format": "dateOnly"}},
                    {"name": "ReviewDate", "displayName": "Review date",
                     "dateTime": {"format": "dateOnly"}},
                    {"name": "MeetingStatus", "displayName": "Meeting status",
                     "choice": {"choices": ["Held", "Did not go ahead"]}}], title)
    return title


def _list(title: str) -> str:
    return f"/_api/web/lists/GetByTitle('{quote(title)}')"


def _run(tenant: DevTenant, work: Any) -> Any:
    async def go() -> Any:
        rest = SharePointRest(_web(tenant), dev_token(_web(tenant), tenant.app_token))
        try:
            return await work(rest)
        finally:
            await rest.aclose()

    return asyncio.run(go())


def test_an_unknown_list_is_404_with_sharepoints_error_body(http: httpx.Client) -> None:
    """GetByTitle of a list that is not there answers 404 and SharePoint's odata.error (or
    error, for odata=verbose) with a code and an English message naming the list."""
    light = http.get(_list("No such list"), headers={"Accept": NOMETADATA})
    assert light.status_code == 404
    error = light.json()["odata.error"]
    assert error["message"]["lang"] == "en-US"
    assert "List 'No such list' does not exist" in error["message"]["value"]
    assert error["code"]
    verbose = http.get(_list("No such list"), headers={"Accept": VERBOSE})
    assert verbose.status_code == 404 and "error" in verbose.json()


def test_requests_without_a_token_are_refused(http: httpx.Client, meetings: str) -> None:
    """SharePoint REST needs a bearer token like Graph does: none is 401."""
    refused = http.get(_list(meetings), headers={"Authorization": ""})
    assert refused.status_code == 401
    assert "Access denied" in refused.json()["odata.error"]["message"]["value"]


def test_a_list_has_all_items_and_a_new_view_is_kept(http: httpx.Client, meetings: str) -> None:
    """A new list has its default "All Items" view; POST views makes another (201), its
    fields are set with removeallviewfields and addviewfield, and reading gives them back."""
    views = http.get(f"{_list(meetings)}/views", headers={"Accept": NOMETADATA}).json()["value"]
    assert [v["Title"] for v in views] == ["All Items"] and views[0]["DefaultView"] is True
    created = http.post(f"{_list(meetings)}/views",
                        json={"__metadata": {"type": "SP.View"}, "Title": "Reviews due",
                              "ViewQuery": '<Where><IsNotNull><FieldRef Name="ReviewDate"/>'
                                           "</IsNotNull></Where>", "RowLimit": 30},
                        headers={"Accept": NOMETADATA, "Content-Type": VERBOSE})
    assert created.status_code == 201
    view = f"{_list(meetings)}/views('{created.json()['Id']}')/ViewFields"
    assert http.post(f"{view}/removeallviewfields").status_code == 200
    for name in ("LinkTitle", "ReviewDate"):
        assert http.post(f"{view}/addviewfield('{name}')").status_code == 200
    fields = http.get(view, headers={"Accept": NOMETADATA}).json()
    assert fields["Items"] == ["LinkTitle", "ReviewDate"]
    verbose = http.get(f"{_list(meetings)}/views", headers={"Accept": VERBOSE}).json()
    assert [v["Title"] for v in verbose["d"]["results"]] == ["All Items", "Reviews due"]
    assert http.post(f"{view}/addviewfield('NoSuchField')").status_code == 404


def test_merge_sets_a_formatter_and_refuses_what_the_type_lacks(http: httpx.Client,
                                                                meetings: str) -> None:
    """X-HTTP-Method MERGE with IF-MATCH * sets a field's CustomFormatter (204) and a later
    GET shows it; a property SP.Field does not have is 400 naming it; an unknown field 404."""
    field = f"{_list(meetings)}/fields/getbyinternalnameortitle('ReviewDate')"
    merge = {"X-HTTP-Method": "MERGE", "IF-MATCH": "*", "Content-Type": VERBOSE}
    formatter = json.dumps({"elmType": "div", "txtContent": "@currentField"})
    body = {"__metadata": {"type": "SP.Field"}, "CustomFormatter": formatter}
    assert http.post(field, json=body, headers=merge).status_code == 204
    assert http.get(field, headers={"Accept": NOMETADATA}).json()["CustomFormatter"] == formatter
    wrong = http.post(field, json={"Colour": "red"}, headers=merge)
    assert wrong.status_code == 400 and "'Colour'" in wrong.json()["odata.error"]["message"][
        "value"]
    missing = f"{_list(meetings)}/fields/getbyinternalnameortitle('Nope')"
    assert http.get(missing).status_code == 404


def test_list_validation_must_name_columns_the_list_has(http: httpx.Client,
                                                        meetings: str) -> None:
    """A list validation formula is kept with its message; one naming a column the list does
    not have is refused as SharePoint refuses a formula it cannot read."""
    merge = {"X-HTTP-Method": "MERGE", "IF-MATCH": "*"}
    good = {"ValidationFormula": "=OR(ISBLANK([Review date]),[Review date]>[Date])",
            "ValidationMessage": "The review date must be after the meeting."}
    assert http.post(_list(meetings), json=good, headers=merge).status_code == 204
    settings = http.get(_list(meetings), headers={"Accept": NOMETADATA}).json()
    assert settings["ValidationFormula"] == good["ValidationFormula"]
    assert settings["ValidationMessage"] == good["ValidationMessage"]
    bad = http.post(_list(meetings), json={"ValidationFormula": "=[Reviewed]>[Date]"},
                    headers=merge)
    assert bad.status_code == 400


def test_the_adapter_reads_and_writes_views_fields_forms_and_validation(
        tenant: DevTenant, meetings: str) -> None:
    """Through the adapter: a view with its fields, a field's show-when formula, the item
    content type's form layout and the list's validation are kept and read back."""
    layout = json.dumps({"headerJSONFormatter": "", "bodyJSONFormatter":
                         json.dumps({"sections": [{"displayname": "Review",
                                                   "fields": ["Review date"]}]}),
                         "footerJSONFormatter": ""})

    async def work(rest: SharePointRest) -> tuple[Any, ...]:
        view = await rest.create_view(meetings, {"Title": "Held", "RowLimit": 10,
                                                 "ViewQuery": "<Where><Eq><FieldRef Name="
                                                              '"MeetingStatus"/><Value Type='
                                                              '"Choice">Held</Value></Eq>'
                                                              "</Where>"})
        await rest.set_view_fields(meetings, view["Id"], ["LinkTitle", "MeetingDate"])
        await rest.update_field(meetings, "ReviewDate",
                                {"ClientValidationFormula": "=if([$MeetingStatus] == 'Held', "
                                                            "'true', 'false')"})
        item_type = next(t for t in await rest.content_types(meetings) if t["Name"] == "Item")
        await rest.update_content_type(meetings, item_type["StringId"],
                                       {"ClientFormCustomFormatter": layout})
        await rest.update_list(meetings, {"ValidationFormula": "=[Review date]>[Date]",
                                          "ValidationMessage": "After the meeting."})
        views = {v["Title"]: v for v in await rest.views(meetings)}
        return (views["Held"]["RowLimit"], await rest.view_fields(meetings, view["Id"]),
                {f["InternalName"]: f for f in await rest.fields(meetings)},
                await rest.content_types(meetings), await rest.list_settings(meetings))

    limit, shown, fields, types, settings = _run(tenant, work)
    assert limit == 10 and shown == ["LinkTitle", "MeetingDate"]
    assert fields["ReviewDate"]["ClientValidationFormula"].startswith("=if([$MeetingStatus]")
    assert next(t for t in types if t["Name"] == "Item")["ClientFormCustomFormatter"] == layout
    assert settings["ValidationMessage"] == "After the meeting."


def test_the_adapter_says_what_is_missing(tenant: DevTenant) -> None:
    """A list that is not there is a RestNotFoundError whose message names it."""
    with pytest.raises(RestNotFoundError, match="No such list"):
        _run(tenant, lambda rest: rest.views("No such list"))


def test_views_survive_a_restart(tmp_path: Path) -> None:
    """Views and settings are kept in the tenant's folder like its lists and items."""
    with DevTenant(tmp_path) as first:
        Graph(first).new_list([], "Kept")
        _run(first, lambda rest: rest.create_view("Kept", {"Title": "Mine", "RowLimit": 5}))
    with DevTenant(tmp_path) as second:
        titles = _run(second, lambda rest: rest.views("Kept"))
    assert [v["Title"] for v in titles] == ["All Items", "Mine"]


def _scripted(*answers: httpx.Response) -> tuple[SharePointRest, list[float]]:
    queue = list(answers)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    def handler(request: httpx.Request) -> httpx.Response:
        return queue.pop(0)

    async def token() -> str:
        return "t"

    rest = SharePointRest("https://contoso.sharepoint.com/sites/a", token,
                          transport=httpx.MockTransport(handler), sleep=sleep)
    return rest, slept


def test_a_throttled_request_is_tried_once_more_after_retry_after() -> None:
    """429 with Retry-After: 7 waits 7 s and tries again, once; a second 429 is reported
    as SharePoint being unavailable, not retried for ever."""
    throttled = httpx.Response(429, headers={"Retry-After": "7"},
                               json={"odata.error": {"code": "-2147024860", "message": {
                                   "lang": "en-US", "value": "The request has been throttled."}}})
    rest, slept = _scripted(throttled, httpx.Response(200, json={"value": []}))
    assert asyncio.run(rest.views("Cases")) == []
    assert slept == [7.0]
    rest, slept = _scripted(throttled, throttled, httpx.Response(200, json={"value": []}))
    with pytest.raises(RestUnavailableError, match="throttled"):
        asyncio.run(rest.views("Cases"))
    assert slept == [7.0]


def test_a_refusal_names_the_permission_to_grant() -> None:
    """403 from SharePoint is an error that says which permission the app needs."""
    rest, _ = _scripted(httpx.Response(403, json={"error": {"code": "-2147024891", "message": {
        "lang": "en-US", "value": "Access denied."}}}))
    with pytest.raises(SharePointRestError, match=r"Sites\.Selected"):
        asyncio.run(rest.views("Cases"))


def test_the_adapter_sends_sharepoints_documented_verbs_and_headers() -> None:
    """Updates are POST with X-HTTP-Method MERGE and IF-MATCH *, typed by __metadata; a view
    is created by POST to the collection; reads ask for odata=nometadata; a title with an
    apostrophe has it doubled inside the quotes."""
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if request.headers.get("X-HTTP-Method") == "MERGE":
            return httpx.Response(204)
        return httpx.Response(201 if request.url.path.endswith("/views") else 200,
                              json={"Id": "v1", "value": []})

    async def token() -> str:
        return "t"

    async def work() -> None:
        rest = SharePointRest("https://contoso.sharepoint.com/sites/a", token,
                              transport=httpx.MockTransport(handler))
        await rest.update_field("Parents' evenings", "ReviewDate", {"CustomFormatter": "{}"})
        await rest.create_view("Cases", {"Title": "Mine"})
        await rest.views("Cases")
        await rest.aclose()

    asyncio.run(work())
    merge, create, read = sent
    assert merge.method == "POST" and merge.headers["X-HTTP-Method"] == "MERGE"
    assert merge.headers["IF-MATCH"] == "*"
    assert "GetByTitle('Parents'' evenings')" in unquote(str(merge.url.raw_path, "ascii"))
    assert json.loads(merge.content)["__metadata"] == {"type": "SP.Field"}
    assert merge.headers["Content-Type"] == VERBOSE
    assert create.method == "POST" and create.url.path.endswith("/views")
    assert json.loads(create.content)["__metadata"] == {"type": "SP.View"}
    assert read.method == "GET" and read.headers["Accept"] == NOMETADATA
    assert all(r.headers["Authorization"] == "Bearer t" for r in sent)


def test_a_list_title_with_an_apostrophe_is_found(tenant: DevTenant, graph: Graph) -> None:
    """GetByTitle('Parents'' evenings') finds the list "Parents' evenings"."""
    title = unique("Parents' evenings")
    graph.new_list([], title)
    views = _run(tenant, lambda rest: rest.views(title))
    assert [v["Title"] for v in views] == ["All Items"]

"""Lists, columns and list items: creation, validation, versions, eTags, paging, $filter."""

from __future__ import annotations

from typing import Any

import pytest

from function_app.devtenant import DevTenant

from .helpers import Graph, unique

pytestmark = pytest.mark.integration

CASE_COLUMNS: list[dict[str, Any]] = [
    {"name": "Status", "choice": {"choices": ["Open", "Closed"]}, "indexed": True},
    {"name": "Sessions", "number": {}},
    {"name": "Persistent", "boolean": {}},
    {"name": "ReviewDue", "dateTime": {"format": "dateOnly"}},
    {"name": "CaseOfficer", "personOrGroup": {}},
    {"name": "Notes", "text": {"allowMultipleLines": True}},
]


def test_site_and_library_exist_from_the_first_start(graph: Graph, tenant: DevTenant) -> None:
    """A new tenant has its site and a "Documents" library whose drive is the site's drive."""
    lists = graph.get(f"/sites/{tenant.site_id}/lists").json()["value"]
    library = next(x for x in lists if x["displayName"] == "Documents")
    assert library["list"]["template"] == "documentLibrary"
    drive = graph.get(f"/sites/{tenant.site_id}/lists/Documents/drive").json()
    assert drive["id"] == graph.drive_id()
    assert drive["driveType"] == "documentLibrary"
    assert graph.get("/sites/root").json()["id"] == tenant.site_id
    encoded = graph.get(f"/sites/{tenant.hostname}%3A%2Fsites%2Fattendance%3A")
    assert encoded.json()["id"] == tenant.site_id


def test_columns_are_listed_and_a_duplicate_name_is_409(graph: Graph, tenant: DevTenant) -> None:
    """POST columns adds a columnDefinition; the same name again (any case) is 409."""
    lst = graph.new_list(CASE_COLUMNS)
    url = f"/sites/{tenant.site_id}/lists/{lst['id']}/columns"
    names = [c["name"] for c in graph.get(url).json()["value"]]
    assert {"Title", "Status", "CaseOfficer", "Created", "Modified"} <= set(names)
    added = graph.post(url, {"name": "Tier", "choice": {"choices": ["1", "2", "3", "4"]}})
    assert added.status == 201
    assert added.json()["choice"]["choices"] == ["1", "2", "3", "4"]
    again = graph.post(url, {"name": "tier", "text": {}})
    assert again.status == 409
    assert again.error_code == "nameAlreadyExists"
    assert graph.post(url, {"name": "Has space", "text": {}}).status == 400
    assert graph.post(url, {"name": "NoType"}).status == 400


def test_a_second_list_with_the_same_title_is_409(graph: Graph, tenant: DevTenant) -> None:
    """Creating a list whose title is taken answers 409 nameAlreadyExists."""
    lst = graph.new_list([])
    again = graph.post(f"/sites/{tenant.site_id}/lists", {"displayName": lst["displayName"]})
    assert again.status == 409
    assert again.error_code == "nameAlreadyExists"


def test_items_get_integer_ids_versions_and_etags(graph: Graph, tenant: DevTenant) -> None:
    """Items are numbered "1", "2"...; each PATCH bumps the version in eTag and _UIVersionString."""
    lst = graph.new_list(CASE_COLUMNS)
    items = graph.items_url(lst["id"])
    first = graph.post(items, {"fields": {"Title": "A", "Status": "Open", "Sessions": 3}}).json()
    second = graph.post(items, {"fields": {"Title": "B"}}).json()
    assert (first["id"], second["id"]) == ("1", "2")
    assert first["eTag"].startswith('"{') and first["eTag"].endswith('},1"')
    patched = graph.patch(f"{items}/1/fields", {"Status": "Closed", "ReviewDue": "2026-12-01"})
    assert patched.status == 200
    assert patched.json()["Status"] == "Closed"
    assert patched.json()["ReviewDue"] == "2026-12-01T00:00:00Z"
    assert patched.json()["_UIVersionString"] == "2.0"
    assert patched.json()["@odata.etag"].endswith(',2"')
    assert patched.json()["Title"] == "A"


def test_if_match_with_a_stale_etag_is_412(graph: Graph, tenant: DevTenant) -> None:
    """PATCH fields with an old eTag in If-Match is refused with 412 and changes nothing."""
    lst = graph.new_list(CASE_COLUMNS)
    items = graph.items_url(lst["id"])
    etag = graph.post(items, {"fields": {"Title": "A"}}).json()["eTag"]
    ok = graph.patch(f"{items}/1/fields", {"Title": "B"}, headers={"If-Match": etag})
    assert ok.status == 200
    stale = graph.patch(f"{items}/1/fields", {"Title": "C"}, headers={"If-Match": etag})
    assert stale.status == 412
    assert graph.get(f"{items}/1?expand=fields").json()["fields"]["Title"] == "B"
    assert graph.patch(f"{items}/1/fields", {"Title": "D"}, headers={"If-Match": "*"}).status == 200


def test_field_values_are_checked_against_the_columns(graph: Graph, tenant: DevTenant) -> None:
    """Unknown fields, wrong types, bad choices, read-only and by-name lookups are 400."""
    lst = graph.new_list(CASE_COLUMNS)
    items = graph.items_url(lst["id"])
    bad = [
        {"Colour": "Red"},
        {"status": "Open"},
        {"Sessions": "three"},
        {"Persistent": "yes"},
        {"Status": "Pending"},
        {"Created": "2026-01-01T00:00:00Z"},
        {"CaseOfficer": "A Person"},
        {"ReviewDue": "next week"},
        {"Title": "x" * 256},
    ]
    for fields in bad:
        answer = graph.post(items, {"fields": fields})
        assert answer.status == 400, fields
        assert answer.error_code == "invalidRequest"
    good = graph.post(items, {"fields": {"CaseOfficerLookupId": "12", "Notes": "y" * 1000}})
    assert good.status == 201
    assert good.json()["fields"]["CaseOfficerLookupId"] == "12"
    hint = graph.post(items, {"fields": {"status": "Open"}}).json()["error"]["message"]
    assert "Did you mean 'Status'?" in hint


def test_required_columns_must_be_given(graph: Graph, tenant: DevTenant) -> None:
    """A required column missing on create, or cleared by PATCH, is 400."""
    lst = graph.new_list([{"name": "Urn", "text": {}, "required": True}])
    items = graph.items_url(lst["id"])
    assert graph.post(items, {"fields": {"Title": "A"}}).status == 400
    assert graph.post(items, {"fields": {"Urn": "100001"}}).status == 201
    assert graph.patch(f"{items}/1/fields", {"Urn": None}).status == 400


def test_writes_are_attributed_to_the_app_or_the_member_of_staff(
    graph: Graph, staff: Graph, tenant: DevTenant
) -> None:
    """The app token writes as the application; a dev-user token as that person."""
    lst = graph.new_list([])
    items = graph.items_url(lst["id"])
    created = graph.post(items, {"fields": {"Title": "A"}}).json()
    assert created["createdBy"] == {
        "application": {
            "id": "00000000-0000-0000-0000-00000000ca5e",
            "displayName": "Attendance Casework",
        }
    }
    staff.patch(f"{items}/1/fields", {"Title": "B"})
    item = graph.get(f"{items}/1").json()
    assert item["lastModifiedBy"]["user"]["displayName"] == "Attendance Officer"
    assert "application" in item["createdBy"]


def test_item_collection_pages_with_next_link(graph: Graph, tenant: DevTenant) -> None:
    """GET items with $top pages through @odata.nextLink and keeps $expand on every page."""
    lst = graph.new_list([])
    items = graph.items_url(lst["id"])
    for n in range(5):
        graph.post(items, {"fields": {"Title": f"Case {n}"}})
    page = graph.get(f"{items}?$top=2&$expand=fields").json()
    seen = []
    while True:
        seen += [(v["id"], v["fields"]["Title"]) for v in page["value"]]
        if "@odata.nextLink" not in page:
            break
        page = graph.get(page["@odata.nextLink"]).json()
    assert seen == [(str(n + 1), f"Case {n}") for n in range(5)]


def test_filter_on_fields_needs_an_index_or_the_prefer_header(
    graph: Graph, tenant: DevTenant
) -> None:
    """$filter on an indexed column works; on another it needs Prefer: HonorNonIndexed..."""
    lst = graph.new_list(CASE_COLUMNS)
    items = graph.items_url(lst["id"])
    for n, status in enumerate(["Open", "Closed", "Open"]):
        graph.post(items, {"fields": {"Title": f"C{n}", "Status": status, "Sessions": n}})
    open_ = graph.get(f"{items}?$expand=fields&$filter=fields/Status eq 'Open'").json()["value"]
    assert [v["fields"]["Title"] for v in open_] == ["C0", "C2"]
    refused = graph.get(f"{items}?$filter=fields/Sessions gt 0")
    assert refused.status == 400
    assert "HonorNonIndexedQueriesWarningMayFailRandomly" in refused.json()["error"]["message"]
    allowed = graph.get(
        f"{items}?$filter=fields/Sessions gt 0 and fields/Status eq 'Open'",
        headers={"Prefer": "HonorNonIndexedQueriesWarningMayFailRandomly"},
    )
    assert [v["id"] for v in allowed.json()["value"]] == ["3"]


def test_delete_item_is_204_then_404(graph: Graph, tenant: DevTenant) -> None:
    """DELETE an item answers 204; the item is then not found."""
    lst = graph.new_list([])
    items = graph.items_url(lst["id"])
    graph.post(items, {"fields": {"Title": "A"}})
    assert graph.delete(f"{items}/1").status == 204
    gone = graph.get(f"{items}/1")
    assert gone.status == 404
    assert gone.error_code == "itemNotFound"


def test_list_titles_with_apostrophes_and_accents_work(graph: Graph, tenant: DevTenant) -> None:
    """A list titled with an apostrophe and accents is found by that title."""
    title = unique("Zoë's Cases")
    lst = graph.new_list([], title=title)
    assert graph.get(f"/sites/{tenant.site_id}/lists/{title}").json()["id"] == lst["id"]


def test_unknown_segments_and_methods_get_graph_errors(graph: Graph, tenant: DevTenant) -> None:
    """An unknown path is 400 BadRequest and a wrong method 405, both in Graph's error shape."""
    unknown = graph.get(f"/sites/{tenant.site_id}/nonsense")
    assert unknown.status == 400
    assert "innerError" in unknown.json()["error"]
    assert graph.request("PUT", f"/sites/{tenant.site_id}/lists").status == 405
    assert graph.get(f"/sites/{tenant.site_id}/lists/No such list").status == 404


def test_lookup_columns_take_the_id_of_an_item_in_another_list(
    graph: Graph, tenant: DevTenant
) -> None:
    """A lookup column names another list; items set it as <Name>LookupId, never by name."""
    schools = graph.new_list([])
    graph.post(graph.items_url(schools["id"]), {"fields": {"Title": "Hillside Primary"}})
    cases = graph.new_list([{"name": "School", "lookup": {"listId": schools["id"]}}])
    items = graph.items_url(cases["id"])
    made = graph.post(items, {"fields": {"Title": "A", "SchoolLookupId": 1}})
    assert made.status == 201
    assert made.json()["fields"]["SchoolLookupId"] == "1"
    assert graph.post(items, {"fields": {"School": "Hillside Primary"}}).status == 400
    nowhere = graph.post(
        f"/sites/{tenant.site_id}/lists/{cases['id']}/columns",
        {"name": "Other", "lookup": {"listId": "no-such-list"}},
    )
    assert nowhere.status == 400

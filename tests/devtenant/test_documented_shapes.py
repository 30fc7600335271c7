"""The dev tenant answers as Microsoft's documented examples do: properties, annotations,
status codes (tests/fixtures/graph-examples/)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from function_app.devtenant import DevTenant

from .helpers import Graph, Receiver, assert_documented_shape, example, unique

pytestmark = pytest.mark.integration

INVENTORY = [
    {"name": "Name", "text": {}, "description": "Customer-facing name of the SKU"},
    {"name": "Color", "text": {}, "description": "Color of the item in stock"},
    {"name": "Quantity", "number": {}, "description": "Number of items in stock"},
]


def test_site_by_path_matches_the_documented_site(graph: Graph, tenant: DevTenant) -> None:
    """GET /sites/{hostname}:/{path} returns the site as documented, with a three-part id."""
    documented = example("site-getbypath")["response"]
    got = graph.get(f"/sites/{tenant.hostname}:{tenant.site_path}")
    assert got.status == documented["status"]
    assert_documented_shape(documented["body"], got.json())
    assert got.json()["id"].split(",")[0] == tenant.hostname
    assert len(got.json()["id"].split(",")) == 3


def test_list_create_matches_the_documented_list(staff: Graph, tenant: DevTenant) -> None:
    """POST /sites/{id}/lists with text and number columns answers 201 as documented."""
    doc = example("list-create")
    body = {**doc["request"]["body"], "displayName": unique("Books")}
    got = staff.post(f"/sites/{tenant.site_id}/lists", body)
    assert got.status == doc["response"]["status"] == 201
    assert_documented_shape(doc["response"]["body"], got.json())


def test_list_get_by_id_title_and_with_expansions_match(graph: Graph, tenant: DevTenant) -> None:
    """GET a list by id, by title, and with columns and items(fields) expanded, as documented."""
    doc = example("list-get")
    lst = graph.new_list(INVENTORY)
    for key in (lst["id"], lst["displayName"]):
        got = graph.get(f"/sites/{tenant.site_id}/lists/{key}")
        assert got.status == 200
        assert_documented_shape(doc["response"]["body"], got.json())
    for fields in ({"Name": "Gadget", "Color": "Red", "Quantity": 503},):
        assert graph.post(graph.items_url(lst["id"]), {"fields": fields}).status == 201
    expanded = doc["examples"][1]
    query = expanded["request"]["url"].split("?", 1)[1]
    got = graph.get(f"/sites/{tenant.site_id}/lists/{lst['id']}?{query}")
    assert got.status == expanded["response"]["status"]
    assert_documented_shape(expanded["response"]["body"], got.json())
    assert set(got.json()["columns"][0]) == {"name", "description"}
    assert set(got.json()["items"][0]["fields"]) == {"@odata.etag", "Name", "Color", "Quantity"}


def test_list_item_create_get_and_update_match(staff: Graph, tenant: DevTenant) -> None:
    """POST items (201), GET one with expand=fields and PATCH its fields, as documented."""
    lst = staff.new_list(
        [
            {"name": "Color", "text": {}},
            {"name": "Weight", "number": {}},
            {"name": "Name", "text": {}},
            {"name": "Quantity", "number": {}},
        ]
    )
    create = example("listitem-create")
    got = staff.post(staff.items_url(lst["id"]), create["request"]["body"])
    assert got.status == create["response"]["status"]
    assert_documented_shape(create["response"]["body"], got.json())
    item_id = got.json()["id"]
    update = example("listitem-update")
    staff.patch(f"{staff.items_url(lst['id'])}/{item_id}/fields", {"Name": "Widget"})
    patched = staff.patch(
        f"{staff.items_url(lst['id'])}/{item_id}/fields", update["request"]["body"]
    )
    assert patched.status == update["response"]["status"]
    assert_documented_shape(update["response"]["body"], patched.json())
    one = example("listitem-get")
    got = staff.get(f"{staff.items_url(lst['id'])}/{item_id}?expand=fields")
    assert got.status == one["response"]["status"]
    assert_documented_shape(one["response"]["body"], got.json())
    assert got.json()["fields"]["Quantity"] == 934


def test_library_delta_matches_the_documented_pages(staff: Graph, tenant: DevTenant) -> None:
    """Library delta: a first page with nextLink, a last page with a deleted item, token=latest."""
    doc = example("listitem-delta")
    made = staff.post(
        f"/sites/{tenant.site_id}/lists",
        {"displayName": unique("Library"), "list": {"template": "documentLibrary"}},
    )
    library = made.json()["id"]
    drive = staff.get(f"/sites/{tenant.site_id}/lists/{library}/drive").json()["id"]
    folder = "TestFolder"
    for name in ("TestItemA.txt", "TestItemB.txt"):
        assert staff.put(f"/drives/{drive}/root:/{folder}/{name}:/content", b"x").status == 201
    base = f"/sites/{tenant.site_id}/lists/{library}/items/delta"
    first = staff.get(f"{base}?$top=2")
    assert first.status == doc["response"]["status"]
    assert_documented_shape(doc["response"]["body"], first.json())
    page = first.json()
    while "@odata.nextLink" in page:
        page = staff.get(page["@odata.nextLink"]).json()
    doomed = staff.get(f"/drives/{drive}/root:/{folder}/TestItemB.txt").json()["id"]
    assert staff.delete(f"/drives/{drive}/items/{doomed}").status == 204
    staff.put(f"/drives/{drive}/root:/{folder}/TestItemA.txt:/content", b"changed")
    last = staff.get(page["@odata.deltaLink"])
    documented = doc["examples"][0]["response"]["body"]
    assert_documented_shape({**documented, "value": []}, last.json())
    changed, deleted = documented["value"]
    kinds = {"deleted" in item: item for item in last.json()["value"]}
    assert_documented_shape(changed, kinds[False])
    assert_documented_shape(deleted, kinds[True])
    assert kinds[True]["deleted"] == {"state": "deleted"}
    latest = staff.get(f"{base}?token=latest")
    assert latest.json()["value"] == []
    assert_documented_shape(doc["examples"][1]["response"]["body"], latest.json())


def test_small_upload_and_new_folder_match(staff: Graph, tenant: DevTenant) -> None:
    """PUT root:/A/B.txt:/content (201) and POST children with rename (201), as documented."""
    put = example("driveitem-put-content")
    folder = unique("FolderA")
    got = staff.put(
        f"/sites/{tenant.site_id}/drive/root:/{folder}/FileB.txt:/content",
        put["request"]["body"].encode(),
    )
    assert got.status == put["response"]["status"]
    assert_documented_shape(put["response"]["body"], got.json())
    assert got.json()["size"] == 35
    post = example("driveitem-post-children")
    made = staff.post(
        f"/sites/{tenant.site_id}/drive/root:/{folder}:/children", post["request"]["body"]
    )
    assert made.status == post["response"]["status"]
    assert_documented_shape(post["response"]["body"], made.json())


def test_upload_session_steps_match(graph: Graph, tenant: DevTenant) -> None:
    """createUploadSession (200), a fragment (202), the last one (201), status and cancel."""
    doc = example("driveitem-createuploadsession")
    fragment, final, conflict, cancel, query = (doc["examples"][i] for i in (0, 2, 4, 5, 7))
    name = unique("largefile") + ".dat"
    url = f"/sites/{tenant.site_id}/drive/root:/{name}:/createUploadSession"
    session = graph.post(url, doc["request"]["body"])
    assert session.status == doc["response"]["status"]
    assert_documented_shape(doc["response"]["body"], session.json())
    upload = session.json()["uploadUrl"]
    data = bytes(range(256)) * 1280 * 2  # 640 KiB: two 320 KiB fragments
    half = 320 * 1024
    first = graph.put(
        upload,
        data[:half],
        auth=False,
        headers={"Content-Range": f"bytes 0-{half - 1}/{len(data)}"},
    )
    assert first.status == 202
    assert_documented_shape(fragment["response"]["body"], first.json())
    assert first.json()["nextExpectedRanges"] == [f"{half}-"]
    status = graph.get(upload, auth=False)
    assert_documented_shape(query["response"]["body"], status.json())
    last = graph.put(
        upload,
        data[half:],
        auth=False,
        headers={"Content-Range": f"bytes {half}-{len(data) - 1}/{len(data)}"},
    )
    assert last.status == 201
    assert_documented_shape(final["response"]["body"], last.json())
    again = graph.post(url, {"item": {"@microsoft.graph.conflictBehavior": "fail"}}).json()
    graph.put(
        again["uploadUrl"],
        data[:half],
        auth=False,
        headers={"Content-Range": f"bytes 0-{half - 1}/{len(data)}"},
    )
    clash = graph.put(
        again["uploadUrl"],
        data[half:],
        auth=False,
        headers={"Content-Range": f"bytes {half}-{len(data) - 1}/{len(data)}"},
    )
    assert clash.status == conflict["response"]["status"] == 409
    assert_documented_shape(conflict["response"]["body"], clash.json())
    assert clash.error_code == "nameAlreadyExists"
    cancelled = graph.delete(again["uploadUrl"], auth=False)
    assert cancelled.status == cancel["response"]["status"] == 204
    assert graph.get(again["uploadUrl"], auth=False).status == 404


def test_subscription_create_and_renew_match(
    graph: Graph, tenant: DevTenant, receiver: Receiver
) -> None:
    """POST /subscriptions (201) and PATCH its expiry (200) answer as documented."""
    lst = graph.new_list([])
    create = example("subscription-post-subscriptions")
    expires = (datetime.now(UTC) + timedelta(days=2)).isoformat().replace("+00:00", "Z")
    body = {
        **create["request"]["body"],
        "changeType": "updated",
        "notificationUrl": receiver.url,
        "resource": f"sites/{tenant.site_id}/lists/{lst['id']}",
        "expirationDateTime": expires,
    }
    got = graph.post("/subscriptions", body)
    assert got.status == create["response"]["status"]
    assert_documented_shape(create["response"]["body"], got.json())
    renew = example("subscription-update")
    later = (datetime.now(UTC) + timedelta(days=20)).isoformat().replace("+00:00", "Z")
    renewed = graph.patch(f"/subscriptions/{got.json()['id']}", {"expirationDateTime": later})
    assert renewed.status == renew["response"]["status"]
    assert_documented_shape(renew["response"]["body"], renewed.json())


def test_batch_response_matches_the_documented_batch(graph: Graph, tenant: DevTenant) -> None:
    """POST /$batch answers 200 with id, status, headers and body for each request."""
    doc = example("json-batching")
    lst = graph.new_list([])
    body = {
        "requests": [
            {"id": "1", "method": "GET", "url": f"/sites/{tenant.site_id}/lists/{lst['id']}/items"},
            {"id": "2", "method": "GET", "url": f"/sites/{tenant.site_id}/lists/no-such-list"},
            {"id": "3", "method": "DELETE", "url": f"/sites/{tenant.site_id}"},
        ]
    }
    got = graph.post("/$batch", body)
    assert got.status == doc["response"]["status"]
    responses = got.json()["responses"]
    documented = doc["response"]["body"]["responses"]
    assert isinstance(responses[0]["body"]["value"], list)
    for answer in responses:
        assert set(answer) >= {"id", "status", "headers", "body"}
    assert_documented_shape(documented[1]["body"], responses[1]["body"])
    assert [r["status"] for r in responses] == [200, 404, 405]
    assert_documented_shape(documented[3]["body"], responses[2]["body"])


def test_missing_token_is_401_with_a_graph_error_body(graph: Graph, tenant: DevTenant) -> None:
    """A request without a bearer token gets 401 InvalidAuthenticationToken in Graph's shape."""
    got = graph.get(f"/sites/{tenant.site_id}", auth=False)
    assert got.status == 401
    body = got.json()
    assert body["error"]["code"] == "InvalidAuthenticationToken"
    assert set(body["error"]["innerError"]) == {"date", "request-id", "client-request-id"}
    wrong = graph.get(f"/sites/{tenant.site_id}", headers={"Authorization": "Bearer nonsense"})
    assert wrong.status == 401
    assert wrong.error_code == "InvalidAuthenticationToken"

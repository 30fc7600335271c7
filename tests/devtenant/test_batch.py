"""JSON batching: up to 20 requests, per-request answers, dependsOn order, 424, >20 is 400."""

from __future__ import annotations

import base64

import pytest

from function_app.devtenant import DevTenant

from .helpers import Graph

pytestmark = pytest.mark.integration


def test_depends_on_runs_requests_in_dependency_order(graph: Graph, tenant: DevTenant) -> None:
    """Requests listed out of order run after those they depend on (1 -> 2 -> 4 -> 3)."""
    lst = graph.new_list([])
    items = f"/sites/{tenant.site_id}/lists/{lst['id']}/items"
    json_headers = {"Content-Type": "application/json"}
    body = {
        "requests": [
            {"id": "3", "dependsOn": ["4"], "method": "GET", "url": f"{items}/1?expand=fields"},
            {
                "id": "1",
                "method": "POST",
                "url": items,
                "headers": json_headers,
                "body": {"fields": {"Title": "first"}},
            },
            {
                "id": "2",
                "dependsOn": ["1"],
                "method": "PATCH",
                "url": f"{items}/1/fields",
                "headers": json_headers,
                "body": {"Title": "second"},
            },
            {
                "id": "4",
                "dependsOn": ["2"],
                "method": "PATCH",
                "url": f"{items}/1/fields",
                "headers": json_headers,
                "body": {"Title": "third"},
            },
        ]
    }
    got = graph.post("/$batch", body)
    assert got.status == 200
    answers = {a["id"]: a for a in got.json()["responses"]}
    assert [a["id"] for a in got.json()["responses"]] == ["3", "1", "2", "4"]
    assert [answers[k]["status"] for k in "1234"] == [201, 200, 200, 200]
    assert answers["3"]["body"]["fields"]["Title"] == "third"
    assert answers["3"]["body"]["fields"]["_UIVersionString"] == "3.0"
    assert answers["1"]["headers"]["Content-Type"].startswith("application/json")
    assert tenant.batch_requests["PATCH /sites/{site-id}/lists/{list-id}/items/{item-id}/fields"]


def test_a_failed_dependency_gives_424(graph: Graph, tenant: DevTenant) -> None:
    """A request whose dependency failed is not run and answers 424."""
    body = {
        "requests": [
            {"id": "a", "method": "GET", "url": f"/sites/{tenant.site_id}/lists/missing-list"},
            {"id": "b", "dependsOn": ["a"], "method": "DELETE", "url": f"/sites/{tenant.site_id}"},
        ]
    }
    statuses = [a["status"] for a in graph.post("/$batch", body).json()["responses"]]
    assert statuses == [404, 424]


def test_more_than_20_requests_or_bad_ids_are_400(graph: Graph, tenant: DevTenant) -> None:
    """A batch of 21 requests, duplicate ids, or a dependsOn to nowhere is refused with 400."""
    one = {"method": "GET", "url": f"/sites/{tenant.site_id}"}
    twenty = {"requests": [{"id": str(n), **one} for n in range(20)]}
    assert graph.post("/$batch", twenty).status == 200
    too_many = {"requests": [{"id": str(n), **one} for n in range(21)]}
    refused = graph.post("/$batch", too_many)
    assert refused.status == 400
    assert "20" in refused.json()["error"]["message"]
    duplicate = {"requests": [{"id": "1", **one}, {"id": "1", **one}]}
    assert graph.post("/$batch", duplicate).status == 400
    dangling = {"requests": [{"id": "1", "dependsOn": ["9"], **one}]}
    assert graph.post("/$batch", dangling).status == 400


def test_binary_bodies_travel_as_base64(graph: Graph, tenant: DevTenant) -> None:
    """A file uploaded in a batch is a base64 body; its download is a 302 with a Location."""
    drive = graph.drive_id()
    content = "Zoë's note".encode()
    body = {
        "requests": [
            {
                "id": "1",
                "method": "PUT",
                "url": f"/drives/{drive}/root:/Batch/note.txt:/content",
                "headers": {"Content-Type": "text/plain"},
                "body": base64.b64encode(content).decode(),
            },
            {
                "id": "2",
                "dependsOn": ["1"],
                "method": "GET",
                "url": f"/drives/{drive}/root:/Batch/note.txt:/content",
            },
        ]
    }
    first, second = graph.post("/$batch", body).json()["responses"]
    assert first["status"] in (200, 201)
    assert first["body"]["size"] == len(content)
    assert second["status"] == 302
    assert graph.get(second["headers"]["Location"], auth=False).body == content


def test_a_batch_needs_a_token_like_any_request(graph: Graph, tenant: DevTenant) -> None:
    """POST /$batch without a bearer token is 401."""
    assert graph.post("/$batch", {"requests": []}, auth=False).status == 401

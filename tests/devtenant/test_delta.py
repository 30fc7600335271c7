"""List item delta: paging, changes since a token, deletes, token=latest, 410 Gone."""

from __future__ import annotations

import time
from typing import Any

import pytest

from function_app.devtenant import DevTenant

from .helpers import Graph

pytestmark = pytest.mark.integration


def _drain(graph: Graph, url: str) -> tuple[list[dict[str, Any]], str, int]:
    """Every item of a delta round, its deltaLink and the number of pages."""
    items: list[dict[str, Any]] = []
    pages = 0
    page = graph.get(url).json()
    while True:
        pages += 1
        items += page["value"]
        if "@odata.nextLink" not in page:
            return items, page["@odata.deltaLink"], pages
        page = graph.get(page["@odata.nextLink"]).json()


def test_initial_delta_pages_then_gives_a_delta_link(graph: Graph, tenant: DevTenant) -> None:
    """A first delta with $top=2 over 5 items takes 3 pages, then ends with a deltaLink."""
    lst = graph.new_list([])
    items = graph.items_url(lst["id"])
    for n in range(5):
        graph.post(items, {"fields": {"Title": f"Case {n}"}})
    seen, link, pages = _drain(graph, f"{items}/delta?$top=2")
    assert [i["id"] for i in seen] == ["1", "2", "3", "4", "5"]
    assert pages == 3
    assert "fields" not in seen[0]
    assert "token=" in link


def test_delta_returns_only_changes_and_deletes_since_the_link(
    graph: Graph, tenant: DevTenant
) -> None:
    """After a deltaLink, only changed items come back once each; deleted ones as deleted."""
    lst = graph.new_list([])
    items = graph.items_url(lst["id"])
    for n in range(4):
        graph.post(items, {"fields": {"Title": f"Case {n}"}})
    _, link, _ = _drain(graph, f"{items}/delta")
    graph.patch(f"{items}/2/fields", {"Title": "changed once"})
    graph.patch(f"{items}/2/fields", {"Title": "changed twice"})
    graph.delete(f"{items}/3")
    graph.post(items, {"fields": {"Title": "new"}})
    changes, link, _ = _drain(graph, link)
    assert [c["id"] for c in changes] == ["2", "3", "5"]
    assert changes[1]["deleted"] == {"state": "deleted"}
    assert set(changes[1]) == {"id", "parentReference", "contentType", "deleted"}
    nothing, _, _ = _drain(graph, link)
    assert nothing == []


def test_delta_carries_fields_when_expanded_on_every_page(graph: Graph, tenant: DevTenant) -> None:
    """$expand=fields on the first request keeps fields on later pages and the next round."""
    lst = graph.new_list([])
    items = graph.items_url(lst["id"])
    for n in range(3):
        graph.post(items, {"fields": {"Title": f"Case {n}"}})
    seen, link, _ = _drain(graph, f"{items}/delta?$expand=fields&$top=1")
    assert [i["fields"]["Title"] for i in seen] == ["Case 0", "Case 1", "Case 2"]
    graph.patch(f"{items}/1/fields", {"Title": "renamed"})
    changes, _, _ = _drain(graph, link)
    assert changes[0]["fields"]["Title"] == "renamed"
    assert changes[0]["fields"]["_UIVersionString"] == "2.0"


def test_both_delta_spellings_answer_alike(graph: Graph, tenant: DevTenant) -> None:
    """.../items/delta and .../items/delta() (the SDK's spelling) give the same items."""
    lst = graph.new_list([])
    items = graph.items_url(lst["id"])
    graph.post(items, {"fields": {"Title": "A"}})
    plain, _, _ = _drain(graph, f"{items}/delta")
    called, _, _ = _drain(graph, f"{items}/delta()")
    assert [i["id"] for i in plain] == [i["id"] for i in called] == ["1"]


def test_token_latest_skips_existing_items(graph: Graph, tenant: DevTenant) -> None:
    """token=latest answers an empty page whose deltaLink reports only later changes."""
    lst = graph.new_list([])
    items = graph.items_url(lst["id"])
    graph.post(items, {"fields": {"Title": "before"}})
    latest = graph.get(f"{items}/delta?token=latest").json()
    assert latest["value"] == []
    assert "@odata.nextLink" not in latest
    graph.post(items, {"fields": {"Title": "after"}})
    changes, _, _ = _drain(graph, latest["@odata.deltaLink"])
    assert [c["id"] for c in changes] == ["2"]


def test_an_expired_or_unknown_token_is_410_with_a_resync_location(
    graph: Graph, tenant: DevTenant
) -> None:
    """Once the change log is pruned past a token (or for a token never issued), 410 Gone."""
    lst = graph.new_list([])
    items = graph.items_url(lst["id"])
    graph.post(items, {"fields": {"Title": "A"}})
    _, link, _ = _drain(graph, f"{items}/delta?$expand=fields")
    graph.post(items, {"fields": {"Title": "B"}})
    tenant.set_delta_retention(0)
    try:
        time.sleep(0.01)
        gone = graph.get(link)
    finally:
        tenant.set_delta_retention(30 * 24 * 3600)
    assert gone.status == 410
    assert gone.error_code == "resyncRequired"
    assert gone.json()["error"]["innerError"]["code"] == "resyncChangesApplyDifferences"
    fresh, _, _ = _drain(graph, gone.headers["Location"])
    assert [(i["id"], i["fields"]["Title"]) for i in fresh] == [("1", "A"), ("2", "B")]
    unknown = graph.get(f"{items}/delta?token=not-a-token")
    assert unknown.status == 410
    assert "Location" in unknown.headers


def test_library_files_appear_in_the_library_lists_delta(graph: Graph, tenant: DevTenant) -> None:
    """Uploading a file adds a Document item to the library list's delta, with FileLeafRef."""
    library = graph.get(f"/sites/{tenant.site_id}/lists/Documents").json()["id"]
    base = f"/sites/{tenant.site_id}/lists/{library}/items/delta"
    link = graph.get(f"{base}?token=latest&$expand=fields").json()["@odata.deltaLink"]
    graph.put(f"/sites/{tenant.site_id}/drive/root:/Delta check/Zoë's note.txt:/content", b"x")
    changes, _, _ = _drain(graph, link)
    documents = [c for c in changes if c["contentType"]["name"] == "Document"]
    assert [d["fields"]["FileLeafRef"] for d in documents] == ["Zoë's note.txt"]
    assert any(c["contentType"]["name"] == "Folder" for c in changes)

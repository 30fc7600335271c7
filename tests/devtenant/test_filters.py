"""$filter on list items: "or", the non-indexed rule per field, lookup ids as numbers or text,
paging, and indexed columns answered from their index (not by reading the whole list)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from function_app.devtenant import DevTenant
from function_app.devtenant.store import ItemRow, Store

from .helpers import Graph

pytestmark = pytest.mark.integration

NON_INDEXED_OK = {"Prefer": "HonorNonIndexedQueriesWarningMayFailRandomly"}


def _children(graph: Graph, count: int, case_of: Any) -> tuple[str, str]:
    """A Cases list and a child list of `count` items, item n's case being case_of(n)."""
    cases = graph.new_list([])
    cases_url = graph.items_url(cases["id"])
    for n in range(1, 11):
        assert graph.post(cases_url, {"fields": {"Title": f"Case {n}"}}).status == 201
    child = graph.new_list([
        {"name": "Case", "lookup": {"listId": cases["id"]}, "indexed": True},
        {"name": "Kind", "choice": {"choices": ["Call", "Letter"]}, "indexed": True},
        {"name": "Notes", "text": {}},
    ])
    url = graph.items_url(child["id"])
    for n in range(1, count + 1):
        fields = {"Title": f"Row {n}", "CaseLookupId": case_of(n),
                  "Kind": "Call" if n % 2 else "Letter", "Notes": f"note {n % 3}"}
        assert graph.post(url, {"fields": fields}).status == 201
    return child["id"], url


def _filtered(graph: Graph, url: str, text: str, **kw: Any) -> Any:
    return graph.get(f"{url}?$expand=fields&$filter={text}", **kw)


def _ids(reply: Any) -> list[str]:
    assert reply.status == 200, reply.body
    return [v["id"] for v in reply.json()["value"]]


def test_or_of_eq_conditions_on_indexed_columns(graph: Graph, tenant: DevTenant) -> None:
    """fields/X eq 'a' or fields/X eq 'b' (also across indexed columns), in id order."""
    _, url = _children(graph, 12, lambda n: n % 4 + 1)
    either = _filtered(graph, url, "fields/CaseLookupId eq '2' or fields/CaseLookupId eq '4'")
    assert _ids(either) == ["1", "3", "5", "7", "9", "11"]
    across = _filtered(graph, url, "fields/CaseLookupId eq '1' or fields/Kind eq 'Letter'")
    assert _ids(across) == ["2", "4", "6", "8", "10", "12"]
    across = _filtered(graph, url, "fields/CaseLookupId eq '2' or fields/Kind eq 'Letter'")
    assert _ids(across) == ["1", "2", "4", "5", "6", "8", "9", "10", "12"]
    both = _filtered(graph, url, "fields/CaseLookupId eq '2' and fields/Kind eq 'Call'")
    assert _ids(both) == ["1", "5", "9"]
    none = _filtered(graph, url, "fields/CaseLookupId eq '99' or fields/CaseLookupId eq '98'")
    assert _ids(none) == []
    one = _filtered(graph, url, "fields/Kind ne 'Call' or fields/CaseLookupId eq '2'")
    assert _ids(one) == ["1", "2", "4", "5", "6", "8", "9", "10", "12"]


def test_mixing_and_with_or_is_refused(graph: Graph, tenant: DevTenant) -> None:
    """Without parentheses "and" with "or" has no documented precedence here: 400."""
    _, url = _children(graph, 2, lambda n: n)
    mixed = _filtered(graph, url, "fields/CaseLookupId eq '1' or fields/CaseLookupId eq '2'"
                                  " and fields/Kind eq 'Call'")
    assert mixed.status == 400
    assert "mixes 'and' with 'or'" in mixed.json()["error"]["message"]
    assert _filtered(graph, url, "fields/CaseLookupId eq '1' or").status == 400
    assert _filtered(graph, url, "fields/CaseLookupId or '1'").status == 400


def test_every_field_of_an_or_must_be_indexed(graph: Graph, tenant: DevTenant) -> None:
    """A non-indexed field anywhere in the filter is 400 unless the Prefer header allows it."""
    _, url = _children(graph, 6, lambda n: n)
    for text in ("fields/CaseLookupId eq '1' or fields/Notes eq 'note 2'",
                 "fields/Notes eq 'note 2' or fields/CaseLookupId eq '1'",
                 "fields/CaseLookupId eq '1' and fields/Notes eq 'note 2'"):
        refused = _filtered(graph, url, text)
        assert refused.status == 400, text
        message = refused.json()["error"]["message"]
        assert "Field 'Notes'" in message
        assert "HonorNonIndexedQueriesWarningMayFailRandomly" in message
    allowed = _filtered(graph, url, "fields/CaseLookupId eq '1' or fields/Notes eq 'note 2'",
                        headers=NON_INDEXED_OK)
    assert _ids(allowed) == ["1", "2", "5"]
    unknown = _filtered(graph, url, "fields/CaseLookupId eq '1' or fields/Nope eq 'x'")
    assert unknown.status == 400


def test_a_lookup_id_matches_as_a_number_or_as_text(graph: Graph, tenant: DevTenant) -> None:
    """fields/CaseLookupId eq 5 and eq '5' find the same items, as in SharePoint."""
    _, url = _children(graph, 8, lambda n: n % 3 + 4)  # cases 4, 5, 6
    as_text = _ids(_filtered(graph, url, "fields/CaseLookupId eq '5'"))
    assert as_text == ["1", "4", "7"]
    assert _ids(_filtered(graph, url, "fields/CaseLookupId eq 5")) == as_text
    mixed = _filtered(graph, url, "fields/CaseLookupId eq 5 or fields/CaseLookupId eq '6'")
    assert _ids(mixed) == ["1", "2", "4", "5", "7", "8"]
    stored = _filtered(graph, url, "fields/CaseLookupId eq 5").json()["value"][0]["fields"]
    assert stored["CaseLookupId"] == "5"
    # a choice column holding digits is text, not an id: a number does not match it
    assert _ids(_filtered(graph, url, "fields/Kind eq 5")) == []


def test_a_filtered_read_pages_by_id(graph: Graph, tenant: DevTenant) -> None:
    """$top pages a filtered read; nextLink keeps the filter and the order is by id."""
    _, url = _children(graph, 30, lambda n: 1 if n % 4 == 0 else 2 + n % 3)
    text = "fields/CaseLookupId eq 1 or fields/CaseLookupId eq '3'"
    page = graph.get(f"{url}?$expand=fields&$top=3&$filter={text}").json()
    pages = []
    while True:
        pages.append([v["id"] for v in page["value"]])
        if "@odata.nextLink" not in page:
            break
        page = graph.get(page["@odata.nextLink"]).json()
    expected = [str(n) for n in range(1, 31) if n % 4 == 0 or 2 + n % 3 == 3]
    assert [i for p in pages for i in p] == expected
    assert all(len(p) == 3 for p in pages[:-1]) and 1 <= len(pages[-1]) <= 3
    # a page that ends on the last match has no nextLink, like an unfiltered one
    exact = graph.get(f"{url}?$top={len(expected)}&$filter={text}").json()
    assert len(exact["value"]) == len(expected) and "@odata.nextLink" not in exact


def test_an_indexed_filter_reads_only_the_matching_items(
    graph: Graph, tenant: DevTenant
) -> None:
    """A filter on an indexed column decodes the matching rows, not the whole list."""
    list_id, url = _children(graph, 80, lambda n: n % 10 + 1)

    def decoded() -> int:
        return int(tenant._on_loop(lambda b: b.store.items_decoded))

    before = decoded()
    found = _filtered(graph, url, "fields/CaseLookupId eq 3 or fields/CaseLookupId eq '7'")
    assert len(_ids(found)) == 16
    assert decoded() - before == 16
    before = decoded()
    found = _filtered(graph, url, "fields/CaseLookupId eq 3 and fields/Kind eq 'Letter'")
    assert _ids(found) == [str(n) for n in range(2, 81, 10)]
    assert decoded() - before == 8  # the lookups narrow to both; nothing else is read
    plan = tenant._on_loop(lambda b: b.store.items_plan(list_id, [("CaseLookupId", ["3"])]))
    assert "USING INDEX items_by_CaseLookupId" in plan


def _row(list_id: str, item_id: int, fields: dict[str, Any]) -> ItemRow:
    who: dict[str, Any] = {"application": {"id": "app", "displayName": "app"}}
    return ItemRow(list_id, item_id, f"guid-{item_id}", 1, "Item", fields,
                   "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", who, who, 1, 1)


def test_the_store_looks_up_an_indexed_column_in_its_index(tmp_path: Path) -> None:
    """Indexing a column makes an SQLite index on its stored value, used by a lookup."""
    store = Store(tmp_path / "tenant.sqlite")
    try:
        store.add_column("L1", {"name": "Case", "lookup": {"listId": "L0"}})
        store.add_column("L1", {"name": "Code", "text": {}})
        for n in range(1, 301):
            store.put_item(_row("L1", n, {"CaseLookupId": str(n % 30), "Code": f"c{n}"}))
        store.put_item(_row("L2", 1, {"CaseLookupId": "7"}))  # another list, same field
        lookup = [("CaseLookupId", ["7", "8"])]
        assert "USING INDEX items_by_" not in store.items_plan("L1", lookup)
        store.replace_column("L1", {"name": "Case", "lookup": {"listId": "L0"}, "indexed": True})
        assert "USING INDEX items_by_CaseLookupId" in store.items_plan("L1", lookup)
        store.replace_column("L1", {"name": "Code", "text": {}, "indexed": True})
        plan = store.items_plan("L1", [*lookup, ("Code", ["c8"])], any_of=True)
        assert "USING INDEX items_by_CaseLookupId" in plan and "USING INDEX items_by_Code" in plan
        assert "(list_id=? AND id>?)" not in plan  # no walk through the rest of the list
        before = store.items_decoded
        found = store.items("L1", 0, where=[("CaseLookupId", ["7", "8"])])
        assert [r.id for r in found] == sorted(n for n in range(1, 301) if n % 30 in (7, 8))
        assert store.items_decoded - before == len(found) == 20
        paged = store.items("L1", 97, 3, where=[("CaseLookupId", ["7", "8"])])
        assert [r.id for r in paged] == [98, 127, 128]
        either = store.items("L1", 0, where=[("CaseLookupId", ["7"]), ("Code", ["c8"])],
                             any_of=True)
        assert [r.id for r in either][:3] == [7, 8, 37]
        both = store.items("L1", 0, where=[("CaseLookupId", ["7"]), ("Code", ["c37"])])
        assert [r.id for r in both] == [37]
        assert store.items("L1", 0, where=[("Missing", [None])])[0].id == 1
    finally:
        store.close()
    reopened = Store(tmp_path / "tenant.sqlite")  # the index outlives a restart
    try:
        plan = reopened.items_plan("L1", [("CaseLookupId", ["7"])])
        assert "USING INDEX items_by_CaseLookupId" in plan
        assert [r.id for r in reopened.items("L1", 0, where=[("CaseLookupId", [7])])] == []
        assert len(reopened.items("L1", 0, where=[("CaseLookupId", ["7"])])) == 10
    finally:
        reopened.close()

"""GraphClient.read_items: items of several lists in $batch requests, by id, by a filter on
an indexed column, or whole, following next links; Graph's refusals respected."""

from __future__ import annotations

import asyncio
from typing import Any

from function_app.adapters.graph.client import GraphClient
from function_app.adapters.graph.errors import GraphError
from function_app.adapters.graph.lists import BY_ID
from function_app.devtenant import DevTenant

from .graph_support import failure_of, tenant_client

ITEMS = 530  # more than one page of 500


async def _grouped_list(app: GraphClient, title: str) -> tuple[str, list[str]]:
    """A list of ITEMS items, Group (indexed) = n % 20, Note (not indexed) = n."""
    info = await app.create_list({
        "displayName": title, "list": {"template": "genericList"},
        "columns": [{"name": "Group", "text": {}, "indexed": True},
                    {"name": "Note", "text": {}}]})
    url = f"/sites/{await app.site_id()}/lists/{info.id}/items"
    ids: list[str] = []
    for start in range(0, ITEMS, 20):
        answers = await app.batch([
            {"id": str(n), "method": "POST", "url": url,
             "headers": {"Content-Type": "application/json"},
             "body": {"fields": {"Title": f"Item {n}", "Group": str(n % 20),
                                 "Note": str(n)}}}
            for n in range(start, min(start + 20, ITEMS))])
        ids += [str(a["body"]["id"]) for a in answers]
    return info.id, ids


def _notes(items: Any) -> list[int]:
    return [int(i.fields["Note"]) for i in items]


def test_items_by_id_by_indexed_filter_and_whole_in_few_batches(tenant: DevTenant) -> None:
    """One call reads three ids (one missing: left out), two groups by an or'd filter, 17
    groups (more than one filter holds: spread over requests) and the whole list (two
    pages), each query answered on its own, in $batch requests only."""

    async def scenario() -> None:
        app = tenant_client(tenant)
        list_id, ids = await _grouped_list(app, "Read in batches")
        before = dict(app.requests)
        by_id, two, many, whole = await app.read_items([
            (list_id, BY_ID, [ids[0], ids[7], "99999", ids[7]]),
            (list_id, "Group", ["3", "4"]),
            (list_id, "Group", [str(g) for g in range(17)]),
            (list_id, "", ())])
        assert _notes(by_id) == [0, 7]
        assert sorted(_notes(two)) == [n for n in range(ITEMS) if n % 20 in (3, 4)]
        assert sorted(_notes(many)) == [n for n in range(ITEMS) if n % 20 < 17]
        assert _notes(whole) == list(range(ITEMS))
        sent = {k: v - before.get(k, 0) for k, v in app.requests.items()}
        assert {k for k, v in sent.items() if v} == {"batch"}
        # Graph takes "or" of eq conditions in $filter, and so does the dev tenant: the
        # client keeps asking for several values a request.
        assert app.or_filters is True
        again = await app.read_items([(list_id, "Group", ["5", "6"])])
        assert sorted(_notes(again[0])) == [n for n in range(ITEMS) if n % 20 in (5, 6)]

    asyncio.run(scenario())


def test_a_filter_on_a_column_not_indexed_is_refused_not_hidden(tenant: DevTenant) -> None:
    """Graph answers 400 to a $filter on a column that is not indexed (no Prefer header is
    sent): read_items raises it, for the caller to fall back on reading the list whole."""

    async def scenario() -> None:
        app = tenant_client(tenant)
        list_id, _ = await _grouped_list(app, "Not indexed")
        error = await failure_of(app.read_items([(list_id, "Note", ["1"])]))
        assert isinstance(error, GraphError) and error.status == 400

    asyncio.run(scenario())


def test_a_throttled_read_in_a_batch_is_asked_again(tenant: DevTenant) -> None:
    """A sub-request Graph was too busy for (429) is sent again in the next batch; the
    others' answers are kept."""

    async def scenario() -> None:
        app = tenant_client(tenant)
        list_id, ids = await _grouped_list(app, "Throttled reads")
        tenant.strike_next("throttled", method="GET")
        found = await app.read_items([(list_id, BY_ID, ids[:3]), (list_id, "Group", ["1"])])
        assert _notes(found[0]) == [0, 1, 2]
        assert sorted(_notes(found[1])) == [n for n in range(ITEMS) if n % 20 == 1]
        assert app.retries["read items (batch)"] == 1

    asyncio.run(scenario())

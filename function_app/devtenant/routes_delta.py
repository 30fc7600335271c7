"""List item delta: GET .../items/delta (and delta()), pages, deltaLink, token=latest, 410.

Delta state travels in opaque tokens. A token names the list and a position in the list's
change log; once the log has been pruned past that position (see the retention setting),
the token is gone and Graph's answer is 410 with a Location that starts a fresh enumeration.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

from .backend import Backend
from .calls import Call, Reply, ok
from .errors import GraphError
from .odata import apply_select, parse_select, parse_top
from .router import Route
from .routes_items import expanded_fields
from .shapes import deleted_item_json, item_json
from .store import ListRow, Site
from .util import decode_token, encode_token

PAGE_SIZE = 200
MAX_PAGE = 1000


def _link(b: Backend, site: Site, lst: ListRow, state: dict[str, Any]) -> str:
    return f"{b.base_url}/sites/{site.id}/lists/{lst.id}/items/delta?token=" + quote(
        encode_token(state), safe=""
    )


def _options(call: Call, state: dict[str, Any]) -> dict[str, Any]:
    """Query options given now win over those remembered in the token."""
    remembered = state.get("o", {})
    options = {}
    for name in ("expand", "select", "top"):
        value = call.option(name)
        if value is None:
            value = remembered.get(name)
        if value is not None:
            options[name] = value
    return options


def _gone(b: Backend, site: Site, lst: ListRow, options: dict[str, Any]) -> GraphError:
    fresh = _link(b, site, lst, {"l": lst.id, "m": "i", "a": 0, "o": options})
    return GraphError(
        410,
        "resyncRequired",
        "Resync required. The delta token has expired or is not known; enumerate the list "
        "again from the Location header and replace local items with the server's versions "
        "(including deletes).",
        headers={"Location": fresh},
        inner_code="resyncChangesApplyDifferences",
    )


async def delta(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    site = b.site(p["site-id"])
    lst = b.find_list(site, p["list-id"])
    b.store.prune_changes(lst.id, time.time() - b.delta_retention_seconds)
    token = call.query.get("token")
    last = b.store.last_seq()
    if token == "latest":
        options = _options(call, {})
        link = _link(b, site, lst, {"l": lst.id, "m": "c", "f": last, "a": 0, "o": options})
        return ok({"@odata.context": _context(b), "value": [], "@odata.deltaLink": link})
    if token is None:
        state: dict[str, Any] = {"l": lst.id, "m": "i", "a": 0}
    else:
        decoded = decode_token(token)
        options = _options(call, decoded or {})
        if decoded is None or decoded.get("l") != lst.id or decoded.get("m") not in ("i", "c"):
            raise _gone(b, site, lst, options)
        state = decoded
        if state["m"] == "c" and int(state["f"]) < b.store.change_floor(lst.id):
            raise _gone(b, site, lst, options)
    options = _options(call, state)
    state = {**state, "o": options}
    state.setdefault("u", last)
    return ok(_page(b, call, site, lst, state, options))


def _context(b: Backend) -> str:
    return f"{b.base_url}/$metadata#Collection(listItem)"


def _page(
    b: Backend, call: Call, site: Site, lst: ListRow, state: dict[str, Any], options: dict[str, Any]
) -> dict[str, Any]:
    view_call = Call(
        call.method,
        call.path,
        {k: str(v) for k, v in options.items()},
        call.headers,
        b"",
        call.identity,
    )
    fields = expanded_fields(view_call)
    select = parse_select(view_call.option("select"))
    top = parse_top(view_call.option("top"), PAGE_SIZE, MAX_PAGE)
    value: list[dict[str, Any]] = []
    if state["m"] == "i":
        rows = b.store.items(lst.id, int(state["a"]), top + 1)
        more = len(rows) > top
        for row in rows[:top]:
            item = item_json(b.item_view(site, lst, row), row, fields=fields)
            value.append(apply_select(item, select))
        following = {**state, "a": rows[top - 1].id} if more else None
    else:
        changes = b.store.changed_items(
            lst.id, int(state["f"]), int(state["u"]), int(state["a"]), top + 1
        )
        more = len(changes) > top
        for change in changes[:top]:
            current = b.store.item(lst.id, change.item_id)
            if current is None:
                value.append(deleted_item_json(site, change.item_id, change.content_type))
            else:
                item = item_json(b.item_view(site, lst, current), current, fields=fields)
                value.append(apply_select(item, select))
        following = {**state, "a": int(state["a"]) + top} if more else None
    body: dict[str, Any] = {"@odata.context": _context(b), "value": value}
    if following is not None:
        body["@odata.nextLink"] = _link(b, site, lst, following)
    else:
        done = {"l": lst.id, "m": "c", "f": int(state["u"]), "a": 0, "o": state["o"]}
        body["@odata.deltaLink"] = _link(b, site, lst, done)
    return body


L = "/sites/{site-id}/lists/{list-id}"
ROUTES = [
    Route("GET", f"{L}/items/delta", delta),
    Route("GET", f"{L}/items/delta()", delta),
]

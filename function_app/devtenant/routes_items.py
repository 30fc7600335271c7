"""List items: GET/POST .../items (paged, $filter), GET/DELETE one, GET/PATCH its fields."""

from __future__ import annotations

import base64
import re
from dataclasses import replace
from typing import Any
from urllib.parse import quote, urlencode

from .backend import Backend
from .calls import Call, Reply, no_content, ok
from .columns import facet_of
from .errors import GraphError, bad_request
from .lists import etag_matches
from .odata import (
    Filter,
    apply_select,
    matches,
    parse_expand,
    parse_filter,
    parse_select,
    parse_top,
)
from .router import Route
from .routes_sites import caller
from .shapes import fields_json, item_json
from .store import ItemRow, ListRow, Site
from .util import parse_iso

PAGE_SIZE = 200
MAX_PAGE = 5000
NON_INDEXED_OK = "HonorNonIndexedQueriesWarningMayFailRandomly"


def expanded_fields(call: Call) -> list[str] | bool | None:
    """False when fields are not expanded; True or a $select list when they are."""
    expand = parse_expand(call.option("expand"))
    unknown = set(expand) - {"fields", "driveItem"}
    if unknown:
        raise bad_request(f"Cannot expand {sorted(unknown)} on a list item.", code="BadRequest")
    if "fields" not in expand:
        return False
    return expand["fields"].select or True


def _skiptoken(last_id: int) -> str:
    return base64.b64encode(f"Paged=TRUE&p_ID={last_id}".encode()).decode("ascii")


def _after_id(token: str | None) -> int:
    if not token:
        return 0
    try:
        text = base64.b64decode(token).decode("utf-8")
    except ValueError:
        raise bad_request("The $skiptoken is not valid.", code="BadRequest") from None
    found = re.search(r"p_ID=(\d+)", text)
    if not found:
        raise bad_request("The $skiptoken is not valid.", code="BadRequest")
    return int(found.group(1))


def _filter(b: Backend, call: Call, lst: ListRow) -> Filter | None:
    """The $filter, checked: every field a column, indexed unless the Prefer header allows
    otherwise (as SharePoint); dates normalised, and a lookup id given as a number matched
    as the stored id (text), as SharePoint accepts 5 and '5' alike."""
    text = call.option("filter")
    if not text:
        return None
    where = parse_filter(text)
    columns = {c["name"]: c for c in b.store.columns(lst.id)}
    prefer = ",".join(call.headers.getall("Prefer", []))
    checked = []
    for condition in where.conditions:
        name = condition.field.removesuffix("LookupId")
        column = columns.get(condition.field) or columns.get(name)
        if column is None:
            raise bad_request(f"Field '{condition.field}' is not recognized.")
        if not column.get("indexed") and NON_INDEXED_OK not in prefer:
            raise bad_request(
                f"Field '{condition.field}' cannot be referenced in filter or orderby as it is "
                f"not indexed. Provide the 'Prefer: {NON_INDEXED_OK}' header to allow this, "
                "but be warned that such queries may fail on large lists."
            )
        facet = facet_of(column)
        if facet == "dateTime" and isinstance(condition.value, str):
            moment = parse_iso(condition.value)
            condition = replace(condition, value=moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
        by_id = facet in ("lookup", "personOrGroup") and condition.field == name + "LookupId"
        if by_id and _whole_number(condition.value):
            condition = replace(condition, value=str(int(condition.value)))
        checked.append(condition)
    return replace(where, conditions=tuple(checked))


def _whole_number(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, float) and value.is_integer()
    )


def _lookups(where: Filter) -> tuple[list[tuple[str, list[Any]]], bool]:
    """The (field, values) the store looks up in its indexes for a filter, and whether they
    are the whole filter: its "eq" conditions (with "or", only when all are "eq")."""
    equal = [c for c in where.conditions if c.op == "eq" and c.field != "id"]
    if where.any_of:
        if len(equal) < len(where.conditions):
            return [], False
        grouped: dict[str, list[Any]] = {}
        for condition in equal:
            grouped.setdefault(condition.field, []).append(condition.value)
        return list(grouped.items()), True
    return [(c.field, [c.value]) for c in equal], len(equal) == len(where.conditions)


def _matching(b: Backend, lst: ListRow, where: Filter | None, after: int,
              wanted: int) -> list[ItemRow]:
    """Up to wanted items after the id `after` that match, by id. The store narrows them by
    the filter's "eq" conditions (from an indexed column's index); the whole filter is then
    checked on those only. Read in chunks, so a page never costs the whole list."""
    if where is None:
        return b.store.items(lst.id, after, wanted)
    lookups, whole = _lookups(where)
    chunk = wanted if whole else max(wanted, PAGE_SIZE)
    rows: list[ItemRow] = []
    while True:
        read = b.store.items(lst.id, after, chunk, where=lookups, any_of=where.any_of)
        for row in read:
            if matches({**row.fields, "id": str(row.id)}, where):
                rows.append(row)
                if len(rows) == wanted:
                    return rows
        if len(read) < chunk:
            return rows
        after = read[-1].id


async def get_items(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    site = b.site(p["site-id"])
    lst = b.find_list(site, p["list-id"])
    fields = expanded_fields(call)
    select = parse_select(call.option("select"))
    top = parse_top(call.option("top"), PAGE_SIZE, MAX_PAGE)
    where = _filter(b, call, lst)
    rows = _matching(b, lst, where, _after_id(call.option("skiptoken")), top + 1)
    body: dict[str, Any] = {
        "@odata.context": f"{b.base_url}/$metadata#sites('{site.id}')/lists('{lst.id}')/items",
        "value": [
            apply_select(_with_file(b, call, lst, row, item_json(
                b.item_view(site, lst, row), row, fields=fields)), select)
            for row in rows[:top]
        ],
    }
    if len(rows) > top:
        query = {k: v for k, v in call.query.items() if k.lstrip("$") != "skiptoken"}
        query["$skiptoken"] = _skiptoken(rows[top - 1].id)
        body["@odata.nextLink"] = f"{b.base_url}/sites/{site.id}/lists/{lst.id}/items?" + urlencode(
            query, quote_via=quote, safe="$,()'="
        )
    return ok(body)


async def create_item(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    site = b.site(p["site-id"])
    lst = b.find_list(site, p["list-id"])
    if lst.is_library:
        raise bad_request(
            "Files and folders should only be added to a DocumentLibrary via the OneDrive API"
        )
    body = call.json()
    values = body.get("fields", {})
    if not isinstance(values, dict):
        raise bad_request("'fields' must be a JSON object of column values.")
    row = b.lists.create_item(lst, values, caller(call))
    return ok(item_json(b.item_view(site, lst, row), row, fields=True, context=True), status=201)


def _item(b: Backend, p: dict[str, str]) -> tuple[Site, ListRow, ItemRow]:
    site = b.site(p["site-id"])
    lst = b.find_list(site, p["list-id"])
    return site, lst, b.item(lst, p["item-id"])


async def get_item(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    site, lst, row = _item(b, p)
    body = item_json(b.item_view(site, lst, row), row, fields=expanded_fields(call), context=True)
    body = _with_file(b, call, lst, row, body)
    return ok(apply_select(body, parse_select(call.option("select"))))


def _with_file(b: Backend, call: Call, lst: ListRow, row: ItemRow,
               body: dict[str, Any]) -> dict[str, Any]:
    """``$expand=driveItem``: a library item's file (its driveItem) beside its fields, as
    Graph gives it (listItem's driveItem relationship); a list's items have none."""
    if "driveItem" not in parse_expand(call.option("expand")) or not lst.is_library:
        return body
    drive = b.list_drive(lst)
    file = b.store.drive_item_for_list_item(drive.id, row.id)
    if file is not None:
        body["driveItem"] = b.drive_item_json(drive, file)
    return body


async def delete_item(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    _site, lst, row = _item(b, p)
    if_match = call.headers.get("If-Match")
    if lst.is_library:
        drive = b.list_drive(lst)
        file = b.store.drive_item_for_list_item(drive.id, row.id)
        if file is not None:
            if if_match is not None and not etag_matches(if_match, row.etag):
                raise GraphError(
                    412,
                    "preconditionFailed",
                    f"The request ETag value "
                    f"'{if_match}' does not match the object's ETag value "
                    f"'{row.etag}'.",
                )
            b.library.delete(drive, file, caller(call))
            return no_content()
    b.lists.delete_item(lst, row, caller(call), if_match=if_match)
    return no_content()


def fields_context(b: Backend, site: Site, lst: ListRow, row: ItemRow) -> str:
    return (
        f"{b.base_url}/$metadata#sites('{site.id}')/lists('{lst.id}')/items('{row.id}')"
        "/fields/$entity"
    )


async def get_fields(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    site, lst, row = _item(b, p)
    values = fields_json(b.item_view(site, lst, row), row, parse_select(call.option("select")))
    return ok({"@odata.context": fields_context(b, site, lst, row), **values})


async def update_fields(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    site, lst, row = _item(b, p)
    return ok(patch_fields(b, call, site, lst, row))


def patch_fields(b: Backend, call: Call, site: Site, lst: ListRow, row: ItemRow) -> dict[str, Any]:
    """PATCH .../fields for a list item or a file's listItem; the new fieldValueSet."""
    who = caller(call)
    with b.store.transaction():
        row = b.lists.update_fields(
            lst, row, call.json(), who, if_match=call.headers.get("If-Match")
        )
        if lst.is_library:
            drive = b.list_drive(lst)
            file = b.store.drive_item_for_list_item(drive.id, row.id)
            if file is not None:
                b.library.touch(file, row)
    values = fields_json(b.item_view(site, lst, row), row, None)
    return {"@odata.context": fields_context(b, site, lst, row), **values}


async def get_item_drive_item(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    _site, lst, row = _item(b, p)
    drive = b.list_drive(lst)
    file = b.store.drive_item_for_list_item(drive.id, row.id)
    if file is None:
        raise GraphError(404, "itemNotFound", "The list item has no driveItem.")
    return ok(b.drive_item_json(drive, file, context=True))


L = "/sites/{site-id}/lists/{list-id}"
ROUTES = [
    Route("GET", f"{L}/items", get_items),
    Route("POST", f"{L}/items", create_item),
    Route("GET", f"{L}/items/{{item-id}}", get_item),
    Route("DELETE", f"{L}/items/{{item-id}}", delete_item),
    Route("GET", f"{L}/items/{{item-id}}/fields", get_fields),
    Route("PATCH", f"{L}/items/{{item-id}}/fields", update_fields),
    Route("GET", f"{L}/items/{{item-id}}/driveItem", get_item_drive_item),
]

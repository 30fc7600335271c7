"""Drive items: get, children, folders, small uploads, content, delete, listItem and fields.

Items are addressed as Graph addresses them: /drives/{d}/root, /drives/{d}/items/{id}, and
either followed by a path, ":/{path}:" (root:/Cases/C-1/letter.docx:/content).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from .backend import Backend
from .calls import Call, Reply, no_content, ok
from .errors import GraphError, bad_request, not_found
from .library import BEHAVIOURS
from .names import path_key
from .odata import apply_select, parse_expand, parse_select, parse_top
from .pdf import convert_to_pdf
from .router import Route
from .routes_items import expanded_fields, fields_context, patch_fields
from .routes_sites import caller
from .shapes import fields_json, item_json
from .store import DriveItemRow, DriveRow
from .uploads import commit_explicitly

SIMPLE_UPLOAD_LIMIT = 4 * 1024 * 1024  # the documented limit for PUT .../content
PAGE_SIZE = 200
CONFLICT = "@microsoft.graph.conflictBehavior"


def address(b: Backend, p: dict[str, str]) -> tuple[DriveRow, DriveItemRow, str | None]:
    """(drive, base item, path below it or None) of an addressed item."""
    drive = b.drive(p["drive-id"])
    base = b.library.item(drive, p.get("item-id", "root"))
    if base is None:
        raise not_found("Item not found")
    return drive, base, p.get("path")


def existing(b: Backend, p: dict[str, str]) -> tuple[DriveRow, DriveItemRow]:
    drive, base, path = address(b, p)
    item = b.library.by_path(base, path) if path else base
    if item is None:
        raise not_found("The resource could not be found.")
    return drive, item


def behaviour(call: Call, body: dict[str, Any] | None, default: str) -> str:
    value = (body or {}).get(CONFLICT) or call.query.get(CONFLICT) or default
    if value not in BEHAVIOURS:
        raise bad_request(f"{CONFLICT} must be one of {BEHAVIOURS}; got {value!r}.")
    return str(value)


def _with_expand(b: Backend, drive: DriveRow, item: DriveItemRow, call: Call) -> dict[str, Any]:
    body = b.drive_item_json(drive, item, context=True)
    expand = parse_expand(call.option("expand"))
    if "listItem" in expand and item.list_item_id is not None:
        site, lst = b.drive_context(drive)
        row = b.library.list_item(drive, item)
        if row is not None:
            fields = expand["listItem"].expand.get("fields")
            shown = False if fields is None else (fields.select or True)
            body["listItem"] = item_json(b.item_view(site, lst, row), row, fields=shown)
    elif "children" in expand and item.is_folder:
        body["children"] = [
            b.drive_item_json(drive, child) for child in b.store.children(item.id, "", 1000)
        ]
    return apply_select(body, parse_select(call.option("select")))


async def get_item(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    drive, item = existing(b, p)
    return ok(_with_expand(b, drive, item, call))


async def delete_item(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    drive, item = existing(b, p)
    if_match = call.headers.get("If-Match")
    if if_match and if_match.strip() != "*":
        current = b.drive_item_json(drive, item)
        if if_match.strip() not in (current["eTag"], current["cTag"]):
            raise GraphError(412, "resourceModified", "The eTag does not match the item's.")
    b.library.delete(drive, item, caller(call))
    return no_content()


async def get_children(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    drive, folder = existing(b, p)
    if not folder.is_folder:
        raise bad_request("Only folders have children.")
    top = parse_top(call.option("top"), PAGE_SIZE, 1000)
    after = call.option("skiptoken") or ""
    rows = b.store.children(folder.id, after, top + 1)
    select = parse_select(call.option("select"))
    value = []
    for row in rows[:top]:
        entry = b.drive_item_json(drive, row)
        value.append(apply_select(entry, select))
    body: dict[str, Any] = {
        "@odata.context": f"{b.base_url}/$metadata#drives('{drive.id}')/items('{folder.id}')"
        "/children",
        "value": value,
    }
    if len(rows) > top:
        body["@odata.nextLink"] = (
            f"{b.base_url}/drives/{drive.id}/items/{folder.id}/children?$top={top}"
            f"&$skiptoken={quote(path_key(rows[top - 1].path), safe='')}"
        )
    return ok(body)


async def create_child(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    drive, parent = existing(b, p)
    body = call.json()
    name = body.get("name")
    if not isinstance(name, str):
        raise bad_request("A new item needs a 'name'.")
    if "folder" not in body:
        raise bad_request(
            "POST children makes folders (give 'folder': {}); upload files with "
            "PUT .../content or an upload session."
        )
    item, created = b.library.create_folder(
        drive, parent, name, behaviour(call, body, "fail"), caller(call)
    )
    return ok(b.drive_item_json(drive, item, context=True), status=201 if created else 200)


async def put_content(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    drive, base, path = address(b, p)
    if len(call.body) > SIMPLE_UPLOAD_LIMIT:
        raise GraphError(
            413,
            "requestBodyTooLarge",
            "Simple upload supports files up to 4 MB; "
            "use an upload session (createUploadSession) for larger files.",
        )
    temp = b.library.temp_file()
    temp.write_bytes(call.body)
    try:
        who = caller(call)
        if path is None:
            if base.is_folder:
                raise bad_request("Cannot write content to a folder.")
            item = b.library.replace_content(drive, base, temp, who)
            created = False
        else:
            parts = [part for part in path.split("/") if part]
            with b.store.transaction():
                parent = b.library.ensure_folders(drive, base, parts[:-1], who)
                item, created = b.library.write_file(
                    drive, parent, parts[-1], temp, behaviour(call, None, "replace"), who
                )
    finally:
        temp.unlink(missing_ok=True)
    return ok(b.drive_item_json(drive, item, context=True), status=201 if created else 200)


async def get_content(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    drive, item = existing(b, p)
    if item.is_folder:
        raise bad_request("A folder has no content.")
    wanted = call.option("format")
    if wanted is None:
        return Reply(302, headers={"Location": b.download_url(drive.id, item.id)})
    if wanted.lower() != "pdf":
        raise bad_request(f"Conversion to '{wanted}' is not supported; only pdf is.")
    await convert_to_pdf(b, drive, item)
    return Reply(302, headers={"Location": b.download_url(drive.id, item.id, "pdf")})


def _list_item(b: Backend, p: dict[str, str]) -> tuple[DriveRow, Any, Any, Any]:
    drive, item = existing(b, p)
    site, lst = b.drive_context(drive)
    row = b.library.list_item(drive, item)
    if row is None:
        raise not_found("The root folder has no listItem.")
    return drive, site, lst, row


async def get_list_item(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    _drive, site, lst, row = _list_item(b, p)
    body = item_json(b.item_view(site, lst, row), row, fields=expanded_fields(call), context=True)
    return ok(apply_select(body, parse_select(call.option("select"))))


async def get_list_item_fields(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    _drive, site, lst, row = _list_item(b, p)
    values = fields_json(b.item_view(site, lst, row), row, parse_select(call.option("select")))
    return ok({"@odata.context": fields_context(b, site, lst, row), **values})


async def patch_list_item_fields(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    _drive, site, lst, row = _list_item(b, p)
    return ok(patch_fields(b, call, site, lst, row))


async def commit_from_session(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    """PUT an item's metadata with @microsoft.graph.sourceUrl: commit an upload session."""
    drive, base, path = address(b, p)
    return await commit_explicitly(b, call, drive, base, path)


D = "/drives/{drive-id}"
BASES = [f"{D}/root", f"{D}/items/{{item-id}}"]


def _routes() -> list[Route]:
    routes: list[Route] = []
    for base in BASES:
        for addressed in (base, base + ":/{path}:"):
            routes += [
                Route("GET", f"{addressed}/children", get_children),
                Route("POST", f"{addressed}/children", create_child),
                Route("GET", f"{addressed}/content", get_content),
                Route("PUT", f"{addressed}/content", put_content),
                Route("GET", f"{addressed}/listItem", get_list_item),
                Route("GET", f"{addressed}/listItem/fields", get_list_item_fields),
                Route("PATCH", f"{addressed}/listItem/fields", patch_list_item_fields),
            ]
        for addressed in (base, base + ":/{path}:", base + ":/{path}"):
            routes += [
                Route("GET", addressed, get_item),
                Route("DELETE", addressed, delete_item),
            ]
        for addressed in (base + ":/{path}:", base + ":/{path}"):
            routes.append(Route("PUT", addressed, commit_from_session))
    return routes


ROUTES = _routes()

"""Sites, lists and columns: GET /sites/..., GET/POST /sites/{id}/lists, .../columns."""

from __future__ import annotations

from typing import Any

from .backend import Backend
from .calls import Call, Reply, no_content, ok
from .errors import bad_request, not_found
from .identity import Identity
from .odata import Options, apply_select, parse_expand, parse_select
from .router import Route
from .shapes import drive_json, item_json, list_json, site_json
from .store import DriveRow, ListRow, Site


def caller(call: Call) -> Identity:
    assert call.identity is not None, "the server authenticates every Graph request"
    return call.identity


async def get_site(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    site = b.site(p["site-id"])
    return ok(apply_select(site_json(b.base_url, site), parse_select(call.option("select"))))


async def get_lists(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    site = b.site(p["site-id"])
    lists = []
    for lst in b.store.lists(site.id):  # $expand=columns works on the collection too
        body = _list_body(b, site, lst, call)
        body.pop("@odata.context", None)
        lists.append(body)
    return ok({"@odata.context": f"{b.base_url}/$metadata#sites('{site.id}')/lists",
               "value": lists})


def _list_body(b: Backend, site: Site, lst: ListRow, call: Call) -> dict[str, Any]:
    body: dict[str, Any] = {
        "@odata.context": f"{b.base_url}/$metadata#sites('{site.id}')/lists/$entity",
        **list_json(site, lst),
    }
    body = apply_select(body, parse_select(call.option("select")))
    expand = parse_expand(call.option("expand"))
    for name, options in expand.items():
        if name == "columns":
            body["columns"] = [apply_select(c, options.select) for c in b.store.columns(lst.id)]
        elif name == "items":
            body["items"] = [
                _expanded_item(b, site, lst, row, options) for row in b.store.items(lst.id, 0)
            ]
        elif name == "drive" and lst.is_library:
            drive = b.list_drive(lst)
            body["drive"] = drive_json(b.base_url, site, lst, drive, b.store.drive_used(drive.id))
        else:
            raise bad_request(f"Cannot expand '{name}' on a list.", code="BadRequest")
    return body


def _expanded_item(b: Backend, site: Site, lst: ListRow, row: Any, options: Options) -> Any:
    fields = options.expand.get("fields")
    expanded: list[str] | bool | None = False if fields is None else (fields.select or True)
    item = item_json(b.item_view(site, lst, row), row, fields=expanded)
    return apply_select(item, options.select)


async def get_list(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    site = b.site(p["site-id"])
    return ok(_list_body(b, site, b.find_list(site, p["list-id"]), call))


async def create_list(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    site = b.site(p["site-id"])
    who = caller(call)
    with b.store.transaction():
        lst = b.lists.create_list(site, call.json(), who)
        if lst.is_library:
            b.library.create_drive(site, lst, who)
    return ok(_list_body(b, site, lst, call), status=201)


async def delete_list(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    site = b.site(p["site-id"])
    lst = b.find_list(site, p["list-id"])
    if lst.is_library:
        raise bad_request("The dev tenant does not delete document libraries.", "notSupported")
    with b.store.transaction():
        b.store.delete_list(lst.id)
    return no_content()


async def get_columns(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    site = b.site(p["site-id"])
    lst = b.find_list(site, p["list-id"])
    select = parse_select(call.option("select"))
    return ok(
        {
            "@odata.context": f"{b.base_url}/$metadata#sites('{site.id}')/lists('{lst.id}')"
            "/columns",
            "value": [apply_select(c, select) for c in b.store.columns(lst.id)],
        }
    )


async def create_column(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    site = b.site(p["site-id"])
    lst = b.find_list(site, p["list-id"])
    column = b.lists.add_column(site, lst, call.json())
    context = f"{b.base_url}/$metadata#sites('{site.id}')/lists('{lst.id}')/columns/$entity"
    return ok({"@odata.context": context, **column}, status=201)


async def update_column(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    site = b.site(p["site-id"])
    lst = b.find_list(site, p["list-id"])
    column = b.lists.update_column(lst, p["column-id"], call.json())
    if column is None:
        raise not_found(f"Column '{p['column-id']}' not found.")
    context = f"{b.base_url}/$metadata#sites('{site.id}')/lists('{lst.id}')/columns/$entity"
    return ok({"@odata.context": context, **column})


def _drive_body(b: Backend, drive: DriveRow) -> dict[str, Any]:
    site, lst = b.drive_context(drive)
    return drive_json(b.base_url, site, lst, drive, b.store.drive_used(drive.id))


async def get_site_drive(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    body = _drive_body(b, b.site_drive(b.site(p["site-id"])))
    return ok(apply_select(body, parse_select(call.option("select"))))


async def get_site_drives(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    site = b.site(p["site-id"])
    select = parse_select(call.option("select"))
    drives = [apply_select(_drive_body(b, d), select) for d in b.store.drives(site.id)]
    for drive in drives:
        drive.pop("@odata.context", None)
    return ok({"@odata.context": f"{b.base_url}/$metadata#drives", "value": drives})


async def get_list_drive(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    site = b.site(p["site-id"])
    body = _drive_body(b, b.list_drive(b.find_list(site, p["list-id"])))
    return ok(apply_select(body, parse_select(call.option("select"))))


async def get_drive(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    body = _drive_body(b, b.drive(p["drive-id"]))
    return ok(apply_select(body, parse_select(call.option("select"))))


S = "/sites/{site-id}"
ROUTES = [
    Route("GET", S, get_site),
    Route("GET", f"{S}/lists", get_lists),
    Route("POST", f"{S}/lists", create_list),
    Route("GET", f"{S}/lists/{{list-id}}", get_list),
    Route("DELETE", f"{S}/lists/{{list-id}}", delete_list),
    Route("GET", f"{S}/lists/{{list-id}}/columns", get_columns),
    Route("POST", f"{S}/lists/{{list-id}}/columns", create_column),
    Route("PATCH", f"{S}/lists/{{list-id}}/columns/{{column-id}}", update_column),
    Route("GET", f"{S}/drive", get_site_drive),
    Route("GET", f"{S}/drives", get_site_drives),
    Route("GET", f"{S}/lists/{{list-id}}/drive", get_list_drive),
    Route("GET", "/drives/{drive-id}", get_drive),
]

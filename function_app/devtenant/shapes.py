"""JSON representations of sites, lists, columns, list items, drives and drive items.

Property names and @odata annotations follow Microsoft's documented examples
(tests/fixtures/graph-examples/); values (ids, dates, URLs) are the dev tenant's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .odata import apply_select
from .store import DriveItemRow, DriveRow, ItemRow, ListRow, Site

CONTENT_TYPE_IDS = {"Item": "0x01", "Document": "0x0101", "Folder": "0x0120"}


def site_url(site: Site) -> str:
    return f"https://{site.hostname}{site.path}"


def list_url(site: Site, lst: ListRow) -> str:
    if lst.is_library:
        return f"{site_url(site)}/{quote(lst.name)}"
    return f"{site_url(site)}/Lists/{quote(lst.name)}"


def site_json(base: str, site: Site) -> dict[str, Any]:
    return {
        "@odata.context": f"{base}/$metadata#sites/$entity",
        "createdDateTime": site.created,
        "description": "",
        "id": site.id,
        "lastModifiedDateTime": site.modified,
        "name": site.name,
        "webUrl": site_url(site),
        "displayName": site.display_name,
        "root": {},
        "siteCollection": {"hostname": site.hostname},
    }


def list_json(site: Site, lst: ListRow) -> dict[str, Any]:
    return {
        "@odata.etag": f'"{lst.id},1"',
        "createdDateTime": lst.created,
        "description": lst.description,
        "eTag": f'"{lst.id},1"',
        "id": lst.id,
        "lastModifiedDateTime": lst.modified,
        "name": lst.name,
        "webUrl": list_url(site, lst),
        "displayName": lst.display_name,
        "createdBy": lst.created_by,
        "lastModifiedBy": lst.modified_by,
        "parentReference": {"siteId": site.id},
        "list": {"contentTypesEnabled": False, "hidden": False, "template": lst.template},
    }


@dataclass(frozen=True, slots=True)
class ItemView:
    """What a list item's JSON needs beyond its row."""

    base: str
    site: Site
    lst: ListRow
    drive_item: DriveItemRow | None = None


def item_web_url(view: ItemView, item: ItemRow) -> str:
    if view.drive_item is not None:
        return f"{list_url(view.site, view.lst)}/{quote(view.drive_item.path)}"
    return f"{list_url(view.site, view.lst)}/{item.id}_.000"


def _item_parent(view: ItemView) -> dict[str, Any]:
    parent: dict[str, Any] = {"id": view.lst.root_unique_id, "siteId": view.site.id}
    if view.drive_item is not None:
        folder = view.drive_item.path.rpartition("/")[0]
        parent["path"] = quote(f"{view.lst.name}/{folder}".rstrip("/"))
    return parent


def fields_json(view: ItemView, item: ItemRow, select: list[str] | None) -> dict[str, Any]:
    """A listItem's fieldValueSet: the values set on it and those SharePoint computes."""
    values: dict[str, Any] = {"@odata.etag": item.etag}
    values.update(item.fields)
    values.update(
        {
            "id": str(item.id),
            "ContentType": item.content_type,
            "Modified": item.modified,
            "Created": item.created,
            "AuthorLookupId": str(item.author_id),
            "EditorLookupId": str(item.editor_id),
            "_UIVersionString": f"{item.version}.0",
            "Edit": "",
            "ItemChildCount": str(item.fields.get("ItemChildCount", "0")),
            "FolderChildCount": str(item.fields.get("FolderChildCount", "0")),
            "_ComplianceFlags": "",
            "_ComplianceTag": "",
            "_ComplianceTagWrittenTime": "",
            "_ComplianceTagUserId": "",
        }
    )
    if "application" in item.created_by:
        values["AppAuthorLookupId"] = "1"
    if "application" in item.modified_by:
        values["AppEditorLookupId"] = "1"
    if not view.lst.is_library:
        values["Attachments"] = False
        if "Title" in item.fields:
            values["LinkTitle"] = values["LinkTitleNoMenu"] = item.fields["Title"]
    else:
        values["_CheckinComment"] = ""
    return apply_select(values, select)


def item_json(
    view: ItemView,
    item: ItemRow,
    *,
    fields: list[str] | bool | None = False,
    context: bool = False,
) -> dict[str, Any]:
    """A listItem. fields=False leaves fields out; True or a $select list expands them."""
    out: dict[str, Any] = {}
    if context:
        out["@odata.context"] = (
            f"{view.base}/$metadata#sites('{view.site.id}')/lists('{view.lst.id}')/items/$entity"
        )
    out.update(
        {
            "@odata.etag": item.etag,
            "createdDateTime": item.created,
            "eTag": item.etag,
            "id": str(item.id),
            "lastModifiedDateTime": item.modified,
            "webUrl": item_web_url(view, item),
            "createdBy": item.created_by,
            "lastModifiedBy": item.modified_by,
            "parentReference": _item_parent(view),
            "contentType": {
                "id": CONTENT_TYPE_IDS.get(item.content_type, "0x01"),
                "name": item.content_type,
            },
        }
    )
    if fields is not False:
        out["fields@odata.context"] = (
            f"{view.base}/$metadata#sites('{view.site.id}')/lists('{view.lst.id}')"
            f"/items('{item.id}')/fields/$entity"
        )
        out["fields"] = fields_json(view, item, None if fields is True else fields)
    return out


def deleted_item_json(site: Site, item_id: int, content_type: str) -> dict[str, Any]:
    return {
        "id": str(item_id),
        "parentReference": {"siteId": site.id},
        "contentType": {"id": CONTENT_TYPE_IDS.get(content_type, "0x01"), "name": content_type},
        "deleted": {"state": "deleted"},
    }


def drive_json(base: str, site: Site, lst: ListRow, drive: DriveRow, used: int) -> dict[str, Any]:
    total = 27_487_790_694_400  # SharePoint's usual 25 TB site quota
    return {
        "@odata.context": f"{base}/$metadata#drives/$entity",
        "createdDateTime": drive.created,
        "description": "",
        "id": drive.id,
        "lastModifiedDateTime": lst.modified,
        "name": drive.name,
        "webUrl": list_url(site, lst),
        "driveType": "documentLibrary",
        "createdBy": lst.created_by,
        "lastModifiedBy": lst.modified_by,
        "owner": {"group": {"displayName": f"{site.display_name} Owners"}},
        "quota": {
            "deleted": 0,
            "remaining": total - used,
            "state": "normal",
            "total": total,
            "used": used,
        },
    }


@dataclass(frozen=True, slots=True)
class DriveItemView:
    base: str
    site: Site
    lst: ListRow
    drive: DriveRow


def drive_item_json(
    view: DriveItemView,
    item: DriveItemRow,
    *,
    version: int,
    size: int,
    child_count: int,
    download_url: str | None,
    context: bool = False,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if context:
        out["@odata.context"] = f"{view.base}/$metadata#drives('{view.drive.id}')/items/$entity"
    if download_url is not None and not item.is_folder:
        out["@microsoft.graph.downloadUrl"] = download_url
    unique = item.unique_id.upper()
    web = list_url(view.site, view.lst) + (f"/{quote(item.path)}" if item.path else "")
    out.update(
        {
            "createdBy": item.created_by,
            "createdDateTime": item.created,
            "eTag": f'"{{{unique}}},{version}"',
            "id": item.id,
            "lastModifiedBy": item.modified_by,
            "lastModifiedDateTime": item.modified,
            "name": "root" if item.is_root else item.name,
            "parentReference": {
                "driveType": "documentLibrary",
                "driveId": view.drive.id,
                "siteId": view.site.id,
            },
            "webUrl": web,
            "cTag": f'"c:{{{unique}}},{item.content_version}"',
            "fileSystemInfo": {
                "createdDateTime": item.created,
                "lastModifiedDateTime": item.modified,
            },
            "size": size,
        }
    )
    if not item.is_root:
        parent_path = item.path.rpartition("/")[0]
        out["parentReference"].update(
            {
                "id": item.parent_id,
                "name": parent_path.rpartition("/")[2] if parent_path else view.drive.name,
                "path": f"/drives/{view.drive.id}/root:"
                + (f"/{parent_path}" if parent_path else ""),
            }
        )
    if item.is_folder:
        out["folder"] = {"childCount": child_count}
    else:
        out["file"] = {"mimeType": item.mime_type}
    if item.is_root:
        out["root"] = {}
    return out


def upload_session_json(base: str, url: str, expires: str, received: int) -> dict[str, Any]:
    return {
        "@odata.context": f"{base}/$metadata#microsoft.graph.uploadSession",
        "uploadUrl": url,
        "expirationDateTime": expires,
        "nextExpectedRanges": [f"{received}-"],
    }

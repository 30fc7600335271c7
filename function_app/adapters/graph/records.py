"""Small records parsed from Graph's JSON: only what the product reads."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_VERSION = re.compile(r",(\d+)\"?$")


@dataclass(frozen=True, slots=True)
class ListInfo:
    id: str
    display_name: str
    columns: tuple[dict[str, Any], ...]
    template: str = ""
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class ListItem:
    id: str
    etag: str
    fields: dict[str, Any]
    modified_by_app: bool  # last written by this product (its own write-back)
    modified_by: str  # display name of the person or app, for the record
    last_modified: str
    deleted: bool = False
    web_url: str = ""
    file: DriveItem | None = None  # a library item's file, when asked for ($expand=driveItem)

    @property
    def version(self) -> str:
        """The item's version from its eTag ("{GUID},7" -> "7"), or the eTag itself."""
        found = _VERSION.search(self.etag)
        return found.group(1) if found else self.etag


@dataclass(frozen=True, slots=True)
class DeltaPage:
    items: tuple[ListItem, ...]
    next_link: str
    delta_link: str


@dataclass(frozen=True, slots=True)
class DriveItem:
    id: str
    name: str
    web_url: str
    size: int
    parent_path: str
    is_folder: bool = False
    created: str = ""  # createdDateTime, ISO 8601


def parse_list_item(raw: dict[str, Any], app_id: str = "") -> ListItem:
    by = raw.get("lastModifiedBy") or {}
    app = by.get("application") or {}
    user = by.get("user") or {}
    ours = bool(app) and (not app_id or app.get("id") == app_id)
    return ListItem(
        id=str(raw["id"]),
        etag=raw.get("eTag") or raw.get("@odata.etag") or "",
        fields=dict(raw.get("fields") or {}),
        modified_by_app=ours,
        modified_by=app.get("displayName") or user.get("displayName") or "",
        last_modified=raw.get("lastModifiedDateTime", ""),
        deleted="deleted" in raw,
        web_url=raw.get("webUrl", ""),
        file=parse_drive_item(raw["driveItem"]) if raw.get("driveItem") else None,
    )


def parse_drive_item(raw: dict[str, Any]) -> DriveItem:
    return DriveItem(
        id=raw["id"], name=raw.get("name", ""), web_url=raw.get("webUrl", ""),
        size=int(raw.get("size") or 0),
        parent_path=(raw.get("parentReference") or {}).get("path", ""),
        is_folder="folder" in raw, created=str(raw.get("createdDateTime") or ""),
    )

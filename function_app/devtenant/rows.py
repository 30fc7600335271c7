"""The dev tenant's stored rows: sites, lists, list items, changes, drives and drive items,
as the small frozen records the Store (store.py) gives back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Site:
    id: str
    hostname: str
    path: str
    name: str
    display_name: str
    created: str
    modified: str


@dataclass(frozen=True, slots=True)
class ListRow:
    id: str
    site_id: str
    name: str
    display_name: str
    description: str
    template: str
    root_unique_id: str
    created: str
    modified: str
    created_by: dict[str, Any]
    modified_by: dict[str, Any]

    @property
    def is_library(self) -> bool:
        return self.template == "documentLibrary"


@dataclass(frozen=True, slots=True)
class ItemRow:
    list_id: str
    id: int
    unique_id: str
    version: int
    content_type: str
    fields: dict[str, Any]
    created: str
    modified: str
    created_by: dict[str, Any]
    modified_by: dict[str, Any]
    author_id: int
    editor_id: int

    @property
    def etag(self) -> str:
        return f'"{{{self.unique_id.upper()}}},{self.version}"'


@dataclass(frozen=True, slots=True)
class Change:
    seq: int
    item_id: int
    kind: str
    content_type: str


@dataclass(frozen=True, slots=True)
class DriveRow:
    id: str
    site_id: str
    list_id: str
    name: str
    root_id: str
    folder: str  # relative to the data folder
    created: str


@dataclass(frozen=True, slots=True)
class DriveItemRow:
    id: str
    drive_id: str
    parent_id: str | None
    name: str
    path: str  # below the drive root, "/"-separated; "" for the root
    is_folder: bool
    size: int
    mime_type: str
    content_version: int
    list_item_id: int | None
    unique_id: str
    created: str
    modified: str
    created_by: dict[str, Any]
    modified_by: dict[str, Any]

    @property
    def is_root(self) -> bool:
        return self.parent_id is None


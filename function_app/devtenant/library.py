"""Document libraries: drive items in SQLite, their files as real files in a folder tree.

A library's files live under DIR/sites/<site>/<library>/<folders>/<file>, named as in
SharePoint (apostrophes and accents included), so a person can open them. Each file and
folder is also an item of the library's list, as in SharePoint, so library columns, list
delta and notifications work for files too.
"""

from __future__ import annotations

import mimetypes
import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

from .errors import GraphError, bad_request, conflict
from .identity import Identity
from .lists import Lists
from .names import check_name, path_key
from .store import DriveItemRow, DriveRow, ItemRow, ListRow, Site, Store
from .util import drive_id, drive_item_id, iso, new_guid, now

BEHAVIOURS = ("fail", "replace", "rename")
OFFICE_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".pdf": "application/pdf",
}


def mime_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return OFFICE_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def _renamed(name: str, attempt: int, is_folder: bool) -> str:
    if is_folder:
        return f"{name} {attempt}"
    stem, dot, ext = name.rpartition(".")
    return f"{stem} {attempt}.{ext}" if dot and stem else f"{name} {attempt}"


class Library:
    def __init__(self, store: Store, lists: Lists, data_dir: Path) -> None:
        self._store = store
        self._lists = lists
        self._data_dir = data_dir
        self._tmp = data_dir / ".tmp"
        self._tmp.mkdir(parents=True, exist_ok=True)

    def create_drive(self, site: Site, lst: ListRow, who: Identity) -> DriveRow:
        # sites/<name> for /sites/<name>, teams/<name> for /teams/<name>: one folder a site.
        parts = [part for part in site.path.split("/") if part] or ["sites", "root"]
        folder = Path(*parts) / lst.display_name
        when = iso(now())
        root = DriveItemRow(
            id=drive_item_id(),
            drive_id=drive_id(),
            parent_id=None,
            name="root",
            path="",
            is_folder=True,
            size=0,
            mime_type="",
            content_version=1,
            list_item_id=None,
            unique_id=new_guid(),
            created=when,
            modified=when,
            created_by=who.identity_set(),
            modified_by=who.identity_set(),
        )
        drive = DriveRow(
            id=root.drive_id,
            site_id=site.id,
            list_id=lst.id,
            name=lst.display_name,
            root_id=root.id,
            folder=folder.as_posix(),
            created=when,
        )
        with self._store.transaction():
            self._store.add_drive(drive)
            self._store.put_drive_item(root, "")
        self.root_folder(drive).mkdir(parents=True, exist_ok=True)
        return drive

    def root_folder(self, drive: DriveRow) -> Path:
        return self._data_dir / drive.folder

    def disk_path(self, drive: DriveRow, item: DriveItemRow) -> Path:
        return (
            self.root_folder(drive).joinpath(*(disk_name(p) for p in item.path.split("/")))
            if item.path
            else (self.root_folder(drive))
        )

    # -- lookups -----------------------------------------------------------------------------

    def item(self, drive: DriveRow, item_id: str) -> DriveItemRow | None:
        if item_id.lower() == "root":
            item_id = drive.root_id
        return self._store.drive_item(drive.id, item_id)

    def by_path(self, base: DriveItemRow, relative: str) -> DriveItemRow | None:
        parts = [p for p in relative.split("/") if p]
        if not parts:
            return base
        full = "/".join(([base.path] if base.path else []) + parts)
        return self._store.drive_item_by_path(base.drive_id, path_key(full))

    def list_item(self, drive: DriveRow, item: DriveItemRow) -> ItemRow | None:
        if item.list_item_id is None:
            return None
        return self._store.item(drive.list_id, item.list_item_id)

    def version(self, drive: DriveRow, item: DriveItemRow) -> int:
        row = self.list_item(drive, item)
        return row.version if row else 1

    def folder_size(self, item: DriveItemRow) -> int:
        """A file's size; for a folder, the total of the files below it (as SharePoint)."""
        if not item.is_folder:
            return item.size
        if item.is_root:
            return self._store.drive_used(item.drive_id)
        below = self._store.descendants(item.drive_id, path_key(item.path))
        return sum(i.size for i in below if not i.is_folder)

    # -- changes -----------------------------------------------------------------------------

    def _library(self, drive: DriveRow) -> ListRow:
        lst = self._store.list_by_id(drive.list_id)
        assert lst is not None
        return lst

    def _system_fields(self, name: str, size: int, is_folder: bool) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "FileLeafRef": name,
            "LinkFilename": name,
            "LinkFilenameNoMenu": name,
        }
        if not is_folder:
            fields["DocIcon"] = Path(name).suffix.lstrip(".").lower()
            fields["FileSizeDisplay"] = str(size)
        return fields

    def _free_name(self, parent: DriveItemRow, name: str, is_folder: bool) -> str:
        attempt = 1
        candidate = name
        while self.by_path(parent, candidate) is not None:
            candidate = _renamed(name, attempt, is_folder)
            attempt += 1
        return candidate

    def _new_item(
        self,
        drive: DriveRow,
        parent: DriveItemRow,
        name: str,
        is_folder: bool,
        size: int,
        who: Identity,
    ) -> DriveItemRow:
        lst = self._library(drive)
        row = self._lists.create_item(
            lst,
            {},
            who,
            content_type="Folder" if is_folder else "Document",
            system=self._system_fields(name, size, is_folder),
        )
        path = f"{parent.path}/{name}" if parent.path else name
        item = DriveItemRow(
            id=drive_item_id(),
            drive_id=drive.id,
            parent_id=parent.id,
            name=name,
            path=path,
            is_folder=is_folder,
            size=size,
            mime_type="" if is_folder else mime_type(name),
            content_version=1,
            list_item_id=row.id,
            unique_id=row.unique_id,
            created=row.created,
            modified=row.modified,
            created_by=row.created_by,
            modified_by=row.modified_by,
        )
        self._store.put_drive_item(item, path_key(path))
        return item

    def create_folder(
        self, drive: DriveRow, parent: DriveItemRow, name: str, behaviour: str, who: Identity
    ) -> tuple[DriveItemRow, bool]:
        """A folder in parent; (item, created). replace returns an existing folder as it is."""
        check_name(name)
        if not parent.is_folder:
            raise bad_request("The parent of a new folder must be a folder.")
        with self._store.transaction():
            existing = self.by_path(parent, name)
            if existing is not None:
                if behaviour == "fail" or (behaviour == "replace" and not existing.is_folder):
                    raise conflict(f"An item with the name '{existing.name}' already exists.")
                if behaviour == "replace":
                    return existing, False
                name = self._free_name(parent, name, True)
            item = self._new_item(drive, parent, name, True, 0, who)
        self.disk_path(drive, item).mkdir(parents=True, exist_ok=True)
        return item, True

    def ensure_folders(
        self, drive: DriveRow, base: DriveItemRow, parts: list[str], who: Identity
    ) -> DriveItemRow:
        """The folder at base/parts, making any that are missing (as Graph does on PUT)."""
        folder = base
        for part in parts:
            found = self.by_path(folder, part)
            if found is None:
                found, _ = self.create_folder(drive, folder, part, "fail", who)
            elif not found.is_folder:
                raise conflict(f"'{found.path}' is a file, not a folder.")
            folder = found
        return folder

    def write_file(
        self,
        drive: DriveRow,
        parent: DriveItemRow,
        name: str,
        source: Path,
        behaviour: str,
        who: Identity,
    ) -> tuple[DriveItemRow, bool]:
        """Move source (a finished temporary file) into parent as name; (item, created)."""
        check_name(name)
        size = source.stat().st_size
        with self._store.transaction():
            existing = self.by_path(parent, name)
            if existing is not None:
                if behaviour == "fail" or existing.is_folder:
                    raise conflict(f"An item with the name '{existing.name}' already exists.")
                if behaviour == "replace":
                    return self.replace_content(drive, existing, source, who), False
                name = self._free_name(parent, name, False)
            item = self._new_item(drive, parent, name, False, size, who)
            os.replace(source, self.disk_path(drive, item))
        return item, True

    def replace_content(
        self, drive: DriveRow, item: DriveItemRow, source: Path, who: Identity
    ) -> DriveItemRow:
        if item.is_folder:
            raise bad_request("A folder has no content to replace.")
        size = source.stat().st_size
        with self._store.transaction():
            row = self.list_item(drive, item)
            assert row is not None
            row = self._lists.update_fields(
                self._library(drive),
                row,
                {},
                who,
                system=self._system_fields(item.name, size, False),
            )
            item = replace(
                item,
                size=size,
                content_version=item.content_version + 1,
                modified=row.modified,
                modified_by=row.modified_by,
            )
            self._store.put_drive_item(item, path_key(item.path))
            os.replace(source, self.disk_path(drive, item))
        return item

    def touch(self, drive: DriveItemRow, row: ItemRow) -> None:
        """Keep a file's modified time and author in step with its list item's."""
        updated = replace(drive, modified=row.modified, modified_by=row.modified_by)
        self._store.put_drive_item(updated, path_key(updated.path))

    def delete(self, drive: DriveRow, item: DriveItemRow, who: Identity) -> None:
        if item.is_root:
            raise GraphError(403, "accessDenied", "The root folder of a library cannot be deleted.")
        lst = self._library(drive)
        with self._store.transaction():
            for doomed in [*self._store.descendants(drive.id, path_key(item.path)), item]:
                row = self.list_item(drive, doomed)
                if row is not None:
                    self._lists.delete_item(lst, row, who)
                self._store.delete_drive_item(doomed.id)
        target = self.disk_path(drive, item)
        if item.is_folder:
            shutil.rmtree(target, ignore_errors=True)
        else:
            target.unlink(missing_ok=True)

    def temp_file(self) -> Path:
        return self._tmp / f"{new_guid()}.part"


DISK_NAME_BYTES = 255  # what most file systems allow one name; SharePoint counts characters


def disk_name(name: str) -> str:
    """The name on this computer's disk of a library item named ``name``: the same, unless
    it is longer than the file system allows (a name of 70 emoji is 280 bytes); then its
    start and end with a hash of the whole between them, so the folder still opens."""
    raw = name.encode("utf-8")
    if len(raw) <= DISK_NAME_BYTES:
        return name
    import hashlib

    mark = "~" + hashlib.sha256(raw).hexdigest()[:12] + "~"
    tail = name[-60:]
    room = DISK_NAME_BYTES - len(mark) - len(tail.encode("utf-8"))
    head = raw[:room].decode("utf-8", "ignore")
    return head + mark + tail


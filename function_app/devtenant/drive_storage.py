"""The dev tenant's document libraries in its database: drives and the files and folders in
them (drive items), found by id, by path or by the list item they belong to.
"""

from __future__ import annotations

import json
import sqlite3

from .database import Database, dumps
from .rows import DriveItemRow, DriveRow


class DriveStorage(Database):
    """Drives and their items."""

    # -- drives ------------------------------------------------------------------------------

    def add_drive(self, drive: DriveRow) -> None:
        self._run(
            "INSERT INTO drives VALUES (?, ?, ?, ?, ?, ?, ?)",
            drive.id,
            drive.site_id,
            drive.list_id,
            drive.name,
            drive.root_id,
            drive.folder,
            drive.created,
        )

    def drive(self, drive_id: str) -> DriveRow | None:
        row = self._one("SELECT * FROM drives WHERE id = ?", drive_id)
        return DriveRow(**dict(row)) if row else None

    def drive_for_list(self, list_id: str) -> DriveRow | None:
        row = self._one("SELECT * FROM drives WHERE list_id = ?", list_id)
        return DriveRow(**dict(row)) if row else None

    def drives(self, site_id: str) -> list[DriveRow]:
        rows = self._all("SELECT * FROM drives WHERE site_id = ? ORDER BY rowid", site_id)
        return [DriveRow(**dict(r)) for r in rows]

    @staticmethod
    def _drive_item(row: sqlite3.Row) -> DriveItemRow:
        data = dict(row)
        data.pop("path_key")
        data["is_folder"] = bool(data["is_folder"])
        data["created_by"] = json.loads(data["created_by"])
        data["modified_by"] = json.loads(data["modified_by"])
        return DriveItemRow(**data)

    def drive_item(self, drive_id: str, item_id: str) -> DriveItemRow | None:
        row = self._one(
            "SELECT * FROM drive_items WHERE drive_id = ? AND id = ?", drive_id, item_id
        )
        return self._drive_item(row) if row else None

    def drive_item_by_path(self, drive_id: str, path_key: str) -> DriveItemRow | None:
        row = self._one(
            "SELECT * FROM drive_items WHERE drive_id = ? AND path_key = ?", drive_id, path_key
        )
        return self._drive_item(row) if row else None

    def drive_item_for_list_item(self, drive_id: str, list_item_id: int) -> DriveItemRow | None:
        row = self._one(
            "SELECT * FROM drive_items WHERE drive_id = ? AND list_item_id = ?",
            drive_id,
            list_item_id,
        )
        return self._drive_item(row) if row else None

    def children(self, parent_id: str, after: str, limit: int) -> list[DriveItemRow]:
        rows = self._all(
            "SELECT * FROM drive_items WHERE parent_id = ? AND path_key > ?"
            " ORDER BY path_key LIMIT ?",
            parent_id,
            after,
            limit,
        )
        return [self._drive_item(r) for r in rows]

    def child_count(self, parent_id: str) -> int:
        row = self._one("SELECT COUNT(*) FROM drive_items WHERE parent_id = ?", parent_id)
        return int(row[0]) if row else 0

    def descendants(self, drive_id: str, path_key: str) -> list[DriveItemRow]:
        """Every item below a folder, deepest first."""
        prefix = path_key + "/"
        rows = self._all(
            "SELECT * FROM drive_items WHERE drive_id = ? AND substr(path_key, 1, ?) = ?"
            " ORDER BY length(path_key) DESC",
            drive_id,
            len(prefix),
            prefix,
        )
        return [self._drive_item(r) for r in rows]

    def drive_used(self, drive_id: str) -> int:
        row = self._one(
            "SELECT COALESCE(SUM(size), 0) FROM drive_items WHERE drive_id = ? AND is_folder = 0",
            drive_id,
        )
        return int(row[0]) if row else 0

    def put_drive_item(self, item: DriveItemRow, path_key: str) -> None:
        self._run(
            "INSERT OR REPLACE INTO drive_items VALUES"
            " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            item.id,
            item.drive_id,
            item.parent_id,
            item.name,
            item.path,
            path_key,
            int(item.is_folder),
            item.size,
            item.mime_type,
            item.content_version,
            item.list_item_id,
            item.unique_id,
            item.created,
            item.modified,
            dumps(item.created_by),
            dumps(item.modified_by),
        )

    def delete_drive_item(self, item_id: str) -> None:
        self._run("DELETE FROM drive_items WHERE id = ?", item_id)
        # What hangs off the item goes with it (access_storage.py keeps them).
        self._run("DELETE FROM item_permissions WHERE item_id = ?", item_id)
        self._run("DELETE FROM retention_labels WHERE item_id = ?", item_id)

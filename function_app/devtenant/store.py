"""SQLite persistence for the dev tenant (DIR/tenant.sqlite, WAL).

Sites, lists, columns, list items (fields as JSON), an append-only change log per list (for
delta), drives and drive items, subscriptions and upload sessions. One connection, used only
on the server's event-loop thread. Rows come back as small frozen records.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .identity import Identity

SCHEMA = """
CREATE TABLE IF NOT EXISTS sites (
    id TEXT PRIMARY KEY, hostname TEXT NOT NULL, path TEXT NOT NULL COLLATE NOCASE,
    name TEXT NOT NULL, display_name TEXT NOT NULL, created TEXT NOT NULL,
    modified TEXT NOT NULL, UNIQUE (hostname, path));
CREATE TABLE IF NOT EXISTS lists (
    id TEXT PRIMARY KEY, site_id TEXT NOT NULL REFERENCES sites(id), name TEXT NOT NULL,
    display_name TEXT NOT NULL, description TEXT NOT NULL, template TEXT NOT NULL,
    root_unique_id TEXT NOT NULL, created TEXT NOT NULL, modified TEXT NOT NULL,
    created_by TEXT NOT NULL, modified_by TEXT NOT NULL, next_item_id INTEGER NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS lists_by_title ON lists (site_id, display_name COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS columns (
    list_id TEXT NOT NULL REFERENCES lists(id), name TEXT NOT NULL COLLATE NOCASE,
    position INTEGER NOT NULL, definition TEXT NOT NULL, PRIMARY KEY (list_id, name));
CREATE TABLE IF NOT EXISTS items (
    list_id TEXT NOT NULL REFERENCES lists(id), id INTEGER NOT NULL, unique_id TEXT NOT NULL,
    version INTEGER NOT NULL, content_type TEXT NOT NULL, fields TEXT NOT NULL,
    created TEXT NOT NULL, modified TEXT NOT NULL, created_by TEXT NOT NULL,
    modified_by TEXT NOT NULL, author_id INTEGER NOT NULL, editor_id INTEGER NOT NULL,
    PRIMARY KEY (list_id, id));
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, list_id TEXT NOT NULL, item_id INTEGER NOT NULL,
    kind TEXT NOT NULL, content_type TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS changes_by_list ON changes (list_id, seq);
CREATE TABLE IF NOT EXISTS change_floor (list_id TEXT PRIMARY KEY, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS drives (
    id TEXT PRIMARY KEY, site_id TEXT NOT NULL, list_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL, root_id TEXT NOT NULL, folder TEXT NOT NULL, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS drive_items (
    id TEXT PRIMARY KEY, drive_id TEXT NOT NULL, parent_id TEXT, name TEXT NOT NULL,
    path TEXT NOT NULL, path_key TEXT NOT NULL, is_folder INTEGER NOT NULL,
    size INTEGER NOT NULL, mime_type TEXT NOT NULL, content_version INTEGER NOT NULL,
    list_item_id INTEGER, unique_id TEXT NOT NULL, created TEXT NOT NULL,
    modified TEXT NOT NULL, created_by TEXT NOT NULL, modified_by TEXT NOT NULL,
    UNIQUE (drive_id, path_key));
CREATE INDEX IF NOT EXISTS drive_children ON drive_items (parent_id, name);
CREATE TABLE IF NOT EXISTS subscriptions (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS upload_sessions (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sp_objects (
    list_id TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL COLLATE NOCASE,
    position INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (list_id, kind, key));
"""

# SharePoint's own account for app-only writes ("SharePoint App") has this user id.
APP_USER_ID = 1073741822


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


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Store:
    """The tenant's database. Every method runs on the server's event-loop thread."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._depth = 0
        self._after_commit: list[Callable[[], None]] = []

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit of work; nested uses join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            self._after_commit.clear()
            raise
        else:
            self._db.execute("COMMIT")
        finally:
            self._depth = 0
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run callback once the current transaction has committed (never if it rolls back)."""
        if self._depth:
            self._after_commit.append(callback)
        else:
            callback()

    def _one(self, sql: str, *args: Any) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self._db.execute(sql, args).fetchone()
        return row

    def _all(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        return list(self._db.execute(sql, args).fetchall())

    def _run(self, sql: str, *args: Any) -> sqlite3.Cursor:
        return self._db.execute(sql, args)

    # -- sites -------------------------------------------------------------------------------

    def site(self, site_id: str) -> Site | None:
        row = self._one("SELECT * FROM sites WHERE id = ? COLLATE NOCASE", site_id)
        return Site(**dict(row)) if row else None

    def site_by_path(self, hostname: str, path: str) -> Site | None:
        row = self._one(
            "SELECT * FROM sites WHERE hostname = ? COLLATE NOCASE AND path = ?",
            hostname,
            path.rstrip("/") or "/",
        )
        return Site(**dict(row)) if row else None

    def add_site(self, site: Site) -> None:
        self._run(
            "INSERT INTO sites VALUES (?, ?, ?, ?, ?, ?, ?)",
            site.id,
            site.hostname,
            site.path,
            site.name,
            site.display_name,
            site.created,
            site.modified,
        )

    # -- lists -------------------------------------------------------------------------------

    @staticmethod
    def _list(row: sqlite3.Row) -> ListRow:
        data = dict(row)
        data.pop("next_item_id")
        data["created_by"] = json.loads(data["created_by"])
        data["modified_by"] = json.loads(data["modified_by"])
        return ListRow(**data)

    def lists(self, site_id: str) -> list[ListRow]:
        rows = self._all("SELECT * FROM lists WHERE site_id = ? ORDER BY rowid", site_id)
        return [self._list(r) for r in rows]

    def find_list(self, site_id: str, key: str) -> ListRow | None:
        """A list by id, title (displayName) or URL name, as Graph accepts all three."""
        row = self._one(
            "SELECT * FROM lists WHERE site_id = ? AND (id = ? COLLATE NOCASE"
            " OR display_name = ? COLLATE NOCASE OR name = ? COLLATE NOCASE)",
            site_id,
            key,
            key,
            key,
        )
        return self._list(row) if row else None

    def list_by_id(self, list_id: str) -> ListRow | None:
        row = self._one("SELECT * FROM lists WHERE id = ?", list_id)
        return self._list(row) if row else None

    def add_list(self, row: ListRow) -> None:
        self._run(
            "INSERT INTO lists VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
            row.id,
            row.site_id,
            row.name,
            row.display_name,
            row.description,
            row.template,
            row.root_unique_id,
            row.created,
            row.modified,
            _dumps(row.created_by),
            _dumps(row.modified_by),
        )

    def touch_list(self, list_id: str, when: str, by: Identity) -> None:
        self._run(
            "UPDATE lists SET modified = ?, modified_by = ? WHERE id = ?",
            when,
            _dumps(by.identity_set()),
            list_id,
        )

    def delete_list(self, list_id: str) -> None:
        for table in ("columns", "items", "changes", "change_floor", "sp_objects"):
            self._run(f"DELETE FROM {table} WHERE list_id = ?", list_id)
        self._run("DELETE FROM lists WHERE id = ?", list_id)

    def take_item_id(self, list_id: str) -> int:
        row = self._one("SELECT next_item_id FROM lists WHERE id = ?", list_id)
        assert row is not None
        self._run("UPDATE lists SET next_item_id = next_item_id + 1 WHERE id = ?", list_id)
        return int(row[0])

    # -- columns -----------------------------------------------------------------------------

    def columns(self, list_id: str) -> list[dict[str, Any]]:
        rows = self._all(
            "SELECT definition FROM columns WHERE list_id = ? ORDER BY position", list_id
        )
        return [json.loads(r[0]) for r in rows]

    def add_column(self, list_id: str, definition: dict[str, Any]) -> None:
        row = self._one("SELECT COALESCE(MAX(position), 0) FROM columns WHERE list_id = ?", list_id)
        position = int(row[0]) + 1 if row else 1
        self._run(
            "INSERT INTO columns VALUES (?, ?, ?, ?)",
            list_id,
            definition["name"],
            position,
            _dumps(definition),
        )

    def replace_column(self, list_id: str, definition: dict[str, Any]) -> None:
        self._run("UPDATE columns SET definition = ? WHERE list_id = ? AND name = ?",
                  _dumps(definition), list_id, definition["name"])

    def delete_column(self, list_id: str, name: str) -> None:
        """Drop a column and its values from every item, as SharePoint does (versions kept)."""
        self._run("DELETE FROM columns WHERE list_id = ? AND name = ?", list_id, name)
        self._run("UPDATE items SET fields = json_remove(fields, ?) WHERE list_id = ?",
                  '$."' + name.replace('"', "") + '"', list_id)

    # -- SharePoint REST's own objects: views, field and list settings, content types -------

    def sp_objects(self, list_id: str, kind: str) -> list[dict[str, Any]]:
        rows = self._all("SELECT data FROM sp_objects WHERE list_id = ? AND kind = ? "
                         "ORDER BY position", list_id, kind)
        return [json.loads(r[0]) for r in rows]

    def sp_object(self, list_id: str, kind: str, key: str) -> dict[str, Any] | None:
        row = self._one("SELECT data FROM sp_objects WHERE list_id = ? AND kind = ? AND key = ?",
                        list_id, kind, key)
        return dict(json.loads(row[0])) if row else None

    def put_sp_object(self, list_id: str, kind: str, key: str, data: dict[str, Any]) -> None:
        row = self._one("SELECT position FROM sp_objects WHERE list_id = ? AND kind = ? "
                        "AND key = ?", list_id, kind, key)
        if row is None:
            row = self._one("SELECT COALESCE(MAX(position), 0) + 1 FROM sp_objects "
                            "WHERE list_id = ? AND kind = ?", list_id, kind)
        assert row is not None
        self._run("INSERT OR REPLACE INTO sp_objects VALUES (?, ?, ?, ?, ?)",
                  list_id, kind, key, int(row[0]), _dumps(data))

    def delete_sp_object(self, list_id: str, kind: str, key: str) -> None:
        self._run("DELETE FROM sp_objects WHERE list_id = ? AND kind = ? AND key = ?",
                  list_id, kind, key)

    # -- items -------------------------------------------------------------------------------

    @staticmethod
    def _item(row: sqlite3.Row) -> ItemRow:
        data = dict(row)
        for key in ("fields", "created_by", "modified_by"):
            data[key] = json.loads(data[key])
        return ItemRow(**data)

    def item(self, list_id: str, item_id: int) -> ItemRow | None:
        row = self._one("SELECT * FROM items WHERE list_id = ? AND id = ?", list_id, item_id)
        return self._item(row) if row else None

    def items(self, list_id: str, after_id: int, limit: int | None = None) -> list[ItemRow]:
        sql = "SELECT * FROM items WHERE list_id = ? AND id > ? ORDER BY id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [self._item(r) for r in self._all(sql, list_id, after_id)]

    def put_item(self, item: ItemRow) -> None:
        self._run(
            "INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            item.list_id,
            item.id,
            item.unique_id,
            item.version,
            item.content_type,
            _dumps(item.fields),
            item.created,
            item.modified,
            _dumps(item.created_by),
            _dumps(item.modified_by),
            item.author_id,
            item.editor_id,
        )

    def delete_item(self, list_id: str, item_id: int) -> None:
        self._run("DELETE FROM items WHERE list_id = ? AND id = ?", list_id, item_id)

    # -- change log --------------------------------------------------------------------------

    def record_change(
        self, list_id: str, item_id: int, kind: str, content_type: str, at: float
    ) -> None:
        self._run(
            "INSERT INTO changes (list_id, item_id, kind, content_type, at) VALUES (?, ?, ?, ?, ?)",
            list_id,
            item_id,
            kind,
            content_type,
            at,
        )

    def last_seq(self) -> int:
        row = self._one("SELECT COALESCE(MAX(seq), 0) FROM changes")
        return int(row[0]) if row else 0

    def change_floor(self, list_id: str) -> int:
        """The highest sequence number pruned from this list's log (tokens below it are gone)."""
        row = self._one("SELECT seq FROM change_floor WHERE list_id = ?", list_id)
        return int(row[0]) if row else 0

    def prune_changes(self, list_id: str, older_than: float) -> None:
        row = self._one(
            "SELECT MAX(seq) FROM changes WHERE list_id = ? AND at < ?", list_id, older_than
        )
        if row is None or row[0] is None:
            return
        self._run("DELETE FROM changes WHERE list_id = ? AND seq <= ?", list_id, int(row[0]))
        self._run(
            "INSERT INTO change_floor VALUES (?, ?) ON CONFLICT(list_id)"
            " DO UPDATE SET seq = MAX(seq, excluded.seq)",
            list_id,
            int(row[0]),
        )

    def changed_items(
        self, list_id: str, after: int, upto: int, offset: int, limit: int
    ) -> list[Change]:
        """Each item changed in (after, upto] once, with its last change, oldest first."""
        rows = self._all(
            "SELECT c.seq, c.item_id, c.kind, c.content_type FROM changes c JOIN ("
            " SELECT item_id, MAX(seq) AS last FROM changes"
            " WHERE list_id = ? AND seq > ? AND seq <= ? GROUP BY item_id"
            ") m ON c.seq = m.last ORDER BY c.seq LIMIT ? OFFSET ?",
            list_id,
            after,
            upto,
            limit,
            offset,
        )
        return [Change(r[0], r[1], r[2], r[3]) for r in rows]

    # -- users (the lookup ids SharePoint gives people) --------------------------------------

    def user_lookup_id(self, who: Identity) -> int:
        if who.kind == "application":
            return APP_USER_ID
        key = f"user:{who.id}"
        row = self._one("SELECT id FROM users WHERE key = ?", key)
        if row:
            return int(row[0])
        # Numbered from 10, after the accounts SharePoint builds into every site.
        top = self._one("SELECT COALESCE(MAX(id), 9) FROM users")
        new_id = (int(top[0]) if top else 9) + 1
        self._run("INSERT INTO users (id, key) VALUES (?, ?)", new_id, key)
        return new_id

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
            _dumps(item.created_by),
            _dumps(item.modified_by),
        )

    def delete_drive_item(self, item_id: str) -> None:
        self._run("DELETE FROM drive_items WHERE id = ?", item_id)

    # -- JSON documents: subscriptions and upload sessions -----------------------------------

    def documents(self, table: str) -> list[dict[str, Any]]:
        assert table in ("subscriptions", "upload_sessions")
        return [json.loads(r[0]) for r in self._all(f"SELECT data FROM {table}")]

    def document(self, table: str, key: str) -> dict[str, Any] | None:
        assert table in ("subscriptions", "upload_sessions")
        row = self._one(f"SELECT data FROM {table} WHERE id = ?", key)
        return dict(json.loads(row[0])) if row else None

    def put_document(self, table: str, key: str, data: dict[str, Any]) -> None:
        assert table in ("subscriptions", "upload_sessions")
        self._run(f"INSERT OR REPLACE INTO {table} VALUES (?, ?)", key, _dumps(data))

    def delete_document(self, table: str, key: str) -> None:
        assert table in ("subscriptions", "upload_sessions")
        self._run(f"DELETE FROM {table} WHERE id = ?", key)

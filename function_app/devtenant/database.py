"""The dev tenant's SQLite database (DIR/tenant.sqlite, WAL): its tables, the one
connection, and transactions, with commit callbacks. The Store (store.py) is built on it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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
CREATE TABLE IF NOT EXISTS site_members (
    site_id TEXT PRIMARY KEY, members TEXT NOT NULL, visitors TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS site_permissions (
    site_id TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (site_id, id));
CREATE TABLE IF NOT EXISTS item_permissions (
    item_id TEXT NOT NULL, id TEXT NOT NULL, email TEXT NOT NULL COLLATE NOCASE,
    expires REAL, data TEXT NOT NULL, PRIMARY KEY (item_id, id));
CREATE TABLE IF NOT EXISTS retention_labels (item_id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sp_objects (
    list_id TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL COLLATE NOCASE,
    position INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (list_id, kind, key));
"""


def dumps(value: Any) -> str:
    """Compact JSON, as the tables keep it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Database:
    """The connection and its transactions. Every method runs on the server's event-loop
    thread."""

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

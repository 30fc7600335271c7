"""SQLite persistence for the dev tenant (DIR/tenant.sqlite, WAL).

Sites, lists, columns, list items (fields as JSON), an append-only change log per list (for
delta), drives and drive items, subscriptions and upload sessions. One connection, used only
on the server's event-loop thread. Rows come back as small frozen records.

The Store is made of parts, each in its own module: ``database`` (the tables, the
connection and transactions), ``list_storage`` (sites, lists, columns, items, the change
log, users), ``drive_storage`` (drives and drive items), ``access_storage`` (site membership and
grants, sharing permissions, retention labels) and ``rows`` (the records); the
JSON documents (subscriptions and upload sessions) are kept here. The records are
importable from here too.
"""

from __future__ import annotations

import json
from typing import Any

from .access_storage import AccessStorage
from .database import dumps
from .drive_storage import DriveStorage
from .list_storage import ListStorage
from .rows import Change, DriveItemRow, DriveRow, ItemRow, ListRow, Site

__all__ = ["Change", "DriveItemRow", "DriveRow", "ItemRow", "ListRow", "Site", "Store"]


class Store(ListStorage, DriveStorage, AccessStorage):
    """The tenant's database. Every method runs on the server's event-loop thread."""

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
        self._run(f"INSERT OR REPLACE INTO {table} VALUES (?, ?)", key, dumps(data))

    def delete_document(self, table: str, key: str) -> None:
        assert table in ("subscriptions", "upload_sessions")
        self._run(f"DELETE FROM {table} WHERE id = ?", key)

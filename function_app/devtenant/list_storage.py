"""The dev tenant's sites and lists in its database: sites, lists, their columns,
SharePoint REST's own objects (views, settings, content types), list items, the change log
that delta reads, and the lookup ids SharePoint gives people.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from .database import Database, dumps
from .identity import Identity
from .rows import Change, ItemRow, ListRow, Site

# SharePoint's own account for app-only writes ("SharePoint App") has this user id.
APP_USER_ID = 1073741822


class ListStorage(Database):
    """Sites, lists, columns, list items and their changes."""

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
            dumps(row.created_by),
            dumps(row.modified_by),
        )

    def touch_list(self, list_id: str, when: str, by: Identity) -> None:
        self._run(
            "UPDATE lists SET modified = ?, modified_by = ? WHERE id = ?",
            when,
            dumps(by.identity_set()),
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
            dumps(definition),
        )

    def replace_column(self, list_id: str, definition: dict[str, Any]) -> None:
        self._run("UPDATE columns SET definition = ? WHERE list_id = ? AND name = ?",
                  dumps(definition), list_id, definition["name"])

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
                  list_id, kind, key, int(row[0]), dumps(data))

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
            dumps(item.fields),
            item.created,
            item.modified,
            dumps(item.created_by),
            dumps(item.modified_by),
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

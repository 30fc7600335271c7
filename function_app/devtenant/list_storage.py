"""The dev tenant's sites and lists in its database: sites, lists, their columns,
SharePoint REST's own objects (views, settings, content types), list items, the change log
that delta reads, and the lookup ids SharePoint gives people.

An indexed column has an index on its stored value (an SQLite expression index on
``json_extract(fields, '$.Name')``, one per field name, across lists), so an ``eq`` filter on
it is answered from the index as SharePoint answers it, not by reading the whole list.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .columns import facet_of
from .database import Database, dumps
from .identity import Identity
from .rows import Change, ItemRow, ListRow, Site

# SharePoint's own account for app-only writes ("SharePoint App") has this user id.
APP_USER_ID = 1073741822

# Field names an index expression may name (the names $filter reads; columns are alike).
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _stored_value(key: str) -> str:
    """The SQL for an item's stored value of a field, written the same way in every index and
    query (SQLite uses an expression index only for the identical expression)."""
    if not _PLAIN_NAME.match(key):
        raise ValueError(f"not a plain field name: {key!r}")
    return f"json_extract(fields, '$.{key}')"


def _index_name(key: str) -> str:
    suffix = hashlib.sha1(key.encode()).hexdigest()[:8]  # SQLite's names ignore case
    return f"items_by_{key}_{suffix}"


def stored_key(column: dict[str, Any]) -> str:
    """The key a column's value is stored under: lookups and people by id, <Name>LookupId."""
    try:
        by_id = facet_of(column) in ("lookup", "personOrGroup")
    except StopIteration:  # a column with no type facet
        by_id = False
    return str(column["name"]) + ("LookupId" if by_id else "")


class ListStorage(Database):
    """Sites, lists, columns, list items and their changes."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.items_decoded = 0  # item rows read and decoded by items(): what a read costs
        self._indexes: set[str] = set()  # the fields whose values are indexed
        for (definition,) in self._all("SELECT definition FROM columns"):
            self._index_column(json.loads(definition))

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
        self._index_column(definition)

    def replace_column(self, list_id: str, definition: dict[str, Any]) -> None:
        self._run("UPDATE columns SET definition = ? WHERE list_id = ? AND name = ?",
                  dumps(definition), list_id, definition["name"])
        self._index_column(definition)

    def _index_column(self, definition: dict[str, Any]) -> None:
        """Index an indexed column's stored values (every list's items under that field name;
        kept by SQLite on every write, and left in place if the column stops being indexed)."""
        if not definition.get("indexed"):
            return
        key = stored_key(definition)
        if not _PLAIN_NAME.match(key):
            return
        self._run(f"CREATE INDEX IF NOT EXISTS {_index_name(key)}"
                  f" ON items (list_id, {_stored_value(key)})")
        self._indexes.add(key)

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

    def items(
        self,
        list_id: str,
        after_id: int,
        limit: int | None = None,
        *,
        where: Sequence[tuple[str, Sequence[Any]]] = (),
        any_of: bool = False,
    ) -> list[ItemRow]:
        """Items after after_id, by id. where: (field, values) pairs, each holding when the
        item's stored value of the field is one of the values (None: no value); all pairs
        must hold, or with any_of one of them. An indexed field is looked up in its index."""
        sql, args = self._items_query(list_id, after_id, limit, where, any_of)
        rows = self._all(sql, *args)
        self.items_decoded += len(rows)
        return [self._item(r) for r in rows]

    def items_plan(
        self,
        list_id: str,
        where: Sequence[tuple[str, Sequence[Any]]],
        *,
        any_of: bool = False,
    ) -> str:
        """How SQLite finds those items (EXPLAIN QUERY PLAN): for tests that an indexed
        column's filter is answered from its index."""
        sql, args = self._items_query(list_id, 0, 201, where, any_of)
        return "\n".join(str(r["detail"]) for r in self._all("EXPLAIN QUERY PLAN " + sql, *args))

    def _items_query(
        self,
        list_id: str,
        after_id: int,
        limit: int | None,
        where: Sequence[tuple[str, Sequence[Any]]],
        any_of: bool,
    ) -> tuple[str, list[Any]]:
        """The SELECT for items(). A field with an index is read through it, named (INDEXED
        BY): without statistics SQLite would rather walk the list by id for ORDER BY id."""
        tail = " ORDER BY id" + (f" LIMIT {int(limit)}" if limit is not None else "")
        if not where:
            return "SELECT * FROM items WHERE list_id = ? AND id > ?" + tail, [list_id, after_id]
        indexed = [key in self._indexes and None not in values for key, values in where]
        if any_of and all(indexed):
            # one indexed read per field, merged: each (list, value) is an index lookup
            selects, args = [], []
            for key, values in where:
                selects.append(f"SELECT * FROM items INDEXED BY {_index_name(key)}"
                               f" WHERE list_id = ? AND {_stored_value(key)}"
                               f" IN ({', '.join('?' * len(values))}) AND id > ?")
                args += [list_id, *values, after_id]
            return " UNION ".join(selects) + tail, args
        terms, term_args = [], []
        for key, values in where:
            value = _stored_value(key)
            present = [v for v in values if v is not None]
            parts = []
            if present:
                parts.append(f"{value} IN ({', '.join('?' * len(present))})")
                term_args += present
            if len(present) < len(values):
                parts.append(f"{value} IS NULL")
            terms.append("(" + " OR ".join(parts) + ")" if parts else "0")
        source = "items"
        if not any_of and any(indexed):
            source += f" INDEXED BY {_index_name(where[indexed.index(True)][0])}"
        sql = (f"SELECT * FROM {source} WHERE list_id = ? AND id > ? AND ("
               + (" OR " if any_of else " AND ").join(terms) + ")")
        return sql + tail, [list_id, after_id, *term_args]

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

"""The StateStore in one SQLite file: the default, and what the CLI and demo use.

Claims use a conditional insert (INSERT ... ON CONFLICT DO NOTHING, then a guarded
UPDATE of an open claim that is the caller's own or whose lease expired) inside one
IMMEDIATE transaction, so two processes on the same file cannot both win. Keys and scopes
are stored as given, any text, and listed as given, like the Table store's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from function_app.services.ports import Claim

_SCHEMA = """
CREATE TABLE IF NOT EXISTS delta_links (list_id TEXT PRIMARY KEY, link TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS claims (
    key TEXT PRIMARY KEY, owner TEXT NOT NULL, state TEXT NOT NULL,
    result TEXT NOT NULL DEFAULT '', claimed_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS facts (
    scope TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (scope, key));
"""


class SqliteStateStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=30, isolation_level=None,
                                   check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        # With WAL, NORMAL stays consistent after a crash and skips an fsync per claim.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def delta_link(self, list_id: str) -> str:
        row = self._db.execute("SELECT link FROM delta_links WHERE list_id = ?",
                               (list_id,)).fetchone()
        return str(row[0]) if row else ""

    def save_delta_link(self, list_id: str, link: str) -> None:
        self._db.execute("INSERT INTO delta_links VALUES (?, ?) ON CONFLICT(list_id) "
                         "DO UPDATE SET link = excluded.link", (list_id, link))

    def claim(self, key: str, owner: str, now: datetime, lease_seconds: float) -> bool:
        stale = (now - timedelta(seconds=lease_seconds)).isoformat()
        with self._transaction():
            inserted = self._db.execute(
                "INSERT INTO claims (key, owner, state, claimed_at) VALUES (?, ?, 'claimed', ?) "
                "ON CONFLICT(key) DO NOTHING", (key, owner, now.isoformat())).rowcount
            if inserted:
                return True
            taken = self._db.execute(
                "UPDATE claims SET owner = ?, claimed_at = ? WHERE key = ? "
                "AND state = 'claimed' AND (owner = ? OR claimed_at < ?)",
                (owner, now.isoformat(), key, owner, stale)).rowcount
            return bool(taken)

    def complete(self, key: str, owner: str, result: str) -> None:
        self._db.execute("UPDATE claims SET state = 'done', result = ? WHERE key = ? "
                         "AND owner = ?", (result, key, owner))

    def release(self, key: str, owner: str) -> None:
        self._db.execute("DELETE FROM claims WHERE key = ? AND owner = ? AND state = 'claimed'",
                         (key, owner))

    def get_claim(self, key: str) -> Claim | None:
        row = self._db.execute("SELECT key, owner, state, result, claimed_at FROM claims "
                               "WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        return Claim(row[0], row[1], row[2], row[3], datetime.fromisoformat(row[4]))

    def forget_claims(self, prefixes: Sequence[str]) -> int:
        """Delete the claims whose key starts with one of ``prefixes`` (compared as text,
        not with LIKE, so "%" and "_" in a prefix are plain characters)."""
        deleted = 0
        with self._transaction():
            for prefix in dict.fromkeys(prefixes):
                deleted += self._db.execute("DELETE FROM claims WHERE substr(key, 1, ?) = ?",
                                            (len(prefix), prefix)).rowcount
        return deleted

    def open_claims(self) -> list[Claim]:
        rows = self._db.execute("SELECT key, owner, state, result, claimed_at FROM claims "
                                "WHERE state = 'claimed'")
        claims = [Claim(r[0], r[1], r[2], r[3], datetime.fromisoformat(r[4])) for r in rows]
        return sorted(claims, key=_oldest_first)

    def remember(self, scope: str, key: str, value: str) -> None:
        self._db.execute("INSERT INTO facts VALUES (?, ?, ?) ON CONFLICT(scope, key) "
                         "DO UPDATE SET value = excluded.value", (scope, key, value))

    def recall(self, scope: str, key: str) -> str:
        row = self._db.execute("SELECT value FROM facts WHERE scope = ? AND key = ?",
                               (scope, key)).fetchone()
        return str(row[0]) if row else ""

    def forget(self, scope: str, key: str) -> None:
        self._db.execute("DELETE FROM facts WHERE scope = ? AND key = ?", (scope, key))

    def keys(self, scope: str) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT key FROM facts WHERE scope = ? "
                                               "ORDER BY key", (scope,))]

    def _transaction(self) -> _Immediate:
        return _Immediate(self._db)


def _oldest_first(claim: Claim) -> tuple[datetime, str]:
    """Sorts claims by when they were taken (a time without zone read as UTC), then key."""
    at = claim.claimed_at
    return (at if at.tzinfo is not None else at.replace(tzinfo=UTC)), claim.key


class _Immediate:
    """BEGIN IMMEDIATE ... COMMIT: takes the write lock first, so claims cannot interleave."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, value: object, tb: object) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")

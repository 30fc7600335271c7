"""The StateStore in Azure Table Storage: what the function app uses in the cloud.

It can live in the Functions app's own storage account, so the cloud needs no database.
Claims rest on the service's own concurrency control, never on a read-then-write:

- a first claim is an insert, and an insert of an existing key fails (409) for every
  worker but one;
- taking over an open claim (the caller's own at once, another's once its lease ran
  out), completing and releasing are conditional on the ETag the worker just read
  (If-Match), so of two workers acting on one claim, one gets 412.

Three tables, created on first use: ``<prefix>Claims`` (PartitionKey: two hex digits of
the key's SHA-256, so claims spread over 256 partitions), ``<prefix>Links`` (one
partition: a handful of lists) and ``<prefix>Facts`` (PartitionKey: the scope, so
``keys(scope)`` reads one partition). Table keys cannot hold / \\ # ? or control
characters, and some others misbehave in URLs (%), so keys are escaped reversibly: ASCII
letters, digits, ``-_.`` and printable non-ASCII stay as they are; anything else becomes
``~HH``, ``~uHHHH`` or ``~UHHHHHH`` (hex code point), ``~`` itself included. An escaped
key longer than a Table key may be (MAX_KEY_CHARS) becomes a readable prefix of itself,
``~h`` and the SHA-256 of the original (``table_key``), so every key fits. A shortened
key cannot be unescaped, so claim and fact entities also keep the original in ``Key``;
listings read that (entities written before it existed are unescaped from RowKey).

azure.data.tables is imported on first use, so importing this module costs nothing, and
its errors are mapped to function_app.adapters.state.errors at this boundary.
"""

from __future__ import annotations

import hashlib
import re
import string
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from function_app.services.ports import Claim

from .errors import StateStoreError, StateUnavailableError

if TYPE_CHECKING:
    from azure.data.tables import TableClient, TableEntity, TableServiceClient

CLAIMED, DONE = "claimed", "done"
LINKS_PARTITION = "delta"
# The SDK's default is 10 retries with exponential backoff (minutes in all): a worker
# stuck that long holds its queue message; the queue's own retries and the timer sweep
# recover what fails sooner.
RETRIES = 4
MAX_KEY_CHARS = 512  # a Table key is at most 1 KiB, and the service counts UTF-16
MAX_PROPERTY_BYTES = 64 * 1024  # a string property, counted in UTF-16
HASH_MARK = "~h"  # escape_key never makes it: it marks a shortened key (then its SHA-256)
_DIGEST_CHARS = 64
_PLAIN = frozenset(string.ascii_letters + string.digits + "-_.")
_ESCAPED = re.compile(r"~(?:([0-9A-F]{2})|u([0-9A-F]{4})|U([0-9A-F]{6}))")
_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9]{0,49}")
_ATTEMPTS = 3  # rounds of read-then-conditional-write before a busy claim is left alone
_ESCAPE_LENGTH = {"u": 6, "U": 8}  # after "~"; a hex digit there means 3 in all


def escape_key(text: str) -> str:
    """``text`` as a valid Table key; ``unescape_key`` gives it back exactly."""
    out = []
    for ch in text:
        cp = ord(ch)
        if ch in _PLAIN or (0xA0 <= cp < 0xD800) or (0xE000 <= cp <= 0xFFFD):
            out.append(ch)
        elif cp < 0x100:
            out.append(f"~{cp:02X}")
        elif cp < 0x10000:
            out.append(f"~u{cp:04X}")
        else:
            out.append(f"~U{cp:06X}")
    return "".join(out)


def unescape_key(key: str) -> str:
    return _ESCAPED.sub(lambda m: chr(int(m.group(m.lastindex or 1), 16)), key)


def table_key(text: str) -> str:
    """``text`` as a valid Table key (PartitionKey or RowKey) of at most MAX_KEY_CHARS,
    different for different text.

    The escaped form when it fits (so keys written before still read); otherwise the
    longest prefix of the escaped form that leaves room for ``~h`` and the SHA-256 hex of
    ``text``, cut before an escape sequence rather than through it.
    """
    escaped = escape_key(text)
    if len(escaped) <= MAX_KEY_CHARS:
        return escaped
    cut = MAX_KEY_CHARS - len(HASH_MARK) - _DIGEST_CHARS
    # "~" only ever starts an escape (of 3, 6 or 8 characters): one starting in the last
    # 7 characters before the cut may run past it, and is then left out whole.
    start = escaped.rfind("~", max(0, cut - 7), cut)
    if start >= 0 and start + _ESCAPE_LENGTH.get(escaped[start + 1], 3) > cut:
        cut = start
    return escaped[:cut] + HASH_MARK + _digest(text)


class TableStateStore:
    """Delta links, claims and small facts in Azure Table Storage (or Azurite)."""

    def __init__(self, connection_string: str, table_prefix: str = "casework", *,
                 retries: int = RETRIES) -> None:
        if not _PREFIX.fullmatch(table_prefix):
            raise StateStoreError(f"The table prefix {table_prefix!r} must be a letter then "
                                  "up to 49 letters or digits (Table names allow no more).")
        from azure.data.tables import TableServiceClient

        try:
            self._service: TableServiceClient = TableServiceClient.from_connection_string(
                connection_string, retry_total=retries)
        except ValueError as exc:
            raise StateStoreError("CASEWORK_STATE_CONNECTION is not a storage connection "
                                  "string (AccountName=...;AccountKey=...;...).") from exc
        self._names = {kind: f"{table_prefix}{kind}" for kind in ("Claims", "Links", "Facts")}
        self._tables: dict[str, TableClient] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self._service.close()

    # -- delta links -------------------------------------------------------------------

    def delta_link(self, list_id: str) -> str:
        with _boundary("read a delta link"):
            entity = self._get("Links", LINKS_PARTITION, table_key(list_id))
            return str(entity["Link"]) if entity is not None else ""

    def save_delta_link(self, list_id: str, link: str) -> None:
        from azure.data.tables import UpdateMode

        with _boundary("save a delta link"):
            self._table("Links").upsert_entity(
                {"PartitionKey": LINKS_PARTITION, "RowKey": table_key(list_id), "Link": link},
                mode=UpdateMode.REPLACE)

    # -- claims --------------------------------------------------------------------------

    def claim(self, key: str, owner: str, now: datetime, lease_seconds: float) -> bool:
        from azure.core import MatchConditions
        from azure.core.exceptions import (
            ResourceExistsError,
            ResourceModifiedError,
            ResourceNotFoundError,
        )
        from azure.data.tables import UpdateMode

        _check_key(key)
        partition, row = _claim_partition(key), table_key(key)
        mine = {"PartitionKey": partition, "RowKey": row, "Key": key, "Owner": owner,
                "State": CLAIMED, "Result": "", "ClaimedAt": now.isoformat(),
                "Attempt": uuid.uuid4().hex}
        with _boundary("claim a document"):
            table = self._table("Claims")
            for _ in range(_ATTEMPTS):
                try:
                    table.create_entity(mine)
                    return True
                except ResourceExistsError:
                    pass
                existing = self._get("Claims", partition, row)
                if existing is None:  # released since: insert again
                    continue
                if _is_this_claim(existing, mine):  # our own insert, retried by the SDK
                    return True
                if existing["State"] != CLAIMED:
                    return False  # done: never taken again, not even by its owner
                if existing["Owner"] != owner and not _expired(existing, now, lease_seconds):
                    return False
                try:
                    table.update_entity(mine, mode=UpdateMode.REPLACE,
                                        etag=existing.metadata["etag"],
                                        match_condition=MatchConditions.IfNotModified)
                    return True
                except ResourceModifiedError:
                    again = self._get("Claims", partition, row)
                    return again is not None and _is_this_claim(again, mine)
                except ResourceNotFoundError:
                    continue
            return False

    def complete(self, key: str, owner: str, result: str) -> None:
        from azure.core import MatchConditions
        from azure.data.tables import UpdateMode

        def done(entity: TableEntity) -> None:
            self._table("Claims").update_entity(
                {**entity, "Key": key, "State": DONE, "Result": result},
                mode=UpdateMode.REPLACE,
                etag=entity.metadata["etag"], match_condition=MatchConditions.IfNotModified)

        with _boundary("complete a claim"):
            self._as_owner(key, owner, done, states=(CLAIMED, DONE))

    def release(self, key: str, owner: str) -> None:
        from azure.core import MatchConditions

        def delete(entity: TableEntity) -> None:
            self._table("Claims").delete_entity(
                entity["PartitionKey"], entity["RowKey"], etag=entity.metadata["etag"],
                match_condition=MatchConditions.IfNotModified)

        with _boundary("release a claim"):
            self._as_owner(key, owner, delete, states=(CLAIMED,))

    def get_claim(self, key: str) -> Claim | None:
        with _boundary("read a claim"):
            entity = self._get("Claims", _claim_partition(key), table_key(key))
        return None if entity is None else _claim(key, entity)

    def forget_claims(self, prefixes: Sequence[str]) -> int:
        """Delete the claims whose original key starts with one of ``prefixes``: the claims
        are spread over partitions by their key's hash, so the table is read whole (keys
        only) and each match deleted; a claim deleted meanwhile is no error."""
        from azure.core.exceptions import ResourceNotFoundError

        wanted = tuple(dict.fromkeys(prefixes))
        if not wanted:
            return 0
        with _boundary("forget claims"):
            table = self._table("Claims")
            rows = table.list_entities(select=["PartitionKey", "RowKey", "Key"])
            doomed = [(str(e["PartitionKey"]), str(e["RowKey"])) for e in rows
                      if _original_key(e).startswith(wanted)]
            for partition, row in doomed:
                with suppress(ResourceNotFoundError):
                    table.delete_entity(partition, row)
        return len(doomed)

    def open_claims(self) -> list[Claim]:
        with _boundary("list open claims"):
            rows = self._table("Claims").query_entities(
                "State eq @state", parameters={"state": CLAIMED},
                select=["RowKey", "Key", "Owner", "State", "Result", "ClaimedAt"])
            claims = [_claim(_original_key(e), e) for e in rows]
        return sorted(claims, key=_oldest_first)

    # -- facts ---------------------------------------------------------------------------

    def remember(self, scope: str, key: str, value: str) -> None:
        from azure.data.tables import UpdateMode

        _check_key(key)
        if _utf16_bytes(value) > MAX_PROPERTY_BYTES:
            raise StateStoreError(f"A fact to remember under {scope!r} is too long for Table "
                                  f"storage ({len(value)} characters; a value may be at most "
                                  f"{MAX_PROPERTY_BYTES // 1024} KiB as UTF-16).")
        with _boundary("remember a fact"):
            self._table("Facts").upsert_entity(
                {"PartitionKey": table_key(scope), "RowKey": table_key(key), "Key": key,
                 "Value": value},
                mode=UpdateMode.REPLACE)

    def recall(self, scope: str, key: str) -> str:
        with _boundary("recall a fact"):
            entity = self._get("Facts", table_key(scope), table_key(key))
            return str(entity["Value"]) if entity is not None else ""

    def forget(self, scope: str, key: str) -> None:
        with _boundary("forget a fact"):
            self._table("Facts").delete_entity(table_key(scope), table_key(key))  # absent: no error

    def keys(self, scope: str) -> list[str]:
        with _boundary("list facts"):
            rows = self._table("Facts").query_entities(
                "PartitionKey eq @scope", parameters={"scope": table_key(scope)},
                select=["RowKey", "Key"])
            return sorted(_original_key(e) for e in rows)

    # -- plumbing --------------------------------------------------------------------------

    def _table(self, kind: str) -> TableClient:
        """The table's client, the table created on first use (once per process)."""
        table = self._tables.get(kind)
        if table is not None:
            return table
        from azure.core.exceptions import ResourceExistsError

        with self._lock, _boundary("create its tables"):
            if kind not in self._tables:
                table = self._service.get_table_client(self._names[kind])
                with suppress(ResourceExistsError):
                    table.create_table()
                self._tables[kind] = table
            return self._tables[kind]

    def _get(self, kind: str, partition: str, row: str) -> TableEntity | None:
        from azure.core.exceptions import ResourceNotFoundError

        try:
            return self._table(kind).get_entity(partition, row)
        except ResourceNotFoundError:
            return None

    def _as_owner(self, key: str, owner: str, act: Callable[[TableEntity], None],
                  states: tuple[str, ...]) -> None:
        """Run ``act(entity)`` (an ETag-conditional write) while ``owner`` holds the claim.

        A claim taken over by another worker since it was read fails the condition (412)
        and is read again: its new owner is then not us, and nothing is written.
        """
        from azure.core.exceptions import ResourceModifiedError, ResourceNotFoundError

        partition, row = _claim_partition(key), table_key(key)
        for _ in range(_ATTEMPTS):
            entity = self._get("Claims", partition, row)
            if entity is None or entity["Owner"] != owner or entity["State"] not in states:
                return
            try:
                act(entity)
                return
            except ResourceModifiedError:
                continue
            except ResourceNotFoundError:
                return


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _claim_partition(key: str) -> str:
    return _digest(key)[:2]


def _utf16_bytes(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass"))


def _check_key(key: str) -> None:
    """A key is kept whole in the entity's "Key" property, so it must fit in one."""
    if _utf16_bytes(key) > MAX_PROPERTY_BYTES:
        raise StateStoreError(f"A state key of {len(key)} characters is too long for Table "
                              f"storage to keep (at most {MAX_PROPERTY_BYTES // 1024} KiB "
                              "as UTF-16).")


def _original_key(entity: TableEntity) -> str:
    """The key as given: its "Key" property, or for an entity written before there was
    one (whose RowKey is then always the plain escaped form), its RowKey unescaped."""
    key = entity.get("Key")
    return str(key) if key is not None else unescape_key(str(entity["RowKey"]))


def _claim(key: str, entity: TableEntity) -> Claim:
    return Claim(key, str(entity["Owner"]), str(entity["State"]), str(entity["Result"]),
                 datetime.fromisoformat(str(entity["ClaimedAt"])))


def _oldest_first(claim: Claim) -> tuple[datetime, str]:
    """Sorts claims by when they were taken (a time without zone read as UTC), then key."""
    at = claim.claimed_at
    return (at if at.tzinfo is not None else at.replace(tzinfo=UTC)), claim.key


def _expired(entity: TableEntity, now: datetime, lease_seconds: float) -> bool:
    claimed_at = datetime.fromisoformat(str(entity["ClaimedAt"]))
    return claimed_at < now - timedelta(seconds=lease_seconds)


def _is_this_claim(entity: TableEntity, mine: dict[str, str]) -> bool:
    """The stored claim is the one this very call wrote (its random Attempt), still open.

    An insert or takeover whose answer was lost is retried by the SDK and then fails
    (409 or 412) against its own write; this recognises the write as ours.
    """
    return entity.get("Attempt") == mine["Attempt"] and entity["State"] == CLAIMED


@contextmanager
def _boundary(action: str) -> Iterator[None]:
    """azure-core's errors become StateStoreError (the original kept as the cause)."""
    from azure.core.exceptions import AzureError, HttpResponseError

    try:
        yield
    except HttpResponseError as exc:
        status = int(exc.status_code or 0)
        raw = getattr(exc, "error_code", None) or ""
        code = str(getattr(raw, "value", raw))
        detail = f"{status} {code}".strip()
        if status == 429 or status >= 500:
            raise StateUnavailableError(f"Table storage is busy or failing and could not "
                                        f"{action} ({detail}); try again later.",
                                        status, code) from exc
        advice = (" Check CASEWORK_STATE_CONNECTION (account name and key)."
                  if status in (401, 403) else "")
        raise StateStoreError(f"Table storage refused to {action} ({detail}).{advice}",
                              status, code) from exc
    except AzureError as exc:
        raise StateUnavailableError(f"Table storage did not answer, so could not {action} "
                                    f"({type(exc).__name__}); try again later.") from exc

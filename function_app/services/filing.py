"""Filing one document exactly once: "made" means "the file is in the case folder".

A document is claimed (a lease in the StateStore), uploaded with conflictBehavior=fail,
given its columns, and only then recorded as made. Whatever fails in between, the claim
stays open and the next sweep finishes the work; it never counts as made:

- a claim held by a live task of this process is left alone (two sweeps at once in one
  Functions worker never both make a document);
- a claim held by a dead process of this host (a killed `casework process`, a restarted
  worker) is retaken at once: its owner names the host and process id;
- a claim held by another host is retaken when its lease has run out.

Before a name is first tried the folder is looked at: a file already there that is an
earlier version of the same document (same case, kind, meeting and parent) is replaced on
purpose, as a new version in the library's version history; any other file of that name
is never touched, and the document takes the next free name, "... (2).docx". The name
tried is then noted beside the claim, so that a retry after a lost answer or a crash
recognises its own file (that name, none of our columns yet, or this very version's) and
adopts it rather than making a second.

The state store keeps no name (docs/exactly-once.md, "What the state store keeps"): file
names carry pupils' and parents' names, and paths and links carry the folder's. So:

- a claim's key is kept under its case, "case/<case ref>/<key>" (``case_key``, from the
  document's CaseRef column), so a closed case's claims can be found and forgotten, and
  carries only ids (list item ids, a source version, a kind, a carer id);
- the upload note is "<n> <digest>": which "(n)" was tried and the SHA-256 of the name
  tried (``upload_note``). The caller derives a document's name deterministically from
  the case as the lists hold it (engine.produce: the catalogue's pattern, the meeting's
  date or the sweep's day, the parent's name), so a retry recomputes the same name, and
  its note matches; a name that changed meanwhile (the case edited, another day) does not
  match, and is looked at first like any new name;
- a done claim keeps the filed file's drive item id ("item:<id>"); its name and link are
  read from Graph by that id when needed (``Library.file_by_id``), so a file staff moved
  within the library is still found, and one they deleted is not claimed to be there.

Claims and notes made before this (keys without their case; a result of link and name)
are still honoured: a document whose old claim is done is not made again.

A retention label (CASEWORK_RETENTION_LABEL), when set, is applied after the columns and
before the claim is done (``label_filed``): labelling is part of filing. Graph busy or not
answering leaves the claim open like any other failure in between, so the next sweep adopts
the file it uploaded (its name noted, its columns this version's) and labels it: never a
second file, never a document left unlabelled because Graph was busy once. A label Graph
refuses (one the tenant lacks: 400; or the app may not apply it: 403) will not pass by
trying again, and must not hold up every letter: the document is filed without it and the
refusal logged, once per label in a process; `casework doctor` says the label is set and
cannot be checked by the app (docs/deployment.md). Applying the same label twice changes
nothing, so a retry that labels again is harmless.
"""

from __future__ import annotations

import enum
import hashlib
import logging
import os
import socket
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from function_app.adapters.graph.errors import ConflictError, GraphError
from function_app.adapters.graph.records import DriveItem

from .ports import StateStore
from .site_state import held_key

log = logging.getLogger(__name__)
LEASE_SECONDS = 600
UPLOADING_SCOPE = "uploading"  # claim key -> "<n> <SHA-256 of the name tried>" (no name)
CASE_PREFIX = "case/"
ITEM = "item:"  # a done claim's result: the filed file's drive item id after this
MAX_NAME_TRIES = 20  # "name (2)" ... before giving up: a folder this crowded needs a person
IDENTITY_COLUMNS = ("CaseRef", "DocumentKind", "MeetingId", "CarerId")
_NEVER = "\x00never replaces"  # beside the columns: Filer.file(..., replaces=False)


class Library(Protocol):
    """What filing needs of the case files library (adapters/graph/client.GraphClient)."""

    async def upload(self, folder_path: str, name: str, content: bytes,
                     conflict: str = "replace") -> DriveItem: ...
    async def file_at(self, folder_path: str, name: str
                      ) -> tuple[DriveItem, dict[str, Any]] | None: ...
    async def replace_content(self, item: DriveItem, folder_path: str,
                              content: bytes) -> DriveItem: ...
    async def set_file_fields(self, item_id: str, fields: dict[str, Any]) -> dict[str, Any]: ...
    async def file_by_id(self, item_id: str) -> DriveItem | None: ...
    async def set_retention_label(self, item_id: str, name: str) -> dict[str, Any]: ...


class Outcome(enum.Enum):
    FILED = "filed"  # uploaded now, with its columns
    ALREADY_FILED = "already filed"  # an earlier sweep or another worker filed it
    PENDING = "pending"  # another live worker holds it: the next sweep looks again


@dataclass(frozen=True, slots=True)
class Filing:
    outcome: Outcome
    web_url: str = ""  # '' when the file made earlier is no longer in the library
    name: str = ""  # the file's name in the folder, as filed (or as it is now)
    item_id: str = ""

    @property
    def exists(self) -> bool:
        return self.outcome is not Outcome.PENDING


def process_owner(worker: str) -> str:
    """This process's owner name for claims: the worker's name, the host and the process id."""
    return f"{worker}@{socket.gethostname()}:{os.getpid()}"


def _holder_is_dead(owner: str) -> bool:
    """The claim's owner was a process of this host that is no longer running."""
    _, at, where = owner.rpartition("@")
    host, colon, pid = where.rpartition(":")
    if not at or not colon or host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False  # ourselves: a claim of this process is guarded by _LIVE
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, someone else's
    return False


_LIVE: set[str] = set()  # claim keys held by tasks of this process right now
_LIVE_LOCK = threading.Lock()


def _hold(key: str) -> bool:
    with _LIVE_LOCK:
        if key in _LIVE:
            return False
        _LIVE.add(key)
        return True


def _let_go(key: str) -> None:
    with _LIVE_LOCK:
        _LIVE.discard(key)


@contextmanager
def held_here(key: str, state: StateStore | None = None) -> Iterator[bool]:
    """While the block runs, ``key`` (of ``state``'s site) is this task's within this
    process: True, unless another live task of this process holds it (then False, and
    nothing is held)."""
    guard = held_key(state, key) if state is not None else key
    mine = _hold(guard)
    try:
        yield mine
    finally:
        if mine:
            _let_go(guard)


def claim(state: StateStore, key: str, owner: str, now: datetime, lease: float) -> bool:
    """Claim ``key`` for ``owner``: free, expired, or held by a dead process of this host
    (a killed worker: taken over at once, not after its lease). False while another live
    owner holds it, or once it is done."""
    if state.claim(key, owner, now, lease):
        return True
    held = state.get_claim(key)
    if held is None or held.state != "claimed" or not _holder_is_dead(held.owner):
        return False
    # A killed process of this host: take its claim over, in its name first (the store
    # lets an owner retake its own claim), then as ourselves.
    log.info("retaking a claim of a process that is no longer running")
    if not state.claim(key, held.owner, now, lease):
        return False
    state.release(key, held.owner)
    return state.claim(key, owner, now, lease)


def case_prefix(case_ref: str) -> str:
    """The start of every claim key of a case: "case/<ref>/", with "%" and "/" in the
    reference escaped, so that no case's prefix is the start of another's."""
    return f"{CASE_PREFIX}{case_ref.replace('%', '%25').replace('/', '%2F')}/"


def case_key(case_ref: str, key: str) -> str:
    """``key`` kept under its case (``case_prefix``)."""
    return case_prefix(case_ref) + key


def claim_key(key: str, columns: Mapping[str, Any]) -> str:
    """The key a document's claim is kept under: under its case (its CaseRef column)."""
    ref = str(columns.get("CaseRef") or "")
    return case_key(ref, key) if ref else key


def name_digest(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def upload_note(n: int, name: str) -> str:
    """What is noted before uploading as ``name``, its "(n)" being ``n``: no name."""
    return f"{n} {name_digest(name)}"


def result_text(item_id: str) -> str:
    """What a done claim keeps: the filed file's drive item id."""
    return f"{ITEM}{item_id}"


def filed_item_id(result: str) -> str | None:
    """The drive item id a done claim's result names ('' if none was known); None for a
    result kept before ids were (the file's link and name: ``parse_result``)."""
    return result.removeprefix(ITEM) if result.startswith(ITEM) else None


def parse_result(result: str) -> tuple[str, str]:
    """(web_url, name) of a done claim's result kept before ids were; the oldest kept only
    the link."""
    url, _, name = result.partition("\n")
    return url, name or url.rsplit("/", 1)[-1]


_REFUSED_LABELS: set[str] = set()  # labels whose refusal this process has logged


class Labeller(Protocol):
    async def set_retention_label(self, item_id: str, name: str) -> dict[str, Any]: ...


async def label_filed(library: Labeller, item_id: str, label: str) -> bool:
    """Apply ``label`` (if any) to a file just filed; False when Graph refused it (logged
    once per label in a process). Graph busy or not answering (GraphUnavailableError) is
    raised, for the caller to keep its claim open and label at the next sweep."""
    if not label:
        return True
    try:
        await library.set_retention_label(item_id, label)
    except GraphError as exc:
        if exc.status in (0, 429) or exc.status >= 500:
            raise  # not taken: the claim stays open and the next sweep labels it
        if label not in _REFUSED_LABELS:
            _REFUSED_LABELS.add(label)
            log.warning("the retention label %r was refused (%s %s): documents are filed "
                        "without it; check CASEWORK_RETENTION_LABEL against the labels "
                        "published to this site", label, exc.status, exc.code)
        return False
    return True


class Filer:
    def __init__(self, library: Library, state: StateStore, worker: str,
                 lease_seconds: float = LEASE_SECONDS, retention_label: str = "") -> None:
        self.library, self.state = library, state
        self.owner = process_owner(worker)
        self.lease = lease_seconds
        self.retention_label = retention_label  # CASEWORK_RETENTION_LABEL; '' for none

    async def file(self, key: str, folder: str, name: str, content: bytes,
                   columns: Mapping[str, Any], *, replaces: bool = True) -> Filing:
        """File ``content`` as ``folder/name`` once for ``key`` (kept under the case of
        ``columns``' CaseRef: ``claim_key``); see the module docstring. ``replaces``
        False: an earlier file of the same kind is never replaced, even of the same case,
        meeting and parent (a print pack, which may be printed already): the new one takes
        the next free name."""
        stored = claim_key(key, columns)
        guard = held_key(self.state, stored)
        if not _hold(guard):
            return Filing(Outcome.PENDING)
        try:
            return await self._claimed(stored, key, folder, name, content,
                                       columns if replaces else {**columns, _NEVER: True})
        finally:
            _let_go(guard)

    async def filed_before(self, key: str, case_ref: str, folder: str) -> Filing | None:
        """The document filed earlier under ``key`` (of the case ``case_ref``), as it is in
        the library now; None when it was never filed (or is being filed now)."""
        held = self.state.get_claim(case_key(case_ref, key) if case_ref else key)
        if held is None or held.state != "done":
            return None
        return await self._filed_before(held.result, folder)

    async def _claimed(self, key: str, legacy: str, folder: str, name: str, content: bytes,
                       columns: Mapping[str, Any]) -> Filing:
        """``legacy``: the key as claims were kept before they carried their case."""
        if not self._claim(key):
            existing = self.state.get_claim(key)
            if existing is not None and existing.state == "done":
                return await self._filed_before(existing.result, folder)
            return Filing(Outcome.PENDING)
        old_note = ""
        try:
            if legacy != key:
                earlier = self.state.get_claim(legacy)
                if earlier is not None and earlier.state == "done":
                    # Made before claims carried their case: made, not made again.
                    filing = await self._filed_before(earlier.result, folder)
                    self.state.complete(key, self.owner, result_text(filing.item_id))
                    return filing
                old_note = self.state.recall(UPLOADING_SCOPE, legacy)
            uploaded = await self._upload(key, old_note, folder, name, content, columns)
            await self.library.set_file_fields(uploaded.id, {
                k: v for k, v in columns.items() if k != _NEVER})
            await label_filed(self.library, uploaded.id, self.retention_label)
        except BaseException:
            self._release(key)
            raise
        self.state.complete(key, self.owner, result_text(uploaded.id))
        self.state.forget(UPLOADING_SCOPE, key)
        if old_note:
            self.state.forget(UPLOADING_SCOPE, legacy)
        return Filing(Outcome.FILED, uploaded.web_url, uploaded.name, uploaded.id)

    async def _filed_before(self, result: str, folder: str) -> Filing:
        """A document made earlier, as it is in the library now: by its id; a claim kept
        before ids were, by its name in the folder. A file gone since has no name or link:
        nothing says it is there."""
        item_id = filed_item_id(result)
        if item_id is None:
            _, name = parse_result(result)
            found = await self.library.file_at(folder, name) if name else None
            item = found[0] if found is not None else None
        else:
            item = await self.library.file_by_id(item_id) if item_id else None
        if item is None:
            return Filing(Outcome.ALREADY_FILED)
        return Filing(Outcome.ALREADY_FILED, item.web_url, item.name, item.id)

    def _claim(self, key: str) -> bool:
        return claim(self.state, key, self.owner, datetime.now(UTC), self.lease)

    def _release(self, key: str) -> None:
        try:
            self.state.release(key, self.owner)
        except Exception:  # the store is failing too: the lease, or our next start, frees it
            log.warning("a claim could not be released; it frees itself when its lease ends")

    async def _upload(self, key: str, old_note: str, folder: str, name: str, content: bytes,
                      columns: Mapping[str, Any]) -> DriveItem:
        """Upload under ``name``, else the next free "name (n)"; never over another file.
        ``old_note``: the name noted under the claim's key of before (a file name)."""
        stem, dot, ext = name.rpartition(".")
        if not dot:
            stem, ext = name, ""
        noted = self.state.recall(UPLOADING_SCOPE, key)
        for n in range(1, MAX_NAME_TRIES + 1):
            candidate = name if n == 1 else f"{stem} ({n}){dot}{ext}"
            note = upload_note(n, candidate)
            if noted != note and old_note != candidate:
                # A first try of this name: a file already there is someone's, or an
                # earlier version of this document.
                found = await self.library.file_at(folder, candidate)
                if found is not None:
                    if _same_document(found[1], columns):
                        return await self.library.replace_content(found[0], folder, content)
                    continue
                self.state.remember(UPLOADING_SCOPE, key, note)
                noted = note
            try:
                return await self.library.upload(folder, candidate, content, conflict="fail")
            except ConflictError:
                # Our own upload whose answer was lost (or a crash before its columns), or a
                # file someone put there meanwhile.
                found = await self.library.file_at(folder, candidate)
                if found is None:  # deleted since: try the same name again
                    return await self.library.upload(folder, candidate, content, conflict="fail")
                item, fields = found
                if _ours_unfinished(fields, columns):
                    return item
                if _same_document(fields, columns):
                    return await self.library.replace_content(item, folder, content)
        raise ConflictError(f"There are already {MAX_NAME_TRIES} files named like this document "
                            "in the case folder; move some into a subfolder and the app will "
                            "try again.", 409)


def _ours_unfinished(fields: Mapping[str, Any], columns: Mapping[str, Any]) -> bool:
    """A file of the name we noted with none of our columns yet, or with this very version's."""
    if not fields.get("DocumentKind"):
        return True
    return _same_document(fields, columns) and (
        str(fields.get("SourceVersion") or "") == str(columns.get("SourceVersion") or ""))


def _same_document(fields: Mapping[str, Any], columns: Mapping[str, Any]) -> bool:
    """An earlier version of the same document: same case, kind, meeting and parent (and,
    for a document that never replaces another, the same source version: itself)."""
    if columns.get(_NEVER) and str(fields.get("SourceVersion") or "") != str(
            columns.get("SourceVersion") or ""):
        return False
    return bool(fields.get("DocumentKind")) and all(
        str(fields.get(c) or "") == str(columns.get(c) or "") for c in IDENTITY_COLUMNS)

"""Upload sessions for large files: createUploadSession, byte ranges, commit, cancel.

A session's bytes go to DIR/.uploads/<id>.part; its state is a JSON document in SQLite, so
an upload survives a restart of the dev tenant. Rules follow Graph's documentation: ranges
in order, each under 60 MiB and (except the last) a multiple of 320 KiB.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .backend import Backend
from .calls import Call, Reply, ok
from .errors import GraphError, bad_request, not_found
from .identity import Identity
from .library import BEHAVIOURS
from .names import check_name
from .shapes import upload_session_json
from .store import DriveItemRow, DriveRow
from .util import iso_millis, new_guid

FRAGMENT_UNIT = 320 * 1024
FRAGMENT_MAX = 60 * 1024 * 1024
SESSION_SECONDS = 3600  # extended by each fragment received
_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")
CONFLICT = "@microsoft.graph.conflictBehavior"


def _part(b: Backend, session_id: str) -> Path:
    return b.data_dir / ".uploads" / f"{session_id}.part"


def _expires(session: dict[str, Any]) -> str:
    return iso_millis(datetime.fromtimestamp(session["expires"], UTC))


def create_session(
    b: Backend, call: Call, drive: DriveRow, base: DriveItemRow, path: str | None
) -> Reply:
    body = call.json()
    given = body.get("item")
    item: dict[str, Any] = given if isinstance(given, dict) else {}
    behaviour = item.get(CONFLICT, "fail")
    if behaviour not in BEHAVIOURS:
        raise bad_request(f"{CONFLICT} must be one of {BEHAVIOURS}; got {behaviour!r}.")
    session: dict[str, Any] = {
        "id": new_guid(),
        "driveId": drive.id,
        "baseId": base.id,
        "behaviour": behaviour,
        "received": 0,
        "size": item.get("fileSize") if isinstance(item.get("fileSize"), int) else None,
        "deferCommit": bool(body.get("deferCommit", False)),
        "expires": time.time() + SESSION_SECONDS,
        "who": [call.identity.kind, call.identity.display_name, call.identity.id]
        if call.identity
        else None,
    }
    if path is None:
        if base.is_folder:
            raise bad_request(
                "Address the new file by path: .../items/{parent-id}:/{name}:/createUploadSession."
            )
        session.update(target=base.id, folders=[], name=base.name)
    else:
        parts = [part for part in path.split("/") if part]
        name = parts[-1]  # the path names the file; item.name may only repeat it
        session.update(target=None, folders=parts[:-1], name=check_name(str(name)))
    part = _part(b, session["id"])
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_bytes(b"")
    b.store.put_document("upload_sessions", session["id"], session)
    url = f"{b.origin}/upload/{session['id']}"
    return ok(upload_session_json(b.base_url, url, _expires(session), 0))


def load(b: Backend, session_id: str) -> dict[str, Any]:
    session = b.store.document("upload_sessions", session_id)
    if session is None or session["expires"] < time.time():
        if session is not None:
            cancel(b, session_id)
        raise not_found("The upload session was not found or has expired; start a new one.")
    return session


def status(b: Backend, session: dict[str, Any], code: int = 200) -> Reply:
    ranges = [] if session["received"] == session.get("size") else [f"{session['received']}-"]
    return ok({"expirationDateTime": _expires(session), "nextExpectedRanges": ranges}, code)


def cancel(b: Backend, session_id: str) -> None:
    b.store.delete_document("upload_sessions", session_id)
    _part(b, session_id).unlink(missing_ok=True)


def put_range(b: Backend, call: Call, session: dict[str, Any]) -> Reply:
    header = call.headers.get("Content-Range", "")
    found = _RANGE.match(header.strip())
    if not found:
        raise bad_request(
            f"Content-Range must read 'bytes START-END/TOTAL'; got {header!r}.", "invalidRange"
        )
    start, end, total = (int(found.group(i)) for i in (1, 2, 3))
    length = end - start + 1
    if end < start or end >= total or len(call.body) != length:
        raise bad_request(
            f"Content-Range {header!r} does not match the {len(call.body)} bytes sent.",
            "invalidRange",
        )
    if session["size"] is None:
        session["size"] = total
    if total != session["size"]:
        raise bad_request(
            f"The file size {total} differs from the session's {session['size']}.", "invalidRange"
        )
    if start != session["received"]:
        raise GraphError(
            416,
            "invalidRange",
            f"The range starting at {start} is not the next "
            f"expected; expected {session['received']}-.",
        )
    last = end + 1 == total
    if length > FRAGMENT_MAX or (not last and length % FRAGMENT_UNIT):
        raise bad_request(
            f"Each byte range must be under 60 MiB and, except the last, a "
            f"multiple of 320 KiB ({FRAGMENT_UNIT} bytes); got {length}.",
            "invalidRange",
        )
    with _part(b, session["id"]).open("ab") as out:
        out.write(call.body)
    session["received"] = end + 1
    session["expires"] = time.time() + SESSION_SECONDS
    b.store.put_document("upload_sessions", session["id"], session)
    if last and not session["deferCommit"]:
        return commit(b, session)
    return status(b, session, 202)


def _identity(session: dict[str, Any]) -> Identity:
    kind, name, ident = session["who"]
    return Identity(kind, name, ident)


def commit(
    b: Backend,
    session: dict[str, Any],
    *,
    folder: tuple[DriveItemRow, list[str]] | None = None,
    name: str | None = None,
    behaviour: str | None = None,
) -> Reply:
    """Turn a complete session into the file; 201 (new) or 200 (replaced) with the item."""
    if session["received"] != session.get("size"):
        raise bad_request("The upload session is not complete yet.", "invalidRange")
    drive = b.drive(session["driveId"])
    who = _identity(session)
    part = _part(b, session["id"])
    with b.store.transaction():
        if session["target"] and folder is None:
            target = b.library.item(drive, session["target"])
            if target is None:
                raise not_found("The file this session was replacing no longer exists.")
            item = b.library.replace_content(drive, target, part, who)
            created = False
        else:
            if folder is None:
                base = b.library.item(drive, session["baseId"])
                if base is None:
                    raise not_found("The folder this session was uploading to no longer exists.")
                folder = (base, session["folders"])
            parent = b.library.ensure_folders(drive, folder[0], folder[1], who)
            item, created = b.library.write_file(
                drive,
                parent,
                name or session["name"],
                part,
                behaviour or session["behaviour"],
                who,
            )
    b.store.delete_document("upload_sessions", session["id"])
    return ok(b.drive_item_json(drive, item, context=True), 201 if created else 200)


async def commit_explicitly(
    b: Backend, call: Call, drive: DriveRow, base: DriveItemRow, path: str | None
) -> Reply:
    """PUT {parent path} with name and @microsoft.graph.sourceUrl (the session's URL)."""
    body = call.json()
    source = body.get("@microsoft.graph.sourceUrl")
    if not isinstance(source, str) or "/upload/" not in source:
        raise bad_request(
            "PUT on an item takes @microsoft.graph.sourceUrl naming an upload "
            "session (other metadata updates are not supported)."
        )
    session = load(b, source.rstrip("/").rpartition("/")[2])
    name = body.get("name")
    if not isinstance(name, str):
        raise bad_request("Name the file to commit in 'name'.")
    behaviour = body.get(CONFLICT, "fail")
    if behaviour not in BEHAVIOURS:
        raise bad_request(f"{CONFLICT} must be one of {BEHAVIOURS}; got {behaviour!r}.")
    folders = [part for part in (path or "").split("/") if part]
    return commit(b, session, folder=(base, folders), name=check_name(name), behaviour=behaviour)

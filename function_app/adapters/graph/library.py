"""The document library through Microsoft Graph: its folders (made as needed and
remembered), uploads (large files in ranges), replacing, listing and downloading files, the
library's columns of a file, sharing a file with named people (``invite``, ``shared_with``)
and its retention label (``set_retention_label``).

GraphLibrary is the last part of GraphClient (function_app.adapters.graph.client): it files
into the site's default library, or another chosen with ``use_library``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from .errors import GraphError, GraphUnavailableError, NotFoundError
from .lists import GraphLists
from .records import DriveItem, parse_drive_item
from .transport import error_of, json_of

SMALL_UPLOAD_LIMIT = 4 * 1024 * 1024  # Graph: simple upload up to 4 MB
CHUNK = 5 * 320 * 1024  # upload session ranges must be multiples of 320 KiB
NO_EXPIRY = "0001-01-01"  # how a permission without an end says so (permission.md)
# Answers that say Graph did not take the request (busy, or no answer at all): trying again
# later may share; any other refusal will not pass by trying again.
NOT_TAKEN = frozenset({0, 429, 503, 504})


@dataclass(frozen=True, slots=True)
class SharedWith:
    """One person a file was shared with (``invite``), or why it was not.

    ``url`` is the "specific people" link Graph made for them ('' when its answer has none:
    driveitem-invite.md's example has none; use the file's webUrl then); ``expires`` None
    means no end. Refused: ``code`` is Graph's error code (or its status) and ``status`` its
    status; ``not_taken`` says Graph did not answer or was busy, so asking again may share.
    """

    email: str
    url: str = ""
    expires: datetime | None = None
    code: str = ""
    status: int = 0

    @property
    def shared(self) -> bool:
        return not self.code

    @property
    def not_taken(self) -> bool:
        return bool(self.code) and self.status in NOT_TAKEN


@dataclass
class GraphLibrary(GraphLists):
    """The files and folders of a document library."""

    _drive_id: str = ""
    _folders: dict[str, str] = field(default_factory=dict)

    async def use_library(self, list_id: str) -> None:
        """File into this document library (a list with a drive) instead of the default."""
        drive = await self.json("get library", "GET",
                                f"/sites/{await self.site_id()}/lists/{list_id}/drive")
        if drive["id"] != self._drive_id:
            self._drive_id = drive["id"]
            self._folders.clear()

    async def drive_id(self) -> str:
        if not self._drive_id:
            drive = await self.json("get library", "GET", f"/sites/{await self.site_id()}/drive")
            self._drive_id = drive["id"]
        return self._drive_id

    async def ensure_folder(self, path: str) -> str:
        """The id of the folder at ``path`` in the library, creating what is missing."""
        path = path.strip("/")
        if not path:
            return await self._root_id()
        if path in self._folders:
            return self._folders[path]
        parent_path, _, name = path.rpartition("/")
        parent = await self.ensure_folder(parent_path)
        drive = await self.drive_id()
        try:
            raw = await self.json("get folder", "GET", f"/drives/{drive}/root:/{_q(path)}")
        except GraphError as exc:
            if exc.status != 404:
                raise
            try:
                raw = await self.json(
                    "create folder", "POST", f"/drives/{drive}/items/{parent}/children",
                    {"name": name, "folder": {}, "@microsoft.graph.conflictBehavior": "fail"},
                    retry_all=True)
            except GraphError as conflict:  # made meanwhile by another worker, or a retry
                if conflict.status != 409:
                    raise
                raw = await self.json("get folder", "GET", f"/drives/{drive}/root:/{_q(path)}")
        self._folders[path] = raw["id"]
        return self._folders[path]

    async def _root_id(self) -> str:
        if "" not in self._folders:
            root = await self.json("get folder", "GET", f"/drives/{await self.drive_id()}/root")
            self._folders[""] = root["id"]
        return self._folders[""]

    async def upload(self, folder_path: str, name: str, content: bytes,
                     conflict: str = "replace") -> DriveItem:
        """Put a file in a folder; large ones in ranges. ``conflict`` is Graph's
        conflictBehavior: "replace" (a file of that name is overwritten) or "fail" (a
        ConflictError, and nothing is written: what new documents use).

        Folder ids are remembered, so a folder someone deleted or renamed since answers
        404: then the folders are looked up (and made) again, once.
        """
        known = folder_path.strip("/") in self._folders
        try:
            return await self._upload(folder_path, name, content, conflict)
        except NotFoundError:
            if not known:
                raise
            root = self._folders.get("")
            self._folders.clear()
            if root:
                self._folders[""] = root
            return await self._upload(folder_path, name, content, conflict)

    async def _upload(self, folder_path: str, name: str, content: bytes,
                      conflict: str) -> DriveItem:
        folder = await self.ensure_folder(folder_path)
        drive = await self.drive_id()
        if len(content) <= SMALL_UPLOAD_LIMIT:
            response = await self.send(
                "upload file", "PUT",
                f"/drives/{drive}/items/{folder}:/{_q(name)}:/content"
                f"?@microsoft.graph.conflictBehavior={conflict}",
                content, content_type="application/octet-stream")
            return parse_drive_item(json.loads(response.content))
        return await self._upload_in_ranges(drive, folder, name, content, conflict)

    async def file_at(self, folder_path: str, name: str
                      ) -> tuple[DriveItem, dict[str, Any]] | None:
        """The file ``folder/name`` and its library columns, or None if there is none."""
        drive = await self.drive_id()
        path = _q(f"{folder_path.strip('/')}/{name}")
        try:
            raw = await self.json("get file", "GET", f"/drives/{drive}/root:/{path}")
            fields = await self.json("get file columns", "GET",
                                     f"/drives/{drive}/items/{raw['id']}/listItem/fields")
        except NotFoundError:
            return None
        return parse_drive_item(raw), dict(fields or {})

    async def file_by_id(self, item_id: str) -> DriveItem | None:
        """The file with this id, wherever in the library it now is (its name and link as
        they are now), or None if it is gone (deleted, or in the recycle bin)."""
        drive = await self.drive_id()
        try:
            raw = await self.json("get file", "GET",
                                  f"/drives/{drive}/items/{quote(item_id, safe='')}")
        except NotFoundError:
            return None
        return parse_drive_item(raw)

    async def replace_content(self, item: DriveItem, folder_path: str,
                              content: bytes) -> DriveItem:
        """New content for a file we know (the library keeps the old as a version)."""
        drive = await self.drive_id()
        if len(content) <= SMALL_UPLOAD_LIMIT:
            response = await self.send("replace file", "PUT",
                                       f"/drives/{drive}/items/{item.id}/content",
                                       content, content_type="application/octet-stream")
            return parse_drive_item(json.loads(response.content))
        return await self._upload(folder_path, item.name, content, "replace")

    async def _upload_in_ranges(self, drive: str, folder: str, name: str,
                                content: bytes, conflict: str = "replace") -> DriveItem:
        import httpx

        session = await self.json(
            "start upload", "POST",
            f"/drives/{drive}/items/{folder}:/{_q(name)}:/createUploadSession",
            {"item": {"@microsoft.graph.conflictBehavior": conflict}}, retry_all=True)
        upload_url = session["uploadUrl"]
        total = len(content)
        start = 0
        attempt = 0
        # The upload URL is pre-authenticated: Graph asks that no token is sent with it, so
        # the ranges go out on a plain httpx client, retried here (the SDK would not).
        async with httpx.AsyncClient(timeout=60) as plain:
            while True:
                end = min(start + CHUNK, total) - 1
                response = await self._plain("upload range", plain, "PUT", upload_url,
                                             content=content[start:end + 1],
                                             headers={"Content-Range":
                                                      f"bytes {start}-{end}/{total}"})
                if response is not None and response.status_code in (200, 201):
                    return parse_drive_item(json_of("upload file", response))
                if response is not None and response.status_code == 202:
                    start = _next_range(json_of("upload file", response), end + 1)
                    attempt = 0
                    continue
                error = (error_of("upload file", response) if response is not None
                         else GraphUnavailableError("upload file: no answer from Microsoft "
                                                    "Graph while sending a range"))
                if isinstance(error, GraphUnavailableError) and \
                        self.retry.defers(error.retry_after):
                    raise self.retry.deferred(error)
                if not (isinstance(error, GraphUnavailableError)
                        and attempt + 1 < self.retry.attempts):
                    raise error
                self.retries["upload range"] += 1
                await self.retry.sleep(self.retry.delay(attempt, error.retry_after))
                attempt += 1
                # Ask where to resume: a range may have landed before the connection dropped.
                status = await self._plain("upload status", plain, "GET", upload_url)
                if status is not None and status.status_code == 200:
                    start = _next_range(json_of("upload status", status), start)

    async def _plain(self, operation: str, plain: Any, method: str, url: str,
                     **kwargs: Any) -> Any:
        """A request on the plain client: its response, or None when no answer came."""
        import httpx

        self.requests[operation] += 1
        try:
            return await plain.request(method, url, **kwargs)
        except httpx.TransportError:
            return None
        except httpx.HTTPError as exc:
            raise GraphError(f"{operation}: the request failed ({type(exc).__name__})") from exc

    async def children(self, folder_path: str) -> list[DriveItem]:
        """The files and folders in a folder of the library; [] when the folder is not there."""
        drive = await self.drive_id()
        path = folder_path.strip("/")
        url: str | None = (f"/drives/{drive}/root:/{_q(path)}:/children?$top=200" if path
                           else f"/drives/{drive}/root/children?$top=200")
        found: list[DriveItem] = []
        while url:
            try:
                page = await self.json("list folder", "GET", url)
            except NotFoundError:
                return []
            found += [parse_drive_item(raw) for raw in page["value"]]
            url = page.get("@odata.nextLink")
        return found

    async def download(self, item_id: str, as_pdf: bool = False) -> bytes:
        """A file's content; with ``as_pdf``, converted by Graph (``?format=pdf``)."""
        drive = await self.drive_id()
        suffix = "?format=pdf" if as_pdf else ""
        response = await self.send("convert to pdf" if as_pdf else "download file", "GET",
                                   f"/drives/{drive}/items/{item_id}/content{suffix}")
        content: bytes = response.content
        return content

    async def set_file_fields(self, item_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        drive = await self.drive_id()
        updated: dict[str, Any] = await self.json(
            "set file columns", "PATCH", f"/drives/{drive}/items/{item_id}/listItem/fields",
            fields)
        return updated

    async def invite(self, item_id: str, emails: Sequence[str], expires: datetime,
                     message: str) -> list[SharedWith]:
        """Share a file with each of ``emails``, read only, sign-in required, no email from
        Microsoft (``sendInvitation`` false), until ``expires`` (POST .../invite).

        One request per person: Graph refuses the whole request when it refuses one
        recipient (someone outside the organisation where sharing outside it is off), and
        the others must still be shared. Inviting someone again updates their permission,
        so a repeat is harmless. A refusal is given back as a SharedWith with Graph's code,
        never raised: 403 accessDenied (the dev tenant, and sharing outside the tenant
        off), 400 invalidRequest or 500 generalException (what public reports show for a
        refused external recipient). Only 429, 503 and 504 are retried (the transport's
        rule for a POST), so a 500 refusal is not asked six times.
        """
        drive = await self.drive_id()
        when = expires.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        found: list[SharedWith] = []
        for email in emails:
            body = {"recipients": [{"email": email}], "roles": ["read"], "requireSignIn": True,
                    "sendInvitation": False, "message": message[:2000],
                    "expirationDateTime": when}
            try:
                answer = await self.json("share file", "POST",
                                         f"/drives/{drive}/items/{quote(item_id, safe='')}"
                                         "/invite", body)
            except GraphError as exc:
                found.append(SharedWith(email, code=exc.code or str(exc.status or "no answer"),
                                        status=exc.status))
                continue
            permissions = (answer or {}).get("value") or [{}]
            found.append(_shared_with(email, permissions[0]))
        return found

    async def shared_with(self, item_id: str) -> list[SharedWith]:
        """The people a file is shared with now by invitation (its permissions that name a
        person's email; the site's groups left out)."""
        drive = await self.drive_id()
        page = await self.json("list sharing", "GET",
                               f"/drives/{drive}/items/{quote(item_id, safe='')}/permissions")
        found = []
        for permission in (page or {}).get("value") or []:
            email = _email_of(permission)
            if email:
                found.append(_shared_with(email, permission))
        return found

    async def set_retention_label(self, item_id: str, name: str) -> dict[str, Any]:
        """Apply the retention label ``name`` to a file (PATCH .../retentionLabel): 201 the
        first time, 200 after; the same label again changes nothing. Graph documents no
        answer for a label the tenant lacks (the dev tenant: 400 invalidRequest)."""
        drive = await self.drive_id()
        label: dict[str, Any] = await self.json(
            "set retention label", "PATCH",
            f"/drives/{drive}/items/{quote(item_id, safe='')}/retentionLabel", {"name": name})
        return label


def _email_of(permission: dict[str, Any]) -> str:
    """The address a permission was given to: its invitation's, else its person's."""
    invitation = permission.get("invitation") or {}
    if invitation.get("email"):
        return str(invitation["email"])
    user = (permission.get("grantedToV2") or {}).get("user") or {}
    if user.get("email"):
        return str(user["email"])
    for granted in permission.get("grantedToIdentitiesV2") or []:
        email = ((granted or {}).get("user") or {}).get("email")
        if email:
            return str(email)
    return ""


def _shared_with(email: str, permission: dict[str, Any]) -> SharedWith:
    text = str(permission.get("expirationDateTime") or "")
    expires = None
    if text and not text.startswith(NO_EXPIRY):
        try:
            expires = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            expires = None
    link = permission.get("link") or {}
    return SharedWith(email, url=str(link.get("webUrl") or ""), expires=expires)


def _q(path: str) -> str:
    """A path for Graph's root:/path: addressing: each segment percent-encoded."""
    return "/".join(quote(part, safe="") for part in path.split("/"))


def _next_range(status: Any, default: int) -> int:
    """Where an upload session expects the next byte, from its nextExpectedRanges."""
    ranges = (status or {}).get("nextExpectedRanges") or []
    try:
        return int(str(ranges[0]).split("-")[0]) if ranges else default
    except ValueError:
        return default


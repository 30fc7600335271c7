"""The Microsoft Graph adapter: msgraph-sdk's request builders, auth and middleware, with
responses parsed into our own small records.

msgraph-sdk's generated models cost about 17 ms of CPU per list item to deserialise
(docs/design notes); the same pipeline returning bytes costs a fraction of a millisecond.
So every request goes through the SDK's GraphRequestAdapter (authentication, retry and
throttling middleware, URL templates) with a native response handler, and the JSON is read
with json.loads into ``records``. Errors are mapped to ``errors`` at this boundary.

Requests that the SDK's retry handler will not repeat (streamed file content) and those
that fail without an answer (a dropped connection) are retried here, honouring
Retry-After. A counter records requests per operation for tests and benchmarks.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

from .errors import GraphError, GraphUnavailableError, error_for
from .records import DeltaPage, DriveItem, ListInfo, ListItem, parse_drive_item, parse_list_item

T = TypeVar("T")
SMALL_UPLOAD_LIMIT = 4 * 1024 * 1024  # Graph: simple upload up to 4 MB
CHUNK = 5 * 320 * 1024  # upload session ranges must be multiples of 320 KiB
APP_DISPLAY_NAME = "Attendance Casework"


@dataclass
class RetryPolicy:
    attempts: int = 6
    base_delay: float = 0.2
    max_delay: float = 30.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_delay)
        return min(self.base_delay * 2.0 ** attempt + random.uniform(0, self.base_delay),
                   self.max_delay)


@dataclass
class GraphTarget:
    """Where Graph is and which site the product lives in."""

    base_url: str  # https://graph.microsoft.com/v1.0, or the dev tenant's
    hostname: str  # contoso.sharepoint.com
    site_path: str  # /sites/attendance
    app_id: str = ""  # our Entra app's client id: writes by it are our own


@dataclass
class GraphClient:
    target: GraphTarget
    request_adapter: Any  # msgraph GraphRequestAdapter
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    requests: Counter[str] = field(default_factory=Counter)
    retries: Counter[str] = field(default_factory=Counter)
    _site_id: str = ""
    _drive_id: str = ""
    _folders: dict[str, str] = field(default_factory=dict)

    # -- plumbing ----------------------------------------------------------------------

    @property
    def base(self) -> str:
        return self.target.base_url.rstrip("/")

    async def send(self, operation: str, method: str, url: str, body: bytes | None = None,
                   content_type: str = "application/json",
                   headers: dict[str, str] | None = None, retry_all: bool = False) -> Any:
        """One request through the SDK pipeline; the native httpx response, or a GraphError.

        GET, PATCH and PUT are retried here when the connection drops or Graph is busy;
        a POST is retried only when ``retry_all`` says repeating it is harmless.
        """
        import httpx

        idempotent = retry_all or method in ("GET", "PUT", "PATCH", "DELETE")
        attempt = 0
        while True:
            self.requests[operation] += 1
            try:
                response = await self.request_adapter.send_primitive_async(
                    self._info(method, url, body, content_type, headers), "bytes", None)
            except httpx.TransportError as exc:
                error: GraphError = GraphUnavailableError(
                    f"{operation}: no answer from Microsoft Graph ({type(exc).__name__})")
            else:
                if response.status_code < 400:
                    return response
                error = _error(operation, response)
            if not (idempotent and isinstance(error, GraphUnavailableError)
                    and attempt + 1 < self.retry.attempts):
                raise error
            self.retries[operation] += 1
            await self.retry.sleep(self.retry.delay(attempt, error.retry_after))
            attempt += 1

    def _info(self, method: str, url: str, body: bytes | None, content_type: str,
              headers: dict[str, str] | None) -> Any:
        from kiota_abstractions.method import Method
        from kiota_abstractions.native_response_handler import NativeResponseHandler
        from kiota_abstractions.request_information import RequestInformation
        from kiota_http.middleware.options import ResponseHandlerOption

        info = RequestInformation(Method[method])
        info.url = url if "://" in url else f"{self.base}{url}"
        info.headers.try_add("Accept", "application/json")
        for name, value in (headers or {}).items():
            info.headers.add(name, value)
        if body is not None:
            info.set_stream_content(body, content_type)
        info.add_request_options([ResponseHandlerOption(NativeResponseHandler())])
        return info

    async def json(self, operation: str, method: str, url: str, payload: Any = None,
                   headers: dict[str, str] | None = None, retry_all: bool = False) -> Any:
        body = None if payload is None else json.dumps(payload).encode("utf-8")
        response = await self.send(operation, method, url, body, headers=headers,
                                   retry_all=retry_all)
        return json.loads(response.content) if response.content else None

    # -- site and lists ----------------------------------------------------------------

    async def site_id(self) -> str:
        if not self._site_id:
            path = quote(self.target.site_path)
            site = await self.json("get site", "GET",
                                   f"/sites/{self.target.hostname}:{path}")
            self._site_id = site["id"]
        return self._site_id

    async def lists(self) -> dict[str, ListInfo]:
        """Every list and library of the site, by display name, with its columns."""
        site = await self.site_id()
        found: dict[str, ListInfo] = {}
        url: str | None = f"/sites/{site}/lists?$expand=columns"
        while url:
            page = await self.json("get lists", "GET", url)
            for raw in page["value"]:
                found[raw["displayName"]] = ListInfo(
                    raw["id"], raw["displayName"], tuple(raw.get("columns", [])),
                    raw.get("list", {}).get("template", ""), raw)
            url = page.get("@odata.nextLink")
        return found

    async def create_list(self, definition: dict[str, Any]) -> ListInfo:
        site = await self.site_id()
        raw = await self.json("create list", "POST", f"/sites/{site}/lists", definition)
        return ListInfo(raw["id"], raw["displayName"], tuple(raw.get("columns", [])),
                        raw.get("list", {}).get("template", ""), raw)

    async def add_column(self, list_id: str, column: dict[str, Any]) -> dict[str, Any]:
        site = await self.site_id()
        created: dict[str, Any] = await self.json(
            "add column", "POST", f"/sites/{site}/lists/{list_id}/columns", column)
        return created

    async def update_column(self, list_id: str, column_id: str,
                            changes: dict[str, Any]) -> dict[str, Any]:
        site = await self.site_id()
        updated: dict[str, Any] = await self.json(
            "update column", "PATCH", f"/sites/{site}/lists/{list_id}/columns/{column_id}",
            changes)
        return updated

    async def use_library(self, list_id: str) -> None:
        """File into this document library (a list with a drive) instead of the default."""
        drive = await self.json("get library", "GET",
                                f"/sites/{await self.site_id()}/lists/{list_id}/drive")
        if drive["id"] != self._drive_id:
            self._drive_id = drive["id"]
            self._folders.clear()

    # -- list items --------------------------------------------------------------------

    async def _items_url(self, list_id: str) -> str:
        return f"/sites/{await self.site_id()}/lists/{list_id}/items"

    async def create_item(self, list_id: str, fields: dict[str, Any]) -> ListItem:
        raw = await self.json("create item", "POST", await self._items_url(list_id),
                              {"fields": fields})
        return parse_list_item(raw, self.target.app_id)

    async def get_item(self, list_id: str, item_id: str) -> ListItem:
        raw = await self.json("get item", "GET",
                              f"{await self._items_url(list_id)}/{item_id}?$expand=fields")
        return parse_list_item(raw, self.target.app_id)

    async def all_items(self, list_id: str) -> list[ListItem]:
        """Every item with its fields, following @odata.nextLink."""
        url: str | None = f"{await self._items_url(list_id)}?$expand=fields&$top=500"
        items: list[ListItem] = []
        while url:
            page = await self.json("get items", "GET", url)
            items += [parse_list_item(raw, self.target.app_id) for raw in page["value"]]
            url = page.get("@odata.nextLink")
        return items

    async def update_fields(self, list_id: str, item_id: str, fields: dict[str, Any],
                            etag: str = "") -> dict[str, Any]:
        headers = {"If-Match": etag} if etag else None
        updated: dict[str, Any] = await self.json(
            "update item", "PATCH", f"{await self._items_url(list_id)}/{item_id}/fields",
            fields, headers=headers)
        return updated

    async def delete_item(self, list_id: str, item_id: str) -> None:
        await self.send("delete item", "DELETE", f"{await self._items_url(list_id)}/{item_id}")

    async def delta(self, list_id: str, link: str = "") -> DeltaPage:
        """One page of changes: from a stored next or delta link, or from the start."""
        url = link or f"{await self._items_url(list_id)}/delta?$expand=fields"
        page = await self.json("read changes", "GET", url)
        return DeltaPage(
            items=tuple(parse_list_item(raw, self.target.app_id) for raw in page["value"]),
            next_link=page.get("@odata.nextLink", ""),
            delta_link=page.get("@odata.deltaLink", ""))

    async def latest_delta_link(self, list_id: str) -> str:
        page = await self.json("read changes", "GET",
                               f"{await self._items_url(list_id)}/delta?token=latest")
        link: str = page["@odata.deltaLink"]
        return link

    # -- the document library ----------------------------------------------------------

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

    async def upload(self, folder_path: str, name: str, content: bytes) -> DriveItem:
        """Put a file in a folder, replacing one of the same name; large ones in ranges."""
        folder = await self.ensure_folder(folder_path)
        drive = await self.drive_id()
        if len(content) <= SMALL_UPLOAD_LIMIT:
            response = await self.send(
                "upload file", "PUT",
                f"/drives/{drive}/items/{folder}:/{_q(name)}:/content"
                "?@microsoft.graph.conflictBehavior=replace",
                content, content_type="application/octet-stream")
            return parse_drive_item(json.loads(response.content))
        return await self._upload_in_ranges(drive, folder, name, content)

    async def _upload_in_ranges(self, drive: str, folder: str, name: str,
                                content: bytes) -> DriveItem:
        import httpx

        session = await self.json(
            "start upload", "POST",
            f"/drives/{drive}/items/{folder}:/{_q(name)}:/createUploadSession",
            {"item": {"@microsoft.graph.conflictBehavior": "replace"}}, retry_all=True)
        upload_url = session["uploadUrl"]
        total = len(content)
        start = 0
        # The upload URL is pre-authenticated: Graph asks that no token is sent with it.
        async with httpx.AsyncClient(timeout=60) as plain:
            attempt = 0
            while True:
                end = min(start + CHUNK, total) - 1
                self.requests["upload range"] += 1
                try:
                    response = await plain.put(upload_url, content=content[start:end + 1],
                                               headers={"Content-Range":
                                                        f"bytes {start}-{end}/{total}"})
                except httpx.TransportError:
                    response = None
                if response is not None and response.status_code in (200, 201):
                    return parse_drive_item(response.json())
                if response is not None and response.status_code == 202:
                    ranges = response.json().get("nextExpectedRanges") or [f"{end + 1}-"]
                    start = int(ranges[0].split("-")[0])
                    attempt = 0
                    continue
                busy = response is None or response.status_code in (429, 500, 502, 503, 504)
                if not busy or attempt + 1 >= self.retry.attempts:
                    raise (_error("upload file", response) if response is not None
                           else GraphUnavailableError("upload file: no answer"))
                self.retries["upload range"] += 1
                after = _retry_after(response) if response is not None else None
                await self.retry.sleep(self.retry.delay(attempt, after))
                attempt += 1
                # Ask where to resume: a range may have landed before the connection dropped.
                status = await plain.get(upload_url)
                if status.status_code == 200:
                    ranges = status.json().get("nextExpectedRanges") or []
                    if ranges:
                        start = int(ranges[0].split("-")[0])

    async def set_file_fields(self, item_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        drive = await self.drive_id()
        updated: dict[str, Any] = await self.json(
            "set file columns", "PATCH", f"/drives/{drive}/items/{item_id}/listItem/fields",
            fields)
        return updated

    # -- subscriptions -----------------------------------------------------------------

    async def subscribe(self, list_id: str, notification_url: str, client_state: str,
                        expires: str) -> dict[str, Any]:
        site = await self.site_id()
        created: dict[str, Any] = await self.json("create subscription", "POST", "/subscriptions", {
            "changeType": "updated", "notificationUrl": notification_url,
            "resource": f"sites/{site}/lists/{list_id}", "expirationDateTime": expires,
            "clientState": client_state})
        return created

    async def renew(self, subscription_id: str, expires: str) -> dict[str, Any]:
        renewed: dict[str, Any] = await self.json(
            "renew subscription", "PATCH", f"/subscriptions/{subscription_id}",
            {"expirationDateTime": expires})
        return renewed

    async def unsubscribe(self, subscription_id: str) -> None:
        await self.send("delete subscription", "DELETE", f"/subscriptions/{subscription_id}")

    # -- batching ----------------------------------------------------------------------

    async def batch(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Up to 20 requests in one round trip; each answer is returned, not raised."""
        answers: list[dict[str, Any]] = []
        for start in range(0, len(requests), 20):
            chunk = requests[start:start + 20]
            result = await self.json("batch", "POST", "/$batch", {"requests": chunk})
            by_id = {r["id"]: r for r in result["responses"]}
            answers += [by_id[r["id"]] for r in chunk]
        return answers


def _q(path: str) -> str:
    """A path for Graph's root:/path: addressing: each segment percent-encoded."""
    return "/".join(quote(part, safe="") for part in path.split("/"))


def _retry_after(response: Any) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _error(operation: str, response: Any) -> GraphError:
    code, message = "", ""
    try:
        body = json.loads(response.content or b"{}")
        code = body.get("error", {}).get("code", "")
        message = body.get("error", {}).get("message", "")
    except (ValueError, AttributeError):
        pass
    return error_for(response.status_code, code, message, operation,
                     retry_after=_retry_after(response),
                     location=response.headers.get("Location", ""))

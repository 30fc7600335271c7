"""The Microsoft Graph adapter: msgraph-sdk's request builders, auth and middleware, with
responses parsed into our own small records.

msgraph-sdk's generated models cost about 13 ms of CPU per list item to deserialise (a
20-item delta page: 260 ms through the models, 1.6 ms here; tests/benchmarks/bench_graph.py).
So every request goes through the SDK's GraphRequestAdapter (authentication, redirect,
retry and telemetry middleware) with a native response handler, and the JSON is read with
json.loads into ``records``. Every failure is mapped to ``errors`` at this boundary.

Retries have one owner, this module, so they never multiply (the SDK's RetryHandler is
switched off). Requests that are harmless to repeat (GET, PUT, PATCH, DELETE, and POSTs
marked so) are retried on 429, 5xx and a lost connection; other POSTs only on 429, 503 and
504, never after an answer was lost. Retry-After is honoured; one longer than the policy's
max_delay is not waited for: the error is raised at once, for the sweep to leave the work to
a later run rather than retry early. Counters record requests and retries per operation for
tests and benchmarks.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

from .errors import (
    PERMISSION_ADVICE,
    AccessDeniedError,
    GraphError,
    GraphUnavailableError,
    NotFoundError,
    error_for,
)
from .records import DeltaPage, DriveItem, ListInfo, ListItem, parse_drive_item, parse_list_item

T = TypeVar("T")
SMALL_UPLOAD_LIMIT = 4 * 1024 * 1024  # Graph: simple upload up to 4 MB
CHUNK = 5 * 320 * 1024  # upload session ranges must be multiples of 320 KiB
APP_DISPLAY_NAME = "Attendance Casework"
IDEMPOTENT = frozenset({"GET", "PUT", "PATCH", "DELETE"})
BATCH_LIMIT = 20  # Graph: at most 20 requests in one $batch


@dataclass
class RetryPolicy:
    """How often and how long to wait before asking Graph again.

    A Retry-After up to ``max_delay`` is waited for in full; a longer one is not waited for
    at all (nor cut short: asking again early only prolongs the throttling, as Graph counts
    throttled requests against the app): ``defers`` says so, and the request fails at once
    with ``deferred``'s GraphUnavailableError carrying ``retry_after``, for the caller to
    leave the work to a later sweep. Graph and SharePoint ask for minutes at times
    (Retry-After 315 s: learn.microsoft.com/answers/questions/648796; SharePoint Online
    throttles with 429 or 503, both with Retry-After: https://learn.microsoft.com/
    sharepoint/dev/general-development/how-to-avoid-getting-throttled-or-blocked-in-
    sharepoint-online), longer than a sweep should hold a Functions worker.
    """

    attempts: int = 6
    base_delay: float = 0.2
    max_delay: float = 30.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_delay)
        return min(self.base_delay * 2.0 ** attempt + random.uniform(0, self.base_delay),
                   self.max_delay)

    def defers(self, retry_after: float | None) -> bool:
        """Whether Graph asked for a longer wait than this policy sleeps (``max_delay``)."""
        return retry_after is not None and retry_after > self.max_delay

    def deferred(self, error: GraphError) -> GraphUnavailableError:
        """The error for a request Graph asked to be repeated only after ``retry_after``
        seconds, longer than we wait: the work is for a later sweep."""
        after = error.retry_after or 0.0
        what = str(error).split(":", 1)[0]
        return GraphUnavailableError(
            f"{what}: Microsoft Graph asked to wait {after:g} s before trying again "
            f"({error.status} {error.code}".rstrip() + "); left for a later sweep",
            error.status, error.code, retry_after=error.retry_after)


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
    retries: Counter[str] = field(default_factory=Counter)  # ours, per operation
    sdk_retries: Counter[str] = field(default_factory=Counter)  # the SDK RetryHandler's
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

        Every retry is made here, with the SDK's RetryHandler switched off, so the sleep
        can be injected and a long Retry-After is never slept (RetryPolicy). GET, PUT, PATCH
        and DELETE (and POSTs ``retry_all`` says are harmless to repeat) are retried when
        the connection drops or Graph answers 429 or 5xx; any other POST only on 429, 503
        and 504, answers that say Graph did not take it (what the SDK's RetryHandler
        repeated), never after a lost answer, which may follow a write that landed. When
        Graph's Retry-After is longer than ``retry.max_delay`` nothing is retried: the
        GraphUnavailableError is raised at once, carrying ``retry_after``.
        Whatever the pipeline raises is mapped to a GraphError: nothing third-party escapes.
        """
        idempotent = retry_all or method in IDEMPOTENT
        attempt = 0
        while True:
            self.requests[operation] += 1
            info = self._info(method, url, body, content_type, headers, True)
            cause: BaseException | None = None
            try:
                response = await self.request_adapter.send_primitive_async(info, "bytes", None)
            except Exception as exc:  # the SDK pipeline's failures, mapped at the boundary
                cause, error = exc, _failure(operation, exc)
            else:
                if repeated := _sdk_retries(response):
                    self.sdk_retries[operation] += repeated
                if response.status_code < 400:
                    return response
                error = _error(operation, response)
            if isinstance(error, GraphUnavailableError) and self.retry.defers(error.retry_after):
                raise self.retry.deferred(error) from cause
            repeatable = idempotent or error.status in (429, 503, 504)
            if not (repeatable and isinstance(error, GraphUnavailableError)
                    and attempt + 1 < self.retry.attempts):
                raise error from cause
            self.retries[operation] += 1
            await self.retry.sleep(self.retry.delay(attempt, error.retry_after))
            attempt += 1

    def _info(self, method: str, url: str, body: bytes | None, content_type: str,
              headers: dict[str, str] | None, retried_here: bool = False) -> Any:
        from kiota_abstractions.method import Method
        from kiota_abstractions.native_response_handler import NativeResponseHandler
        from kiota_abstractions.request_information import RequestInformation
        from kiota_http.middleware.options import ResponseHandlerOption, RetryHandlerOption

        info = RequestInformation(Method[method])
        info.url = url if "://" in url else f"{self.base}{url}"
        info.headers.try_add("Accept", "application/json")
        for name, value in (headers or {}).items():
            info.headers.add(name, value)
        if body is not None:
            info.set_stream_content(body, content_type)
        options: list[Any] = [ResponseHandlerOption(NativeResponseHandler())]
        if retried_here:
            # One owner per request: with both the SDK's RetryHandler (3 retries) and ours
            # (6 attempts) a dead Graph took 24 requests and 26 s to report; ours also
            # covers dropped connections and 500/502, and its sleep can be injected.
            options.append(RetryHandlerOption(should_retry=False))
        info.add_request_options(options)
        return info

    async def json(self, operation: str, method: str, url: str, payload: Any = None,
                   headers: dict[str, str] | None = None, retry_all: bool = False) -> Any:
        body = None if payload is None else json.dumps(payload).encode("utf-8")
        response = await self.send(operation, method, url, body, headers=headers,
                                   retry_all=retry_all)
        return _parse(operation, response)

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
        url = self._on_our_host(link) if link else \
            f"{await self._items_url(list_id)}/delta?$expand=fields"
        page = await self.json("read changes", "GET", url)
        return DeltaPage(
            items=tuple(parse_list_item(raw, self.target.app_id) for raw in page["value"]),
            next_link=page.get("@odata.nextLink", ""),
            delta_link=page.get("@odata.deltaLink", ""))

    def _on_our_host(self, link: str) -> str:
        """A stored link, on the configured Graph host: a link kept from another address
        (the dev tenant restarted on a new port, say) is read from ours, and a token is
        never sent to a host we were not configured for."""
        from urllib.parse import urlsplit, urlunsplit

        ours, theirs = urlsplit(self.base), urlsplit(link)
        if theirs.netloc == ours.netloc and theirs.scheme == ours.scheme:
            return link
        return urlunsplit(theirs._replace(scheme=ours.scheme, netloc=ours.netloc))

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
                    return parse_drive_item(_parse("upload file", response))
                if response is not None and response.status_code == 202:
                    start = _next_range(_parse("upload file", response), end + 1)
                    attempt = 0
                    continue
                error = (_error("upload file", response) if response is not None
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
                    start = _next_range(_parse("upload status", status), start)

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
        # Repeating a whole $batch is harmless when every request in it is.
        harmless = all(str(r.get("method", "")).upper() in IDEMPOTENT for r in requests)
        answers: list[dict[str, Any]] = []
        for start in range(0, len(requests), BATCH_LIMIT):
            chunk = requests[start:start + BATCH_LIMIT]
            result = await self.json("batch", "POST", "/$batch", {"requests": chunk},
                                     retry_all=harmless)
            by_id = {str(r["id"]).lower(): r for r in result["responses"]}
            answers += [by_id[str(r["id"]).lower()] for r in chunk]
        return answers

    async def update_fields_batch(
            self, list_id: str, updates: Mapping[str, dict[str, Any]],
    ) -> dict[str, dict[str, Any] | GraphError]:
        """Write many items' fields through $batch, 20 a request; per item, its updated
        fields or the GraphError it ended with (not raised, so one refusal stops nothing).

        Items that Graph was too busy for are sent again in a later batch, honouring the
        longest Retry-After among them; an item whose Retry-After is longer than
        ``retry.max_delay`` is not sent again: it ends with GraphUnavailableError carrying
        that ``retry_after``, for a later sweep (RetryPolicy.defers).
        """
        items = await self._items_url(list_id)
        results: dict[str, dict[str, Any] | GraphError] = {}
        pending = dict(updates)
        attempt = 0
        while pending:
            ids = list(pending)
            answers = await self.batch([
                {"id": str(n), "method": "PATCH", "url": f"{items}/{item_id}/fields",
                 "headers": {"Content-Type": "application/json"}, "body": pending[item_id]}
                for n, item_id in enumerate(ids)])
            busy: dict[str, dict[str, Any]] = {}
            waits: list[float] = []
            for item_id, answer in zip(ids, answers, strict=True):
                outcome = _batch_outcome("update item", answer)
                if (isinstance(outcome, GraphUnavailableError)
                        and self.retry.defers(outcome.retry_after)):
                    results[item_id] = self.retry.deferred(outcome)
                elif (isinstance(outcome, GraphUnavailableError)
                        and attempt + 1 < self.retry.attempts):
                    busy[item_id] = pending[item_id]
                    waits.append(outcome.retry_after or 0.0)
                else:
                    results[item_id] = outcome
            if busy:
                self.retries["update item (batch)"] += len(busy)
                await self.retry.sleep(self.retry.delay(attempt, max(waits) or None))
                attempt += 1
            pending = busy
        return {item_id: results[item_id] for item_id in updates}


def _batch_outcome(operation: str, answer: dict[str, Any]) -> dict[str, Any] | GraphError:
    """One $batch answer: its JSON body, or the error its status maps to."""
    status = int(answer.get("status") or 0)
    body = answer.get("body")
    if 200 <= status < 400:
        return body if isinstance(body, dict) else {}
    error = body.get("error", {}) if isinstance(body, dict) else {}
    headers = {str(k).lower(): v for k, v in (answer.get("headers") or {}).items()}
    try:
        after: float | None = float(headers["retry-after"])
    except (KeyError, TypeError, ValueError):
        after = None
    return error_for(status, str(error.get("code", "")), str(error.get("message", "")),
                     operation, retry_after=after)


def _q(path: str) -> str:
    """A path for Graph's root:/path: addressing: each segment percent-encoded."""
    return "/".join(quote(part, safe="") for part in path.split("/"))


def _parse(operation: str, response: Any) -> Any:
    """The JSON of a successful answer; an answer that is not JSON is a GraphError."""
    if not response.content:
        return None
    try:
        return json.loads(response.content)
    except ValueError as exc:  # e.g. a proxy's HTML page with 200
        raise GraphError(f"{operation}: Microsoft Graph answered {response.status_code} with "
                         "something that is not JSON", response.status_code) from exc


def _failure(operation: str, exc: Exception) -> GraphError:
    """The error for a request that got no usable answer (httpx, kiota or credential)."""
    import httpx
    from azure.core.exceptions import ClientAuthenticationError

    kind = type(exc).__name__
    if isinstance(exc, httpx.TransportError):  # refused, dropped, timed out
        return GraphUnavailableError(f"{operation}: no answer from Microsoft Graph ({kind})")
    if isinstance(exc, ClientAuthenticationError):  # no managed identity, a bad certificate
        return AccessDeniedError(f"{operation}: no access token ({kind}). {PERMISSION_ADVICE}")
    return GraphError(f"{operation}: the request failed before Graph answered ({kind}: {exc})")


def _sdk_retries(response: Any) -> int:
    """How often the SDK's RetryHandler repeated the request (its Retry-Attempt header)."""
    try:
        return int(response.request.headers.get("Retry-Attempt", 0))
    except (AttributeError, RuntimeError, ValueError):
        return 0


def _next_range(status: Any, default: int) -> int:
    """Where an upload session expects the next byte, from its nextExpectedRanges."""
    ranges = (status or {}).get("nextExpectedRanges") or []
    try:
        return int(str(ranges[0]).split("-")[0]) if ranges else default
    except ValueError:
        return default


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

"""A small SharePoint REST client for what Graph v1.0 cannot do: list views, column and view
formatters, the list form's layout, "show when" formulas and list validation.

Requests follow Microsoft's "Complete basic operations using SharePoint REST endpoints"
(https://learn.microsoft.com/sharepoint/dev/sp-add-ins/complete-basic-operations-using-sharepoint-rest-endpoints)
and the View, Field, ContentType and List resources of the REST reference
(https://learn.microsoft.com/previous-versions/office/developer/sharepoint-rest-reference/dn531433(v=office.15)):

- reads are GET with ``Accept: application/json;odata=nometadata`` (collections in ``value``);
- creating is POST to the collection with a ``{"__metadata": {"type": "SP.View"}, ...}`` body
  sent as ``application/json;odata=verbose``;
- updating is POST with ``X-HTTP-Method: MERGE`` and ``IF-MATCH: *`` (204 No Content);
  deleting is POST with ``X-HTTP-Method: DELETE`` and ``IF-MATCH: *``;
- a view's columns: POST ``ViewFields/removeallviewfields`` then ``addviewfield('Name')``.

One retry layer: a 429 or 503 is tried once more after its Retry-After (or 2 s). Logs and
errors name lists, views and fields, never an item's content.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import quote

import httpx

from function_app.adapters.graph.auth import origin

from .auth import DevToken, TokenSource
from .errors import (
    PERMISSION_ADVICE,
    RestAccessDeniedError,
    RestNotFoundError,
    RestUnavailableError,
    SharePointRestError,
)

ACCEPT = "application/json;odata=nometadata"
CONTENT_TYPE = "application/json;odata=verbose"
RETRY_STATUSES = (429, 503)
DEFAULT_RETRY_AFTER = 2.0


def _literal(value: str) -> str:
    """A string as an OData literal inside a URL: quotes doubled, then percent-encoded."""
    return "'" + quote(value.replace("'", "''"), safe="") + "'"


class SharePointRest:
    """SharePoint REST for one site, e.g. https://contoso.sharepoint.com/sites/attendance."""

    def __init__(self, web_url: str, token: TokenSource, *,
                 transport: httpx.AsyncBaseTransport | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 max_wait: float = 120.0, timeout: float = 30.0) -> None:
        self.web_url = web_url.rstrip("/")
        self._token = token
        self._sleep = sleep
        self._max_wait = max_wait
        self._http = httpx.AsyncClient(transport=transport, timeout=timeout)
        self.requests: Counter[str] = Counter()  # per operation, for reports and tests
        self.retries: Counter[str] = Counter()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- lists -------------------------------------------------------------------------------

    def _list(self, title: str) -> str:
        return f"/_api/web/lists/GetByTitle({_literal(title)})"

    async def list_settings(self, title: str) -> dict[str, Any]:
        """The list's Id, Title, ValidationFormula and ValidationMessage."""
        return await self._get("list", self._list(title) +
                               "?$select=Id,Title,ValidationFormula,ValidationMessage")

    async def update_list(self, title: str, changes: Mapping[str, Any]) -> None:
        await self._merge("update list", self._list(title), "SP.List", changes)

    # -- fields ------------------------------------------------------------------------------

    async def fields(self, title: str) -> list[dict[str, Any]]:
        """Every field of the list with its formatter and formulas."""
        select = ("InternalName,Title,CustomFormatter,ClientValidationFormula,"
                  "ClientValidationMessage,ValidationFormula,ValidationMessage")
        return await self._values("fields", f"{self._list(title)}/fields?$select={select}")

    def _field(self, title: str, name: str) -> str:
        return f"{self._list(title)}/fields/getbyinternalnameortitle({_literal(name)})"

    async def update_field(self, title: str, name: str, changes: Mapping[str, Any]) -> None:
        await self._merge("update field", self._field(title, name), "SP.Field", changes)

    async def delete_field(self, title: str, name: str) -> None:
        await self._send("delete field", "POST", self._field(title, name),
                         headers={"X-HTTP-Method": "DELETE", "IF-MATCH": "*"})

    # -- views -------------------------------------------------------------------------------

    async def views(self, title: str) -> list[dict[str, Any]]:
        select = "Id,Title,ViewQuery,RowLimit,CustomFormatter,DefaultView,PersonalView"
        return await self._values("views", f"{self._list(title)}/views?$select={select}")

    def _view(self, title: str, view_id: str) -> str:
        return f"{self._list(title)}/views({_literal(view_id)})"

    async def view_fields(self, title: str, view_id: str) -> list[str]:
        body = await self._get("view fields", f"{self._view(title, view_id)}/ViewFields")
        items = body.get("Items", [])
        if isinstance(items, Mapping):  # odata=verbose's shape, should a server send it
            items = items.get("results", [])
        return [str(name) for name in items]

    async def create_view(self, title: str, properties: Mapping[str, Any]) -> dict[str, Any]:
        """A new public view (Title, ViewQuery, RowLimit, ...); its fields are set after."""
        body = {"__metadata": {"type": "SP.View"}, "PersonalView": False, **properties}
        return await self._send("create view", "POST", f"{self._list(title)}/views", body=body)

    async def update_view(self, title: str, view_id: str, changes: Mapping[str, Any]) -> None:
        await self._merge("update view", self._view(title, view_id), "SP.View", changes)

    async def set_view_fields(self, title: str, view_id: str, names: list[str]) -> None:
        """Make the view show exactly these fields, in this order."""
        fields = f"{self._view(title, view_id)}/ViewFields"
        await self._send("set view fields", "POST", f"{fields}/removeallviewfields")
        for name in names:
            await self._send("set view fields", "POST", f"{fields}/addviewfield({_literal(name)})")

    async def delete_view(self, title: str, view_id: str) -> None:
        await self._send("delete view", "POST", self._view(title, view_id),
                         headers={"X-HTTP-Method": "DELETE", "IF-MATCH": "*"})

    # -- content types (the list form) -------------------------------------------------------

    async def content_types(self, title: str) -> list[dict[str, Any]]:
        select = "StringId,Name,ClientFormCustomFormatter"
        return await self._values("content types",
                                  f"{self._list(title)}/contenttypes?$select={select}")

    async def update_content_type(self, title: str, string_id: str,
                                  changes: Mapping[str, Any]) -> None:
        await self._merge("update content type",
                          f"{self._list(title)}/contenttypes({_literal(string_id)})",
                          "SP.ContentType", changes)

    # -- the one place requests are sent -----------------------------------------------------

    async def _get(self, operation: str, path: str) -> dict[str, Any]:
        return await self._send(operation, "GET", path)

    async def _values(self, operation: str, path: str) -> list[dict[str, Any]]:
        body = await self._get(operation, path)
        values = body.get("value", body.get("d", {}).get("results", []))
        return [dict(v) for v in values]

    async def _merge(self, operation: str, path: str, type_name: str,
                     changes: Mapping[str, Any]) -> None:
        await self._send(operation, "POST", path,
                         body={"__metadata": {"type": type_name}, **changes},
                         headers={"X-HTTP-Method": "MERGE", "IF-MATCH": "*"})

    async def _send(self, operation: str, method: str, path: str,
                    body: Mapping[str, Any] | None = None,
                    headers: Mapping[str, str] | None = None) -> dict[str, Any]:
        url = self.web_url + path
        sent = {"Accept": ACCEPT, "Authorization": f"Bearer {await self._bearer(url)}",
                **(headers or {})}
        content = None
        if body is not None or method == "POST":
            sent["Content-Type"] = CONTENT_TYPE
            content = json.dumps(body or {}, ensure_ascii=False).encode("utf-8")
        for attempt in (1, 2):
            self.requests[operation] += 1
            try:
                response = await self._http.request(method, url, content=content, headers=sent)
            except httpx.HTTPError as exc:
                raise RestUnavailableError(f"SharePoint did not answer ({operation}): "
                                           f"{type(exc).__name__}") from exc
            if response.status_code in RETRY_STATUSES and attempt == 1:
                self.retries[operation] += 1
                await self._sleep(self._retry_after(response))
                continue
            return self._parse(operation, response)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _bearer(self, url: str) -> str:
        """The token, for a URL on the site's own origin only (the dev token: only loopback)."""
        if origin(url) != origin(self.web_url):
            raise SharePointRestError(f"a request to {origin(url)} was not sent: the token is "
                                      f"only for {origin(self.web_url)}")
        if isinstance(self._token, DevToken):
            return await self._token.for_url(url)
        return await self._token()

    def _retry_after(self, response: httpx.Response) -> float:
        try:
            seconds = float(response.headers.get("Retry-After", DEFAULT_RETRY_AFTER))
        except ValueError:
            seconds = DEFAULT_RETRY_AFTER
        return max(0.0, min(seconds, self._max_wait))

    @staticmethod
    def _parse(operation: str, response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json() if response.content else {}
        except ValueError:
            body = {}
        if response.is_success:
            return dict(body) if isinstance(body, dict) else {}
        error = (body.get("odata.error") or body.get("error") or {}) if isinstance(body, dict) \
            else {}
        message = error.get("message", {})
        text = str(message.get("value", "") if isinstance(message, dict) else message)
        code = str(error.get("code", ""))
        status = response.status_code
        said = f"SharePoint refused to {operation} ({status}): {text or response.reason_phrase}"
        if status in (401, 403):
            raise RestAccessDeniedError(f"{said}. {PERMISSION_ADVICE}", status, code)
        if status == 404 or "does not exist" in text:
            raise RestNotFoundError(said, status, code)
        if status in RETRY_STATUSES or status >= 500:
            raise RestUnavailableError(said, status, code)
        raise SharePointRestError(said, status, code)

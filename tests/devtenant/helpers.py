"""Test helpers for the dev tenant: a small synchronous Graph client, a webhook receiver,
and the comparison of responses with Microsoft's documented examples."""

from __future__ import annotations

import asyncio
import http.client
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from aiohttp import web

from function_app.devtenant import DevTenant

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "graph-examples"

# Annotations Graph itself uses; the dev tenant must not invent others.
GRAPH_ANNOTATIONS = {
    "@odata.context",
    "@odata.etag",
    "@odata.nextLink",
    "@odata.deltaLink",
    "@odata.type",
    "@microsoft.graph.downloadUrl",
    "fields@odata.context",
}


def example(name: str) -> dict[str, Any]:
    """A documented request/response pair from tests/fixtures/graph-examples/."""
    data: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text("utf-8"))
    return data


def assert_documented_shape(documented: Any, actual: Any, where: str = "body") -> None:
    """Every documented property is present with the same JSON type, recursively.

    Values (ids, dates, URLs) differ by design; Graph's examples are truncated, so extra
    properties are allowed, but any @-annotation must be one Graph uses.
    """
    if isinstance(documented, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        for key in actual:
            if "@" in key:
                assert key in GRAPH_ANNOTATIONS, f"{where}: unknown annotation {key}"
        for key, value in documented.items():
            assert key in actual, f"{where}: documented property {key!r} is missing"
            assert_documented_shape(value, actual[key], f"{where}.{key}")
    elif isinstance(documented, list):
        assert isinstance(actual, list), f"{where}: expected a list, got {actual!r}"
        if documented and actual:
            assert_documented_shape(documented[0], actual[0], f"{where}[0]")
    elif isinstance(documented, bool):
        assert isinstance(actual, bool), f"{where}: expected true/false, got {actual!r}"
    elif isinstance(documented, int | float):
        assert isinstance(actual, int | float) and not isinstance(actual, bool), (
            f"{where}: expected a number, got {actual!r}"
        )
    elif isinstance(documented, str):
        assert isinstance(actual, str), f"{where}: expected text, got {actual!r}"


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


@dataclass
class Response:
    status: int
    headers: Message
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def error_code(self) -> str:
        return str(self.json()["error"]["code"])


class Graph:
    """A synchronous Graph client on one keep-alive connection (standard library only)."""

    def __init__(self, tenant: DevTenant, token: str | None = None) -> None:
        self.tenant = tenant
        self.token = tenant.app_token if token is None else token
        self._connection = http.client.HTTPConnection("127.0.0.1", tenant.port, timeout=30)

    def close(self) -> None:
        self._connection.close()

    def target(self, url: str) -> str:
        """The request target: absolute URLs (nextLink, uploadUrl) as given, else encoded."""
        if url.startswith("http"):
            parts = urlsplit(url)
            return parts.path + (f"?{parts.query}" if parts.query else "")
        path, _, query = url.partition("?")
        target = "/v1.0" + quote(path, safe="/:,$()!@%")  # "%": already-encoded paths pass
        return target + (f"?{quote(query, safe='=&$,()/:@')}" if query else "")

    def request(
        self,
        method: str,
        url: str,
        json_body: Any = None,
        *,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        auth: bool = True,
    ) -> Response:
        sent = dict(headers or {})
        if auth and self.token:
            sent.setdefault("Authorization", f"Bearer {self.token}")
        if json_body is not None:
            data = json.dumps(json_body).encode("utf-8")
            sent.setdefault("Content-Type", "application/json")
        for attempt in range(2):
            try:
                self._connection.request(method, self.target(url), body=data, headers=sent)
                reply = self._connection.getresponse()
                return Response(reply.status, reply.headers, reply.read())
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self._connection.close()  # an idle keep-alive connection was closed
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def get(self, url: str, **kw: Any) -> Response:
        return self.request("GET", url, **kw)

    def post(self, url: str, body: Any = None, **kw: Any) -> Response:
        return self.request("POST", url, {} if body is None else body, **kw)

    def patch(self, url: str, body: Any, **kw: Any) -> Response:
        return self.request("PATCH", url, body, **kw)

    def put(self, url: str, data: bytes, **kw: Any) -> Response:
        return self.request("PUT", url, data=data, **kw)

    def delete(self, url: str, **kw: Any) -> Response:
        return self.request("DELETE", url, **kw)

    # -- conveniences ------------------------------------------------------------------------

    def new_list(self, columns: list[dict[str, Any]], title: str | None = None) -> dict[str, Any]:
        body = {
            "displayName": title or unique("List"),
            "columns": columns,
            "list": {"template": "genericList"},
        }
        created = self.post(f"/sites/{self.tenant.site_id}/lists", body)
        assert created.status == 201, created.body
        result: dict[str, Any] = created.json()
        return result

    def items_url(self, list_id: str) -> str:
        return f"/sites/{self.tenant.site_id}/lists/{list_id}/items"

    def drive_id(self) -> str:
        return str(self.get(f"/sites/{self.tenant.site_id}/drive").json()["id"])


@dataclass
class Receiver:
    """A webhook endpoint on loopback: answers Graph's validation and records notifications.

    echo=False answers the validation with the wrong text; fail_first makes the first N
    notification POSTs answer 500.
    """

    echo: bool = True
    fail_first: int = 0
    validations: list[str] = field(default_factory=list)
    notifications: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/notifications"

    async def _handle(self, request: web.Request) -> web.Response:
        token = request.query.get("validationToken")
        if token is not None:
            self.validations.append(token)
            return web.Response(text=token if self.echo else "not the token")
        self.attempts += 1
        if self.attempts <= self.fail_first:
            return web.Response(status=500)
        self.notifications.append(await request.json())
        return web.Response(status=202)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def start() -> None:
            app = web.Application()
            app.router.add_post("/api/notifications", self._handle)
            self._runner = web.AppRunner(app, access_log=None)
            await self._runner.setup()
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            await site.start()
            self.port = self._runner.addresses[0][1]

        self._loop.run_until_complete(start())
        self._ready.set()
        self._loop.run_forever()

    def __enter__(self) -> Receiver:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            if self._runner is not None:
                await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """The notification POST bodies, once at least count have arrived."""
        deadline = time.monotonic() + timeout
        while len(self.notifications) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return list(self.notifications)

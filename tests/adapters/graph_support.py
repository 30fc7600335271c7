"""Shared by the Graph adapter's tests: clients for the dev tenant, quick retries, and small
aiohttp servers on loopback (a webhook receiver, a stub Graph for failures the dev tenant
cannot produce)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import pytest
from aiohttp import web

from function_app.adapters.graph.auth import dev_token_provider, request_adapter
from function_app.adapters.graph.client import GraphClient, GraphTarget, RetryPolicy
from function_app.adapters.graph.errors import GraphError
from function_app.bootstrap import DEV_APP_ID
from function_app.devtenant import DevTenant

Answer = Callable[[web.Request], Awaitable[web.StreamResponse]]
STUB_HOST = "stub.sharepoint.local"
SITE_PATH = "/sites/attendance"


@dataclass
class ScaledSleep:
    """A RetryPolicy sleep that records each delay asked for and waits a fraction of it, so
    Retry-After is honoured in proportion without making tests wait whole seconds."""

    scale: float = 0.01
    asked: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        await asyncio.sleep(seconds * self.scale)


def quick_retry(attempts: int = 6, scale: float = 0.01) -> RetryPolicy:
    return RetryPolicy(attempts=attempts, sleep=ScaledSleep(scale))


def asked_sleeps(client: GraphClient) -> list[float]:
    sleep = client.retry.sleep
    assert isinstance(sleep, ScaledSleep)
    return sleep.asked


def graph_client(base_url: str, token: str, *, hostname: str = STUB_HOST,
                 site_path: str = SITE_PATH, app_id: str = DEV_APP_ID,
                 retry: RetryPolicy | None = None, auth: Any = None) -> GraphClient:
    """The production GraphClient over msgraph-sdk's request adapter, aimed at base_url."""
    return GraphClient(GraphTarget(base_url, hostname, site_path, app_id),
                       request_adapter(base_url, auth or dev_token_provider(base_url, token)),
                       retry=retry or quick_retry())


def tenant_client(tenant: DevTenant, token: str = "", *, app_id: str = DEV_APP_ID,
                  retry: RetryPolicy | None = None) -> GraphClient:
    """A client of the dev tenant: as the app by default, or with a member of staff's token."""
    return graph_client(tenant.base_url, token or tenant.app_token, hostname=tenant.hostname,
                        site_path=tenant.site_path, app_id=app_id, retry=retry)


def simple_list(title: str) -> dict[str, Any]:
    return {"displayName": title, "list": {"template": "genericList"},
            "columns": [{"name": "Status", "text": {}}, {"name": "Note", "text": {}}]}


async def failure_of(action: Awaitable[object]) -> GraphError:
    """The GraphError an action raised; fails the test if anything else escaped."""
    try:
        await action
    except GraphError as error:
        return error
    except Exception as other:  # kiota's APIError, httpx's errors: must never reach callers
        pytest.fail(f"{type(other).__module__}.{type(other).__name__} escaped the adapter: "
                    f"{other}")
    pytest.fail("the action succeeded; a GraphError was expected")


class Loopback:
    """An aiohttp app on 127.0.0.1, served by the running event loop; records each request."""

    def __init__(self, answer: Answer) -> None:
        self._answer = answer
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.seen: list[str] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1.0"

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(f"{request.method} {request.path}")
        return await self._answer(request)

    async def __aenter__(self) -> Loopback:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


class StubGraph(Loopback):
    """Graph that knows the site (so clients get past looking it up) and answers every
    other request with ``answer``: the failures the dev tenant cannot produce."""

    def __init__(self, answer: Answer) -> None:
        async def site_or_answer(request: web.Request) -> web.StreamResponse:
            if request.method == "GET" and request.path.startswith(f"/v1.0/sites/{STUB_HOST}:"):
                return web.json_response({"id": f"{STUB_HOST},site,web"})
            return await answer(request)

        super().__init__(site_or_answer)


def graph_error(status: int, code: str, headers: dict[str, str] | None = None) -> Answer:
    async def answer(request: web.Request) -> web.StreamResponse:
        return web.json_response({"error": {"code": code, "message": f"stub {status}"}},
                                 status=status, headers=headers)

    return answer


async def drop_connection(request: web.Request) -> web.StreamResponse:
    """Close the connection without answering, as a crashed proxy would."""
    if request.transport is not None:
        request.transport.abort()
    return web.Response()  # never written


@dataclass
class Webhook:
    """The app's notification endpoint on loopback: answers Graph's validation handshake
    with the token as text/plain and records each change notification."""

    validations: list[str] = field(default_factory=list)
    notifications: list[dict[str, Any]] = field(default_factory=list)
    _server: Loopback | None = None
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.port}/api/notifications"

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        token = request.query.get("validationToken")
        if token is not None:
            self.validations.append(token)
            return web.Response(text=token, content_type="text/plain")
        self.notifications.append(await request.json())
        self._arrived.set()
        return web.Response(status=202)

    async def next_notification(self, seen: int, timeout: float = 10.0) -> dict[str, Any]:
        """The first notification after the ``seen`` already read."""
        async with asyncio.timeout(timeout):
            while len(self.notifications) <= seen:
                self._arrived.clear()
                await self._arrived.wait()
        return self.notifications[seen]

    async def __aenter__(self) -> Webhook:
        self._server = await Loopback(self._answer).__aenter__()
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if self._server is not None:
            await self._server.__aexit__(kind, exc, tb)

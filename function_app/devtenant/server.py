"""The aiohttp application: raw request -> route -> count -> faults -> auth -> access ->
handler -> reply.

A "lost" fault lets the request run to the end (its write is saved) and then closes the
connection instead of replying; the other faults strike before anything is processed.

Paths are matched percent-decoded, so Graph's path addressing works however a client encodes
it (the SDK sends "root:/a b.docx:" as root%3A%2Fa%20b.docx%3A). aiohttp sets TCP_NODELAY, so
a small JSON answer leaves in one segment without waiting for a delayed ACK.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import parse_qsl, unquote

from aiohttp import web

from . import (
    routes_access,
    routes_batch,
    routes_delta,
    routes_drive,
    routes_items,
    routes_mail,
    routes_sites,
    routes_sp_rest,
    routes_subscriptions,
    routes_uploads,
)
from .access import check_request
from .backend import Backend
from .calls import Call, Reply
from .errors import GraphError
from .faults import RETRY_AFTER_SECONDS
from .identity import from_authorization
from .router import Match, Route, Router
from .sp_rest import SpRestError
from .util import new_guid

log = logging.getLogger("function_app.devtenant")

MAX_BODY = 64 * 1024 * 1024  # an upload range may be up to 60 MiB
VERSION = "/v1.0"

GRAPH_ROUTES: list[Route] = [
    *routes_sites.ROUTES,
    *routes_access.ROUTES,  # before the drive's, which would take ".../permissions" as a path
    *routes_delta.ROUTES,  # before items/{item-id}, which "delta" would also match
    *routes_items.ROUTES,
    *routes_uploads.GRAPH_ROUTES,
    *routes_drive.ROUTES,
    *routes_subscriptions.ROUTES,
    *routes_batch.ROUTES,
    *routes_mail.ROUTES,
]


def _fault_reply(b: Backend, kind: str, call: Call | None) -> Reply:
    """An injected 429 or 503, with Retry-After as the faults are configured to say it."""
    seconds = b.faults.retry_after(kind)
    headers = {} if seconds is None else {"Retry-After": str(seconds)}
    if kind == "throttled":
        error = GraphError(
            429,
            "TooManyRequests",
            "Too many requests (a fault injected by the dev tenant); retry after the "
            "Retry-After header's seconds.",
            headers=headers,
        )
    else:
        error = GraphError(
            503,
            "serviceNotAvailable",
            "The service is temporarily unavailable (a fault injected by the dev tenant).",
            headers=headers,
        )
    return b.error_reply(error, call)


def _lose(request: web.Request) -> web.StreamResponse:
    """Close the connection without an answer (a dropped or lost fault)."""
    if request.transport is not None:
        request.transport.abort()
    return web.Response()  # never written: the connection is gone


class Server:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.graph = Router(GRAPH_ROUTES)
        self.direct = Router(routes_uploads.DIRECT_ROUTES)
        backend.run_subrequest = self.run_subrequest

    def app(self) -> web.Application:
        application = web.Application(client_max_size=MAX_BODY)
        application.router.add_route("*", "/{tail:.*}", self.handle)
        return application

    async def handle(self, request: web.Request) -> web.StreamResponse:
        b = self.backend
        raw_path, _, raw_query = request.raw_path.partition("?")
        path = unquote(raw_path)
        if routes_sp_rest.is_sp_rest(path):
            return await self._sp_rest(request, path, raw_query)
        graph = path == VERSION or path.startswith(VERSION + "/")
        router = self.graph if graph else self.direct
        match = router.match(b, request.method, path[len(VERSION) :] if graph else path)
        b.counter.add(match.template)
        if b.faults.latency_ms:
            await asyncio.sleep(b.faults.latency_ms / 1000)
        fault = b.faults.draw(method=request.method, route=match.template)
        if fault == "dropped":
            return _lose(request)
        call = Call(
            method=request.method,
            path=path[len(VERSION) :] if graph else path,
            query=dict(parse_qsl(raw_query, keep_blank_values=True)),
            headers=request.headers,
            body=b"",
            identity=None,
        )
        if fault in ("throttled", "unavailable"):
            return self._respond(_fault_reply(b, fault, call), call)
        if graph:
            call.identity = from_authorization(request.headers.get("Authorization"),
                                               b.application)
            if call.identity is None:
                missing = not request.headers.get("Authorization")
                error = GraphError(
                    401,
                    "InvalidAuthenticationToken",
                    "Access token is empty."
                    if missing
                    else "Access token validation failure. The dev tenant accepts "
                    "'Bearer dev-app-token' and 'Bearer dev-user:<Display Name>'.",
                    headers={"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'},
                )
                reply = b.error_reply(error, call)
                return _lose(request) if fault == "lost" else self._respond(reply, call)
        call.body = await request.read()
        reply = await self._run(match, call)
        if fault == "lost":  # processed and saved; the answer never reaches the client
            return _lose(request)
        return self._respond(reply, call)

    async def _sp_rest(self, request: web.Request, path: str, raw_query: str
                       ) -> web.StreamResponse:
        """SharePoint REST under a site's path (routes_sp_rest): counted, faulted, signed in."""
        b = self.backend
        b.counter.add(f"{request.method} {routes_sp_rest.template(path)}")
        call = Call(method=request.method, path=path,
                    query=dict(parse_qsl(raw_query, keep_blank_values=True)),
                    headers=request.headers, body=b"", identity=None)
        if b.faults.latency_ms:
            await asyncio.sleep(b.faults.latency_ms / 1000)
        fault = b.faults.draw(droppable=False, method=request.method)
        if fault is not None:
            seconds = b.faults.retry_after(fault)
            seconds = RETRY_AFTER_SECONDS if seconds is None else seconds  # both say it here
            return self._respond(routes_sp_rest.fault_reply(fault, seconds, call), call)
        call.identity = from_authorization(request.headers.get("Authorization"), b.application)
        if call.identity is None:
            return self._respond(routes_sp_rest.unauthorised(call), call)
        call.body = await request.read()
        try:
            reply = await routes_sp_rest.handle(b, call)
        except Exception as exc:
            log.exception("dev tenant: %s %s failed", call.method, call.path)
            failure = SpRestError(500, "-2146232832, System.Exception",
                                                 f"{type(exc).__name__}: {exc}")
            reply = routes_sp_rest.error_reply(failure, call)
        return self._respond(reply, call)

    async def _run(self, match: Match, call: Call) -> Reply:
        try:
            check_request(self.backend, call.method, call.identity, match.params)
            return await match.handler(self.backend, call, match.params)
        except GraphError as error:
            return self.backend.error_reply(error, call)
        except Exception as exc:
            log.exception("dev tenant: %s %s failed", call.method, call.path)
            failure = GraphError(500, "generalException", f"{type(exc).__name__}: {exc}")
            return self.backend.error_reply(failure, call)

    async def run_subrequest(self, call: Call) -> Reply:
        """One request of a JSON batch: counted, throttled on its own, then handled."""
        b = self.backend
        match = self.graph.match(b, call.method, call.path)
        b.batch_counter.add(match.template)
        fault = b.faults.draw(droppable=False, method=call.method, route=match.template)
        if fault is not None:
            return _fault_reply(b, fault, call)
        return await self._run(match, call)

    def _respond(self, reply: Reply, call: Call) -> web.StreamResponse:
        headers = dict(reply.headers)
        headers.setdefault("request-id", new_guid())
        headers.setdefault("client-request-id", call.headers.get("client-request-id") or new_guid())
        media = reply.media_type()
        if media:
            headers["Content-Type"] = media
        if reply.file is not None:
            return web.FileResponse(reply.file, status=reply.status, headers=headers)
        return web.Response(status=reply.status, body=reply.payload(), headers=headers)

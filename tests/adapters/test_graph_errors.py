"""Every way a Graph request can fail reaches callers as one of our errors (errors.py),
never as kiota's APIError, an httpx exception or another library's: the dev tenant makes
the failures it can, a stub Graph on loopback the rest."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from function_app.adapters.graph.client import GraphClient
from function_app.adapters.graph.errors import (
    AccessDeniedError,
    ConflictError,
    DuplicateValueError,
    GraphError,
    GraphUnavailableError,
    NotFoundError,
    PreconditionFailedError,
    ResyncRequiredError,
    error_for,
)
from function_app.devtenant import DevTenant
from function_app.devtenant.backend import DEFAULT_RETENTION_SECONDS

from .graph_support import (
    StubGraph,
    asked_sleeps,
    drop_connection,
    failure_of,
    graph_client,
    graph_error,
    quick_retry,
    simple_list,
    tenant_client,
)

pytestmark = pytest.mark.integration


def _ours(error: GraphError) -> None:
    """The error is one of the adapter's own, whatever caused it."""
    assert type(error).__module__ == "function_app.adapters.graph.errors", type(error)


def test_each_refusal_by_the_dev_tenant_maps_to_its_error(tenant: DevTenant) -> None:
    """404, 409, 412, 401 and 410 from the dev tenant become NotFound (saying to run
    casework provision), Conflict, PreconditionFailed, AccessDenied (naming Sites.Selected)
    and ResyncRequired."""

    async def scenario() -> None:
        app = tenant_client(tenant)
        stranger = tenant_client(tenant, "not-a-valid-token")
        lst = await app.create_list(simple_list("Refusals"))
        item = await app.create_item(lst.id, {"Title": "Pupil"})
        link = await app.latest_delta_link(lst.id)
        await app.update_fields(lst.id, item.id, {"Status": "Open"})

        errors: dict[type[GraphError], GraphError] = {}
        errors[NotFoundError] = await failure_of(app.get_item(lst.id, "4242"))
        missing_list = await failure_of(app.delta("No Such List"))
        errors[ConflictError] = await failure_of(app.add_column(lst.id, {"name": "Status",
                                                                         "text": {}}))
        errors[PreconditionFailedError] = await failure_of(
            app.update_fields(lst.id, item.id, {"Status": "Closed"}, etag=item.etag))
        errors[AccessDeniedError] = await failure_of(stranger.lists())
        tenant.set_delta_retention(0)
        try:
            await app.update_fields(lst.id, item.id, {"Status": "Closed"})
            errors[ResyncRequiredError] = await failure_of(app.delta(lst.id, link))
        finally:
            tenant.set_delta_retention(DEFAULT_RETENTION_SECONDS)

        checks: list[tuple[type[GraphError], GraphError]] = [*errors.items()]
        checks.append((NotFoundError, missing_list))
        for kind, error in checks:
            assert isinstance(error, kind), (kind, error)
            _ours(error)
        assert "casework provision" in str(errors[NotFoundError])
        assert "casework provision" in str(missing_list)
        assert errors[AccessDeniedError].status == 401
        assert "Sites.Selected" in str(errors[AccessDeniedError])
        assert errors[ResyncRequiredError].location

    asyncio.run(scenario())


def test_a_dev_tenant_that_always_fails_gives_graph_unavailable_after_retries(
        tmp_path: Path) -> None:
    """With every request throttled, refused (503) or dropped, reads and writes give up
    after the policy's attempts with GraphUnavailableError, having honoured Retry-After."""

    async def scenario(tenant: DevTenant) -> GraphClient:
        app = tenant_client(tenant, retry=quick_retry(attempts=5))
        await app.site_id()
        tenant.set_faults(1.0)
        read = await failure_of(app.lists())
        write = await failure_of(app.upload("Busy", "file.txt", b"x"))
        for error in (read, write):
            assert isinstance(error, GraphUnavailableError)
            _ours(error)
        return app

    with DevTenant(tmp_path, seed=4) as tenant:
        app = asyncio.run(scenario(tenant))
        faults = tenant.faults
    assert set(faults) == {"throttled", "unavailable", "dropped"}
    assert app.requests["get lists"] == 5 and app.retries["get lists"] == 4
    throttled = [s for s in asked_sleeps(app) if s == 1.0]  # the dev tenant's Retry-After
    assert 0 < len(throttled) <= faults["throttled"]  # a last attempt has no sleep after it


async def _stub_failure(answer: Any, action: str, **client: Any) -> tuple[GraphError,
                                                                         GraphClient, list[str]]:
    async with StubGraph(answer) as stub:
        app = graph_client(stub.base_url, "dev-app-token", **client)
        calls: dict[str, Callable[[], Awaitable[object]]] = {
            "get item": lambda: app.get_item("Cases", "1"),
            "update item": lambda: app.update_fields("Cases", "1", {"Status": "Open"}),
            "create item": lambda: app.create_item("Cases", {"Title": "x"}),
            "upload": lambda: app.upload("", "big.bin", b"\0" * (5 * 1024 * 1024)),
        }
        error = await failure_of(calls[action]())
        return error, app, stub.seen


@pytest.mark.parametrize(("answer", "action", "expected", "requests"), [
    (graph_error(403, "accessDenied"), "update item", AccessDeniedError, 1),
    (graph_error(503, "serviceNotAvailable"), "get item", GraphUnavailableError, 6),
    (graph_error(429, "TooManyRequests", {"Retry-After": "7"}), "update item",
     GraphUnavailableError, 6),
    (drop_connection, "get item", GraphUnavailableError, 6),
    (drop_connection, "create item", GraphUnavailableError, 1),  # not repeated: not harmless
    (graph_error(400, "invalidRequest"), "get item", GraphError, 1),
], ids=["403", "503 always", "429 always", "dropped GET", "dropped POST", "400"])
def test_failures_only_a_stub_can_produce_map_to_our_errors(
        answer: Any, action: str, expected: type[GraphError], requests: int) -> None:
    """403, a permanent 503 or 429 and a connection that always drops become AccessDenied
    or GraphUnavailable (after the policy's attempts for what is safe to repeat)."""
    error, app, seen = asyncio.run(_stub_failure(answer, action))
    assert type(error) is expected
    _ours(error)
    assert len([s for s in seen if "/sites/stub.sharepoint.local:" not in s]) == requests
    if expected is AccessDeniedError:
        assert error.status == 403 and "Sites.Selected" in str(error)
    if requests > 1:
        assert sum(app.retries.values()) == requests - 1
    if "429" in str(error):
        assert asked_sleeps(app) == [7.0] * 5  # Retry-After, honoured every time


def test_the_cause_of_a_mapped_error_is_kept_for_the_logs() -> None:
    """A dropped connection's GraphUnavailableError keeps the transport error as its cause."""
    error, _, _ = asyncio.run(_stub_failure(drop_connection, "get item"))
    import httpx

    assert isinstance(error.__cause__, httpx.TransportError)


def test_a_dropped_upload_range_is_graph_unavailable_after_retries() -> None:
    """An upload session whose ranges never get an answer ends in GraphUnavailableError."""

    async def answer(request: web.Request) -> web.StreamResponse:
        if request.path.endswith("/createUploadSession"):
            host = request.host
            return web.json_response({"uploadUrl": f"http://{host}/upload/session-1"})
        if request.path.startswith("/upload/"):
            return await drop_connection(request)
        if request.path.endswith("/root"):
            return web.json_response({"id": "root-id"})
        return web.json_response({"id": "drive-id"})

    error, app, _ = asyncio.run(_stub_failure(answer, "upload"))
    assert isinstance(error, GraphUnavailableError)
    _ours(error)
    assert app.requests["upload range"] == 6 and app.retries["upload range"] == 5


def test_answers_nobody_expects_are_graph_errors() -> None:
    """Endless redirects (kiota's RedirectError), a 200 that is not JSON, and nothing
    listening at all still reach the caller as GraphError."""

    async def redirect(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(f"{request.path}x")

    async def html(request: web.Request) -> web.StreamResponse:
        return web.Response(text="<html>Sign in</html>", content_type="text/html")

    looping, _, _ = asyncio.run(_stub_failure(redirect, "get item"))
    not_json, _, _ = asyncio.run(_stub_failure(html, "get item"))

    async def refused() -> GraphError:
        async with StubGraph(html) as stub:
            url = stub.base_url
        return await failure_of(graph_client(url, "dev-app-token").site_id())

    nobody = asyncio.run(refused())
    assert type(looping) is GraphError and "RedirectError" in str(looping)
    assert type(not_json) is GraphError and "not JSON" in str(not_json)
    assert type(nobody) is GraphUnavailableError
    for error in (looping, not_json, nobody):
        _ours(error)


def test_a_credential_that_cannot_get_a_token_is_access_denied() -> None:
    """When azure-identity cannot get a token (no managed identity here), the caller gets
    AccessDeniedError naming the permission, not azure's ClientAuthenticationError."""
    from azure.core.exceptions import ClientAuthenticationError
    from kiota_abstractions.authentication import (
        AccessTokenProvider,
        AllowedHostsValidator,
        BaseBearerTokenAuthenticationProvider,
    )

    class NoIdentity(AccessTokenProvider):
        async def get_authorization_token(self, uri: str,
                                          additional_authentication_context: Any = None) -> str:
            raise ClientAuthenticationError("ManagedIdentityCredential: no identity assigned")

        def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
            return AllowedHostsValidator(["127.0.0.1"])

    async def scenario() -> GraphError:
        async with StubGraph(graph_error(500, "unreachable")) as stub:
            app = graph_client(stub.base_url, "",
                               auth=BaseBearerTokenAuthenticationProvider(NoIdentity()))
            return await failure_of(app.site_id())

    error = asyncio.run(scenario())
    assert isinstance(error, AccessDeniedError) and "Sites.Selected" in str(error)
    _ours(error)


def test_we_retry_a_throttled_post_ourselves_and_the_sdk_never_does() -> None:
    """A POST answered 429 is repeated once by our RetryPolicy (honouring Retry-After: 1,
    through the injected sleep), as a GET is; msgraph-sdk's RetryHandler repeats nothing."""
    seen: dict[str, int] = {}

    async def busy_once(request: web.Request) -> web.StreamResponse:
        seen[request.method] = seen.get(request.method, 0) + 1
        if seen[request.method] == 1:
            return await graph_error(429, "TooManyRequests", {"Retry-After": "1"})(request)
        return web.json_response({"id": "1", "fields": {"Title": "x"}}, status=201)

    async def scenario() -> GraphClient:
        async with StubGraph(busy_once) as stub:
            app = graph_client(stub.base_url, "dev-app-token")
            await app.create_item("Cases", {"Title": "x"})
            await app.get_item("Cases", "1")
            return app

    app = asyncio.run(scenario())
    assert seen == {"POST": 2, "GET": 2}
    assert dict(app.sdk_retries) == {}
    assert dict(app.retries) == {"create item": 1, "get item": 1}
    assert app.requests["create item"] == 2
    assert asked_sleeps(app) == [1.0, 1.0]


def test_a_value_a_unique_column_holds_is_a_duplicate_value_error() -> None:
    """Graph's 400 invalidRequest "One or more fields with unique constraints already has the
    provided value." and SharePoint's own SPDuplicateValuesFoundException (500) both map to
    DuplicateValueError, a ConflictError; other 400s do not."""
    graphs = error_for(400, "invalidRequest", "One or more fields with unique constraints "
                       "already has the provided value.", "create item")
    sharepoints = error_for(500, "-2130575169, Microsoft.SharePoint."
                            "SPDuplicateValuesFoundException", "The list item could not be "
                            "added or updated because duplicate values were found in one or "
                            "more fields in the list.", "create item")
    for error in (graphs, sharepoints):
        assert isinstance(error, DuplicateValueError) and isinstance(error, ConflictError)
        _ours(error)
    assert (graphs.status, graphs.code) == (400, "invalidRequest")
    other = error_for(400, "invalidRequest", "Field 'Nope' is not recognized.", "create item")
    assert type(other) is GraphError


def test_a_duplicate_refusal_from_a_stub_graph_is_not_retried() -> None:
    """A create answered with the unique-value refusal reaches the caller at once as
    DuplicateValueError: one request, no retry."""

    async def refuse(request: web.Request) -> web.StreamResponse:
        return web.json_response({"error": {
            "code": "invalidRequest",
            "message": "One or more fields with unique constraints already has the provided "
                       "value."}}, status=400)

    error, app, seen = asyncio.run(_stub_failure(refuse, "create item"))
    assert isinstance(error, DuplicateValueError)
    assert len([s for s in seen if s.startswith("POST")]) == 1 and not app.retries

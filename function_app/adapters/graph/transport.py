"""Sending requests to Microsoft Graph: where Graph is (GraphTarget), the retry policy, and
one request through msgraph-sdk's pipeline with its answer mapped to our errors.

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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from .auth import origin
from .errors import (
    PERMISSION_ADVICE,
    AccessDeniedError,
    GraphError,
    GraphUnavailableError,
    error_for,
)

IDEMPOTENT = frozenset({"GET", "PUT", "PATCH", "DELETE"})


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
class GraphTransport:
    """Requests to Graph through the SDK's request adapter, retried by ``retry``, counted
    per operation; the base of GraphClient (function_app.adapters.graph.client)."""

    target: GraphTarget
    request_adapter: Any  # msgraph GraphRequestAdapter
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    requests: Counter[str] = field(default_factory=Counter)
    retries: Counter[str] = field(default_factory=Counter)  # ours, per operation
    sdk_retries: Counter[str] = field(default_factory=Counter)  # the SDK RetryHandler's

    @property
    def base(self) -> str:
        return self.target.base_url.rstrip("/")

    async def aclose(self) -> None:
        """Close the HTTP connections this client opened (a sweep makes a client per
        school's site; a long-lived worker must not keep each one's connections)."""
        http = getattr(self.request_adapter, "_http_client", None)
        if http is not None and not http.is_closed:
            await http.aclose()

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
        if not same_origin(url, self.base):  # a next or delta link to another address
            raise GraphError(f"{operation}: Microsoft Graph gave a link to another address "
                             f"({origin(url)}); it is not followed, so our token stays with "
                             f"{origin(self.base)}")
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
                error = error_of(operation, response)
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
        return json_of(operation, response)


def same_origin(url: str, base: str) -> bool:
    """Whether a URL is relative (a path under base) or on base's scheme, host and port: the
    only requests that are sent with our token. A link Graph hands back (@odata.nextLink,
    @odata.deltaLink) is followed as it is, so one to any other address is refused."""
    return "://" not in url or origin(url) == origin(base)


def json_of(operation: str, response: Any) -> Any:
    """The JSON of a successful answer; an answer that is not JSON is a GraphError."""
    if not response.content:
        return None
    try:
        return json.loads(response.content)
    except ValueError as exc:  # e.g. a proxy's HTML page with 200
        raise GraphError(f"{operation}: Microsoft Graph answered {response.status_code} with "
                         "something that is not JSON", response.status_code) from exc


def error_of(operation: str, response: Any) -> GraphError:
    """The error an answer of 400 or more maps to, from its status and Graph's error body."""
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


def _retry_after(response: Any) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value else None
    except ValueError:
        return None

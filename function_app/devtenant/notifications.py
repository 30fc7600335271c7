"""Webhook side of subscriptions: the validation handshake and change notifications.

Notifications are POSTed in the background, never holding up the request that made the
change; a failed delivery is retried a few times, then dropped (Graph retries for longer).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp

from .errors import GraphError, bad_request
from .util import new_guid

log = logging.getLogger("function_app.devtenant")

HANDSHAKE_SECONDS = 10.0  # Graph's documented limit for the validation answer
DELIVERY_SECONDS = 3.0  # Graph expects a notification to be acknowledged this fast
RETRY_DELAYS = (0.2, 0.5, 1.0)  # seconds before the 2nd, 3rd and 4th attempts


def check_notification_url(url: str, field: str = "notificationUrl") -> str:
    """Only http(s) URLs on this machine: the dev tenant posts case data nowhere else."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise bad_request(f"{field} must be an http or https URL; got {url!r}.", "InvalidRequest")
    loopback = host == "localhost"
    with contextlib.suppress(ValueError):
        loopback = loopback or ipaddress.ip_address(host).is_loopback
    if not loopback:
        raise bad_request(
            f"{field} must be on this machine (localhost, 127.0.0.0/8 or ::1) for the dev "
            f"tenant; got host {host!r}.",
            "InvalidRequest",
        )
    return url


def _with_query(url: str, name: str, value: str) -> str:
    joiner = "&" if urlsplit(url).query else "?"
    return f"{url}{joiner}{name}={quote(value, safe='')}"


class Notifier:
    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.delivered = 0
        self.failed = 0

    async def start(self) -> None:
        self._session = aiohttp.ClientSession()

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()

    @property
    def session(self) -> aiohttp.ClientSession:
        assert self._session is not None, "Notifier.start() was not awaited"
        return self._session

    async def handshake(self, url: str) -> None:
        """POST url?validationToken=...; the endpoint must echo it as text/plain within 10 s."""
        token = (
            f"Validation: Testing client application reachability for subscription "
            f"Request-Id: {new_guid()}"
        )
        failed = "Subscription validation request failed."
        try:
            async with self.session.post(
                _with_query(url, "validationToken", token),
                headers={"Content-Type": "text/plain; charset=utf-8"},
                timeout=aiohttp.ClientTimeout(total=HANDSHAKE_SECONDS),
            ) as response:
                body = await response.text()
                status = response.status
                media = response.content_type
        except TimeoutError as exc:
            raise GraphError(
                400,
                "ValidationError",
                f"{failed} Notification endpoint did not "
                f"answer within {HANDSHAKE_SECONDS:.0f} seconds.",
            ) from exc
        except aiohttp.ClientError as exc:
            raise GraphError(
                400,
                "ValidationError",
                f"{failed} Notification endpoint could not be reached: {exc}.",
            ) from exc
        if status != 200:
            raise GraphError(
                400,
                "ValidationError",
                f"{failed} Notification endpoint must "
                f"respond with 200 OK to validation request (got {status}).",
            )
        if media != "text/plain":
            raise GraphError(
                400,
                "ValidationError",
                f"{failed} Notification endpoint must answer with Content-Type text/plain "
                f"(got {media}).",
            )
        if body != token:
            raise GraphError(
                400,
                "ValidationError",
                f"{failed} Response must exactly match "
                f"validationToken query parameter (got {body[:80]!r}).",
            )

    def send(self, url: str, notifications: list[dict[str, Any]]) -> None:
        """Deliver in the background; returns at once."""
        task = asyncio.get_running_loop().create_task(self._deliver(url, {"value": notifications}))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, url: str, body: dict[str, Any]) -> None:
        for attempt, delay in enumerate((0.0, *RETRY_DELAYS)):
            if delay:
                await asyncio.sleep(delay)
            try:
                async with self.session.post(
                    url, json=body, timeout=aiohttp.ClientTimeout(total=DELIVERY_SECONDS)
                ) as response:
                    await response.read()
                    if 200 <= response.status < 300:
                        self.delivered += 1
                        return
                    reason = f"HTTP {response.status}"
            except (TimeoutError, aiohttp.ClientError) as exc:
                reason = f"{type(exc).__name__}: {exc}"
            log.info("notification to %s failed (attempt %d): %s", url, attempt + 1, reason)
        self.failed += 1
        log.warning("notification to %s dropped after %d attempts", url, len(RETRY_DELAYS) + 1)

    async def idle(self) -> None:
        """Wait until every notification sent so far has been delivered or dropped."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

"""Posting cards to Teams Workflows webhooks, with bounded retries.

    poster = TeamsPoster(webhooks_from_settings(la_url, '{"Severn Vale Academy": "https://..."}'))
    result = await poster.post(alert, {alert.case_ref: CaseLinks(folder_url, item_url)})
    if not result.posted:
        ...  # record result.key and result.reason; post it again on the next sweep

Routing: an alert for the LA's officers goes to the ``la_officers`` URL; one for a school
to that school's own URL (keyed by the school's name), else to the ``school`` URL if set.

A webhook URL is a secret (its ``sig`` parameter signs it): it is never logged, never put
in an error, and scrubbed from httpx's own request log. Logs name the audience only.
429 and 5xx answers and lost connections are retried with backoff, honouring Retry-After,
up to ``PostRetry.attempts``; a Retry-After longer than ``max_delay`` is left for the next
sweep rather than waited for. A lost connection after the card was sent may post it twice:
a duplicate card is a nuisance, a missing consultation alert is worse.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx

from function_app.domain.alerts import Alert, Audience, Digest

from .cards import LOOPBACK, MESSAGE_LIMIT, CaseLinks, card_for, message_body, notice_card
from .errors import (
    CardRejectedError,
    NoWebhookError,
    TeamsError,
    TeamsUnavailableError,
    WebhookSettingError,
    error_for,
)

log = logging.getLogger("function_app.adapters.teams")

DEFAULT_SCHOOL_KEY = "school"  # the URL for schools that have no channel of their own
WORKFLOW_TEMPLATE = "Post to a channel when a webhook request is received"


class PostOutcome(StrEnum):
    POSTED = "posted"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class PostResult:
    """What happened to one post, for the caller to record (and retry a failure later)."""

    outcome: PostOutcome
    key: str  # the alert's or digest's dedupe key
    audience: str  # "la_officers" or "school"
    attempts: int
    reason: str = ""  # why it failed, in plain words, without the URL
    status: int | None = None  # Teams' last HTTP status, if it answered
    retry_later: bool = False  # worth posting again on a later sweep as it is

    @property
    def posted(self) -> bool:
        return self.outcome is PostOutcome.POSTED


@dataclass(frozen=True, slots=True)
class PostRetry:
    attempts: int = 4
    base_delay: float = 1.0
    max_delay: float = 30.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return max(0.0, retry_after)
        return min(self.base_delay * 2.0 ** (attempt - 1) + random.uniform(0, self.base_delay),
                   self.max_delay)


def webhooks_from_settings(la_webhook: str = "",
                           school_webhooks: str | Mapping[str, str] = "",
                           legal_webhook: str = "") -> dict[str, str]:
    """The poster's URLs from settings: the LA's channel, and {school name: URL} as JSON.

    A ``"school"`` entry in the schools' JSON is used for schools without their own URL.
    WebhookSettingError names the entry that is wrong, never its URL.
    """
    urls: dict[str, str] = {}
    if la_webhook.strip():
        urls[Audience.LA_OFFICERS.value] = la_webhook.strip()
    if legal_webhook.strip():
        urls[Audience.LA_LEGAL.value] = legal_webhook.strip()
    schools: object = school_webhooks
    if isinstance(school_webhooks, str):
        try:
            schools = json.loads(school_webhooks) if school_webhooks.strip() else {}
        except json.JSONDecodeError as exc:
            raise WebhookSettingError(
                "The schools' Teams webhooks are not valid JSON (expected "
                f'{{"School name": "https://..."}}): {exc.msg} at column {exc.colno}') from None
    if not isinstance(schools, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in schools.items()):
        raise WebhookSettingError("The schools' Teams webhooks must map each school's name to "
                                  "its webhook URL, as text.")
    urls.update({k.strip(): v.strip() for k, v in schools.items()})
    for key, url in urls.items():
        check_webhook_url(key, url)
    return urls


def check_webhook_url(key: str, url: str) -> None:
    """A Teams Workflows URL: https (http only on this machine), never a retired connector."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    # Office 365 connector webhooks (on office.com hosts, with "webhook" in the path) are
    # retired by Microsoft; a Teams workflow replaces them.
    if host.endswith("office.com") and "webhook" in f"{host}{parts.path}".lower():
        raise WebhookSettingError(
            f"The Teams webhook for {key} is an Office 365 connector, which Microsoft has "
            f"retired. In the channel, add the workflow '{WORKFLOW_TEMPLATE}' and use its URL.",
            key)
    if not (parts.scheme == "https" and host) and not (
            parts.scheme == "http" and host in LOOPBACK):
        raise WebhookSettingError(f"The Teams webhook for {key} must be an https URL.", key)


class TeamsPoster:
    """Posts alerts and digests as Adaptive Cards to Teams Workflows webhooks."""

    def __init__(self, webhook_urls: Mapping[str, str], *, show_names: bool = False,
                 retry: PostRetry | None = None, timeout: float = 10.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        for key, url in webhook_urls.items():
            check_webhook_url(key, url)
        self._urls = dict(webhook_urls)
        self.show_names = show_names
        self.retry = retry or PostRetry()
        self._timeout = timeout
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        for url in self._urls.values():
            _REDACTOR.add(url)
        _REDACTOR.install()

    async def __aenter__(self) -> TeamsPoster:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        traceback: TracebackType | None) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def post(self, item: Alert | Digest,
                   links: Mapping[str, CaseLinks] | None = None) -> PostResult:
        """Post the item's card and say what happened; a failure is reported, not raised."""
        audience = item.audience.value
        reason = item.reason.value if isinstance(item, Alert) else "reminder_digest"
        try:
            attempts = await self.send(item, links)
        except TeamsError as exc:
            log.warning("Teams card %s for %s not posted: %s", reason, audience, exc)
            return PostResult(PostOutcome.FAILED, item.dedupe_key, audience, exc.attempts,
                              str(exc), exc.status or None, exc.retry_later)
        return PostResult(PostOutcome.POSTED, item.dedupe_key, audience, attempts)

    async def send(self, item: Alert | Digest,
                   links: Mapping[str, CaseLinks] | None = None) -> int:
        """Post the item's card; the number of attempts it took, or TeamsError."""
        audience = item.audience.value
        url = self._url_for(item)
        body = message_body(card_for(item, links, show_names=self.show_names))
        if len(body) > MESSAGE_LIMIT:
            raise CardRejectedError(f"The card for {audience} is {len(body)} bytes; Teams "
                                    f"accepts about {MESSAGE_LIMIT // 1024} KB", audience)
        return await self._post(url, body, audience)

    async def post_notice(self, title: str, text: str,
                          links: Sequence[tuple[str, str]] = ()) -> bool:
        """A notice to the LA officers' channel (``notice_card``, with a button for each
        (title, address) in ``links``); True when Teams took it. Not sent, and False,
        without that channel's webhook or when Teams refuses it."""
        url = self._urls.get(Audience.LA_OFFICERS.value)
        if not url:
            return False
        try:
            await self._post(url, message_body(notice_card(title, text, links)),
                             Audience.LA_OFFICERS.value)
        except TeamsError as exc:
            log.warning("Teams notice for %s not posted: %s", Audience.LA_OFFICERS.value, exc)
            return False
        return True

    def _url_for(self, item: Alert | Digest) -> str:
        if item.audience is Audience.LA_OFFICERS:
            url = self._urls.get(Audience.LA_OFFICERS.value)
            missing = "the local authority's officers"
        elif item.audience is Audience.LA_LEGAL:  # its own channel, else the LA officers'
            url = (self._urls.get(Audience.LA_LEGAL.value)
                   or self._urls.get(Audience.LA_OFFICERS.value))
            missing = "the legal intervention officer (nor the local authority's officers)"
        else:
            url = self._urls.get(item.school) or self._urls.get(DEFAULT_SCHOOL_KEY)
            missing = f"the school {item.school!r} (nor a default school channel)"
        if not url:
            raise NoWebhookError(f"No Teams webhook is set for {missing}.", item.audience.value)
        return url

    async def _post(self, url: str, body: bytes, audience: str) -> int:
        client = self._client_for_use()
        attempts = self.retry.attempts
        for attempt in range(1, attempts + 1):
            try:
                response = await client.post(url, content=body,
                                             headers={"Content-Type": "application/json"})
            except httpx.HTTPError as exc:
                error: TeamsError = TeamsUnavailableError(
                    f"No answer from Teams for {audience} ({type(exc).__name__})", audience)
                cause: BaseException | None = exc
            else:
                if response.is_success:
                    log.info("Teams card posted for %s (attempt %d)", audience, attempt)
                    return attempt
                error = error_for(response.status_code, audience, _detail(response),
                                  _retry_after(response))
                cause = None
            error.attempts = attempt
            if not isinstance(error, TeamsUnavailableError) or attempt == attempts:
                raise error from cause
            wait = self.retry.delay(attempt, error.retry_after)
            if wait > self.retry.max_delay:
                later = TeamsUnavailableError(
                    f"Teams asked to wait {wait:.0f} s before posting for {audience} again; "
                    "left for the next sweep", audience, error.status, wait)
                later.attempts = attempt
                raise later from cause
            log.info("Teams answered %s for %s; trying again in %.1f s (attempt %d of %d)",
                     error.status or type(cause).__name__, audience, wait, attempt, attempts)
            await self.retry.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _client_for_use(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._timeout, transport=self._transport,
                                             follow_redirects=False)
        return self._client


def _retry_after(response: httpx.Response) -> float | None:
    """Retry-After as seconds (RFC 9110: delay-seconds or an HTTP date)."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _detail(response: httpx.Response) -> str:
    """Teams' own short reason, from a JSON error body or the start of a text one."""
    try:
        data: Any = response.json()
    except (ValueError, UnicodeDecodeError):
        text = response.text.strip()
    else:
        error = data.get("error") if isinstance(data, dict) else None
        if isinstance(error, dict):
            text = " ".join(str(error.get(k, "")) for k in ("code", "message")).strip()
        elif isinstance(error, str):
            text = error
        else:
            text = ""
    return _REDACTOR.redact(text[:300])


class _Redactor(logging.Filter):
    """Scrubs webhook URLs (and any ``sig=`` value) from httpx's and httpcore's log records."""

    SIG = re.compile(r"(?i)\b(sig=)[^&\s\"'<>]+")
    LOGGERS = ("httpx", "httpcore")

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()

    def add(self, url: str) -> None:
        self._secrets |= {url, str(httpx.URL(url))}

    def install(self) -> None:
        for name in self.LOGGERS:
            logger = logging.getLogger(name)
            if self not in logger.filters:
                logger.addFilter(self)

    def redact(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, "<Teams webhook URL>")
        return self.SIG.sub(r"\1<redacted>", text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the logging module's to report
            return True
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


_REDACTOR = _Redactor()

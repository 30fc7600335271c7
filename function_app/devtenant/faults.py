"""Fault injection: a seeded share of requests is throttled, refused, dropped or lost; delays.

Kinds (``KINDS`` is the default mix, each equally likely; ``ALL_KINDS`` every one):

- "throttled": 429 TooManyRequests with Retry-After, before the request is processed.
- "unavailable": 503 serviceNotAvailable, before the request is processed.
- "dropped": the connection is closed before the request is processed, so a client that
  simply retries completes each operation exactly once.
- "lost": the request is processed in full (a write is saved) and then the connection is
  closed before the answer is written, as when a response is lost on the way back. Graph
  can do this to any request; a client cannot tell it from "dropped", so only writes that
  are safe to repeat (PATCH, PUT, DELETE, a create refused as a duplicate and recognised)
  come out exactly once. Not in the default mix: ask for it with ``kinds``.

Retry-After: an injected 429 says ``RETRY_AFTER_SECONDS`` (1 s, so tests that honour it stay
quick) and an injected 503 says nothing, unless ``retry_after_seconds`` is set: then both say
that many seconds (0 to ``MAX_RETRY_AFTER_SECONDS``). Graph's throttling guidance has 429
carry Retry-After, and SharePoint Online answers throttled requests with 429 or 503, both
with Retry-After (https://learn.microsoft.com/sharepoint/dev/general-development/
how-to-avoid-getting-throttled-or-blocked-in-sharepoint-online); values of several minutes
are seen from Graph too (Retry-After 315 after 41, learn.microsoft.com/answers/questions/
648796).
"""

from __future__ import annotations

import enum
import random
import threading
from collections.abc import Sequence

from .metrics import RequestCounter

KINDS = ("throttled", "unavailable", "dropped")  # the default mix: do not reorder
ALL_KINDS = (*KINDS, "lost")
ANSWERED = ("throttled", "unavailable")  # kinds that answer instead of closing the connection
RETRY_AFTER_SECONDS = 1  # small, so tests that honour it stay quick
MAX_RETRY_AFTER_SECONDS = 300


class Keep(enum.Enum):
    KEEP = "keep"


KEEP = Keep.KEEP  # configure(): leave this setting as it is


class Faults:
    """What share of requests fault, how, and what Retry-After they say; thread-safe."""

    def __init__(
        self,
        rate: float = 0.0,
        latency_ms: int = 0,
        seed: int | None = None,
        *,
        kinds: Sequence[str] = KINDS,
        retry_after_seconds: int | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self.rate = 0.0
        self.latency_ms = 0
        self.kinds: tuple[str, ...] = KINDS
        self.retry_after_seconds: int | None = None
        self._next: list[tuple[str, str | None, str | None]] = []  # see strike_next
        self.configure(rate, latency_ms, kinds=kinds, retry_after_seconds=retry_after_seconds)
        self.counts = RequestCounter()

    def configure(
        self,
        rate: float,
        latency_ms: int,
        *,
        kinds: Sequence[str] | None = None,
        retry_after_seconds: int | Keep | None = KEEP,
    ) -> None:
        """Set the rate and latency; ``kinds`` and ``retry_after_seconds`` when given
        (``retry_after_seconds=None`` goes back to 1 s on 429 and none on 503)."""
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"fault_rate must be between 0 and 1, got {rate}")
        if latency_ms < 0:
            raise ValueError(f"latency_ms must not be negative, got {latency_ms}")
        chosen = None if kinds is None else tuple(kinds)
        if chosen is not None:
            unknown = [k for k in chosen if k not in ALL_KINDS]
            if unknown or not chosen:
                raise ValueError(f"fault kinds must be some of {ALL_KINDS}, got {chosen}")
        if not isinstance(retry_after_seconds, Keep) and retry_after_seconds is not None and (
                isinstance(retry_after_seconds, bool)
                or not 0 <= retry_after_seconds <= MAX_RETRY_AFTER_SECONDS):
            raise ValueError(f"retry_after_seconds must be 0 to {MAX_RETRY_AFTER_SECONDS}, "
                             f"got {retry_after_seconds}")
        with self._lock:
            self.rate = rate
            self.latency_ms = latency_ms
            if chosen is not None:
                self.kinds = chosen
            if not isinstance(retry_after_seconds, Keep):
                self.retry_after_seconds = retry_after_seconds

    def draw(self, *, droppable: bool = True, method: str = "", route: str = "") -> str | None:
        """None for a normal answer, else one of the configured kinds, each equally likely.

        A batch's sub-requests and SharePoint REST calls cannot lose their connection on
        their own: they draw only among the answering kinds (throttled, unavailable)
        configured, and get a normal answer when none is.
        """
        with self._lock:
            if self._next:
                kind, only, at = self._next[0]
                if (droppable or kind in ANSWERED) and only in (None, method.upper()) \
                        and at in (None, route):
                    self._next.pop(0)
                    self.counts.add(kind)
                    return kind
            if self.rate <= 0.0 or self._random.random() >= self.rate:
                return None
            pool = self.kinds if droppable else tuple(k for k in self.kinds if k in ANSWERED)
            if not pool:
                return None
            kind = self._random.choice(pool)
        self.counts.add(kind)
        return kind

    def strike_next(self, kind: str, count: int = 1, method: str | None = None,
                    route: str | None = None) -> None:
        """The next ``count`` requests (of that HTTP method, and to that route template as
        Graph's documentation writes it, e.g. "/sites/{site-id}/lists/{list-id}/items",
        when given) that can take it get this fault, whatever the rate and kinds; no random
        number is drawn for them, so a seeded sequence is unchanged. A "dropped" or "lost"
        one waits for a request of its own, not a batch's part."""
        if kind not in ALL_KINDS or count < 0:
            raise ValueError(f"strike_next takes one of {ALL_KINDS} and a count >= 0")
        with self._lock:
            self._next += [(kind, method.upper() if method else None, route)] * count

    def retry_after(self, kind: str) -> int | None:
        """The Retry-After seconds an injected fault of this kind says, or None for none."""
        with self._lock:
            configured = self.retry_after_seconds
        if configured is not None:
            return configured
        return RETRY_AFTER_SECONDS if kind == "throttled" else None

"""Fault injection: a seeded share of requests is throttled, refused or dropped; delays.

Faults strike before a request is processed, so a client that simply retries a faulted
request (an upload range included) completes each operation exactly once.
"""

from __future__ import annotations

import random
import threading

from .metrics import RequestCounter

KINDS = ("throttled", "unavailable", "dropped")
RETRY_AFTER_SECONDS = 1  # small, so tests that honour it stay quick


class Faults:
    def __init__(self, rate: float, latency_ms: int, seed: int | None) -> None:
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self.rate = 0.0
        self.latency_ms = 0
        self.configure(rate, latency_ms)
        self.counts = RequestCounter()

    def configure(self, rate: float, latency_ms: int) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"fault_rate must be between 0 and 1, got {rate}")
        if latency_ms < 0:
            raise ValueError(f"latency_ms must not be negative, got {latency_ms}")
        with self._lock:
            self.rate = rate
            self.latency_ms = latency_ms

    def draw(self, *, droppable: bool = True) -> str | None:
        """None for a normal answer, else one of KINDS, each equally likely.

        A batch's sub-requests cannot be dropped on their own: they get the other two.
        """
        with self._lock:
            if self.rate <= 0.0 or self._random.random() >= self.rate:
                return None
            kind = self._random.choice(KINDS if droppable else KINDS[:2])
        self.counts.add(kind)
        return kind

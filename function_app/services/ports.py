"""The interfaces services depend on; adapters implement them (one wiring point:
function_app/bootstrap.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Claim:
    key: str
    owner: str
    state: str  # "claimed" or "done"
    result: str  # for a done claim: what was made, by id (never a name, path or URL)
    claimed_at: datetime


class StateStore(Protocol):
    """What the product remembers that is not business data.

    Claims make "exactly one document per change" hold with at-least-once delivery and
    several workers: ``claim`` is atomic (a conditional insert). An open claim is taken
    again at once by its own owner (a worker restarted after a crash keeps its stable
    owner name and must not wait out its own lease); another owner takes it over only
    after its lease ran out; a done claim is never taken again, not even by its owner.

    Keys and scopes may be any text (/ \\ # ?, control characters, emoji, thousands of
    characters): each store keeps them exactly and gives them back as they were given
    (``keys``, ``open_claims``). Only Table storage's 64 KiB per property limits a key and
    a fact's value (StateStoreError).

    What is kept names nobody: ids, digests and short reasons, never a pupil's or parent's
    name, a file name, a path or a URL (docs/exactly-once.md, "What the state store keeps").
    """

    def delta_link(self, list_id: str) -> str: ...

    def save_delta_link(self, list_id: str, link: str) -> None: ...

    def claim(self, key: str, owner: str, now: datetime, lease_seconds: float) -> bool: ...

    def complete(self, key: str, owner: str, result: str) -> None: ...

    def release(self, key: str, owner: str) -> None: ...

    def get_claim(self, key: str) -> Claim | None: ...

    def forget_claims(self, prefixes: Sequence[str]) -> int:
        """Delete every claim, open or done, whose key starts with one of ``prefixes``
        (e.g. a closed case's, after its retention period); how many were deleted."""
        ...

    def open_claims(self) -> list[Claim]:
        """Every claim still open (state "claimed": its holder has not finished), oldest
        first, each with its original key: what is pending, for an IT admin."""
        ...

    def remember(self, scope: str, key: str, value: str) -> None:
        """A small named fact, e.g. the digest of the last error written to an item."""
        ...

    def recall(self, scope: str, key: str) -> str: ...

    def forget(self, scope: str, key: str) -> None: ...

    def keys(self, scope: str) -> list[str]: ...

"""The interfaces services depend on; adapters implement them (one wiring point:
function_app/bootstrap.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Claim:
    key: str
    owner: str
    state: str  # "claimed" or "done"
    result: str  # for a done claim: what was made (e.g. the file's web URL)
    claimed_at: datetime


class StateStore(Protocol):
    """What the product remembers that is not business data.

    Claims make "exactly one document per change" hold with at-least-once delivery and
    several workers: ``claim`` is atomic (a conditional insert); a claim whose worker died
    can be taken over after its lease; a done claim is never taken again.
    """

    def delta_link(self, list_id: str) -> str: ...

    def save_delta_link(self, list_id: str, link: str) -> None: ...

    def claim(self, key: str, owner: str, now: datetime, lease_seconds: float) -> bool: ...

    def complete(self, key: str, owner: str, result: str) -> None: ...

    def release(self, key: str, owner: str) -> None: ...

    def get_claim(self, key: str) -> Claim | None: ...

    def remember(self, scope: str, key: str, value: str) -> None:
        """A small named fact, e.g. the digest of the last error written to an item."""
        ...

    def recall(self, scope: str, key: str) -> str: ...

    def forget(self, scope: str, key: str) -> None: ...

    def keys(self, scope: str) -> list[str]: ...

"""A school's own part of a shared state store: one site's delta links, claims and facts,
never seen by another site's (issue 17: "one site per school").

Case references and list item ids repeat from site to site: two schools' sites may both
have a case "ATT-2026-0001" and a Cases item 12. A state store shared by two sites without
this would take school B's letter for school A's (one claim key for both) and link B's
item to A's file. ``SiteState(store, site)`` is the store as one site sees it: every
delta link's list id, claim key and fact scope is kept under a short key of the site (the
first 16 hex digits of the SHA-256 of the site's id or address, so no site's address is
stored either), and what is listed (``keys``, ``open_claims``) is that site's alone,
given back as it was given.

    state = SiteState(store, school.site)  # or the Graph site id: any stable text

The same text always gives the same key (letter case and a trailing "/" aside), so a
site's state survives restarts and moves between workers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from .ports import Claim, StateStore

KEY_HEX = 16  # 64 bits of SHA-256: no two sites of a deployment share one


def site_key(site: str) -> str:
    """The short, stable key of a site: from its Graph id or its address, as given."""
    text = site.strip().rstrip("/").casefold()
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:KEY_HEX]


class SiteState:
    """A StateStore over another, holding one site's entries only (see the module)."""

    def __init__(self, store: StateStore, site: str) -> None:
        if not site.strip():
            raise ValueError("SiteState needs the site's id or address")
        self.store = store
        self.key = site_key(site)
        self._prefix = f"site/{self.key}/"

    def _in(self, text: str) -> str:
        return self._prefix + text

    def held_key(self, key: str) -> str:
        """The claim key as this process's in-memory guard must know it: two schools'
        sweeps in one process may hold the same key, each in its own site."""
        return self._in(key)

    def _out(self, claim: Claim) -> Claim:
        return replace(claim, key=claim.key.removeprefix(self._prefix))

    def delta_link(self, list_id: str) -> str:
        return self.store.delta_link(self._in(list_id))

    def save_delta_link(self, list_id: str, link: str) -> None:
        self.store.save_delta_link(self._in(list_id), link)

    def claim(self, key: str, owner: str, now: datetime, lease_seconds: float) -> bool:
        return self.store.claim(self._in(key), owner, now, lease_seconds)

    def complete(self, key: str, owner: str, result: str) -> None:
        self.store.complete(self._in(key), owner, result)

    def release(self, key: str, owner: str) -> None:
        self.store.release(self._in(key), owner)

    def get_claim(self, key: str) -> Claim | None:
        claim = self.store.get_claim(self._in(key))
        return None if claim is None else self._out(claim)

    def forget_claims(self, prefixes: Sequence[str]) -> int:
        return self.store.forget_claims([self._in(p) for p in prefixes])

    def open_claims(self) -> list[Claim]:
        return [self._out(c) for c in self.store.open_claims()
                if c.key.startswith(self._prefix)]

    def remember(self, scope: str, key: str, value: str) -> None:
        self.store.remember(self._in(scope), key, value)

    def recall(self, scope: str, key: str) -> str:
        return self.store.recall(self._in(scope), key)

    def forget(self, scope: str, key: str) -> None:
        self.store.forget(self._in(scope), key)

    def keys(self, scope: str) -> list[str]:
        return self.store.keys(self._in(scope))


def held_key(state: StateStore, key: str) -> str:
    """``key`` as the in-process guard of claims keeps it (``services/filing.py``): the
    same text for the same site's claim in every task of this process, and different
    texts for two sites' claims of one key."""
    return state.held_key(key) if isinstance(state, SiteState) else key

"""One live change-notification subscription on every casework list.

Graph lets a subscription on a SharePoint list live at most 42,300 minutes (just under
30 days; the dev tenant refuses more, as Graph does), and then stops notifying without a
word. So a timer calls ``ensure_subscriptions``: a list with no subscription, or whose
stored one Graph no longer has, gets a new one; one that ends within two days is renewed
to the maximum. What we hold (id, expiry, notification URL, and a digest of the client
state it was made with) is kept in the state store, facts scope "subscription", by list id.

Graph cannot change a subscription's clientState, so when CASEWORK_CLIENT_STATE is
rotated, or the app moves to another notification URL, the old subscription is deleted
and a new one made. Subscriptions to our URL on a casework list that we no longer hold
(left by a lost state store, say) are deleted, so each change is notified once.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from function_app.adapters.graph.errors import GraphError, NotFoundError
from function_app.adapters.graph.records import ListInfo
from function_app.services.case_lists.snapshot import CASEWORK_LISTS
from function_app.services.delivery.sending import LIBRARY
from function_app.services.ports import StateStore

# The casework lists, and the Case Files library: staff approving a letter there (its
# Sending column) or marking a print pack posted wakes a sweep as a list change does.
SUBSCRIBED = (*CASEWORK_LISTS, LIBRARY)
log = logging.getLogger(__name__)
SCOPE = "subscription"
MAX_LIFETIME = timedelta(minutes=42_300)  # Graph's maximum for a SharePoint list resource
CLOCK_MARGIN = timedelta(minutes=5)  # our clock ahead of Graph's must not ask for more
RENEW_WITHIN = timedelta(days=2)  # the timer runs every 6 hours: many chances before expiry


class SubscriptionApi(Protocol):
    """What this needs of Graph (function_app.adapters.graph.client.GraphClient)."""

    async def lists(self) -> dict[str, ListInfo]: ...
    async def subscribe(self, list_id: str, notification_url: str, client_state: str,
                        expires: str) -> dict[str, Any]: ...
    async def renew(self, subscription_id: str, expires: str) -> dict[str, Any]: ...
    async def unsubscribe(self, subscription_id: str) -> None: ...
    async def json(self, operation: str, method: str, url: str) -> Any: ...


@dataclass
class SubscriptionReport:
    created: list[str] = field(default_factory=list)  # list titles
    renewed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # live and not due for renewal
    removed: int = 0  # stale or duplicate subscriptions deleted
    missing_lists: list[str] = field(default_factory=list)  # not on the site: provision
    failed: dict[str, str] = field(default_factory=dict)  # list title -> error type

    @property
    def ok(self) -> bool:
        return not (self.failed or self.missing_lists)


@dataclass(frozen=True, slots=True)
class Held:
    """A subscription as the state store remembers it."""

    id: str
    expires: datetime
    url: str
    state: str  # digest of the client state it was made with

    def to_json(self) -> str:
        return json.dumps({"id": self.id, "expires": iso(self.expires), "url": self.url,
                           "state": self.state}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Held | None:
        try:
            raw = json.loads(text)
            return cls(str(raw["id"]), parse_time(str(raw["expires"])), str(raw["url"]),
                       str(raw["state"]))
        except (ValueError, KeyError, TypeError):
            return None


async def ensure_subscriptions(graph: SubscriptionApi, state: StateStore, notification_url: str,
                               client_state: str, now: datetime) -> SubscriptionReport:
    """Create, renew or keep one subscription per casework list; see the module docstring."""
    if not notification_url.startswith(("https://", "http://")):
        raise ValueError("CASEWORK_NOTIFICATION_URL must be the address of the notifications "
                         "function, e.g. https://casework.azurewebsites.net/api/notifications")
    if not client_state or len(client_state) > 128:
        raise ValueError("CASEWORK_CLIENT_STATE must be a secret of 1 to 128 characters")
    report = SubscriptionReport()
    lists = await graph.lists()
    live = await _live(graph)
    digest = _digest(client_state)
    ours: set[str] = set()
    for name in SUBSCRIBED:
        info = lists.get(name)
        if info is None:
            report.missing_lists.append(name)
            continue
        try:
            held = await _ensure_one(graph, state, info, live, notification_url, client_state,
                                     digest, now, report)
        except GraphError as exc:
            report.failed[name] = type(exc).__name__
            log.warning("subscription for list %s: %s", info.id, type(exc).__name__)
            continue
        ours.add(held.id)
    list_ids = {lists[n].id for n in SUBSCRIBED if n in lists}
    for sub in live.values():
        if (sub.get("notificationUrl") == notification_url and sub["id"] not in ours
                and _list_of(sub) in list_ids):
            await _remove(graph, sub["id"], report)
    return report


async def _ensure_one(graph: SubscriptionApi, state: StateStore, info: ListInfo,
                      live: dict[str, dict[str, Any]], url: str, client_state: str,
                      digest: str, now: datetime, report: SubscriptionReport) -> Held:
    held = Held.from_json(state.recall(SCOPE, info.id))
    current = live.get(held.id) if held else None
    if current is not None and held is not None and (
            current.get("notificationUrl") != url or held.state != digest):
        await _remove(graph, current["id"], report)  # Graph cannot change clientState
        current = None
    until = iso(now + MAX_LIFETIME - CLOCK_MARGIN)
    if current is None:
        answer = await graph.subscribe(info.id, url, client_state, until)
        report.created.append(info.display_name)
    elif parse_time(current["expirationDateTime"]) - now <= RENEW_WITHIN:
        try:
            answer = await graph.renew(current["id"], until)
            report.renewed.append(info.display_name)
        except NotFoundError:  # expired or removed since we listed them
            answer = await graph.subscribe(info.id, url, client_state, until)
            report.created.append(info.display_name)
    else:
        answer = current
        report.kept.append(info.display_name)
    expires = parse_time(str(answer["expirationDateTime"])).replace(microsecond=0)
    made = Held(str(answer["id"]), expires, url, digest)
    if made != held:
        state.remember(SCOPE, info.id, made.to_json())
    return made


async def _live(graph: SubscriptionApi) -> dict[str, dict[str, Any]]:
    """The app's subscriptions Graph has now, by id (GET /subscriptions, every page)."""
    found: dict[str, dict[str, Any]] = {}
    url: str | None = "/subscriptions"
    while url:
        page = await graph.json("list subscriptions", "GET", url)
        for sub in page.get("value", []):
            found[str(sub["id"])] = sub
        url = page.get("@odata.nextLink")
    return found


async def _remove(graph: SubscriptionApi, subscription_id: str,
                  report: SubscriptionReport) -> None:
    try:
        await graph.unsubscribe(subscription_id)
    except NotFoundError:
        return
    report.removed += 1


def _list_of(sub: dict[str, Any]) -> str:
    """The list id of a resource "sites/{site-id}/lists/{list-id}", or ''."""
    parts = str(sub.get("resource", "")).strip("/").split("/")
    return parts[3] if len(parts) == 4 and parts[2] == "lists" else ""


def _digest(client_state: str) -> str:
    """Enough to notice a rotated secret without storing the secret."""
    return hashlib.sha256(b"casework-client-state:" + client_state.encode("utf-8")).hexdigest()[:16]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

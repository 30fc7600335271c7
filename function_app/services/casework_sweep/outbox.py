"""Teams alerts that could not be sent yet: kept, and posted again at every sweep.

Each alert is posted once (by its dedupe key). One that Teams refused for a reason that
may pass (busy, unreachable, 5xx) waits here and is posted again at every sweep, whatever
changed, until it goes or it has been failing for a day; then it is said on the case item,
where staff will see it, and given up. One that cannot go as things stand (no channel set,
a webhook refused) is said on the item at once. The waiting alert keeps what its card
needs and no pupil's name: the card then shows initials, as it does by default.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from function_app.adapters.teams.cards import OPEN_CASE, CaseLinks
from function_app.adapters.teams.poster import PostResult
from function_app.domain.advice import Advice
from function_app.domain.alerts import Alert, AlertReason, Audience
from function_app.domain.model import Stage
from function_app.services.ports import StateStore

log = logging.getLogger(__name__)
POSTED_SCOPE = "alert-posted"
WAITING_SCOPE = "alert-waiting"
GIVE_UP_AFTER = timedelta(days=1)


class AlertPoster(Protocol):
    """Where alerts go (function_app.adapters.teams.poster.TeamsPoster)."""

    async def post(self, item: Alert, links: Mapping[str, CaseLinks] | None = None
                   ) -> PostResult: ...


@dataclass(frozen=True, slots=True)
class Posted:
    outcome: str  # "posted", "failed: why", "waiting: why" or "not sent: ..."
    say_on_item: str = ""  # what staff should read on the case item, if anything


# Said on the item: (list title, item id, message)
SayOnItem = Callable[[str, str, str], Awaitable[None]]


class Outbox:
    def __init__(self, poster: AlertPoster | None, state: StateStore,
                 clock: Callable[[], datetime]) -> None:
        self.poster, self.state, self.clock = poster, state, clock

    def posted(self, alert: Alert) -> bool:
        return bool(self.state.recall(POSTED_SCOPE, alert.dedupe_key))

    async def post(self, alert: Alert, links: Mapping[str, CaseLinks], item: str = ""
                   ) -> Posted:
        """Post once. ``item`` ("Cases/12") is where a failure is said if it lasts."""
        if self.posted(alert):
            return Posted("posted")
        if self.poster is None:  # Teams not set up at all: not a fault of this case
            return Posted("not sent: no Teams webhook is set")
        result = await self.poster.post(alert, links)
        if result.posted:
            self.state.remember(POSTED_SCOPE, alert.dedupe_key, "posted")
            self.state.forget(WAITING_SCOPE, alert.dedupe_key)
            return Posted("posted")
        if result.retry_later and result.attempts > 0 and item:  # tried, and may pass
            first = self._waiting_since(alert.dedupe_key) or self.clock()
            if self.clock() - first < GIVE_UP_AFTER:
                self.state.remember(WAITING_SCOPE, alert.dedupe_key, json.dumps({
                    "since": first.isoformat(), "item": item, "reason": result.reason,
                    "url": next(iter(links.values())).item_url if links else "",
                    "title": next(iter(links.values())).item_title if links else "",
                    "alert": _to_json(alert)}))
                return Posted(f"waiting: {result.reason}")
            self.state.forget(WAITING_SCOPE, alert.dedupe_key)
            return Posted(f"failed: {result.reason}",
                          f"{result.reason} (tried for a day; tell the officers directly)")
        return Posted(f"failed: {result.reason}", result.reason)

    async def retry_waiting(self, say: SayOnItem) -> list[tuple[Alert, Posted]]:
        """Post every waiting alert again; say on its item the ones failing for a day."""
        done: list[tuple[Alert, Posted]] = []
        for key in self.state.keys(WAITING_SCOPE):
            raw = self.state.recall(WAITING_SCOPE, key)
            if not raw:
                continue
            held = json.loads(raw)
            alert = _from_json(held["alert"])
            links = {alert.case_ref: CaseLinks(item_url=held.get("url", ""),
                                               item_title=held.get("title") or OPEN_CASE)}
            outcome = await self.post(alert, links, held["item"])
            if outcome.say_on_item:
                list_name, _, item_id = str(held["item"]).partition("/")
                await say(list_name, item_id, said(alert, outcome.say_on_item))
            done.append((alert, outcome))
        return done

    def _waiting_since(self, key: str) -> datetime | None:
        raw = self.state.recall(WAITING_SCOPE, key)
        return datetime.fromisoformat(json.loads(raw)["since"]) if raw else None


def said(alert: Alert, why: str) -> str:
    """The sentence staff read on the item when an alert could not be sent."""
    return f"The Teams alert ({alert.reason.value.replace('_', ' ')}) was not sent: {why}"


def _to_json(alert: Alert) -> dict[str, Any]:
    return {
        "reason": alert.reason.value, "audience": alert.audience.value,
        "case_ref": alert.case_ref, "school": alert.school, "why": alert.why,
        "tier": alert.tier, "tier_label": alert.tier_label,
        "stage": alert.stage.value if alert.stage is not None else None,
        "last_meeting": alert.last_meeting.isoformat() if alert.last_meeting else None,
        "last_meeting_kind": alert.last_meeting_kind,
        "review_due": alert.review_due.isoformat() if alert.review_due else None,
        "grounds": [[g.code, g.text, g.source] for g in alert.grounds],
        "pupil_initials": alert.pupil_initials, "variant": alert.variant,
        "attendance": alert.attendance,
        "bundle_links": [list(link) for link in alert.bundle_links],
    }  # no pupil_name: the state store keeps no child's name (the links name no one)


def _from_json(raw: dict[str, Any]) -> Alert:
    def day(value: Any) -> date | None:
        return date.fromisoformat(value) if value else None

    return Alert(
        reason=AlertReason(raw["reason"]), audience=Audience(raw["audience"]),
        case_ref=raw["case_ref"], school=raw["school"], why=raw["why"], tier=raw["tier"],
        tier_label=raw["tier_label"], stage=Stage(raw["stage"]) if raw["stage"] else None,
        last_meeting=day(raw["last_meeting"]), last_meeting_kind=raw["last_meeting_kind"],
        review_due=day(raw["review_due"]),
        grounds=tuple(Advice(*g) for g in raw["grounds"]),
        pupil_initials=raw["pupil_initials"], variant=raw["variant"],
        attendance=raw.get("attendance", ""),
        bundle_links=tuple((str(e), str(u)) for e, u in raw.get("bundle_links", ())))

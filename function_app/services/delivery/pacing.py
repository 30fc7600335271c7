"""How many emails a mailbox has sent this minute and today, kept in the state store, so
that ``delivery.pace`` can keep each school's mailbox within Exchange Online's sending
limits (30 messages a minute, 10,000 recipients a day) before Graph has to refuse.

Two facts per mailbox, each overwritten as it goes: this minute's count and today's (UTC
minute and day: a calendar window stands in for Exchange's sliding one, and Graph's 429
with Retry-After is the backstop when the two differ). The mailbox is kept as a digest.
Counting is not atomic across workers (remember/recall): two workers may both send the
30th message of a minute; Graph's 429 covers that too.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from function_app.services.ports import StateStore

log = logging.getLogger(__name__)
PACE_SCOPE = "mail-pace"  # "<mailbox digest>/minute" -> "<minute> <n>"; "/day" -> "<day> <n>"


@dataclass(frozen=True, slots=True)
class Counts:
    """What a mailbox sent in this minute and today (messages; each has one recipient)."""

    this_minute: int
    today: int


def _box(mailbox: str) -> str:
    return hashlib.sha256(mailbox.strip().casefold().encode("utf-8")).hexdigest()[:16]


def _stamps(now: datetime) -> tuple[str, str]:
    utc = now.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M"), utc.date().isoformat()


def _count(value: str, stamp: str) -> int:
    held, _, n = value.partition(" ")
    return int(n) if held == stamp and n.isdigit() else 0


def counts(state: StateStore, mailbox: str, now: datetime) -> Counts:
    """The mailbox's messages in ``now``'s minute and day."""
    minute, day = _stamps(now)
    box = _box(mailbox)
    return Counts(_count(state.recall(PACE_SCOPE, f"{box}/minute"), minute),
                  _count(state.recall(PACE_SCOPE, f"{box}/day"), day))


def count_sent(state: StateStore, mailbox: str, now: datetime) -> None:
    """One more message from the mailbox (sent, or perhaps sent: an answer lost). A store
    that fails here is logged, not raised: the message has gone, and Graph paces too."""
    minute, day = _stamps(now)
    box = _box(mailbox)
    try:
        held = counts(state, mailbox, now)
        state.remember(PACE_SCOPE, f"{box}/minute", f"{minute} {held.this_minute + 1}")
        state.remember(PACE_SCOPE, f"{box}/day", f"{day} {held.today + 1}")
    except Exception:  # the state store failing: not worth failing a sent letter for
        log.warning("an email was not counted towards the mailbox's pace (state store)")


def seconds_to_tomorrow(now: datetime) -> float:
    """Seconds until the next UTC day, when the day's count starts again."""
    utc = now.astimezone(UTC)
    midnight = datetime(utc.year, utc.month, utc.day, tzinfo=UTC).timestamp() + 86_400
    return max(midnight - utc.timestamp(), 1.0)

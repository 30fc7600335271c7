"""The register moves on by itself (issue 19 point 4): once a day each notice's State and
StateNote are brought to where the domain says it stands (``penalty_register.standing``):
at the end of the 21 days the reduced amount is gone, at the end of the 28 days an unpaid
notice becomes "Unpaid: consider prosecution" (the Education (Penalty Notices) (England)
Regulations 2007, regulations 4 and 5; the LA then considers prosecution for the absence
under Education Act 1996 s444, or withdraws the notice, regulation 9).

``move_register_on`` is what the daily timer calls. It writes only the items whose State or
StateNote differ, so a second run the same day writes nothing, and it returns the notices
that newly became unpaid so that the caller can tell the LA's officers; given a ``poster``
(``TeamsPoster.post_notice``: a plain message to the LA officers' channel) it tells them
itself, once per notice: only a notice whose State this run changed to unpaid is told.
The message names the notice number and the school, never the child or parent.

Left as they are: a notice the LA has taken to prosecution (State "Prosecution" or
"Prosecution started" ticked), and an item that cannot be read (said, with the column to
mend). A withdrawn notice stands withdrawn and is never made unpaid.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from function_app.adapters.graph.errors import GraphError
from function_app.domain.penalty_register import NoticeState, standing
from function_app.domain.policy import Profile
from function_app.domain.wording import counted
from function_app.domain.wording import day as say_day

from .register_items import (
    STATE_LABELS,
    Entry,
    RegisterGraph,
    Unreadable,
    changed,
    read_entry,
    register_list_id,
    state_fields,
)

log = logging.getLogger(__name__)
UNPAID_TITLE = "Penalty notice unpaid: consider prosecution"
REGISTER_ITEM, EVIDENCE = "Open the notice on the register", "Open the evidence bundle"


class NoticePoster(Protocol):
    """A plain message to the LA officers' channel (TeamsPoster.post_notice)."""

    async def post_notice(self, title: str, text: str,
                          links: Sequence[tuple[str, str]] = ...) -> bool: ...


@dataclass(frozen=True, slots=True)
class Move:
    item_id: str
    number: str
    school: str
    before: str  # the State label the item held
    after: str  # the State label written
    note: str  # the StateNote written
    links: tuple[tuple[str, str], ...] = ()  # the officers' buttons: (title, address)

    @property
    def newly_unpaid(self) -> bool:
        unpaid = STATE_LABELS[NoticeState.UNPAID]
        return self.after == unpaid and self.before != unpaid


@dataclass
class RegisterReport:
    today: date
    read: int = 0
    moved: list[Move] = field(default_factory=list)  # written (State or StateNote changed)
    up_to_date: int = 0
    prosecution: list[str] = field(default_factory=list)  # notice numbers left alone
    unreadable: list[Unreadable] = field(default_factory=list)
    failed: list[tuple[Move, str]] = field(default_factory=list)  # not written, and why
    told: list[str] = field(default_factory=list)  # notice numbers the officers were told of
    not_told: list[str] = field(default_factory=list)  # the poster refused or failed

    @property
    def newly_unpaid(self) -> list[Move]:
        """Notices this run made "Unpaid: consider prosecution": each is for the LA's
        officers to consider prosecution (or withdrawal)."""
        return [m for m in self.moved if m.newly_unpaid]

    def summary(self) -> str:
        """In plain words, for the timer's log and the command line."""
        lines = [f"Penalty Notice Register on {say_day(self.today)}: "
                 f"{counted(self.read, 'notice')} read, {len(self.moved)} moved on, "
                 f"{self.up_to_date} already up to date."]
        lines += [f"  {m.number} ({m.school}): {m.before or 'no state'} -> {m.after}. "
                  f"{m.note}" for m in self.moved]
        lines += [f"  {n}: taken to prosecution; left as it is." for n in self.prosecution]
        lines += [f"  NOT read: {u.message}" for u in self.unreadable]
        lines += [f"  NOT written: {m.number}: {why}" for m, why in self.failed]
        if self.newly_unpaid:
            lines.append(f"Newly unpaid, for the LA's officers to consider prosecution: "
                         f"{', '.join(m.number for m in self.newly_unpaid)}.")
        if self.not_told:
            lines.append(f"The LA's officers could not be told in Teams of: "
                         f"{', '.join(self.not_told)}; tell them from this report.")
        return "\n".join(lines) + "\n"


def unpaid_message(move: Move) -> str:
    """The officers' message for a notice newly unpaid: its number and school, no names,
    and where the evidence for deciding on prosecution is."""
    evidence = ("The evidence bundle the school sent with its request is linked below, as "
                "the LA received it." if any(t == EVIDENCE for t, _ in move.links) else
                "No evidence bundle came with its request: ask the school for it.")
    return (f"Penalty notice {move.number}, issued at {move.school or 'a school'}, is unpaid. "
            f"{move.note} {evidence}")


def links_of(entry: Entry) -> tuple[tuple[str, str], ...]:
    """The unpaid card's buttons: the register item and the request's evidence."""
    return tuple((title, url) for title, url in ((REGISTER_ITEM, entry.item_url),
                                                  (EVIDENCE, entry.evidence_url)) if url)


def plan_moves(entries: Sequence[Entry | Unreadable], profile: Profile, today: date,
               report: RegisterReport) -> dict[str, dict[str, object]]:
    """Per item id, the State and StateNote to write; ``report`` is filled in as it goes."""
    updates: dict[str, dict[str, object]] = {}
    for entry in entries:
        report.read += 1
        if isinstance(entry, Unreadable):
            report.unreadable.append(entry)
            continue
        if entry.prosecuted:
            report.prosecution.append(entry.notice.number)
            continue
        now = standing(entry.notice, profile, today)
        fields = changed(entry, state_fields(now))
        if not fields:
            report.up_to_date += 1
            continue
        updates[entry.item_id] = fields
        report.moved.append(Move(entry.item_id, entry.notice.number, entry.notice.school,
                                 entry.state, STATE_LABELS[now.state], now.text,
                                 links_of(entry)))
    return updates


async def move_register_on(graph: RegisterGraph, profile: Profile, today: date,
                           poster: NoticePoster | None = None) -> RegisterReport:
    """Bring every notice on the register to where it stands on ``today``; write what
    changed, in $batch; tell the officers (with ``poster``) of each notice newly unpaid.
    Raises RegisterMissing when the LA site has no register list."""
    list_id = await register_list_id(graph)
    report = RegisterReport(today)
    entries = [read_entry(item) for item in await graph.all_items(list_id)]
    updates = plan_moves(entries, profile, today, report)
    if not updates:
        return report
    results = await graph.update_fields_batch(list_id, updates)
    written: list[Move] = []
    for move in report.moved:
        outcome = results.get(move.item_id)
        if isinstance(outcome, GraphError) or outcome is None:
            report.failed.append((move, str(outcome or "no answer from Graph")))
        else:
            written.append(move)
    report.moved = written
    for move in report.newly_unpaid:
        if poster is None:
            break
        try:
            told = await poster.post_notice(UNPAID_TITLE, unpaid_message(move), move.links)
        except Exception as exc:  # a refused message must not undo the day's register
            log.warning("notice %s: Teams message not posted: %s", move.item_id,
                        type(exc).__name__)
            told = False
        (report.told if told else report.not_told).append(move.number)
    return report

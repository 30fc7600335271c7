"""Sharing a filed evidence bundle (its PDF) with the legal officers named in
CASEWORK_LEGAL_OFFICERS, and saying plainly with whom it was shared and with whom not.

Through Graph's invite (``Library.invite``): read only, sign-in required, no email from
Microsoft (the Teams card is the notice), for ``SHARE_DAYS`` days. Why 90 days: long
enough for the Lead Officer for Legal Intervention to review the bundle, consult and decide
whether to lay an information (a s444 offence must be laid within six months of it,
Magistrates' Courts Act 1980 s127, so the decision falls well inside that), short enough
that access to a child's record lapses by itself when nobody takes it away (least
privilege); a bundle needed later is shared again by ticking "Prepare legal referral".

Once per person: the bundle is shared when it is filed (or refiled, for a new case state).
When staff tick again and the same bundle stands, the people it is shared with now are read
from Graph (``Library.shared_with``) and said again; only an officer without a current
permission (refused before, Graph busy then, added to the setting since, or expired) is
invited again, which Graph takes as an update anyway. Nothing about who it was shared with
is kept in the state store (its keys and values name no one).

A refusal never stops the bundle being filed: it is said on the Cases item's Legal
readiness column and on the legal card, with what to do ("send the bundle another way").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from function_app.adapters.graph.errors import GraphError
from function_app.domain.wording import day

if TYPE_CHECKING:
    from function_app.adapters.graph.library import SharedWith

SHARE_DAYS = 90
MESSAGE = ("The evidence bundle for a legal referral, shared with you read only by the "
           "attendance casework app. It holds a child's attendance record: do not forward it.")
ACCESS_DENIED = "accessdenied"


class Sharer(Protocol):
    """What sharing a bundle needs of the library (GraphClient)."""

    async def invite(self, item_id: str, emails: Sequence[str], expires: datetime,
                     message: str) -> list[SharedWith]: ...
    async def shared_with(self, item_id: str) -> list[SharedWith]: ...


@dataclass(frozen=True, slots=True)
class Sharing:
    """With whom the bundle is shared, or why not, one per officer; no officers, nothing."""

    outcomes: tuple[SharedWith, ...] = ()
    note: str = ""  # why it was not shared at all (the Word bundle alone)

    @property
    def lines(self) -> tuple[str, ...]:
        return ((self.note,) if self.note else ()) + tuple(said(s) for s in self.outcomes)

    @property
    def links(self) -> tuple[tuple[str, str], ...]:
        """(email, link) of each officer it is shared with who was given a link."""
        return tuple((s.email, s.url) for s in self.outcomes if s.shared and s.url)


def said(outcome: SharedWith) -> str:
    """One plain sentence for the item and the card."""
    if outcome.shared:
        until = f"until {day(outcome.expires.date())}" if outcome.expires else "with no end date"
        return f"Shared with {outcome.email}, read only, {until}."
    if outcome.not_taken:
        return (f"Not yet shared with {outcome.email}: Microsoft 365 did not answer; tick "
                "\"Prepare legal referral\" again to share it.")
    if outcome.code.casefold() == ACCESS_DENIED:
        return (f"Could not be shared with {outcome.email}: your tenant does not allow "
                "sharing outside it (or the app may not invite a new guest); send the bundle "
                "another way.")
    return (f"Could not be shared with {outcome.email}: Microsoft 365 refused it "
            f"({outcome.code}); send the bundle another way.")


def word_only(officers: Sequence[str]) -> Sharing:
    """The Word bundle filed alone is not the bundle: it is not shared."""
    if not officers:
        return Sharing()
    return Sharing(note="Not shared with the legal officers: only the PDF bundle is shared, "
                        "once it is made.")


async def share_filed(library: Sharer, item_id: str, officers: Sequence[str],
                      now: datetime) -> Sharing:
    """Share a bundle just filed with every officer."""
    if not officers:
        return Sharing()
    expires = now + timedelta(days=SHARE_DAYS)
    return Sharing(tuple(await library.invite(item_id, list(officers), expires, MESSAGE)))


async def share_standing(library: Sharer, item_id: str, officers: Sequence[str],
                         now: datetime) -> Sharing:
    """A bundle filed before, asked for again: who has it now, and an invitation for each
    officer who has not (see the module docstring)."""
    if not officers:
        return Sharing()
    try:
        current = {s.email.casefold(): s for s in await library.shared_with(item_id)
                   if s.shared and (s.expires is None or s.expires > now)}
    except GraphError:  # not read: inviting everyone again is harmless
        current = {}
    missing = [e for e in officers if e.casefold() not in current]
    invited = {s.email.casefold(): s for s in (
        await library.invite(item_id, missing, now + timedelta(days=SHARE_DAYS), MESSAGE)
        if missing else [])}
    return Sharing(tuple(current.get(e.casefold()) or invited[e.casefold()] for e in officers))

"""What a sweep is given and what it says it did: the processor's settings, what it needs
of SharePoint, its report, and the names it keeps state and columns under.

Shared by the sweep (``processor``) and the work on one case (``case_work``), and read by
whoever runs a sweep and shows its report (the CLI, the demo, the Functions triggers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from function_app.adapters.graph.records import DeltaPage, ListInfo, ListItem
from function_app.documents.context import Options
from function_app.domain import DEFAULT_PROFILE
from function_app.domain.errors import CaseworkError
from function_app.services.filing import Library

if TYPE_CHECKING:
    from function_app.services.delivery.sending import LetterSent
    from function_app.services.legal.legal_referral import Referral

LIBRARY = "Case Files"
RETRY_SCOPE = "retry"
ERROR_SCOPE = "reported-error"
LEGAL_TICK, LEGAL_READINESS = "PrepareLegalReferral", "LegalReadiness"  # Cases columns


class SharePoint(Library, Protocol):
    """What the processor needs of Graph (function_app.adapters.graph.client.GraphClient):
    the lists, and the library as filing needs it."""

    async def lists(self) -> dict[str, ListInfo]: ...
    async def use_library(self, list_id: str) -> None: ...
    async def delta(self, list_id: str, link: str = "") -> DeltaPage: ...
    async def all_items(self, list_id: str) -> list[ListItem]: ...
    async def get_item(self, list_id: str, item_id: str) -> ListItem: ...
    async def update_fields(self, list_id: str, item_id: str, fields: dict[str, Any],
                            etag: str = "") -> dict[str, Any]: ...
    async def ensure_folder(self, path: str) -> str: ...


@dataclass
class Trigger:
    """A changed item, with the case and the meeting it belongs to ("" when none)."""

    list_name: str
    item: ListItem
    case_id: str
    meeting_id: str


class SetupError(CaseworkError):
    """The site lacks a list or library the product needs."""


@dataclass(frozen=True, slots=True)
class Filed:
    case_ref: str
    kind: str
    path: str  # folder/name inside the Case Files library
    web_url: str


@dataclass
class SweepReport:
    changes: int = 0  # items changed by people since the last sweep
    own_writes: int = 0  # changes that were our own write-backs, skipped
    cases: int = 0
    filed: list[Filed] = field(default_factory=list)
    already_made: int = 0  # documents another worker or an earlier sweep filed
    needs_attention: dict[str, str] = field(default_factory=dict)  # "List/id" -> message
    failed: dict[str, str] = field(default_factory=dict)  # "List/id" -> why; tried again
    pending: dict[str, str] = field(default_factory=dict)  # "List/id" -> what it waits for
    links_saved: bool = False  # the lists' delta links moved past this sweep's changes
    alerts: list[RaisedAlert] = field(default_factory=list)
    legal: list[Referral] = field(default_factory=list)  # evidence bundles prepared or found
    letters: list[LetterSent] = field(default_factory=list)  # letters sent, posted, waiting
    letters_approved: int = 0  # by a meeting's "Approve this meeting's letters"
    sending_failed: str = ""  # why sending stopped this sweep ('' when it did not)

    @property
    def nothing_new(self) -> bool:
        return not (self.filed or self.needs_attention or self.failed or self.pending
                    or self.letters or self.letters_approved)


@dataclass(frozen=True, slots=True)
class RaisedAlert:
    case_ref: str
    reason: str
    audience: str
    outcome: str  # "posted", "waiting: why", "failed: why", or "not sent: no webhook"


@dataclass(frozen=True, slots=True)
class ProcessorConfig:
    owner: str  # this worker's name, for claims
    today: date
    options: Options = field(default_factory=Options)
    folder_pattern: str = "{school}/{case_ref} {surname}, {forename}"
    profile: str = DEFAULT_PROFILE
    concurrency: int = 8  # cases processed at once
    site_path: str = "/sites/attendance"  # counts towards SharePoint's 400-character paths
    mailbox: str = ""  # the school's shared mailbox letters are emailed from ('': post)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

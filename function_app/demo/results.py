"""What a demo run did: each school's place, the cases' summaries, what needs attention."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from function_app.adapters.graph.client import GraphClient
from function_app.adapters.graph.records import ListInfo
from function_app.domain.errors import CaseworkError
from function_app.services.casework_sweep.sweep_report import (
    Filed,
    RaisedAlert,
)
from function_app.services.legal.legal_referral import Referral
from function_app.settings import Settings

from .scenario import (
    School,
)

if TYPE_CHECKING:
    from function_app.services.delivery.sending import LetterSent


@dataclass
class Letters:
    """The letters to parents in a school's library as it now holds them."""

    statuses: Counter[str] = field(default_factory=Counter)  # SendStatus -> letters
    packs: int = 0  # print packs filed
    no_pdf: bool = False  # a note says no PDF could be made here


class DemoError(CaseworkError):
    """The workspace holds something the demo cannot carry on from."""


@dataclass
class Place:
    """A school's own site as the demo uses it: its settings (the site's address), the app's
    Graph client there, its lists, and its Case Files library on disk."""

    school: School
    settings: Settings
    library: Path  # the site's Case Files library, as files
    shown: Path  # the same, as printed: under WORKSPACE
    app: GraphClient = field(init=False)
    lists: dict[str, ListInfo] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Attention:
    list_name: str
    title: str  # the item's Title, as staff see it
    status: str
    message: str
    filed: bool  # whether anything was made for it all the same


@dataclass(frozen=True, slots=True)
class CaseSummary:
    case_ref: str
    pupil: str
    school: str
    stage: str  # the label staff see
    status: str
    folder: Path  # the case's folder on disk, under WORKSPACE
    documents: tuple[str, ...]  # file names in the folder, in order
    attention: tuple[Attention, ...]
    attendance: str = ""  # the app's Tier, Attendance (%) and Severe absence, as a line


@dataclass
class DemoResult:
    workspace: Path
    typed: bool = False  # False when an earlier run had typed the term already
    filed: list[Filed] = field(default_factory=list)  # by this run
    cases: list[CaseSummary] = field(default_factory=list)
    unlinked: list[Attention] = field(default_factory=list)  # needing attention, no case
    requests: Counter[str] = field(default_factory=Counter)  # "staff", "app"
    alerts: list[tuple[str, RaisedAlert]] = field(default_factory=list)  # (school, alert)
    legal: list[Referral] = field(default_factory=list)  # evidence bundles, by this run
    penalty: list[str] = field(default_factory=list)  # the summary's "Penalty notices" part
    digests: int = 0  # schools sent the daily digest of reviews due and overdue
    letters: list[tuple[str, LetterSent]] = field(default_factory=list)  # (school, letter)
    letters_now: dict[str, Letters] = field(default_factory=dict)  # school key -> as read
    approved: int = 0  # letters the schools' leads approved in this run
    packs_posted: int = 0  # print packs the leads marked "Posted" in this run
    mail_dir: Path | None = None  # where the dev tenant keeps the emails
    emailed: int = 0  # emails the schools' mailboxes sent in this run (.eml files)
    seconds: float = 0.0

    @property
    def documents(self) -> int:
        return sum(len(c.documents) for c in self.cases)

    @property
    def attention(self) -> int:
        return sum(len(c.attention) for c in self.cases) + len(self.unlinked)

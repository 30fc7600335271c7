"""What an assessment found: the figures, the meetings, the next steps and the warnings.

The types ``assessment`` builds and ``advice`` and ``cautions`` read. They live here, below
all three, so that none of them imports another to name them (issue 16: no import cycles,
not even for type checking). ``assessment`` and ``advice`` re-export them, where they were
defined before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from .attendance import AbsenceFlags
from .meetings import ProceedDecision, ReviewDue
from .model import AttendanceFigures, Case, Meeting, MeetingStatus
from .penalty import Allowance, ThresholdCheck
from .policy import Profile, TierBand


@dataclass(frozen=True, slots=True)
class Advice:
    """A next step or a warning, in plain words, with the rule it comes from."""

    code: str
    text: str
    source: str


@dataclass(frozen=True, slots=True)
class AttendanceView:
    figures: AttendanceFigures
    from_marks: bool
    percent: Fraction
    tier: TierBand
    flags: AbsenceFlags


@dataclass(frozen=True, slots=True)
class MeetingView:
    meeting: Meeting
    proceed: ProceedDecision | None
    review: ReviewDue | None
    review_overdue: bool


@dataclass(frozen=True, slots=True)
class Assessment:
    case: Case
    profile: Profile
    today: date
    attendance: AttendanceView
    threshold: ThresholdCheck | None
    allowances: tuple[Allowance, ...]
    meetings: tuple[MeetingView, ...]
    next_steps: tuple[Advice, ...]
    warnings: tuple[Advice, ...]

    @property
    def latest_held(self) -> MeetingView | None:
        held = [m for m in self.meetings if m.meeting.status is MeetingStatus.HELD]
        return held[-1] if held else None

"""The domain's assessment pieces for every imported pupil: attendance %, tier, the DfE
persistent and severe flags, and the penalty-notice threshold when marks are known."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from function_app.domain.attendance import absence_flags, attendance_percent, figure_of, tier_for
from function_app.domain.model import SessionMark
from function_app.domain.penalty import NOT_A_SCHOOL_WEEK, ThresholdCheck, penalty_threshold
from function_app.domain.policy import Profile, TierBand

from .model import ImportedPupil


@dataclass(frozen=True, slots=True)
class PupilAssessment:
    pupil: ImportedPupil
    percent: Fraction | None  # None when the pupil has no possible sessions
    tier: TierBand | None
    persistently_absent: bool
    severely_absent: bool
    threshold: ThresholdCheck | None  # None without session marks

    @property
    def shown(self) -> str | None:
        """The figure with its sessions, '77.8% (296 of 380 possible sessions)'; None when
        the pupil has no possible sessions."""
        figures = self.pupil.figures
        return None if self.percent is None or figures is None else figure_of(figures)

    @property
    def needs_case(self) -> bool:
        """Tier 2 and below (seed 004: APDR from 92%), or severely absent (DfE: every
        severely absent pupil needs an agreed plan)."""
        return self.tier is not None and (self.tier.tier >= 2 or self.severely_absent)


def threshold_marks(marks: Sequence[SessionMark], codes: frozenset[str]) -> list[SessionMark]:
    """The marks ``penalty_threshold`` needs, for marks in date order: every mark with a
    threshold code, and the first and last mark of each school week (a mark other than
    '#' or 'Z'). The domain function gives the same answer for these as for all marks (the
    same school weeks, the same counts, the same first and last days) in far less time.
    """
    kept: list[SessionMark] = []
    week = -1
    last: SessionMark | None = None
    for mark in marks:
        code = mark.code
        if code in NOT_A_SCHOOL_WEEK:
            continue
        this_week = (mark.date.toordinal() - 1) // 7  # day 1 (1 January 0001) is a Monday
        if this_week != week:
            if last is not None and kept[-1] is not last:
                kept.append(last)
            kept.append(mark)
            week = this_week
        elif code in codes:
            kept.append(mark)
        last = mark
    if last is not None and kept[-1] is not last:
        kept.append(last)
    return kept


def assess_pupil(pupil: ImportedPupil, profile: Profile) -> PupilAssessment:
    figures = pupil.figures
    threshold = penalty_threshold(
        threshold_marks(pupil.marks, profile.penalty_threshold.codes), profile
    ) if pupil.marks else None
    if figures is None or figures.possible_sessions <= 0:
        return PupilAssessment(pupil, None, None, False, False, threshold)
    percent = attendance_percent(figures)
    flags = absence_flags(percent, profile)
    return PupilAssessment(pupil, percent, tier_for(percent, profile.tier_bands),
                           flags.persistently_absent, flags.severely_absent, threshold)


def assess_pupils(pupils: Iterable[ImportedPupil], profile: Profile) -> list[PupilAssessment]:
    return [assess_pupil(p, profile) for p in pupils]

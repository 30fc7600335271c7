"""Attendance arithmetic: percentage, tier, persistent and severe absence.

Percentages are exact fractions; they are only rounded for display, and then down, so a
displayed figure never sits in a higher band than the pupil's real one (92.96% shows as
92.9%, Tier 2, not as 93.0%).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from .codes import CodeMeaning, meaning
from .model import AttendanceFigures, SessionMark
from .policy import Profile, TierBand


def attendance_percent(figures: AttendanceFigures) -> Fraction:
    """Present sessions (including approved educational activity) over possible sessions."""
    if figures.possible_sessions <= 0:
        raise ValueError("possible_sessions must be positive to work out a percentage")
    return Fraction(100 * figures.present_sessions, figures.possible_sessions)


def display_percent(value: Fraction) -> str:
    """One decimal place, rounded down: '92.9%'."""
    tenths = math.floor(value * 10)
    return f"{tenths // 10}.{tenths % 10}%"


def tier_for(percent: Fraction, bands: tuple[TierBand, ...]) -> TierBand:
    """The first band whose floor the percentage reaches (seed 004).

    Bands are ordered from the highest floor; a value between two published bands (92.5%)
    has not reached the upper band's floor (93%) and so falls in the lower tier.
    """
    for band in bands:
        if percent >= band.min_percent:
            return band
    return bands[-1]


@dataclass(frozen=True, slots=True)
class AbsenceFlags:
    persistently_absent: bool
    severely_absent: bool


def absence_flags(percent: Fraction, profile: Profile) -> AbsenceFlags:
    """DfE: persistent = 10% or more of possible sessions missed; severe = 50% or more."""
    missed = 100 - percent
    return AbsenceFlags(
        persistently_absent=missed >= profile.persistent_absence_percent,
        severely_absent=missed >= profile.severe_absence_percent,
    )


def figures_from_marks(marks: Iterable[SessionMark]) -> AttendanceFigures:
    """Count the register: not-possible codes (X, Z, #, Q, Y1-Y7, D) are left out."""
    possible = present = authorised = unauthorised = 0
    days = []
    for mark in marks:
        kind = meaning(mark.code)
        if kind is CodeMeaning.NOT_POSSIBLE:
            continue
        days.append(mark.date)
        possible += 1
        if kind in (CodeMeaning.PRESENT, CodeMeaning.APPROVED_ACTIVITY):
            present += 1
        elif kind is CodeMeaning.AUTHORISED:
            authorised += 1
        else:
            unauthorised += 1
    return AttendanceFigures(
        possible_sessions=possible,
        present_sessions=present,
        authorised_absences=authorised,
        unauthorised_absences=unauthorised,
        period_start=min(days, default=None),
        period_end=max(days, default=None),
    )

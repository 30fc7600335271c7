"""Attendance arithmetic: percentage, tier, persistent and severe absence, and the figures
as they stood on a given day.

Percentages are exact fractions; they are only rounded for display, and then down, so a
displayed figure never sits in a higher band than the pupil's real one (92.96% shows as
92.9%, Tier 2, not as 93.0%). A figure shown to a person always carries its sessions,
``display_figure(296, 380)`` = "77.8% (296 of 380 possible sessions)", so anyone can
check the arithmetic and the rounding.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from .codes import CodeMeaning, meaning
from .model import AttendanceFigures, SessionMark
from .policy import Profile, TierBand


def attendance_percent(figures: AttendanceFigures) -> Fraction:
    """Present sessions (including approved educational activity) over possible sessions."""
    if figures.possible_sessions <= 0:
        raise ValueError("possible_sessions must be positive to work out a percentage")
    return Fraction(100 * figures.present_sessions, figures.possible_sessions)


def percent_tenths(value: Fraction) -> int:
    """The percentage in whole tenths, rounded down: 92.96% is 929. The one rounding rule
    for every figure a person sees (documents, Cases columns, cards, reports)."""
    return math.floor(value * 10)


def display_percent(value: Fraction) -> str:
    """One decimal place, rounded down: '92.9%'."""
    tenths = percent_tenths(value)
    return f"{tenths // 10}.{tenths % 10}%"


def display_figure(present: int, possible: int) -> str:
    """The percentage with the sessions it is worked out from:
    '77.8% (296 of 380 possible sessions)'. One decimal, rounded down."""
    if possible <= 0:
        raise ValueError("possible sessions must be positive to show a percentage")
    sessions = "possible session" if possible == 1 else "possible sessions"
    return (f"{display_percent(Fraction(100 * present, possible))} "
            f"({present} of {possible} {sessions})")


def figure_of(figures: AttendanceFigures) -> str:
    """``display_figure`` for a set of figures."""
    return display_figure(figures.present_sessions, figures.possible_sessions)


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


def figures_between(marks: Iterable[SessionMark], start: date | None,
                    end: date) -> AttendanceFigures | None:
    """The register counted from start (or the first mark) to end, both days included;
    None when that leaves no possible session."""
    figures = figures_from_marks(m for m in marks
                                 if m.date <= end and (start is None or m.date >= start))
    return figures if figures.possible_sessions > 0 else None


# -- figures as at a day ------------------------------------------------------------------

# Figures ending more than this before the day they are given on are "the latest recorded",
# not the pupil's attendance now.
RECENT = timedelta(days=14)


def school_year_start(day: date) -> date:
    """1 August of the school year the day falls in (Education Act 1996 s.579: the school
    year begins with the first term to begin after July)."""
    return date(day.year if day.month >= 8 else day.year - 1, 8, 1)


def school_year_name(day: date) -> str:
    """'2025 to 2026' for any day of that school year."""
    start = school_year_start(day).year
    return f"{start} to {start + 1}"


class Standing(enum.StrEnum):
    """How figures stand against the day a document gives them on."""

    CURRENT = "current"  # this school year, ending on the day or shortly before
    LATEST = "latest"  # this school year, but ending well before the day
    EARLIER_YEAR = "earlier_year"  # the latest recorded are of an earlier school year
    UNDATED = "undated"  # case totals without their period: nothing to check them against
    NOT_RECORDED = "not_recorded"  # nothing ends on or before the day


@dataclass(frozen=True, slots=True)
class FiguresAsAt:
    """The attendance figures as they stood on ``day``: never a period ending after it."""

    day: date
    figures: AttendanceFigures | None  # None when NOT_RECORDED
    from_marks: bool
    standing: Standing

    @property
    def shown(self) -> bool:
        return self.figures is not None


def figures_as_at(totals: AttendanceFigures | None, marks: Sequence[SessionMark],
                  day: date) -> FiguresAsAt:
    """The figures a document dated ``day`` may state.

    The register marks up to the day, counted from the start of its school year, come
    first: the same marks always give the same figures, so a record made for a meeting
    reads the same when it is made again later. Otherwise the case totals, if their period
    ends on or before the day. Otherwise the latest school year of marks before it. Case
    totals whose period runs past the day are never given as the figures on that day. For
    a meeting, ``totals`` are those kept on it when it was first recorded, when they were
    (``Meeting.figures_at_meeting``), so a record remade after the school has updated the
    case's totals still gives the figures it gave.
    """
    year_start = school_year_start(day)
    this_year = figures_between(marks, year_start, day)
    if this_year is not None:
        return FiguresAsAt(day, this_year, True, _standing(this_year, day))
    end = totals.period_end if totals is not None and totals.possible_sessions > 0 else None
    dated = end is not None and end <= day
    if totals is not None and end is not None and year_start <= end <= day:
        return FiguresAsAt(day, totals, False, _standing(totals, day))
    earlier = figures_between(marks, None, day)
    if earlier is not None and earlier.period_end is not None:
        earlier = figures_between(marks, school_year_start(earlier.period_end), day)
    candidates = [(f.period_end, from_marks, f) for f, from_marks in
                  ((earlier, True), (totals if dated else None, False))
                  if f is not None and f.period_end is not None]
    if candidates:
        _, from_marks, best = max(candidates, key=lambda c: (c[0], c[1]))
        return FiguresAsAt(day, best, from_marks, _standing(best, day))
    if totals is not None and totals.possible_sessions > 0 and totals.period_end is None:
        return FiguresAsAt(day, totals, False, Standing.UNDATED)
    return FiguresAsAt(day, None, False, Standing.NOT_RECORDED)


def _standing(figures: AttendanceFigures, day: date) -> Standing:
    start, end = figures.period_start, figures.period_end
    if end is None:
        return Standing.UNDATED
    year_start = school_year_start(day)
    if end < year_start or (start is not None and start < year_start):
        return Standing.EARLIER_YEAR
    return Standing.CURRENT if day - end <= RECENT else Standing.LATEST

"""The figures for the LA's termly targeting-support meetings (seeds 003 and 004): per school
and export, overall attendance, persistent and severe absence, pupils per tier, cohorts,
the trend across exports, the severely absent pupils with no agreed plan, and whether the
school is one the LA holds a termly targeting meeting with.

Seed 003 (Devon, 2023) names the schools: "All secondary schools; Large primary schools
(more than 350 pupils); Schools with under 90% overall attendance", and asks that "there are
attendance plans in place for all severely absent (less than 50%) pupils".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from pathlib import Path

from function_app.domain.attendance import display_figure, display_percent

from .assess import PupilAssessment
from .model import CHARACTERISTICS, ImportResult

LARGE_PRIMARY = 350  # pupils: "more than 350" (seed 003)
LOW_OVERALL = 90  # percent: "under 90% overall attendance" (seed 003)
TARGETING_SOURCE = ("seed 003 (Devon, 2023): termly targeting support meetings with all "
                    "secondary schools, primary schools of more than 350 pupils and schools "
                    "under 90% overall attendance")
PLAN_SOURCE = ("DfE, Working together to improve school attendance (2024), and seed 003: an "
               "agreed attendance plan (joint approach) for every severely absent pupil")
_DATE_IN_NAME = re.compile(r"[-_ ]*(\d{4}-\d{2}-\d{2}|\d{8}|\d{1,2}-\d{1,2}-\d{4})[-_ ]*")


@dataclass(frozen=True, slots=True)
class Figures:
    """One group of pupils (a school, a cohort) at one export."""

    pupils: int  # with possible sessions
    possible: int
    present: int
    persistent: int
    severe: int
    tiers: dict[int, int]

    @property
    def overall(self) -> Fraction | None:
        return Fraction(100 * self.present, self.possible) if self.possible else None

    def rate(self, count: int) -> Fraction | None:
        return Fraction(100 * count, self.pupils) if self.pupils else None


def figures_of(assessed: Iterable[PupilAssessment]) -> Figures:
    pupils = possible = present = persistent = severe = 0
    tiers: dict[int, int] = {}
    for a in assessed:
        f = a.pupil.figures
        if a.percent is None or f is None:
            continue
        pupils += 1
        possible += f.possible_sessions
        present += f.present_sessions
        persistent += a.persistently_absent
        severe += a.severely_absent
        if a.tier is not None:
            tiers[a.tier.tier] = tiers.get(a.tier.tier, 0) + 1
    return Figures(pupils, possible, present, persistent, severe, tiers)


@dataclass(frozen=True, slots=True)
class Export:
    """One school's export: where it came from, to which day, and every pupil assessed."""

    path: Path
    school: str
    result: ImportResult
    assessed: tuple[PupilAssessment, ...]
    to: date | None  # the last day the figures cover, when the export has dates

    @property
    def label(self) -> str:
        return long_date(self.to) if self.to else self.path.stem

    @property
    def figures(self) -> Figures:
        return figures_of(self.assessed)


def long_date(day: date) -> str:
    """3 March 2026."""
    return f"{day.day} {day:%B %Y}"


def school_name(result: ImportResult, path: Path) -> str:
    """The export's School column, else the file's name without a date in it."""
    named = next((p.school for p in result.pupils if p.school), "")
    return named or _DATE_IN_NAME.sub(" ", path.stem).strip(" -_") or path.stem


def export_day(result: ImportResult, path: Path) -> date | None:
    ends = [p.figures.period_end for p in result.pupils
            if p.figures is not None and p.figures.period_end is not None]
    if ends:
        return max(ends)
    found = re.search(r"(\d{4})-(\d{2})-(\d{2})", path.stem)
    try:
        return date(*map(int, found.groups())) if found else None
    except ValueError:
        return None


@dataclass
class School:
    """A school's exports, oldest first; the last is the one the pack reports on."""

    name: str
    exports: list[Export] = field(default_factory=list)

    @property
    def latest(self) -> Export:
        return self.exports[-1]

    @property
    def phase(self) -> str:
        return phase_of(self.latest.assessed)

    def targeting_reasons(self) -> list[str]:
        return targeting_reasons(self.phase, self.latest.figures)


def by_school(exports: Iterable[Export]) -> list[School]:
    schools: dict[str, School] = {}
    for e in exports:
        schools.setdefault(e.school.casefold(), School(e.school)).exports.append(e)
    for s in schools.values():
        s.exports.sort(key=lambda e: (e.to or date.min, e.path.name))
    return sorted(schools.values(), key=lambda s: s.name.casefold())


def year_number(text: str) -> int | None:
    t = text.strip().lower()
    if t in ("r", "rec", "reception", "n", "n1", "n2", "nursery"):
        return 0
    digits = re.sub(r"^(year|yr|y)\s*", "", t)
    return int(digits) if digits.isdigit() else None


def phase_of(assessed: Sequence[PupilAssessment]) -> str:
    """Primary (Reception to Year 6), secondary (Year 7 and above) or all-through, from the
    year groups in the export; 'not known' without any."""
    years = {y for a in assessed if (y := year_number(a.pupil.year_group)) is not None}
    if not years:
        return "not known"
    if max(years) <= 6:
        return "primary"
    return "secondary" if min(years) >= 7 else "all-through"


def targeting_reasons(phase: str, figures: Figures) -> list[str]:
    """Why the school has a termly targeting meeting (seed 003); empty if it does not."""
    reasons = []
    if phase in ("secondary", "all-through"):
        reasons.append("a secondary school" if phase == "secondary"
                       else "an all-through school with secondary pupils")
    if phase == "primary" and figures.pupils > LARGE_PRIMARY:
        reasons.append(f"a primary school of more than {LARGE_PRIMARY} pupils "
                       f"({figures.pupils})")
    overall = figures.overall
    if overall is not None and overall < LOW_OVERALL:
        reasons.append(f"overall attendance {display_figure(figures.present, figures.possible)}"
                       f", under {LOW_OVERALL}%")
    return reasons


def shown(percent: Fraction | None) -> str:
    """The project's one rule (display_percent): rounded down to a tenth, so 89.96% is 89.9%
    and a figure never contradicts its tier; '-' when there is none."""
    return "-" if percent is None else display_percent(percent)


def by_period(schools: Sequence[School]) -> list[tuple[date | None, list[School]]]:
    """The schools grouped by the day their latest figures end, the latest day first (and
    those whose exports give no day last): the groups whose figures may be added up."""
    groups: dict[date | None, list[School]] = {}
    for s in schools:
        groups.setdefault(s.latest.to, []).append(s)
    return sorted(groups.items(), key=lambda g: (g[0] is None, -(g[0] or date.min).toordinal()))


@dataclass(frozen=True, slots=True)
class Cohort:
    dimension: str  # "Year group", "SEN", ...
    group: str
    figures: Figures


def cohorts(assessed: Sequence[PupilAssessment]) -> list[Cohort]:
    """Year group, then each characteristic the export gives (SEN, FSM, ...)."""
    out = _split("Year group", assessed, lambda a: _year_label(a.pupil.year_group))
    present = {name for a in assessed for name, _ in a.pupil.characteristics}
    for name, title in CHARACTERISTICS.items():
        if name in present:
            out += _split(title, assessed, _characteristic(name))
    return out


def _characteristic(name: str) -> Callable[[PupilAssessment], str]:
    def value(a: PupilAssessment) -> str:
        return dict(a.pupil.characteristics).get(name, "Not given")
    return value


def _year_label(text: str) -> str:
    n = year_number(text)
    return "Not given" if n is None and not text else (
        "Reception" if n == 0 else f"Year {n}" if n is not None else text)


def _split(dimension: str, assessed: Sequence[PupilAssessment],
           key: Callable[[PupilAssessment], str]) -> list[Cohort]:
    groups: dict[str, list[PupilAssessment]] = {}
    for a in assessed:
        groups.setdefault(key(a), []).append(a)

    def order(name: str) -> tuple[int, int, str]:
        n = year_number(name.removeprefix("Year ")) if dimension == "Year group" else None
        return (n is None, n or 0, name)

    return [Cohort(dimension, g, figures_of(groups[g])) for g in sorted(groups, key=order)]


def needing_plan(assessed: Sequence[PupilAssessment]) -> list[PupilAssessment]:
    """Severely absent pupils with no agreed plan: where the export has a plan column,
    those it does not mark; without one, every severely absent pupil (not known)."""
    return [a for a in assessed if a.severely_absent and a.pupil.has_plan is not True]


def plan_column_given(assessed: Sequence[PupilAssessment]) -> bool:
    return any(a.pupil.has_plan is not None for a in assessed)


def previous_percent(school: School) -> dict[str, Fraction]:
    """Each pupil's % at the export before the latest, for the change column."""
    if len(school.exports) < 2:
        return {}
    return {a.pupil.key: a.percent for a in school.exports[-2].assessed
            if a.percent is not None}

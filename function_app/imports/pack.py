"""The targeting pack (LA level, seeds 003 and 004): an .xlsx workbook for the termly
targeting-support meeting, written with openpyxl, with native Excel charts.

Sheets: Summary (counts per tier, persistent, severe, and a bar chart of the tiers),
Pupils (every pupil: %, tier, flags; filterable) and Reg groups (tiers per reg group,
with a stacked bar chart). Percentages are shown rounded down, as everywhere else.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from collections.abc import Sequence
from datetime import date
from fractions import Fraction
from pathlib import Path

from function_app.domain.policy import Profile
from function_app.services.files import write_atomically

from .assess import PupilAssessment
from .found import mark_as_ours
from .model import SHAPE_TITLES, ImportResult

PUPIL_COLUMNS = ("UPN", "Admission number", "Legal forename", "Legal surname",
                 "Preferred name", "Year", "Reg group", "Possible", "Present",
                 "Attendance %", "Tier", "Persistently absent", "Severely absent",
                 "Penalty notice threshold reached", "Would need a case")


def _shown(percent: Fraction | None) -> float | None:
    """Rounded down to a tenth of a percent, as a fraction of 1 for Excel's % format."""
    return None if percent is None else math.floor(percent * 10) / 1000


def pack_bytes(result: ImportResult, assessed: Sequence[PupilAssessment], profile: Profile,
               today: date) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    bold = Font(bold=True)
    book = Workbook()
    mark_as_ours(book)  # so that `report targeting` never reads it as a school's export
    summary = book.active
    assert summary is not None
    summary.title = "Summary"
    summary.append(["Attendance targeting pack"])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([f"From {result.source} ({SHAPE_TITLES[result.shape]}), "
                    f"profile {profile.name}, on {today.day} {today:%B %Y}"])
    summary.append([])
    summary.append(["Tier", "Band", "Pupils"])
    tiers = Counter(a.tier.tier for a in assessed if a.tier is not None)
    for band in profile.tier_bands:
        summary.append([f"Tier {band.tier}", band.label, tiers.get(band.tier, 0)])
    last_tier_row = 4 + len(profile.tier_bands)
    summary.append([])
    marks_known = any(a.threshold is not None for a in assessed)
    facts: list[tuple[str, int | str]] = [
        ("Pupils", len(assessed)),
        ("Persistently absent (10% or more missed)", sum(a.persistently_absent
                                                        for a in assessed)),
        ("Severely absent (50% or more missed)", sum(a.severely_absent for a in assessed)),
        ("Would need a case (Tier 2 and below, or severely absent)",
         sum(a.needs_case for a in assessed)),
        ("Penalty notice threshold reached",
         sum(bool(a.threshold and a.threshold.reached) for a in assessed) if marks_known
         else "not known (no session marks)"),
    ]
    for label, value in facts:
        summary.append([label, None, value])
    for row in summary.iter_rows(min_row=4, max_row=4):
        for cell in row:
            cell.font = bold
    summary.column_dimensions["A"].width = 52
    summary.column_dimensions["B"].width = 16
    chart = BarChart()
    chart.title = "Pupils per tier"
    chart.y_axis.title = "Pupils"
    chart.add_data(Reference(summary, min_col=3, min_row=4, max_row=last_tier_row),
                   titles_from_data=True)
    chart.set_categories(Reference(summary, min_col=1, min_row=5, max_row=last_tier_row))
    summary.add_chart(chart, "E4")

    pupils = book.create_sheet("Pupils")
    pupils.append(list(PUPIL_COLUMNS))
    for cell in pupils[1]:
        cell.font = bold
    for a in assessed:
        p, figures = a.pupil, a.pupil.figures
        pupils.append([
            p.upn, p.admission_number, p.legal_forename, p.legal_surname,
            p.display_name if (p.preferred_forename or p.preferred_surname) else "",
            p.year_group, p.reg_group, figures.possible_sessions if figures else None,
            figures.present_sessions if figures else None, _shown(a.percent),
            a.tier.tier if a.tier else None, "yes" if a.persistently_absent else "",
            "yes" if a.severely_absent else "",
            "" if a.threshold is None else ("yes" if a.threshold.reached else "no"),
            "yes" if a.needs_case else ""])
    for (cell,) in pupils.iter_rows(min_row=2, min_col=10, max_col=10):
        cell.number_format = "0.0%"
    pupils.freeze_panes = "A2"
    pupils.auto_filter.ref = pupils.dimensions

    groups = book.create_sheet("Reg groups")
    bands = [b.tier for b in profile.tier_bands]
    groups.append(["Reg group", *(f"Tier {t}" for t in bands)])
    per_group: dict[str, Counter[int]] = {}
    for a in assessed:
        if a.tier is not None:
            per_group.setdefault(a.pupil.reg_group or "(none)", Counter())[a.tier.tier] += 1
    for name in sorted(per_group):
        groups.append([name, *(per_group[name].get(t, 0) for t in bands)])
    if per_group:
        stacked = BarChart()
        stacked.type, stacked.grouping, stacked.overlap = "bar", "stacked", 100
        stacked.title = "Tiers per reg group"
        stacked.add_data(Reference(groups, min_col=2, max_col=1 + len(bands), min_row=1,
                                   max_row=1 + len(per_group)), titles_from_data=True)
        stacked.set_categories(Reference(groups, min_col=1, min_row=2,
                                         max_row=1 + len(per_group)))
        groups.add_chart(stacked, f"{chr(ord('B') + len(bands) + 1)}2")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_pack(path: Path, result: ImportResult, assessed: Sequence[PupilAssessment],
               profile: Profile, today: date) -> Path:
    """Writes the pack whole (never a half-written file) and returns its path."""
    return write_atomically(path, pack_bytes(result, assessed, profile, today))

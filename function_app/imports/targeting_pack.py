"""The targeting-support pack as .xlsx workbooks (openpyxl, native Excel charts): one per
school and one LA-wide. Percentages are rounded down to a tenth, as everywhere else.

A school's workbook: Summary (figures, tiers, whether it has termly targeting meetings and
why, a tier chart), Cohorts (year group and each characteristic in the export, with a
chart), Trend (one row per export found, with line charts), Agreed plans (severely absent
pupils with none) and Pupils (each pupil, with the change since the export before).
The LA-wide workbook: Schools, Targeting meetings, Cohorts, Trend (a line per school) and
Agreed plans across every school.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import date
from fractions import Fraction
from typing import Any

from function_app.domain.policy import Profile

from .assess import PupilAssessment
from .targeting import (
    PLAN_SOURCE,
    TARGETING_SOURCE,
    Cohort,
    Figures,
    School,
    cohorts,
    figures_of,
    long_date,
    needing_plan,
    plan_column_given,
    previous_percent,
)

PERCENT = "0.0%"
WIDE, NARROW = 44, 14


def _pc(percent: Fraction | None) -> float | None:
    """As a fraction of 1 for Excel's % format, rounded down to a tenth of a percent."""
    return None if percent is None else math.floor(percent * 10) / 1000


class _Book:
    def __init__(self) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Font

        self.book = Workbook()
        self.bold = Font(bold=True)
        self.title_font = Font(bold=True, size=14)
        self._first = True

    def sheet(self, title: str) -> Any:
        if self._first:
            ws = self.book.active
            ws.title = title
            self._first = False
        else:
            ws = self.book.create_sheet(title)
        # Printed for the targeting meeting: landscape, each sheet one page wide.
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        return ws

    def heading(self, ws: Any, *cells: object) -> None:
        ws.append(list(cells))
        for cell in ws[ws.max_row]:
            cell.font = self.bold

    def title(self, ws: Any, text: str, *lines: str) -> None:
        ws.append([text])
        ws.cell(row=ws.max_row, column=1).font = self.title_font
        for line in lines:
            ws.append([line])
        ws.append([])

    def percent_columns(self, ws: Any, first_row: int, *columns: int) -> None:
        for col in columns:
            for (cell,) in ws.iter_rows(min_row=first_row, min_col=col, max_col=col):
                cell.number_format = PERCENT

    def widths(self, ws: Any, *widths: int) -> None:
        from openpyxl.utils import get_column_letter

        for n, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(n)].width = w

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.book.save(buffer)
        return buffer.getvalue()


def _figure_rows(f: Figures, profile: Profile) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = [
        ("Pupils", f.pupils),
        ("Overall attendance", _pc(f.overall)),
        ("Persistently absent (10% or more of sessions missed)", _pc(f.rate(f.persistent))),
        ("Severely absent (50% or more of sessions missed)", _pc(f.rate(f.severe))),
    ]
    rows += [(f"Tier {b.tier} ({b.label})", f.tiers.get(b.tier, 0)) for b in profile.tier_bands]
    return rows


def _tier_chart(ws: Any, first_row: int, bands: int, anchor: str) -> None:
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.title = "Pupils per tier"
    chart.y_axis.title = "Pupils"
    chart.legend = None
    chart.add_data(Reference(ws, min_col=2, min_row=first_row, max_row=first_row + bands - 1))
    chart.set_categories(Reference(ws, min_col=1, min_row=first_row,
                                   max_row=first_row + bands - 1))
    ws.add_chart(chart, anchor)


def _line_chart(ws: Any, title: str, columns: Sequence[int], header_row: int, last_row: int,
                anchor: str) -> None:
    from openpyxl.chart import LineChart, Reference

    chart = LineChart()
    chart.title = title
    chart.y_axis.title = "%"
    chart.y_axis.number_format = "0%"
    for col in columns:
        chart.add_data(Reference(ws, min_col=col, min_row=header_row, max_row=last_row),
                       titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_row))
    ws.add_chart(chart, anchor)


def _cohort_sheet(b: _Book, groups: Sequence[Cohort], title: str) -> None:
    from openpyxl.chart import BarChart, Reference

    ws = b.sheet("Cohorts")
    b.title(ws, title, "Each group's overall attendance and its persistent and severe "
                       "absence rates.")
    b.heading(ws, "Cohort", "Group", "Pupils", "Overall attendance", "Persistently absent",
              "Severely absent")
    first = ws.max_row + 1
    for c in groups:
        f = c.figures
        ws.append([c.dimension, c.group, f.pupils, _pc(f.overall), _pc(f.rate(f.persistent)),
                   _pc(f.rate(f.severe))])
    b.percent_columns(ws, first, 4, 5, 6)
    b.widths(ws, 16, 18, 10, 20, 20, 18)
    years = [n for n, c in enumerate(groups) if c.dimension == "Year group"]
    if years:
        chart = BarChart()
        chart.title = "Overall attendance by year group"
        chart.y_axis.number_format = "0%"
        chart.legend = None
        chart.add_data(Reference(ws, min_col=4, min_row=first + years[0],
                                 max_row=first + years[-1]))
        chart.set_categories(Reference(ws, min_col=2, min_row=first + years[0],
                                       max_row=first + years[-1]))
        ws.add_chart(chart, "H3")


def _plans_sheet(b: _Book, rows: Sequence[tuple[str, PupilAssessment]], given: bool) -> None:
    ws = b.sheet("Agreed plans")
    source = ("'Has a plan' is the export's attendance plan column." if given else
              "The export has no attendance plan column, so every severely absent pupil is "
              "listed: check each against the school's records.")
    b.title(ws, "Severely absent pupils with no agreed attendance plan", PLAN_SOURCE, source)
    b.heading(ws, "School", "UPN", "Admission number", "Pupil", "Year", "Reg group",
              "Attendance", "Plan")
    first = ws.max_row + 1
    for school, a in rows:
        p = a.pupil
        ws.append([school, p.upn, p.admission_number, p.display_name, p.year_group,
                   p.reg_group, _pc(a.percent), "No" if p.has_plan is False else "Not known"])
    b.percent_columns(ws, first, 7)
    b.widths(ws, 28, 16, 12, 26, 8, 10, 12, 10)


def school_pack(school: School, profile: Profile, today: date) -> bytes:
    b = _Book()
    latest = school.latest
    f = latest.figures
    ws = b.sheet("Summary")
    b.title(ws, f"Attendance targeting pack: {school.name}",
            f"Figures to {latest.label}, from {latest.path.name}; {school.phase}; rules "
            f"{profile.name}; made on {long_date(today)}.")
    b.heading(ws, "Measure", "Value")
    first = ws.max_row + 1
    for label, value in _figure_rows(f, profile):
        ws.append([label, value])
    for row in range(first + 1, first + 4):
        ws.cell(row=row, column=2).number_format = PERCENT
    reasons = school.targeting_reasons()
    ws.append([])
    ws.append(["Termly targeting support meeting", "Yes" if reasons else "No"])
    ws.append(["Why", "; ".join(reasons) if reasons else "none of the criteria applies"])
    ws.append(["Criteria", TARGETING_SOURCE])
    plans = needing_plan(latest.assessed)
    ws.append(["Severely absent with no agreed plan", len(plans)])
    b.widths(ws, WIDE, 22)
    # Below the figures: the criteria's long text runs on to the right, under no chart.
    _tier_chart(ws, first + 4, len(profile.tier_bands), f"A{ws.max_row + 2}")

    _cohort_sheet(b, cohorts(latest.assessed), f"Cohorts at {school.name}")
    _trend_sheet(b, school)
    _plans_sheet(b, [(school.name, a) for a in plans], plan_column_given(latest.assessed))
    _pupils_sheet(b, school)
    return b.save()


def _trend_sheet(b: _Book, school: School) -> None:
    ws = b.sheet("Trend")
    b.title(ws, f"Trend at {school.name}",
            f"One row per export found ({len(school.exports)}), oldest first.")
    b.heading(ws, "Figures to", "Overall attendance", "Persistently absent", "Severely absent",
              "Pupils", "Export")
    header = ws.max_row
    for e in school.exports:
        f = e.figures
        ws.append([e.label, _pc(f.overall), _pc(f.rate(f.persistent)), _pc(f.rate(f.severe)),
                   f.pupils, e.path.name])
    b.percent_columns(ws, header + 1, 2, 3, 4)
    b.widths(ws, 20, 18, 18, 16, 8, 30)
    _line_chart(ws, "Overall attendance", [2], header, ws.max_row, "H3")
    _line_chart(ws, "Persistent and severe absence", [3, 4], header, ws.max_row, "H19")


def _pupils_sheet(b: _Book, school: School) -> None:
    ws = b.sheet("Pupils")
    before = previous_percent(school)
    ws.append(["UPN", "Admission number", "Pupil", "Year", "Reg group", "Possible", "Present",
               "Attendance", "Change since the export before (points)", "Tier",
               "Persistently absent", "Severely absent"])
    for cell in ws[1]:
        cell.font = b.bold
    for a in school.latest.assessed:
        p, f = a.pupil, a.pupil.figures
        earlier = before.get(p.key)
        moved = (None if earlier is None or a.percent is None
                 else round(float(a.percent - earlier), 1))
        ws.append([p.upn, p.admission_number, p.display_name, p.year_group, p.reg_group,
                   f.possible_sessions if f else None, f.present_sessions if f else None,
                   _pc(a.percent), moved, a.tier.tier if a.tier else None,
                   "Yes" if a.persistently_absent else "", "Yes" if a.severely_absent else ""])
    b.percent_columns(ws, 2, 8)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    b.widths(ws, 16, 12, 26, 6, 10, 10, 10, 12, 16, 6, 12, 12)


def la_pack(schools: Sequence[School], profile: Profile, today: date) -> bytes:
    b = _Book()
    ws = b.sheet("Schools")
    b.title(ws, "Attendance targeting pack: every school",
            f"{len(schools)} schools; rules {profile.name}; made on {long_date(today)}.")
    bands = [band.tier for band in profile.tier_bands]
    b.heading(ws, "School", "Phase", "Figures to", "Pupils", "Overall attendance",
              "Persistently absent", "Severely absent", *(f"Tier {t}" for t in bands),
              "Termly targeting meeting", "Severely absent with no agreed plan")
    first = ws.max_row + 1
    everyone: list[PupilAssessment] = []
    for s in schools:
        f = s.latest.figures
        everyone += s.latest.assessed
        ws.append([s.name, s.phase, s.latest.label, f.pupils, _pc(f.overall),
                   _pc(f.rate(f.persistent)), _pc(f.rate(f.severe)),
                   *(f.tiers.get(t, 0) for t in bands),
                   "Yes" if s.targeting_reasons() else "No",
                   len(needing_plan(s.latest.assessed))])
    total = figures_of(everyone)
    ws.append(["All schools", "", "", total.pupils, _pc(total.overall),
               _pc(total.rate(total.persistent)), _pc(total.rate(total.severe)),
               *(total.tiers.get(t, 0) for t in bands), "", len(needing_plan(everyone))])
    for cell in ws[ws.max_row]:
        cell.font = b.bold
    b.percent_columns(ws, first, 5, 6, 7)
    b.widths(ws, 32, 12, 18, 8, 12, 12, 12, *(8 for _ in bands), 14, 14)

    meetings = b.sheet("Targeting meetings")
    b.title(meetings, "Schools for termly targeting support meetings", TARGETING_SOURCE)
    b.heading(meetings, "School", "Phase", "Pupils", "Overall attendance", "Meeting", "Why")
    first = meetings.max_row + 1
    for s in schools:
        reasons = s.targeting_reasons()
        meetings.append([s.name, s.phase, s.latest.figures.pupils, _pc(s.latest.figures.overall),
                         "Yes" if reasons else "No",
                         "; ".join(reasons) or "none of the criteria applies"])
    b.percent_columns(meetings, first, 4)
    b.widths(meetings, 32, 12, 8, 12, 10, 60)

    _cohort_sheet(b, cohorts(everyone), "Cohorts across every school")
    _la_trend(b, schools)
    _plans_sheet(b, [(s.name, a) for s in schools for a in needing_plan(s.latest.assessed)],
                 any(plan_column_given(s.latest.assessed) for s in schools))
    return b.save()


def _la_trend(b: _Book, schools: Sequence[School]) -> None:
    ws = b.sheet("Trend")
    b.title(ws, "Overall attendance at each school, export by export",
            "A row per day the exports run to; a column per school.")
    days = sorted({e.to for s in schools for e in s.exports if e.to is not None})
    b.heading(ws, "Figures to", *(s.name for s in schools))
    header = ws.max_row
    for day in days:
        row: list[object] = [long_date(day)]
        for s in schools:
            found = next((e for e in s.exports if e.to == day), None)
            row.append(_pc(found.figures.overall) if found else None)
        ws.append(row)
    b.percent_columns(ws, header + 1, *range(2, len(schools) + 2))
    b.widths(ws, 20, *(22 for _ in schools))
    if days and schools:
        _line_chart(ws, "Overall attendance", list(range(2, len(schools) + 2)), header,
                    ws.max_row, f"{_column(len(schools) + 3)}3")


def _column(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(n))

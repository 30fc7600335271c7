"""The targeting-support pack as .xlsx workbooks (openpyxl, native Excel charts): one per
school and one LA-wide. Every percentage is the project's one rule (display_percent:
rounded down to a tenth, so a figure never contradicts its tier), and beside it, where a
cell has room, the sessions it comes from (present of possible) or the pupils it counts.

A school's workbook: Summary (figures, tiers, whether it has termly targeting meetings and
why, a tier chart), Cohorts (year group and each characteristic in the export, with a
chart), Trend (one row per export found, with line charts once there are two exports;
with one, a sentence that there is no trend yet), Agreed plans (severely absent pupils with
none) and Pupils (each pupil, with the change since the export before).
The LA-wide workbook: Schools (with totals only for schools whose figures end on the same
day), Targeting meetings, Cohorts, Trend (a line per school) and Agreed plans.

Printed for the meeting: every sheet landscape and one page wide, its column headings
wrapped and repeated at the top of each printed page, and the long lines of text wrapped
within the table's width instead of running off the page.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from function_app.domain.attendance import display_percent
from function_app.domain.policy import Profile
from function_app.domain.wording import counted

from .assess import PupilAssessment
from .found import mark_as_ours
from .targeting import (
    PLAN_SOURCE,
    TARGETING_SOURCE,
    Cohort,
    Figures,
    School,
    by_period,
    cohorts,
    figures_of,
    long_date,
    needing_plan,
    plan_column_given,
    previous_percent,
)

PERCENT = "0.0%"
WIDE = 44
LINE = 15.0  # points: one line of Excel's default 11-point Calibri
SESSIONS = "Sessions (present of possible)"


def _pc(percent: Fraction | None) -> float | None:
    """As a fraction of 1 for Excel's 0.0% format: exactly the figure display_percent
    shows (rounded down to a tenth), so a cell never contradicts the tier beside it."""
    return None if percent is None else float(Decimal(display_percent(percent)[:-1]) / 100)


def _sessions(present: int, possible: int) -> str:
    """'1,858 of 2,000': the sessions a percentage of attendance comes from."""
    return f"{present:,} of {possible:,}" if possible else "-"


def _tenths(percent: Fraction | None) -> int | None:
    return None if percent is None else int(Decimal(display_percent(percent)[:-1]) * 10)


def _lines(text: str, width: float, size: float = 11, bold: bool = False) -> int:
    """How many lines TEXT wraps to in a cell WIDTH characters wide (a generous guess)."""
    room = max(1.0, (width - 1.5) * 11 / size / (1.1 if bold else 1.0))
    lines, used = 1, 0.0
    for word in text.split():
        if not used:
            used = len(word)
        elif used + 1 + len(word) <= room:
            used += 1 + len(word)
        else:
            lines, used = lines + 1, len(word)
        while used > room:
            lines, used = lines + 1, used - room
    return lines


@dataclass
class _Layout:
    """What a sheet's finishing needs: its table's width, heading row and long text."""

    columns: int = 1
    header: int | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)  # row, first column


class _Book:
    def __init__(self) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Font

        self.book = Workbook()
        mark_as_ours(self.book)
        self.bold = Font(bold=True)
        self.title_font = Font(bold=True, size=14)
        self._first = True
        self._layout: dict[str, _Layout] = {}

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
        self._layout[title] = _Layout()
        return ws

    def heading(self, ws: Any, *cells: object) -> None:
        """The table's column headings: bold, wrapped, repeated on every printed page."""
        ws.append(list(cells))
        for cell in ws[ws.max_row]:
            cell.font = self.bold
        layout = self._layout[ws.title]
        layout.columns = max(layout.columns, len(cells))
        if layout.header is None:
            layout.header = ws.max_row

    def title(self, ws: Any, text: str, *lines: str) -> None:
        ws.append([text])
        ws.cell(row=ws.max_row, column=1).font = self.title_font
        self._layout[ws.title].spans.append((ws.max_row, 1))
        for line in lines:
            ws.append([line])
            self._layout[ws.title].spans.append((ws.max_row, 1))
        ws.append([])

    def span(self, ws: Any, label: str, text: str) -> None:
        """A label and a long text, the text across the rest of the table's width."""
        ws.append([label, text])
        self._layout[ws.title].spans.append((ws.max_row, 2))

    def percent_columns(self, ws: Any, first_row: int, *columns: int) -> None:
        for col in columns:
            for (cell,) in ws.iter_rows(min_row=first_row, min_col=col, max_col=col):
                cell.number_format = PERCENT

    def widths(self, ws: Any, *widths: int) -> None:
        from openpyxl.utils import get_column_letter

        for n, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(n)].width = w

    def _finish(self, ws: Any) -> None:
        """Wraps what would run off the printed page and sets the print titles."""
        from openpyxl.styles import Alignment
        from openpyxl.utils import get_column_letter

        layout = self._layout[ws.title]
        last = layout.columns
        width = [float(ws.column_dimensions[get_column_letter(c)].width or 13)
                 for c in range(1, last + 1)]
        spanned = {row for row, _ in layout.spans}
        for row, first in layout.spans:
            cell = ws.cell(row=row, column=first)
            if first < last:
                ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            size = float(cell.font.sz or 11)
            lines = _lines(str(cell.value or ""), sum(width[first - 1:last]), size)
            ws.row_dimensions[row].height = lines * LINE * max(size, 11) / 11
        if layout.header is not None:
            header = layout.header
            lines = 1
            for cell in ws[header][:last]:
                cell.alignment = Alignment(wrap_text=True, vertical="bottom")
                lines = max(lines, _lines(str(cell.value or ""), width[cell.column - 1],
                                          bold=True))
            ws.row_dimensions[header].height = lines * LINE
            ws.print_title_rows = f"{header}:{header}"
        for row in ws.iter_rows(min_row=(layout.header or 0) + 1, max_col=last):
            if not row or row[0].row in spanned:
                continue
            lines = 1
            for cell in row:
                if isinstance(cell.value, str) and len(cell.value) > width[cell.column - 1]:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                    lines = max(lines, _lines(cell.value, width[cell.column - 1]))
            if lines > 1:
                ws.row_dimensions[row[0].row].height = lines * LINE

    def save(self) -> bytes:
        for ws in self.book.worksheets:
            self._finish(ws)
        buffer = io.BytesIO()
        self.book.save(buffer)
        return buffer.getvalue()


def _rates(f: Figures) -> list[object]:
    """Overall attendance and its sessions; persistent and severe absence and their pupils."""
    return [_pc(f.overall), _sessions(f.present, f.possible), _pc(f.rate(f.persistent)),
            f.persistent, _pc(f.rate(f.severe)), f.severe]


RATE_HEADINGS = ("Overall attendance", SESSIONS, "Persistently absent",
                 "Persistently absent (pupils)", "Severely absent", "Severely absent (pupils)")


def _figure_rows(f: Figures, profile: Profile) -> list[tuple[str, object, str]]:
    of_pupils = f"of {f.pupils:,} pupils"
    rows: list[tuple[str, object, str]] = [
        ("Pupils", f.pupils, ""),
        ("Overall attendance", _pc(f.overall),
         f"{f.present:,} present of {f.possible:,} possible sessions"),
        ("Persistently absent (10% or more of sessions missed)", _pc(f.rate(f.persistent)),
         f"{f.persistent:,} {of_pupils}"),
        ("Severely absent (50% or more of sessions missed)", _pc(f.rate(f.severe)),
         f"{f.severe:,} {of_pupils}"),
    ]
    rows += [(f"Tier {b.tier} ({b.label})", f.tiers.get(b.tier, 0), "")
             for b in profile.tier_bands]
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


def _cohort_sheet(b: _Book, title: str, blocks: Sequence[tuple[str, Sequence[Cohort]]],
                  *lines: str) -> None:
    """One block of cohorts, or (when the schools' figures end on different days) a block
    per day, each row then starting with the day its figures run to."""
    from openpyxl.chart import BarChart, Reference

    ws = b.sheet("Cohorts")
    b.title(ws, title, "Each group's overall attendance, with the sessions it comes from, "
                       "and its persistent and severe absence, with the pupils it counts.",
            *lines)
    dated = len(blocks) > 1
    b.heading(ws, *(["Figures to"] if dated else []), "Cohort", "Group", "Pupils",
              *RATE_HEADINGS)
    first = ws.max_row + 1
    chart: tuple[int, int, str] | None = None
    for label, groups in blocks:
        start = ws.max_row + 1
        for c in groups:
            ws.append([*([label] if dated else []), c.dimension, c.group, c.figures.pupils,
                       *_rates(c.figures)])
        years = [n for n, c in enumerate(groups) if c.dimension == "Year group"]
        if chart is None and years:
            chart = (start + years[0], start + years[-1], label)
    off = 1 if dated else 0
    b.percent_columns(ws, first, 4 + off, 6 + off, 8 + off)
    b.widths(ws, *([18] if dated else []), 14, 16, 9, 12, 16, 12, 12, 12, 12)
    if chart is not None:
        bars = BarChart()
        bars.title = "Overall attendance by year group" + (f", to {chart[2]}" if dated else "")
        bars.y_axis.number_format = "0%"
        bars.legend = None
        bars.add_data(Reference(ws, min_col=4 + off, min_row=chart[0], max_row=chart[1]))
        bars.set_categories(Reference(ws, min_col=2 + off, min_row=chart[0],
                                      max_row=chart[1]))
        ws.add_chart(bars, f"{_column(10 + off + 2)}3")


def _plans_sheet(b: _Book, rows: Sequence[tuple[str, PupilAssessment]], given: bool) -> None:
    ws = b.sheet("Agreed plans")
    source = ("'Has a plan' is the export's attendance plan column." if given else
              "The export has no attendance plan column, so every severely absent pupil is "
              "listed: check each against the school's records.")
    b.title(ws, "Severely absent pupils with no agreed attendance plan", PLAN_SOURCE, source)
    b.heading(ws, "School", "UPN", "Admission number", "Pupil", "Year", "Reg group",
              "Attendance", SESSIONS, "Plan")
    first = ws.max_row + 1
    for school, a in rows:
        p, f = a.pupil, a.pupil.figures
        ws.append([school, p.upn, p.admission_number, p.display_name, p.year_group,
                   p.reg_group, _pc(a.percent),
                   _sessions(f.present_sessions, f.possible_sessions) if f else "-",
                   "No" if p.has_plan is False else "Not known"])
    b.percent_columns(ws, first, 7)
    b.widths(ws, 28, 16, 11, 24, 6, 8, 11, 14, 10)


def school_pack(school: School, profile: Profile, today: date) -> bytes:
    b = _Book()
    latest = school.latest
    f = latest.figures
    ws = b.sheet("Summary")
    b.title(ws, f"Attendance targeting pack: {school.name}",
            f"Figures to {latest.label}, from {latest.path.name}; {school.phase}; rules "
            f"{profile.name}; made on {long_date(today)}.")
    b.heading(ws, "Measure", "Value", "Counted from")
    first = ws.max_row + 1
    for measure in _figure_rows(f, profile):
        ws.append(list(measure))
    for row in range(first + 1, first + 4):
        ws.cell(row=row, column=2).number_format = PERCENT
    reasons = school.targeting_reasons()
    ws.append([])
    ws.append(["Termly targeting support meeting", "Yes" if reasons else "No"])
    b.span(ws, "Why", "; ".join(reasons) if reasons else "none of the criteria applies")
    b.span(ws, "Criteria", TARGETING_SOURCE)
    plans = needing_plan(latest.assessed)
    ws.append(["Severely absent with no agreed plan", len(plans)])
    b.widths(ws, WIDE, 12, 36)
    # Below the figures, so that printed it keeps to the page's width.
    _tier_chart(ws, first + 4, len(profile.tier_bands), f"A{ws.max_row + 2}")

    _cohort_sheet(b, f"Cohorts at {school.name}", [(latest.label, cohorts(latest.assessed))])
    _trend_sheet(b, school)
    _plans_sheet(b, [(school.name, a) for a in plans], plan_column_given(latest.assessed))
    _pupils_sheet(b, school)
    return b.save()


def no_trend_yet(label: str) -> str:
    """What the Trend sheet says instead of drawing a chart of a single point."""
    return (f"No trend yet: one import so far (figures to {label}). The next import will "
            "show the change.")


def _trend_sheet(b: _Book, school: School) -> None:
    ws = b.sheet("Trend")
    count = len(school.exports)
    b.title(ws, f"Trend at {school.name}",
            f"One row per export found ({count}), oldest first.",
            *([] if count > 1 else [no_trend_yet(school.latest.label)]))
    b.heading(ws, "Figures to", "Pupils", *RATE_HEADINGS, "Export")
    header = ws.max_row
    for e in school.exports:
        ws.append([e.label, e.figures.pupils, *_rates(e.figures), e.path.name])
    b.percent_columns(ws, header + 1, 3, 5, 7)
    b.widths(ws, 18, 9, 12, 16, 12, 12, 12, 12, 30)
    if count > 1:
        _line_chart(ws, "Overall attendance", [3], header, ws.max_row, "K3")
        _line_chart(ws, "Persistent and severe absence", [5, 7], header, ws.max_row, "K19")


def _pupils_sheet(b: _Book, school: School) -> None:
    ws = b.sheet("Pupils")
    before = previous_percent(school)
    b.heading(ws, "UPN", "Admission number", "Pupil", "Year", "Reg group", "Possible",
              "Present", "Attendance", "Change since the export before (points)", "Tier",
              "Persistently absent", "Severely absent")
    for a in school.latest.assessed:
        p, f = a.pupil, a.pupil.figures
        now, earlier = _tenths(a.percent), _tenths(before.get(p.key))
        # The change between the two figures as shown, so the three never disagree.
        moved = None if now is None or earlier is None else (now - earlier) / 10
        ws.append([p.upn, p.admission_number, p.display_name, p.year_group, p.reg_group,
                   f.possible_sessions if f else None, f.present_sessions if f else None,
                   _pc(a.percent), moved, a.tier.tier if a.tier else None,
                   "Yes" if a.persistently_absent else "", "Yes" if a.severely_absent else ""])
    b.percent_columns(ws, 2, 8)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    b.widths(ws, 16, 11, 24, 6, 8, 9, 9, 11, 14, 6, 11, 11)


def _day(day: date | None) -> str:
    return long_date(day) if day else "no end date given"


def periods_differ(periods: Sequence[tuple[date | None, Sequence[School]]]) -> str:
    """The plain sentence on the all-schools sheets when the figures end on different days."""
    each = "; ".join(f"{_day(day)}: {counted(len(group), 'school')}" for day, group in periods)
    return (f"The schools' figures end on different dates ({each}). Figures to different "
            "dates cover different periods, so they are not added together: there is a total "
            "for each end date, of the schools whose figures end on it.")


def la_pack(schools: Sequence[School], profile: Profile, today: date) -> bytes:
    """The LA-wide workbook. Totals are only ever of like with like: when the schools'
    latest figures end on different days (a school exported in October, the rest in
    December), the Schools sheet has an 'All schools' total for each end date and says so
    in plain words, and the Cohorts sheet a block for each. An LA officer reads 'All
    schools' as the authority's attendance for one period, to set beside the DfE's termly
    figures and last term's; adding a half-term's sessions to a whole term's would describe
    no period, weight the schools by how long their exports run, and could move the total
    across a threshold such as 90%. Each school's own row keeps its 'Figures to' day."""
    b = _Book()
    periods = by_period(schools)
    differ = len(periods) > 1
    ws = b.sheet("Schools")
    b.title(ws, "Attendance targeting pack: every school",
            f"{counted(len(schools), 'school')}; rules {profile.name}; made on "
            f"{long_date(today)}.", *([periods_differ(periods)] if differ else []))
    bands = [band.tier for band in profile.tier_bands]
    b.heading(ws, "School", "Phase", "Figures to", "Pupils", *RATE_HEADINGS,
              *(f"Tier {t}" for t in bands), "Termly targeting meeting",
              "Severely absent with no agreed plan")
    first = ws.max_row + 1
    for s in schools:
        f = s.latest.figures
        ws.append([s.name, s.phase, s.latest.label, f.pupils, *_rates(f),
                   *(f.tiers.get(t, 0) for t in bands),
                   "Yes" if s.targeting_reasons() else "No",
                   len(needing_plan(s.latest.assessed))])
    for day, group in periods:
        everyone = [a for s in group for a in s.latest.assessed]
        total = figures_of(everyone)
        name = (f"All schools with figures to {long_date(day)}" if differ and day else
                "All schools with no end date given" if differ else "All schools")
        ws.append([name, counted(len(group), "school") if differ else "", _day(day),
                   total.pupils, *_rates(total), *(total.tiers.get(t, 0) for t in bands),
                   "", len(needing_plan(everyone))])
        for cell in ws[ws.max_row]:
            cell.font = b.bold
    b.percent_columns(ws, first, 5, 7, 9)
    b.widths(ws, 30, 11, 16, 8, 11, 15, 11, 11, 11, 11, *(7 for _ in bands), 11, 12)

    meetings = b.sheet("Targeting meetings")
    b.title(meetings, "Schools for termly targeting support meetings", TARGETING_SOURCE)
    b.heading(meetings, "School", "Phase", "Figures to", "Pupils", "Overall attendance",
              SESSIONS, "Meeting", "Why")
    first = meetings.max_row + 1
    for s in schools:
        reasons = s.targeting_reasons()
        f = s.latest.figures
        meetings.append([s.name, s.phase, s.latest.label, f.pupils, _pc(f.overall),
                         _sessions(f.present, f.possible), "Yes" if reasons else "No",
                         "; ".join(reasons) or "none of the criteria applies"])
    b.percent_columns(meetings, first, 5)
    b.widths(meetings, 30, 11, 16, 8, 11, 15, 9, 50)

    blocks = [(_day(day), cohorts([a for s in group for a in s.latest.assessed]))
              for day, group in periods]
    _cohort_sheet(b, "Cohorts across every school", blocks,
                  *(["The schools' figures end on different dates, so each date has its "
                     "own rows: figures to different dates are not added together."]
                    if differ else []))
    _la_trend(b, schools)
    _plans_sheet(b, [(s.name, a) for s in schools for a in needing_plan(s.latest.assessed)],
                 any(plan_column_given(s.latest.assessed) for s in schools))
    return b.save()


def _la_trend(b: _Book, schools: Sequence[School]) -> None:
    ws = b.sheet("Trend")
    days = sorted({e.to for s in schools for e in s.exports if e.to is not None})
    lines = ["A row per day the exports run to; a column per school's overall attendance."]
    if len(days) < 2:
        lines.append("No trend yet: one import so far"
                     + (f" (figures to {long_date(days[0])})" if days else "")
                     + ". The next import will show the change.")
    else:
        single = [s.name for s in schools if len(s.exports) == 1 and s.latest.to is not None]
        undated = [s.name for s in schools if all(e.to is None for e in s.exports)]
        if single:
            lines.append(f"No trend yet at {', '.join(single)}: one import so far; the next "
                         "import will show the change.")
        if undated:
            lines.append(f"Not here: {', '.join(undated)}, whose exports give no end date "
                         "(each school's own workbook has its trend).")
    b.title(ws, "Overall attendance at each school, export by export", *lines)
    b.heading(ws, "Figures to", *(s.name for s in schools))
    header = ws.max_row
    for day in days:
        row: list[object] = [long_date(day)]
        for s in schools:
            found = next((e for e in s.exports if e.to == day), None)
            row.append(_pc(found.figures.overall) if found else None)
        ws.append(row)
    b.percent_columns(ws, header + 1, *range(2, len(schools) + 2))
    b.widths(ws, 18, *(16 for _ in schools))
    if len(days) > 1 and schools:
        _line_chart(ws, "Overall attendance", list(range(2, len(schools) + 2)), header,
                    ws.max_row, f"{_column(len(schools) + 3)}3")


def _column(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(n))

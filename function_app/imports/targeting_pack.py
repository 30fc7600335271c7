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

Printed for the meeting as pack_workbook.py sets each sheet up: landscape and one page
wide, headings repeated on each page, long text wrapped within the table's width.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction

from function_app.domain.attendance import display_percent
from function_app.domain.policy import Profile
from function_app.domain.wording import counted

from .assess import PupilAssessment
from .pack_workbook import PERCENT, PackWorkbook, column_letter, line_chart, tier_chart
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

WIDE = 44
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


def _cohort_sheet(b: PackWorkbook, title: str, blocks: Sequence[tuple[str, Sequence[Cohort]]],
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
        ws.add_chart(bars, f"{column_letter(10 + off + 2)}3")


def _plans_sheet(b: PackWorkbook, rows: Sequence[tuple[str, PupilAssessment]], given: bool) -> None:
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
    b = PackWorkbook()
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
    tier_chart(ws, first + 4, len(profile.tier_bands), f"A{ws.max_row + 2}")

    _cohort_sheet(b, f"Cohorts at {school.name}", [(latest.label, cohorts(latest.assessed))])
    _trend_sheet(b, school)
    _plans_sheet(b, [(school.name, a) for a in plans], plan_column_given(latest.assessed))
    _pupils_sheet(b, school)
    return b.save()


def no_trend_yet(label: str) -> str:
    """What the Trend sheet says instead of drawing a chart of a single point."""
    return (f"No trend yet: one import so far (figures to {label}). The next import will "
            "show the change.")


def _trend_sheet(b: PackWorkbook, school: School) -> None:
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
        line_chart(ws, "Overall attendance", [3], header, ws.max_row, "K3")
        line_chart(ws, "Persistent and severe absence", [5, 7], header, ws.max_row, "K19")


def _pupils_sheet(b: PackWorkbook, school: School) -> None:
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
    b = PackWorkbook()
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


def _la_trend(b: PackWorkbook, schools: Sequence[School]) -> None:
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
        line_chart(ws, "Overall attendance", list(range(2, len(schools) + 2)), header,
                    ws.max_row, f"{column_letter(len(schools) + 3)}3")



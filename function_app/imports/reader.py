"""Read one export: find the sheet and header, read every row, and decide all or nothing."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

from .headers import Layout, detect
from .mapping import Mapping
from .model import (
    SHAPE_TITLES,
    SUMMARY,
    ImportedPupil,
    ImportProblem,
    ImportRejected,
    ImportResult,
    column_letter,
)
from .rows import READERS, Collected, summary
from .sources import Rows, sheets
from .values import Cell, as_text

_DAY = re.compile(r"\b(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2})\b")


def read_attendance(path: Path, mapping: Mapping | None = None, *, skip_invalid: bool = False,
                    today: date | None = None) -> ImportResult:
    """Every pupil in the file, or ImportRejected listing every problem.

    With ``skip_invalid`` a pupil with a problem is left out (and the problem reported in
    ``ImportResult.skipped``) instead of rejecting the file. Marks dated after ``today`` are
    not counted.
    """
    mapping = mapping or Mapping()
    tried: list[ImportProblem] = []
    seen: tuple[str, ...] = ()
    for sheet, rows in sheets(path, mapping.sheet):
        layout, headers, missing = detect(rows, mapping.columns, mapping.header_row,
                                          mapping.shape)
        if layout is None:
            seen = seen or headers
            tried.append(ImportProblem(
                sheet, mapping.header_row or 0, 0, "",
                "unrecognised layout. Headers seen: "
                f"{', '.join(map(repr, headers)) or '(none)'}. Not found: "
                f"{'; '.join(missing)}. Give --mapping FILE to name the columns."))
            continue
        return _finish(path, sheet, rows, layout, mapping, skip_invalid, today)
    raise ImportRejected(tried, seen)


def _finish(path: Path, sheet: str, rows: Rows, layout: Layout, mapping: Mapping,
            skip_invalid: bool, today: date | None) -> ImportResult:
    collected: Collected = (summary(sheet, rows, layout) if layout.shape == SUMMARY
                            else READERS[layout.shape](sheet, rows, layout, mapping.codes,
                                                       today))
    if collected.problems and not skip_invalid:
        raise ImportRejected(collected.problems)
    pupils = tuple(p for k, p in collected.pupils.items() if k not in collected.bad_keys)
    if layout.shape == SUMMARY:
        pupils = _with_period(pupils, period_in_titles(rows[:layout.header_index]))
    shown = {name: f"{layout.headers[c]} (column {column_letter(c)})"
             for name, c in sorted(layout.columns.items(), key=lambda item: item[1])}
    if layout.grid:
        first, last = min(layout.grid), max(layout.grid)
        shown["marks"] = (f"{len(layout.grid)} date-and-session columns, "
                          f"{column_letter(first)} to {column_letter(last)}")
    assert layout.shape in SHAPE_TITLES
    return ImportResult(
        source=path.name, sheet=sheet, shape=layout.shape, header_row=layout.header_index + 1,
        mapping=shown, pupils=pupils, skipped=tuple(collected.problems),
        ignored_after_today=collected.ignored_after_today)


def period_in_titles(rows: Rows) -> tuple[date, date] | None:
    """The period a summary covers, from the title rows above its header: the first two
    dates written there ('Attendance 03/09/2026 to 18/12/2026'), else None."""
    found: list[date] = []
    for row in rows:
        for cell in row:
            found += _dates_in(cell)
    return (found[0], found[1]) if len(found) >= 2 and found[0] <= found[1] else None


def _dates_in(cell: Cell) -> list[date]:
    if isinstance(cell, date):
        return [cell if type(cell) is date else cell.date()]  # type: ignore[attr-defined]
    out = []
    for text in _DAY.findall(as_text(cell)):
        try:
            if "/" in text:
                d, m, y = (int(p) for p in text.split("/"))
                out.append(date(y, m, d))
            else:
                out.append(date.fromisoformat(text))
        except ValueError:
            continue
    return out


def _with_period(pupils: tuple[ImportedPupil, ...], period: tuple[date, date] | None
                 ) -> tuple[ImportedPupil, ...]:
    if period is None:
        return pupils
    start, end = period
    return tuple(replace(p, figures=replace(p.figures, period_start=start, period_end=end))
                 if p.figures is not None and p.figures.period_end is None else p
                 for p in pupils)

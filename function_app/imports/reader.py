"""Read one export: find the sheet and header, read every row, and decide all or nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from .headers import Layout, detect
from .mapping import Mapping
from .model import SHAPE_TITLES, SUMMARY, ImportProblem, ImportRejected, ImportResult, column_letter
from .rows import READERS, Collected, summary
from .sources import Rows, sheets


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

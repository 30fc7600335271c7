"""Turn the rows under a detected header into pupils, one shape at a time, collecting
every problem with its sheet, row and column."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from operator import itemgetter
from typing import TypeVar

from function_app.domain.attendance import figures_from_marks
from function_app.domain.codes import CodeMeaning, meaning
from function_app.domain.model import AttendanceFigures, Session, SessionMark

from . import values
from .headers import Layout
from .model import CHARACTERISTICS, GRID, MARKS, ImportedPupil, ImportProblem
from .values import Cell

T = TypeVar("T")
_FOOTERS = ("total", "totals", "average", "averages", "count", "summary")
PERCENT_TOLERANCE = 1  # percentage points between the sheet's % and present / possible


@dataclass
class Collected:
    pupils: dict[str, ImportedPupil] = field(default_factory=dict)
    problems: list[ImportProblem] = field(default_factory=list)
    bad_keys: set[str] = field(default_factory=set)  # pupils with a problem
    ignored_after_today: int = 0


class _Row:
    """One data row: reads fields and records problems at their cells."""

    def __init__(self, sheet: str, index: int, cells: Sequence[Cell], layout: Layout,
                 out: Collected) -> None:
        self.sheet, self.number, self.cells = sheet, index + 1, cells
        self.layout, self.out = layout, out
        self.key = ""
        self.ok = True

    def cell(self, name: str) -> Cell:
        column = self.layout.columns.get(name)
        if column is None or column >= len(self.cells):
            return None
        return self.cells[column]

    def has(self, name: str) -> bool:
        return name in self.layout.columns

    def problem(self, column: int | None, message: str) -> None:
        header = self.layout.headers[column] if column is not None else ""
        self.out.problems.append(ImportProblem(
            self.sheet, self.number, column + 1 if column is not None else 0, header,
            message))
        self.ok = False
        if self.key:
            self.out.bad_keys.add(self.key)

    def read(self, name: str, parse: Callable[[Cell], T]) -> T | None:
        try:
            return parse(self.cell(name))
        except ValueError as exc:
            self.problem(self.layout.columns[name], str(exc))
            return None

    def text(self, name: str) -> str:
        return values.as_text(self.cell(name))


def is_blank(cells: Sequence[Cell]) -> bool:
    return all(values.as_text(c) == "" for c in cells)


def is_footer(cells: Sequence[Cell]) -> bool:
    first = next((values.as_text(c) for c in cells if values.as_text(c)), "")
    return first.lower().rstrip(":").split(" ")[0] in _FOOTERS


def _identity(row: _Row) -> ImportedPupil | None:
    upn = values.identifier(row.cell("upn"))
    adno = values.identifier(row.cell("admission_number"))
    column = row.layout.columns.get("upn", row.layout.columns.get("admission_number"))
    if not upn and not adno:
        names = ("UPN" if row.has("upn") else "") + (
            " or admission number" if row.has("admission_number") else "")
        row.problem(column, f"the pupil has no {names.strip().removeprefix('or ')}")
        return None
    row.key = upn or f"adno:{adno}"
    forename, surname = row.text("legal_forename"), row.text("legal_surname")
    if not (forename or surname) and row.text("name"):
        whole = row.text("name")
        if "," in whole:
            surname, forename = (p.strip() for p in whole.split(",", 1))
        else:
            forename, _, surname = whole.rpartition(" ")
    born = (row.read("date_of_birth", values.day)
            if row.has("date_of_birth") and row.text("date_of_birth") else None)
    plan = row.read("has_plan", values.yes_no) if row.has("has_plan") else None
    return ImportedPupil(
        key=row.key, upn=upn, admission_number=adno, legal_forename=forename,
        legal_surname=surname, preferred_forename=row.text("preferred_forename"),
        preferred_surname=row.text("preferred_surname"), year_group=row.text("year_group"),
        reg_group=row.text("reg_group"), row=row.number, date_of_birth=born,
        school=row.text("school"), has_plan=plan,
        characteristics=tuple((name, values.characteristic(name, row.cell(name)))
                              for name in CHARACTERISTICS if row.has(name)))


def _duplicate(row: _Row, first: ImportedPupil) -> None:
    column = row.layout.columns.get("upn", row.layout.columns.get("admission_number"))
    row.problem(column, f"pupil {first.identifier} appears twice (first on row {first.row})")


def _pupil_rows(sheet: str, rows: Sequence[Sequence[Cell]], layout: Layout, out: Collected
                ) -> Iterator[tuple[_Row, ImportedPupil, Sequence[Cell]]]:
    """The rows below the header that name a pupil once: blank and footer rows skipped,
    a row without an identity or naming a pupil again reported (in ``out``) and skipped."""
    for index in range(layout.header_index + 1, len(rows)):
        cells = rows[index]
        if is_blank(cells) or is_footer(cells):
            continue
        row = _Row(sheet, index, cells, layout, out)
        pupil = _identity(row)
        if pupil is None:
            continue
        if pupil.key in out.pupils:
            _duplicate(row, out.pupils[pupil.key])
            continue
        yield row, pupil, cells


def summary(sheet: str, rows: Sequence[Sequence[Cell]], layout: Layout) -> Collected:
    out = Collected()
    for row, pupil, _cells in _pupil_rows(sheet, rows, layout, out):
        figures = _figures(row)
        late = row.read("late", values.count) if row.has("late") and row.text("late") else None
        if figures is not None and row.ok:
            out.pupils[pupil.key] = _with(pupil, figures=figures, late=late)
        else:
            out.pupils[pupil.key] = pupil
            out.bad_keys.add(pupil.key)
    return out


def _figures(row: _Row) -> AttendanceFigures | None:
    cols = row.layout.columns
    possible = row.read("possible", values.count)
    given_percent = row.read("percent", values.percent) if row.has("percent") and row.text(
        "percent") else None
    present: int | None
    if row.has("present_aea"):
        present = row.read("present_aea", values.count)
        present_col = cols["present_aea"]
    elif row.has("present"):
        present = row.read("present", values.count)
        aea = row.read("aea", values.count) if row.has("aea") and row.text("aea") else 0
        present = None if present is None or aea is None else present + aea
        present_col = cols["present"]
    else:
        present_col = cols["percent"]
        present = (None if possible is None or given_percent is None
                   else round(given_percent * possible / 100))
    absences = [row.read(name, values.count) if row.has(name) and row.text(name) else 0
                for name in ("authorised", "unauthorised")]
    if possible is None or present is None or None in absences:
        return None
    if present > possible:
        row.problem(present_col, f"present ({present}) is more than possible ({possible})")
        return None
    if given_percent is not None and possible and "percent" in cols and present_col != cols[
            "percent"] and abs(Fraction(100 * present, possible) - given_percent) > \
            PERCENT_TOLERANCE:
        row.problem(cols["percent"], f"the attendance % ({float(given_percent):.1f}) does not "
                                     f"match present / possible ({present}/{possible})")
        return None
    authorised, unauthorised = (a or 0 for a in absences)
    return AttendanceFigures(possible, present, authorised, unauthorised)


def _with(pupil: ImportedPupil, **changes: object) -> ImportedPupil:
    from dataclasses import replace

    return replace(pupil, **changes)  # type: ignore[arg-type]


def marks(sheet: str, rows: Sequence[Sequence[Cell]], layout: Layout, codes: Mapping[str, str],
          today: date | None) -> Collected:
    """Long form: one row per pupil, date, session and mark."""
    out = Collected()
    collected: dict[str, dict[tuple[date, Session], tuple[SessionMark, int]]] = {}
    code_col = layout.columns["code"]
    subs: dict[str, list[tuple[date, Session, str]]] = {}
    for index in range(layout.header_index + 1, len(rows)):
        cells = rows[index]
        if is_blank(cells) or is_footer(cells):
            continue
        row = _Row(sheet, index, cells, layout, out)
        pupil = _identity(row)
        if pupil is None:
            continue
        out.pupils.setdefault(pupil.key, pupil)
        day = row.read("date", values.day)
        session = row.read("session", values.session)
        raw = row.text("code")
        if not raw:
            row.problem(code_col, "the mark is blank")
            continue
        try:
            code = values.national_code(raw, codes)
        except ValueError as exc:
            row.problem(code_col, str(exc))
            continue
        if day is None or session is None:
            continue
        if today is not None and day > today:
            out.ignored_after_today += 1
            continue
        seen = collected.setdefault(pupil.key, {})
        if (day, session) in seen:
            row.problem(code_col, f"a second mark for {pupil.identifier} on "
                                  f"{day:%d/%m/%Y} {session} (first on row "
                                  f"{seen[(day, session)][1]})")
            continue
        seen[(day, session)] = (SessionMark(day, session, code), row.number)
        if code != raw:
            subs.setdefault(pupil.key, []).append((day, session, raw))
    for key, pupil in out.pupils.items():
        found = sorted(collected.get(key, {}).items())
        marks_ = tuple(m for _, (m, _) in found)
        out.pupils[key] = _with(pupil, marks=marks_, figures=figures_from_marks(marks_),
                                late=sum(m.code == "L" for m in marks_),
                                sub_codes=tuple(sorted(subs.get(key, []))))
    return out


def grid(sheet: str, rows: Sequence[Sequence[Cell]], layout: Layout, codes: Mapping[str, str],
         today: date | None) -> Collected:
    """Wide form: a row per pupil, a column per date and session. Blank cells are no mark.

    Built for 1,500 pupils x 380 sessions: each row's cells are picked with one
    ``itemgetter`` call and counted with ``Counter`` (both in C); a code is checked once
    per distinct value, and each SessionMark (frozen) is made once per column and code and
    shared by every pupil with that mark.
    """
    out = Collected()
    kept = sorted(((d, s is Session.PM, c) for c, (d, s) in layout.grid.items()
                   if today is None or d <= today))
    columns = [c for _, _, c in kept]
    future = [c for c, (d, _) in layout.grid.items() if today is not None and d > today]
    widest = max(layout.grid) + 1
    pick = itemgetter(*columns) if len(columns) > 1 else (
        (lambda cells: (cells[columns[0]],)) if columns else (lambda cells: ()))
    national: dict[Cell, str | None] = {"": None, None: None}  # value as exported -> code
    made: dict[Cell, list[SessionMark]] = {}  # value -> its mark in each kept column
    for row, pupil, cells in _pupil_rows(sheet, rows, layout, out):
        if len(cells) < widest:
            cells = [*cells, *[""] * (widest - len(cells))]
        picked: tuple[Cell, ...] = pick(cells)
        counts = Counter(picked)
        bad: set[Cell] = set()
        for value in counts:
            if value not in national:
                try:
                    national[value] = values.national_code(values.as_text(value), codes)
                except ValueError as exc:
                    for n, v in enumerate(picked):
                        if v == value:
                            row.problem(columns[n], str(exc))
                    bad.add(value)
                    continue
                code = national[value]
                made[value] = [SessionMark(d, Session.PM if pm else Session.AM, str(code))
                               for d, pm, _ in kept]
        if bad:
            out.pupils[pupil.key] = pupil
            continue
        found = [made[v][n] for n, v in enumerate(picked) if v != "" and v is not None]
        written = tuple((found_mark.date, found_mark.session, values.as_text(v))
                        for v in counts if v in made and national[v] != v
                        for n, found_mark in enumerate(made[v]) if picked[n] == v)
        tally: Counter[str] = Counter()
        for v, k in counts.items():
            code = national[v]
            if code:
                tally[code] += k  # I and I01 both count as I
        if future:
            out.ignored_after_today += sum(1 for c in future if c < len(cells)
                                           and values.as_text(cells[c]))
        out.pupils[pupil.key] = _with(pupil, marks=tuple(found), late=tally.get("L", 0),
                                      figures=_figures_from_tally(tally, found),
                                      sub_codes=tuple(sorted(written)))
    return out


def _figures_from_tally(tally: Mapping[str, int], marks: Sequence[SessionMark]
                        ) -> AttendanceFigures:
    """What ``figures_from_marks`` counts, from code counts (``marks`` in date order)."""
    kinds: Counter[CodeMeaning] = Counter()
    for code, n in tally.items():
        kinds[meaning(code)] += n
    def counted(m: SessionMark) -> bool:
        return meaning(m.code) is not CodeMeaning.NOT_POSSIBLE

    # marks are in date order: the first and last counted ones bound the period
    first = next((m.date for m in marks if counted(m)), None)
    last = next((m.date for m in reversed(marks) if counted(m)), None)
    return AttendanceFigures(
        possible_sessions=sum(n for k, n in kinds.items() if k is not CodeMeaning.NOT_POSSIBLE),
        present_sessions=kinds[CodeMeaning.PRESENT] + kinds[CodeMeaning.APPROVED_ACTIVITY],
        authorised_absences=kinds[CodeMeaning.AUTHORISED],
        unauthorised_absences=kinds[CodeMeaning.UNAUTHORISED],
        period_start=first, period_end=last)


READERS = {MARKS: marks, GRID: grid}

"""Header detection: which column holds which field, the header row, and the shape.

Each field has several spellings seen in MIS exports; headers are compared after
lower-casing and reducing punctuation to spaces ("%" reads as "percent", "+" as "plus").
Title rows above the header are skipped: the header is the first of the top rows that
names enough fields for one of the three shapes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from function_app.domain.model import Session

from .model import GRID, MARKS, SUMMARY
from .values import Cell, as_text

SYNONYMS: dict[str, tuple[str, ...]] = {
    "upn": ("upn", "unique pupil number", "pupil upn"),
    "admission_number": ("adno", "adm no", "admission number", "admission no",
                         "admissions number", "pupil id", "student id", "mis id"),
    "legal_forename": ("legal forename", "forename", "first name", "legal first name",
                       "given name"),
    "legal_surname": ("legal surname", "surname", "last name", "legal last name",
                      "family name"),
    "preferred_forename": ("preferred forename", "preferred first name", "known as"),
    "preferred_surname": ("preferred surname", "preferred last name"),
    "name": ("name", "pupil name", "pupil", "student name", "student", "full name"),
    "year_group": ("year", "year group", "yr", "nc year", "year grp", "curriculum year"),
    "reg_group": ("reg", "reg group", "registration group", "reg grp", "form",
                  "tutor group", "form group", "class"),
    "possible": ("possible", "possible sessions", "possible marks", "sessions possible",
                 "poss", "possible attendance"),
    "present_aea": ("present plus aea", "present aea", "present inc aea",
                    "present including aea", "present and aea", "attended plus aea",
                    "present incl aea", "attendances"),
    "present": ("present", "present sessions", "present marks", "attended",
                "sessions attended"),
    "aea": ("aea", "approved educational activity", "approved education activity"),
    "authorised": ("authorised", "authorised absence", "authorised absences",
                   "authorized", "authorized absences", "auth", "auth abs"),
    "unauthorised": ("unauthorised", "unauthorised absence", "unauthorised absences",
                     "unauthorized", "unauthorized absences", "unauth", "unauth abs"),
    "late": ("late", "lates", "late marks", "late l", "late before registers closed"),
    "percent": ("attendance percent", "percent attendance", "percent", "attendance",
                "percentage", "attendance percentage", "percent present"),
    "date_of_birth": ("dob", "date of birth", "birth date", "d o b", "birthdate"),
    "school": ("school", "school name", "establishment", "establishment name"),
    "sen": ("sen", "send", "sen status", "sen provision", "sen stage", "sen need"),
    "fsm": ("fsm", "fsm eligible", "free school meals", "fsm eligibility", "ever 6 fsm",
            "fsm6"),
    "pupil_premium": ("pupil premium", "pp", "pupil premium eligible"),
    "eal": ("eal", "english as an additional language", "first language not english"),
    "gender": ("gender", "sex"),
    "has_plan": ("attendance plan", "plan in place", "attendance plan in place",
                 "has attendance plan", "agreed plan", "attendance plan agreed",
                 "support plan"),
    "date": ("date", "session date", "attendance date", "register date"),
    "session": ("session", "am pm", "am or pm", "session am pm", "period"),
    "code": ("mark", "code", "attendance mark", "attendance code", "register mark",
             "mark code"),
}
FIELDS = tuple(SYNONYMS)
_LOOKUP = {spelling: name for name, spellings in SYNONYMS.items() for spelling in spellings}
HEADER_SEARCH_ROWS = 30

_DATE = r"(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2})"
_GRID_HEADER = re.compile(rf"^(?:[A-Za-z]{{3,9}},?\s+)?{_DATE}\s*[-_ ]?\s*(AM|PM|am|pm|a|p)$")
_GRID_HEADER_SESSION_FIRST = re.compile(rf"^(AM|PM|am|pm)\s*[-_ ]?\s*{_DATE}$")


def normalise(header: str) -> str:
    text = header.lower().replace("%", " percent ").replace("+", " plus ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def field_for(header: str) -> str | None:
    return _LOOKUP.get(normalise(header))


def grid_column(header: str) -> tuple[date, Session] | None:
    """'07/09/2026 AM', 'Mon 07/09/2026 PM', '2026-09-07 AM' or 'AM 07/09/2026'."""
    text = header.strip()
    match = _GRID_HEADER.match(text)
    if match:
        day, session = match.group(1), match.group(2)
    else:
        match = _GRID_HEADER_SESSION_FIRST.match(text)
        if not match:
            return None
        session, day = match.group(1), match.group(2)
    try:
        if "/" in day:
            d, m, y = (int(part) for part in day.split("/"))
            parsed = date(y, m, d)
        else:
            parsed = date.fromisoformat(day)
    except ValueError:
        return None
    return parsed, Session.AM if session.upper().startswith("A") else Session.PM


REQUIRED = {
    SUMMARY: ("possible", "present (or present + AEA, or attendance %)"),
    MARKS: ("date", "session", "code"),
    GRID: ("date-and-session columns such as '07/09/2026 AM'",),
}
IDENTIFIER = "upn or admission_number"


@dataclass(frozen=True, slots=True)
class Layout:
    shape: str
    header_index: int  # 0-based row index of the header
    columns: dict[str, int]  # field -> 0-based column
    grid: dict[int, tuple[date, Session]]  # column -> (date, session), grid shape only
    headers: tuple[str, ...]


def _fields_of(headers: Sequence[str], overrides: Mapping[str, str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    by_header = {normalise(h): i for i, h in enumerate(headers) if h}
    for name, header in overrides.items():
        if normalise(header) in by_header:
            columns[name] = by_header[normalise(header)]
    taken = set(columns.values())
    for i, header in enumerate(headers):
        found = field_for(header) if header else None
        if found and found not in columns and found not in overrides and i not in taken:
            columns[found] = i
    return columns


def _shape_of(columns: Mapping[str, int], grid: Mapping[int, object]) -> str | None:
    if "upn" not in columns and "admission_number" not in columns:
        return None
    if len(grid) >= 2:
        return GRID
    if {"date", "session", "code"} <= columns.keys():
        return MARKS
    if "possible" in columns and ({"present", "present_aea", "percent"} & columns.keys()):
        return SUMMARY
    return None


def missing_for(columns: Mapping[str, int], grid: Mapping[int, object]) -> list[str]:
    """What each shape still lacks, for the 'unrecognised layout' message."""
    missing = []
    if "upn" not in columns and "admission_number" not in columns:
        missing.append(f"an identifier ({IDENTIFIER})")
    summary = [f for f in ("possible",) if f not in columns]
    if not {"present", "present_aea", "percent"} & columns.keys():
        summary.append("present")
    marks = [f for f in ("date", "session", "code") if f not in columns]
    parts = [f"summary needs {', '.join(summary)}" if summary else "",
             f"session marks need {', '.join(marks)}" if marks else "",
             "a register grid needs columns headed like '07/09/2026 AM'" if len(grid) < 2
             else ""]
    return missing + [p for p in parts if p]


def detect(rows: Sequence[Sequence[Cell]], overrides: Mapping[str, str],
           header_row: int | None = None, shape: str | None = None
           ) -> tuple[Layout | None, tuple[str, ...], list[str]]:
    """The layout, or None with the headers of the likeliest header row and what is missing."""
    candidates = ([header_row - 1] if header_row else
                  range(min(HEADER_SEARCH_ROWS, len(rows))))
    best: tuple[int, tuple[str, ...], dict[str, int], dict[int, tuple[date, Session]]] | None
    best = None
    for index in candidates:
        if index >= len(rows):
            continue
        headers = tuple(as_text(c) for c in rows[index])
        columns = _fields_of(headers, overrides)
        grid = {i: g for i, h in enumerate(headers) if h and (g := grid_column(h))}
        found: str | None = _shape_of(columns, grid)
        if shape in (SUMMARY, MARKS) and found == GRID:
            found = shape if shape == _shape_of(columns, {}) else None
        if found and (shape is None or found == shape):
            return Layout(found, index, columns, grid if found == GRID else {}, headers), \
                headers, []
        score = len(columns) + len(grid)
        if best is None or score > len(best[2]) + len(best[3]):
            best = (index, headers, columns, grid)
    if best is None:
        return None, (), ["a header row (the sheet is empty)"]
    _, headers, columns, grid = best
    missing = missing_for(columns, grid)
    missing[:0] = [f"the mapping's {name} column {header!r}" for name, header in
                   overrides.items() if name not in columns]
    if shape:
        missing.insert(0, f"the mapping asks for the {shape} shape")
    return None, tuple(h for h in headers if h), missing

"""Builds MIS-style attendance exports for the import tests: one fictional class of ten
pupils over ten school weeks (7 September to 13 November 2026, no holiday), written in
each of the three shapes as .xlsx (openpyxl) or .csv, with title rows above the header."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from function_app.domain.attendance import figures_from_marks
from function_app.domain.model import AttendanceFigures, Session, SessionMark
from function_app.imports.values import national_code

FIRST_MONDAY = date(2026, 9, 7)
WEEKS = 10
TODAY = "2026-11-13"


def school_sessions(weeks: int = WEEKS, start: date = FIRST_MONDAY) -> list[tuple[date, Session]]:
    days = [start + timedelta(weeks=w, days=d) for w in range(weeks) for d in range(5)]
    return [(day, s) for day in days for s in (Session.AM, Session.PM)]


SESSIONS = school_sessions()


@dataclass
class FixturePupil:
    upn: str
    adno: str
    forename: str
    surname: str
    year: int
    reg: str
    absences: dict[int, str] = field(default_factory=dict)  # session index -> code
    preferred: str = ""

    def codes(self) -> list[str]:
        return [self.absences.get(i, "/") for i in range(len(SESSIONS))]

    def figures(self) -> AttendanceFigures:
        return figures_from_marks(
            SessionMark(d, s, national_code(c, {})) for (d, s), c in zip(SESSIONS, self.codes(),
                                                                          strict=True))


def _spread(codes: Sequence[str], every: int = 1, start: int = 0) -> dict[int, str]:
    return {start + i * every: c for i, c in enumerate(codes)}


PUPILS = [
    FixturePupil("K801200000011", "1001", "Amelia", "Hughes", 9, "9H"),
    FixturePupil("K801200000022", "1002", "Oliver", "Bennett", 9, "9H", _spread("IIII")),
    FixturePupil("K801200000033", "1003", "Isla", "Patel", 9, "9H",
                 _spread(["I01", "I01", "I01", "M", "M", "M", "M"], every=3)),
    FixturePupil("K801200000044", "1004", "Noah", "Williams", 9, "9K", _spread("CCCCCCCC", 2),
                 preferred="Noe"),
    FixturePupil("K801200000055", "1005", "Freya", "Thompson", 9, "9K",
                 _spread("NNNNNNNNNN", every=10, start=3)),  # one a week, ten weeks
    FixturePupil("K801200000066", "1006", "Harry", "Okafor", 9, "9K", _spread("I" * 15, 4)),
    FixturePupil("K801200000077", "1007", "Poppy", "Clarke", 9, "9R", _spread("IM" * 12 + "I", 3),
                 preferred="Pip"),
    FixturePupil("K801200000088", "1008", "Mohammed", "Ali", 9, "9R",
                 _spread("I" * 30 + "U" * 25, 1, 20)),
    FixturePupil("K801200000099", "1009", "Grace", "O'Neill", 9, "9R", _spread("LLLLLL", 7)),
    FixturePupil("K801200000100", "1010", "Jacob", "Kowalski", 9, "9R", _spread("XXGG", 1, 40)),
]
# Pinned results (national-2024): Tier 1: Amelia 100, Oliver 96, Isla 93, Grace 100,
# Jacob 96/98; Tier 2: Noah 92, Freya 90, Harry 85; Tier 3: Poppy 75; Tier 4: Mohammed 45.
TIER_COUNTS = {1: 5, 2: 3, 3: 1, 4: 1}
PERSISTENT, SEVERE, NEED_A_CASE = 4, 1, 5
THRESHOLD_REACHED = {"K801200000055", "K801200000088"}
TITLE_ROWS = [["Severn Vale Academy"], ["Attendance export, Autumn term 2026"], []]


def write_table(path: Path, header: Sequence[object], rows: Sequence[Sequence[object]],
                title_rows: Sequence[Sequence[object]] = TITLE_ROWS, sheet: str = "Attendance"
                ) -> Path:
    table = [list(r) for r in title_rows] + [list(header)] + [list(r) for r in rows]
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(table)
        return path
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    for r in table:
        ws.append(r)
    book.save(path)
    return path


SUMMARY_HEADER = ["UPN", "Adno", "Legal Surname", "Legal Forename", "Preferred Forename",
                  "Year", "Reg Group", "Possible Sessions", "Present + AEA", "Authorised",
                  "Unauthorised", "Late", "Attendance %"]
SUMMARY_HEADER_ALT = ["Admission Number", "Surname", "Forename", "Year Group",
                      "Registration Group", "Possible Marks", "Present", "AEA",
                      "Authorised Absences", "Unauthorised Absences", "Lates", "% Attendance"]


def summary_rows(alt: bool = False, percent_as_fraction: bool = True) -> list[list[object]]:
    rows: list[list[object]] = []
    for p in PUPILS:
        f = p.figures()
        pct = round(f.present_sessions / f.possible_sessions, 4)
        shown: object = pct if percent_as_fraction else round(pct * 100, 1)
        late = p.codes().count("L")
        if alt:
            rows.append([p.adno, p.surname, p.forename, p.year, p.reg, f.possible_sessions,
                         f.present_sessions, 0, f.authorised_absences,
                         f.unauthorised_absences, late, shown])
        else:
            rows.append([p.upn, p.adno, p.surname, p.forename, p.preferred, p.year, p.reg,
                         f.possible_sessions, f.present_sessions, f.authorised_absences,
                         f.unauthorised_absences, late, shown])
    return rows


MARKS_HEADER = ["UPN", "Legal Forename", "Legal Surname", "Reg", "Date", "Session", "Mark"]


def marks_rows(iso_dates: bool = False, date_cells: bool = False) -> list[list[object]]:
    rows: list[list[object]] = []
    for p in PUPILS:
        for (day, session), code in zip(SESSIONS, p.codes(), strict=True):
            shown: object = (day if date_cells else day.isoformat() if iso_dates
                             else day.strftime("%d/%m/%Y"))
            rows.append([p.upn, p.forename, p.surname, p.reg, shown, session.value, code])
    return rows


def grid_header(names: Sequence[str] = ("UPN", "Forename", "Surname", "Year", "Reg")
                ) -> list[str]:
    return [*names, *(f"{d:%d/%m/%Y} {s.value}" for d, s in SESSIONS)]


def grid_rows() -> list[list[object]]:
    return [[p.upn, p.forename, p.surname, p.year, p.reg, *p.codes()] for p in PUPILS]


def summary_file(folder: Path, suffix: str = ".xlsx", alt: bool = False) -> Path:
    header = SUMMARY_HEADER_ALT if alt else SUMMARY_HEADER
    return write_table(folder / f"summary{'-alt' if alt else ''}{suffix}", header,
                       summary_rows(alt, percent_as_fraction=suffix == ".xlsx"))


def marks_file(folder: Path, suffix: str = ".xlsx", iso_dates: bool = False,
               date_cells: bool = False) -> Path:
    return write_table(folder / f"marks{suffix}", MARKS_HEADER,
                       marks_rows(iso_dates, date_cells))


def grid_file(folder: Path, suffix: str = ".xlsx") -> Path:
    return write_table(folder / f"grid{suffix}", grid_header(), grid_rows())


def password_protected(path: Path) -> Path:
    """What Excel saves for a workbook with a password: an OLE compound file holding an
    EncryptedPackage stream instead of a zip (only the header and the stream name, which
    is all the reader looks at)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    path.write_bytes(header + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 1024)
    return path


SCHOOL = "Severn Vale Academy"
DETAIL_NAMES = ("UPN", "Forename", "Surname", "Date of Birth", "Year", "Reg", "SEN", "FSM",
                "Attendance Plan")


def born(index: int) -> date:
    """A fictional Year 9 birthday for the pupil at ``index``."""
    return date(2011, 9, 14) + timedelta(days=31 * index)


def detailed_rows(pupils: Sequence[FixturePupil] = tuple(PUPILS)) -> list[list[object]]:
    """Grid rows with a date of birth, SEN (N, K, E in turn), FSM (every third pupil) and
    no agreed attendance plan for anyone."""
    return [[p.upn, p.forename, p.surname, born(i).strftime("%d/%m/%Y"), p.year, p.reg,
             "NKE"[i % 3], "Y" if i % 3 == 0 else "N", "No", *p.codes()]
            for i, p in enumerate(pupils)]


def detailed_grid_file(folder: Path, name: str = "detailed.xlsx",
                       rows: Sequence[Sequence[object]] | None = None) -> Path:
    """A register grid as some MIS export it: with date of birth and characteristics."""
    return write_table(folder / name, grid_header(DETAIL_NAMES),
                       rows if rows is not None else detailed_rows())

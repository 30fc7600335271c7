"""What an import produces: pupils with summary figures or session marks, and problems
located by sheet, row and column as the user sees them in Excel (row 1, column A)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from function_app.domain.errors import CaseworkError
from function_app.domain.model import AttendanceFigures, Session, SessionMark
from function_app.domain.wording import counted

SUMMARY, MARKS, GRID = "summary", "marks", "grid"
SHAPE_TITLES = {
    SUMMARY: "a per-pupil summary (one row per pupil)",
    MARKS: "session marks in long form (one row per pupil, date and session)",
    GRID: "a register grid (one row per pupil, one column per date and session)",
}


def column_letter(index: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA'."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One thing wrong with the file. Row and column are 1-based; 0 means the whole file
    (row) or the whole row (column)."""

    sheet: str
    row: int
    column: int
    header: str
    message: str

    @property
    def where(self) -> str:
        parts = [f"sheet {self.sheet!r}"] if self.sheet else []
        if self.row:
            parts.append(f"row {self.row}")
        if self.column:
            col = f"column {column_letter(self.column - 1)}"
            parts.append(f"{col} ({self.header!r})" if self.header else col)
        return ", ".join(parts) or "the file"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"

    def to_json(self) -> dict[str, object]:
        return {"sheet": self.sheet, "row": self.row,
                "column": column_letter(self.column - 1) if self.column else "",
                "header": self.header, "message": self.message}


class ImportRejected(CaseworkError):
    """The file cannot be imported as it is; carries every problem found."""

    def __init__(self, problems: list[ImportProblem], seen_headers: tuple[str, ...] = ()
                 ) -> None:
        self.problems = problems
        self.seen_headers = seen_headers
        lines = [f"The attendance file has {counted(len(problems), 'problem')}; "
                 "nothing was imported:"]
        lines += [f"  - {p}" for p in problems]
        super().__init__("\n".join(lines))


CHARACTERISTICS = {  # field -> the heading shown in the pack
    "sen": "SEN", "fsm": "FSM", "pupil_premium": "Pupil premium", "eal": "EAL",
    "gender": "Gender",
}


@dataclass(frozen=True, slots=True)
class ImportedPupil:
    """One pupil: identifiers and names as the MIS exported them, and either summary
    figures (summary shape) or session marks (marks and grid shapes)."""

    key: str  # the UPN, else "adno:<admission number>"
    upn: str
    admission_number: str
    legal_forename: str
    legal_surname: str
    preferred_forename: str
    preferred_surname: str
    year_group: str
    reg_group: str
    row: int  # first row of the pupil in the sheet
    figures: AttendanceFigures | None = None
    marks: tuple[SessionMark, ...] = ()
    late: int | None = None
    # Marks exported as a sub-code (I01) or a local code: (date, session, code as written);
    # ``marks`` hold the national code each counts as.
    sub_codes: tuple[tuple[dt.date, Session, str], ...] = ()
    date_of_birth: dt.date | None = None
    school: str = ""  # the export's school column, when it has one
    # Characteristics the export gives (SEN, FSM, ...): (field, value as shown), for cohorts
    characteristics: tuple[tuple[str, str], ...] = ()
    # Whether an attendance plan is agreed: the export's plan column; None when it has none
    has_plan: bool | None = None

    @property
    def display_name(self) -> str:
        forename = self.preferred_forename or self.legal_forename
        surname = self.preferred_surname or self.legal_surname
        return f"{forename} {surname}".strip()

    @property
    def identifier(self) -> str:
        return self.upn or self.admission_number


@dataclass(frozen=True, slots=True)
class ImportResult:
    source: str
    sheet: str
    shape: str
    header_row: int
    mapping: dict[str, str]  # field -> header text as found (with column letter)
    pupils: tuple[ImportedPupil, ...]
    skipped: tuple[ImportProblem, ...] = field(default=())  # only with skip_invalid
    ignored_after_today: int = 0

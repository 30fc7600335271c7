"""Bad exports: every problem is reported with its sheet, row and column, and the file is
imported all or nothing unless skip_invalid is given."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from function_app.imports import ImportRejected, read_attendance
from function_app.imports.mapping import load_mapping
from tests.imports import builder
from tests.imports.builder import (
    MARKS_HEADER,
    SUMMARY_HEADER,
    grid_header,
    grid_rows,
    marks_rows,
    summary_rows,
    write_table,
)

pytestmark = pytest.mark.unit

TODAY = date.fromisoformat(builder.TODAY)


def _rejected(path: Path, **kwargs: object) -> ImportRejected:
    with pytest.raises(ImportRejected) as caught:
        read_attendance(path, today=TODAY, **kwargs)  # type: ignore[arg-type]
    return caught.value


def _where(exc: ImportRejected) -> list[tuple[str, int, int]]:
    return [(p.sheet, p.row, p.column) for p in exc.problems]


def test_unrecognised_layout_lists_headers_seen_and_fields_missing(tmp_path: Path) -> None:
    """A sheet with no recognisable layout names the headers it saw and what it lacks."""
    path = write_table(tmp_path / "odd.xlsx", ["Pupil", "Form", "Sessions"], [["A", "9H", 3]])
    exc = _rejected(path)
    assert exc.seen_headers == ("Pupil", "Form", "Sessions")
    message = str(exc)
    assert "sheet 'Attendance'" in message
    assert "'Pupil', 'Form', 'Sessions'" in message
    assert "an identifier (upn or admission_number)" in message
    assert "summary needs possible, present" in message


def test_duplicate_pupil_in_summary(tmp_path: Path) -> None:
    """A pupil twice in a summary is reported at the second row's identifier cell."""
    rows = summary_rows()
    rows.append(list(rows[1]))
    exc = _rejected(write_table(tmp_path / "dup.xlsx", SUMMARY_HEADER, rows))
    assert _where(exc) == [("Attendance", 15, 1)]
    assert "K801200000022 appears twice (first on row 6)" in str(exc)


def test_duplicate_pupil_in_grid(tmp_path: Path) -> None:
    """A pupil twice in a register grid is reported at the second row."""
    rows = grid_rows()
    rows.insert(3, list(rows[0]))
    exc = _rejected(write_table(tmp_path / "dup.csv", grid_header(), rows))
    assert _where(exc) == [("dup.csv", 8, 1)]


def test_duplicate_mark_in_long_form(tmp_path: Path) -> None:
    """Two marks for one pupil and session are reported at the second one's mark cell."""
    rows = marks_rows()
    rows.append(list(rows[0]))
    exc = _rejected(write_table(tmp_path / "dup.xlsx", MARKS_HEADER, rows))
    assert _where(exc) == [("Attendance", 1005, 7)]
    assert "first on row 5" in str(exc)


def test_present_more_than_possible(tmp_path: Path) -> None:
    """Present above possible is reported at the present cell."""
    rows = summary_rows()
    rows[2][8] = 120
    exc = _rejected(write_table(tmp_path / "p.xlsx", SUMMARY_HEADER, rows))
    assert _where(exc) == [("Attendance", 7, 9)]
    assert "present (120) is more than possible (100)" in str(exc)
    assert "column I ('Present + AEA')" in str(exc)


def test_unknown_codes_in_grid_and_long_form(tmp_path: Path) -> None:
    """A code the regulations do not list is reported at its cell in both mark shapes."""
    grid = grid_rows()
    grid[4][5 + 7] = "ZZ"
    exc = _rejected(write_table(tmp_path / "g.xlsx", grid_header(), grid))
    assert _where(exc) == [("Attendance", 9, 13)]
    assert "'ZZ' is not an attendance code" in str(exc)
    marks = marks_rows()
    marks[3][6] = "Q9"
    exc = _rejected(write_table(tmp_path / "m.csv", MARKS_HEADER, marks))
    assert _where(exc) == [("m.csv", 8, 7)]


def test_blank_identifier(tmp_path: Path) -> None:
    """A row with data but neither UPN nor admission number is reported at the UPN cell."""
    rows = summary_rows()
    rows[5][0] = rows[5][1] = ""
    exc = _rejected(write_table(tmp_path / "b.xlsx", SUMMARY_HEADER, rows))
    assert _where(exc) == [("Attendance", 10, 1)]
    assert "has no UPN or admission number" in str(exc)


def test_bad_date_and_session_in_long_form(tmp_path: Path) -> None:
    """A date or session that cannot be read is reported at its own cell."""
    rows = marks_rows()
    rows[0][4] = "31/02/2026"
    rows[1][5] = "Lunch"
    exc = _rejected(write_table(tmp_path / "d.csv", MARKS_HEADER, rows))
    assert _where(exc) == [("d.csv", 5, 5), ("d.csv", 6, 6)]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    """Several problems in one file are all listed, in row order."""
    rows = summary_rows()
    rows[0][7] = "lots"
    rows[2][8] = 120
    exc = _rejected(write_table(tmp_path / "many.xlsx", SUMMARY_HEADER, rows))
    assert _where(exc) == [("Attendance", 5, 8), ("Attendance", 7, 9)]


def test_skip_invalid_leaves_out_the_bad_pupils(tmp_path: Path) -> None:
    """With skip_invalid the other pupils are imported and the problems kept as skipped."""
    rows = summary_rows()
    rows[2][8] = 120
    result = read_attendance(write_table(tmp_path / "p.xlsx", SUMMARY_HEADER, rows),
                             skip_invalid=True)
    assert len(result.pupils) == 9
    assert "K801200000033" not in {p.upn for p in result.pupils}
    assert [(p.row, p.column) for p in result.skipped] == [(7, 9)]


def test_corrupt_workbook(tmp_path: Path) -> None:
    """A file that is not a workbook is rejected with what is wrong, not a traceback."""
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip file")
    exc = _rejected(path)
    assert "broken.xlsx: the workbook is damaged or not a spreadsheet" in str(exc)
    assert _where(exc) == [("", 0, 0)]


def test_password_protected_workbook(tmp_path: Path) -> None:
    """An encrypted workbook is recognised and the user told to remove the password."""
    exc = _rejected(builder.password_protected(tmp_path / "locked.xlsx"))
    assert "the workbook is password-protected" in str(exc)


def test_bad_mapping_file(tmp_path: Path) -> None:
    """A mapping naming an unknown field is rejected and lists the known ones."""
    path = tmp_path / "m.json"
    path.write_text('{"columns": {"possibles": "Poss."}}', "utf-8")
    with pytest.raises(ImportRejected, match="unknown field"):
        load_mapping(path)


def test_mapping_column_not_in_the_file(tmp_path: Path) -> None:
    """A mapping's header that the sheet lacks is named among what was not found."""
    path = write_table(tmp_path / "odd.xlsx", ["Pupil Ref", "Poss."], [["K1", 100]])
    mapping_file = tmp_path / "m.json"
    mapping_file.write_text('{"columns": {"upn": "Pupil Ref", "present": "Pres."}}', "utf-8")
    exc = _rejected(path, mapping=load_mapping(mapping_file))
    assert "the mapping's present column 'Pres.'" in str(exc)


def test_old_xls_renamed_to_xlsx(tmp_path: Path) -> None:
    """An OLE file without an encrypted package is named as an old .xls, not a password."""
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2048)
    assert "old-format workbook (.xls)" in str(_rejected(path))


def test_empty_file(tmp_path: Path) -> None:
    """An empty .xlsx is reported as empty."""
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert "the file is empty" in str(_rejected(path))

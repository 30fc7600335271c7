"""The three export shapes, as .xlsx and .csv, read to the same pupils and assessments."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest

from function_app.domain.model import Session
from function_app.domain.policy import load_profile
from function_app.imports import assess_pupils, read_attendance
from function_app.imports.headers import field_for, grid_column
from function_app.imports.mapping import Mapping
from function_app.imports.values import national_code, percent
from tests.imports import builder
from tests.imports.builder import (
    NEED_A_CASE,
    PERSISTENT,
    SEVERE,
    THRESHOLD_REACHED,
    TIER_COUNTS,
    write_table,
)

pytestmark = pytest.mark.unit

NATIONAL = load_profile("national-2024")
TODAY = date.fromisoformat(builder.TODAY)
FILES = {
    "summary.xlsx": lambda d: builder.summary_file(d),
    "summary-alt.csv": lambda d: builder.summary_file(d, ".csv", alt=True),
    "summary-alt.xlsx": lambda d: builder.summary_file(d, ".xlsx", alt=True),
    "marks.xlsx": lambda d: builder.marks_file(d),
    "marks-iso.csv": lambda d: builder.marks_file(d, ".csv", iso_dates=True),
    "marks-date-cells.xlsx": lambda d: builder.marks_file(d, date_cells=True),
    "grid.xlsx": lambda d: builder.grid_file(d),
    "grid.csv": lambda d: builder.grid_file(d, ".csv"),
}


@pytest.mark.parametrize("name", FILES)
def test_every_shape_gives_the_pinned_tiers_and_flags(tmp_path: Path, name: str) -> None:
    """Each shape and format yields the same tier counts, persistent, severe and case counts."""
    result = read_attendance(FILES[name](tmp_path), today=TODAY)
    assessed = assess_pupils(result.pupils, NATIONAL)
    assert len(assessed) == 10
    tiers: dict[int, int] = {}
    for a in assessed:
        assert a.tier is not None
        tiers[a.tier.tier] = tiers.get(a.tier.tier, 0) + 1
    assert tiers == TIER_COUNTS
    assert sum(a.persistently_absent for a in assessed) == PERSISTENT
    assert sum(a.severely_absent for a in assessed) == SEVERE
    assert sum(a.needs_case for a in assessed) == NEED_A_CASE
    assert result.header_row == 4  # three title rows above the header


@pytest.mark.parametrize("name", ["summary.xlsx", "marks.xlsx", "grid.csv"])
def test_a_specific_pupils_percent(tmp_path: Path, name: str) -> None:
    """Jacob Kowalski: 2 X sessions are not possible, 2 G missed: 96 of 98 present."""
    result = read_attendance(FILES[name](tmp_path), today=TODAY)
    jacob = next(a for a in assess_pupils(result.pupils, NATIONAL)
                 if a.pupil.legal_surname == "Kowalski")
    assert jacob.percent == Fraction(9600, 98)
    assert jacob.tier is not None and jacob.tier.tier == 1


@pytest.mark.parametrize("name", ["marks.xlsx", "marks-iso.csv", "marks-date-cells.xlsx",
                                  "grid.xlsx", "grid.csv"])
def test_penalty_threshold_from_marks(tmp_path: Path, name: str) -> None:
    """Freya Thompson's 10 N sessions, one in each of 10 school weeks, reach the threshold."""
    assessed = assess_pupils(read_attendance(FILES[name](tmp_path), today=TODAY).pupils,
                             NATIONAL)
    reached = {a.pupil.upn for a in assessed if a.threshold and a.threshold.reached}
    assert reached == THRESHOLD_REACHED
    freya = next(a for a in assessed if a.pupil.upn == "K801200000055")
    assert freya.threshold is not None
    assert (freya.threshold.sessions, freya.threshold.school_weeks) == (10, 10)
    assert (freya.threshold.window_start, freya.threshold.window_end) == (
        date(2026, 9, 7), date(2026, 11, 13))


def test_summary_has_no_threshold(tmp_path: Path) -> None:
    """A summary sheet has no marks, so no penalty threshold is worked out."""
    assessed = assess_pupils(read_attendance(FILES["summary.xlsx"](tmp_path)).pupils,
                             NATIONAL)
    assert all(a.threshold is None for a in assessed)


def test_names_and_groups_are_kept(tmp_path: Path) -> None:
    """Legal and preferred names, year and reg group come through from the summary."""
    pupils = read_attendance(FILES["summary.xlsx"](tmp_path)).pupils
    noah = next(p for p in pupils if p.upn == "K801200000044")
    assert (noah.legal_forename, noah.preferred_forename, noah.display_name) == (
        "Noah", "Noe", "Noe Williams")
    assert (noah.year_group, noah.reg_group, noah.admission_number) == ("9", "9K", "1004")


def test_sub_codes_are_kept_and_counted_as_national(tmp_path: Path) -> None:
    """Isla Patel's I01 marks count as I (authorised) and are kept as written."""
    pupils = read_attendance(FILES["grid.xlsx"](tmp_path), today=TODAY).pupils
    isla = next(p for p in pupils if p.legal_surname == "Patel")
    assert [c for _, _, c in isla.sub_codes] == ["I01", "I01", "I01"]
    assert isla.figures is not None and isla.figures.authorised_absences == 7


def test_marks_after_today_are_not_counted(tmp_path: Path) -> None:
    """With today on the first Friday, only the first week's marks count."""
    result = read_attendance(FILES["grid.xlsx"](tmp_path), today=date(2026, 9, 11))
    amelia = next(p for p in result.pupils if p.legal_surname == "Hughes")
    assert amelia.figures is not None and amelia.figures.possible_sessions == 10
    assert result.ignored_after_today == 10 * 90


def test_percent_accepts_fraction_and_whole() -> None:
    """0.94, 94, '94' and '94%' all read as 94%."""
    assert {percent(0.94), percent(94), percent("94"), percent("94%")} == {Fraction(94)}


def test_header_spellings() -> None:
    """Several spellings per field map to the same field."""
    assert {field_for(h) for h in ("Possible", "Possible Sessions", "Possible Marks")} == {
        "possible"}
    assert field_for("Present + AEA") == "present_aea"
    assert {field_for(h) for h in ("Reg", "Reg Group", "Registration Group")} == {"reg_group"}
    assert {field_for(h) for h in ("Adno", "Admission Number")} == {"admission_number"}
    assert field_for("Legal Forename") == "legal_forename"
    assert field_for("Preferred Forename") == "preferred_forename"


def test_grid_headers_in_uk_and_iso_dates() -> None:
    """Grid columns are read from '07/09/2026 AM', 'Mon 07/09/2026 PM' and ISO dates."""
    assert grid_column("07/09/2026 AM") == (date(2026, 9, 7), Session.AM)
    assert grid_column("Mon 07/09/2026 PM") == (date(2026, 9, 7), Session.PM)
    assert grid_column("2026-09-07 pm") == (date(2026, 9, 7), Session.PM)
    assert grid_column("Attendance %") is None


def test_codes_are_text_and_sub_codes_map_to_national() -> None:
    """'/', '\\', '#' stay as written; I01 counts as I; the mapping may name local codes."""
    assert [national_code(c, {}) for c in ("/", "\\", "#", "I01", "l", "Y1")] == [
        "/", "\\", "#", "I", "L", "Y1"]
    assert national_code("HOL", {"HOL": "G"}) == "G"


def test_mapping_overrides_detection(tmp_path: Path) -> None:
    """Headers no spelling knows are read when the mapping names them."""
    path = write_table(tmp_path / "odd.xlsx", ["Pupil Ref", "Poss.", "Pres."],
                       [["K1", 100, 91], ["K2", 100, 40]])
    mapping = Mapping(columns={"upn": "Pupil Ref", "possible": "Poss.", "present": "Pres."})
    result = read_attendance(path, mapping)
    assert [p.figures.present_sessions for p in result.pupils if p.figures] == [91, 40]
    assert result.mapping["possible"] == "Poss. (column B)"


@pytest.mark.parametrize("name", ["marks.xlsx", "grid.xlsx"])
def test_lates_are_counted_from_marks(tmp_path: Path, name: str) -> None:
    """Grace O'Neill's six L marks count as present and as six lates."""
    pupils = read_attendance(FILES[name](tmp_path), today=TODAY).pupils
    grace = next(p for p in pupils if p.legal_surname == "O'Neill")
    assert grace.late == 6
    assert grace.figures is not None and grace.figures.present_sessions == 100

"""`casework report targeting`: a workbook per school and one for every school, with native
charts, cohorts, the trend across exports, the severely absent pupils with no agreed plan,
the schools for termly targeting meetings (seed 003), and a school on a page for each."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from function_app.cli import main
from tests.imports import builder

pytestmark = pytest.mark.cli

SECONDARY = "Severn Vale Academy"
EARLY_WEEKS = 4  # the earlier export of the secondary covers the first four weeks


@dataclass(frozen=True)
class Primary:
    name: str
    pupils: int
    possible: int
    present: int


PRIMARIES = (
    Primary("Larkspur Primary School", 360, 200, 192),  # large: more than 350
    Primary("Wren Lane Primary School", 120, 200, 192),  # small, above 90%
    Primary("Fenmoor Primary School", 80, 200, 170),  # small, under 90%
)


def primary_export(folder: Path, school: Primary) -> Path:
    rows = [[f"P{school.name[:3].upper()}{n:05d}", f"Forename{n}", f"Surname{n}",
             1 + n % 6, school.name, school.possible, school.present]
            for n in range(school.pupils)]
    return builder.write_table(
        folder / f"{school.name.split()[0].lower()}.csv",
        ["UPN", "Forename", "Surname", "Year", "School", "Possible", "Present"], rows)


def early_secondary(folder: Path) -> Path:
    kept = len(builder.school_sessions(EARLY_WEEKS))
    header = builder.grid_header(builder.DETAIL_NAMES)[:len(builder.DETAIL_NAMES) + kept]
    rows = [r[:len(builder.DETAIL_NAMES) + kept] for r in builder.detailed_rows()]
    return builder.write_table(folder / f"{SECONDARY} 2026-10-02.xlsx", header, rows)


@pytest.fixture
def pack(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    exports = tmp_path / "exports"
    exports.mkdir()
    for school in PRIMARIES:
        primary_export(exports, school)
    early_secondary(exports)
    builder.detailed_grid_file(exports, f"{SECONDARY} 2026-11-13.xlsx")
    out = tmp_path / "pack"
    assert main(["report", "targeting", "--from", str(exports), "--out", str(out),
                 "--today", builder.TODAY]) == 0
    return out, capsys.readouterr().out


def charts_in(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return [n for n in z.namelist() if n.startswith("xl/charts/chart")]


def test_a_workbook_and_a_page_per_school_and_one_for_all(pack: tuple[Path, str]) -> None:
    """Each school gets a workbook and a school on a page; every school one workbook."""
    out, said = pack
    names = {p.name for p in out.iterdir()}
    for school in [SECONDARY, *(p.name for p in PRIMARIES)]:
        assert f"{school} targeting pack.xlsx" in names
        assert f"{school} school on a page.docx" in names
        assert school in said
    assert "All schools targeting pack.xlsx" in names


def test_the_schools_for_termly_targeting_meetings_follow_seed_003(
        pack: tuple[Path, str]) -> None:
    """Secondaries, primaries of more than 350 pupils and schools under 90% have termly
    meetings; a small primary above 90% does not."""
    from openpyxl import load_workbook

    out, _ = pack
    sheet = load_workbook(out / "All schools targeting pack.xlsx")["Targeting meetings"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=5, values_only=True) if r[0]}
    expected = {SECONDARY: True} | {
        p.name: p.pupils > 350 or p.present * 10 < p.possible * 9 for p in PRIMARIES}
    assert {name: row[6] == "Yes" for name, row in rows.items()} == expected
    assert "more than 350 pupils (360)" in rows["Larkspur Primary School"][7]
    assert "under 90%" in rows["Fenmoor Primary School"][7]
    assert "secondary" in rows[SECONDARY][7]


def test_a_school_workbook_has_its_sheets_charts_cohorts_and_trend(
        pack: tuple[Path, str]) -> None:
    """The secondary's workbook: summary, cohorts by year, SEN and FSM, a trend row per
    export, the severely absent pupil with no plan, and native charts."""
    from openpyxl import load_workbook

    out, _ = pack
    path = out / f"{SECONDARY} targeting pack.xlsx"
    book = load_workbook(path)
    assert book.sheetnames == ["Summary", "Cohorts", "Trend", "Agreed plans", "Pupils"]
    dimensions = {r[0] for r in book["Cohorts"].iter_rows(min_row=4, values_only=True)}
    assert {"Year group", "SEN", "FSM"} <= dimensions
    trend = [r for r in book["Trend"].iter_rows(min_row=5, values_only=True) if r[0]]
    assert [r[0] for r in trend] == ["2 October 2026", "13 November 2026"]
    plans = [r for r in book["Agreed plans"].iter_rows(min_row=6, values_only=True) if r[1]]
    severe = {p.upn for p in builder.PUPILS
              if p.figures().present_sessions * 2 <= p.figures().possible_sessions}
    assert {r[1] for r in plans} == severe and all(r[8] == "No" for r in plans)
    assert len(charts_in(path)) == 4  # tiers, year groups, two trend lines
    assert len(charts_in(out / "All schools targeting pack.xlsx")) == 2


def test_the_school_on_a_page_opens_and_names_no_pupil(pack: tuple[Path, str]) -> None:
    """The page opens in python-docx, gives the school's figures and names no child."""
    import docx

    out, _ = pack
    document = docx.Document(str(out / f"{SECONDARY} school on a page.docx"))
    text = "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for row in t.rows for c in row.cells])
    assert SECONDARY in text and "13 November 2026" in text
    assert "termly targeting support meetings" in text
    assert not any(p.surname in text for p in builder.PUPILS)


def test_a_bad_export_stops_the_pack(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                     ) -> None:
    """An export that cannot be read makes no pack and says which file and where."""
    exports = tmp_path / "exports"
    exports.mkdir()
    rows = builder.detailed_rows()
    rows[2][20] = "?"
    builder.detailed_grid_file(exports, rows=rows)
    assert main(["report", "targeting", "--from", str(exports), "--out",
                 str(tmp_path / "out"), "--today", builder.TODAY]) == 2
    err = capsys.readouterr().err
    assert "detailed.xlsx" in err and "row 7, column U" in err
    assert not (tmp_path / "out").exists()


SOFFICE = shutil.which("soffice")


def _calc_installed() -> bool:
    program = Path(os.path.realpath(SOFFICE or "")).parent
    return any(program.glob("libsclo.so")) or any(program.glob("*sc*lo.dll"))


@pytest.mark.libreoffice
def test_the_pack_converts_in_libreoffice(pack: tuple[Path, str], tmp_path: Path) -> None:
    """Every workbook and page converts to PDF in LibreOffice (one soffice call)."""
    if SOFFICE is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have LibreOffice: .ci/run installs it")
        pytest.skip("LibreOffice is not installed here")
    if not _calc_installed():
        pytest.skip("LibreOffice Calc (libreoffice-calc-nogui) is not installed here")
    out, _ = pack
    files = sorted(out.iterdir())
    pdf = tmp_path / "pdf"
    subprocess.run([SOFFICE, "--headless", "--convert-to", "pdf", "--outdir", str(pdf),
                    *map(str, files)], check=True, capture_output=True, timeout=300,
                   env={**os.environ, "HOME": str(tmp_path)})
    assert sorted(p.stem for p in pdf.glob("*.pdf")) == sorted(p.stem for p in files)


def test_the_page_counts_pupils_as_a_person_writes(tmp_path: Path) -> None:
    """Three pupils, one missing 60% of sessions: '(1 pupil)', not '(1 pupils)'."""
    import docx

    exports = tmp_path / "exports"
    exports.mkdir()
    rows = [["PTIN00001", "A", "One", 3, "Tiny Primary School", 200, 80],
            ["PTIN00002", "B", "Two", 3, "Tiny Primary School", 200, 200],
            ["PTIN00003", "C", "Three", 4, "Tiny Primary School", 200, 200]]
    builder.write_table(exports / "tiny.csv",
                        ["UPN", "Forename", "Surname", "Year", "School", "Possible", "Present"],
                        rows)
    out = tmp_path / "pack"
    assert main(["report", "targeting", "--from", str(exports), "--out", str(out),
                 "--today", builder.TODAY]) == 0
    page = docx.Document(str(out / "Tiny Primary School school on a page.docx"))
    values = {row.cells[0].text: row.cells[1].text for t in page.tables for row in t.rows}
    assert values["Severely absent (50% or more of sessions missed)"] == "33.3% (1 pupil)"
    assert values["Persistently absent (10% or more of sessions missed)"] == "33.3% (1 pupil)"


def test_every_sheet_prints_landscape_one_page_wide(pack: tuple[Path, str]) -> None:
    """Officers print the pack for the meeting: no sheet spills its columns onto more pages."""
    import openpyxl

    out, _ = pack
    for book in out.glob("*.xlsx"):
        for ws in openpyxl.load_workbook(book).worksheets:
            assert ws.page_setup.orientation == "landscape", (book.name, ws.title)
            assert ws.sheet_properties.pageSetUpPr.fitToPage, (book.name, ws.title)
            assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)

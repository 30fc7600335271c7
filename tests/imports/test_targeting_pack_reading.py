"""`casework report targeting` as an LA officer reads it (issue 15, item 9): exports found in
sub-folders, no empty trend chart after one import, headers that print whole, and totals
that never add up figures to different dates."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from function_app.cli import main
from tests.imports import builder

pytestmark = pytest.mark.cli

HEADER = ["UPN", "Forename", "Surname", "Year", "School", "Possible", "Present"]


def primary(folder: Path, name: str, day: str, pupils: int, present: int) -> Path:
    """A summary export of NAME to DAY (from its file name): PUPILS pupils, each PRESENT
    of 200 sessions."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [[f"P{name[:3].upper()}{n:05d}", f"F{n}", f"S{n}", 1 + n % 6, name, 200, present]
            for n in range(pupils)]
    return builder.write_table(folder / f"{name} {day}.csv", HEADER, rows)


def report(sources: list[Path], out: Path) -> int:
    return main(["report", "targeting", "--from", *map(str, sources), "--out", str(out),
                 "--today", "2026-12-18"])


def charts_in(path: Path) -> int:
    with zipfile.ZipFile(path) as z:
        return sum(n.startswith("xl/charts/chart") for n in z.namelist())


def rows_of(path: Path, sheet: str) -> list[tuple[object, ...]]:
    from openpyxl import load_workbook

    return list(load_workbook(path)[sheet].iter_rows(values_only=True))


def test_exports_in_sub_folders_are_found_and_the_apps_own_outputs_left_out(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Pointed at a demo-like workspace, the pack reads casework-demo/exports/ and says so,
    and leaves out the pack folder, earlier packs and the demo's Microsoft 365 stand-in."""
    workspace = tmp_path / "casework-demo"
    primary(workspace / "exports", "Hartwell Green Primary School", "2026-12-18", 30, 190)
    tenant = workspace / "tenant" / "sites"
    tenant.mkdir(parents=True)
    (workspace / "tenant" / "tenant.sqlite").write_bytes(b"")
    shutil.copy(workspace / "exports" / "Hartwell Green Primary School 2026-12-18.csv",
                tenant / "filed.csv")
    out = workspace / "pack"
    assert report([workspace], out) == 0
    said = capsys.readouterr().out
    assert f"Found 1 export in {workspace / 'exports'}: Hartwell Green" in said
    assert f"Left out {workspace / 'tenant'}: the demo's stand-in for Microsoft 365" in said
    # An earlier pack, renamed and moved beside the exports, is known by its mark.
    shutil.copy(out / "All schools targeting pack.xlsx", workspace / "exports" / "copy.xlsx")
    assert report([workspace], out) == 0
    said = capsys.readouterr().out
    assert "from 1 export of 1 school" in said
    assert f"Left out {out}: the pack is written here" in said
    assert f"Left out {workspace / 'exports' / 'copy.xlsx'}: a workbook this app wrote" in said


def test_a_folder_with_no_exports_says_what_was_left_out(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Only the app's own packs in the folder: no pack, and the officer is told why."""
    primary(tmp_path / "exports", "Wren Lane Primary School", "2026-12-18", 20, 190)
    assert report([tmp_path / "exports"], tmp_path / "packs") == 0
    capsys.readouterr()
    assert report([tmp_path / "packs"], tmp_path / "again") == 2
    err = capsys.readouterr().err
    assert "no exports" in err and "sub-folders included" in err
    assert "All schools targeting pack.xlsx: a workbook this app wrote" in err


def test_one_import_draws_no_empty_trend_chart_and_says_why(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With one import the Trend sheets have no chart and say, in plain words, that the next
    import will show the change."""
    primary(tmp_path / "exports", "Wren Lane Primary School", "2026-12-18", 20, 190)
    assert report([tmp_path / "exports"], tmp_path / "pack") == 0
    school = tmp_path / "pack" / "Wren Lane Primary School targeting pack.xlsx"
    everyone = tmp_path / "pack" / "All schools targeting pack.xlsx"
    assert charts_in(school) == 2  # tiers and year groups; no trend chart
    assert charts_in(everyone) == 1  # year groups only
    sentence = ("No trend yet: one import so far (figures to 18 December 2026). The next "
                "import will show the change.")
    for book in (school, everyone):
        assert (sentence,) in [r[:1] for r in rows_of(book, "Trend")]


def test_two_imports_draw_the_trend(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                    ) -> None:
    """A second import of the school gives the trend its charts and no 'no trend' line."""
    primary(tmp_path / "exports", "Wren Lane Primary School", "2026-10-23", 20, 180)
    primary(tmp_path / "exports", "Wren Lane Primary School", "2026-12-18", 20, 190)
    assert report([tmp_path / "exports"], tmp_path / "pack") == 0
    school = tmp_path / "pack" / "Wren Lane Primary School targeting pack.xlsx"
    assert charts_in(school) == 4
    assert not any("No trend yet" in str(r[0]) for r in rows_of(school, "Trend"))


def test_every_sheet_repeats_its_wrapped_headings_on_each_printed_page(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each sheet's heading row is its print title, wrapped and bold, the sheet still
    landscape and one page wide, and long lines are wrapped within the table."""
    from openpyxl import load_workbook

    primary(tmp_path / "exports", "Wren Lane Primary School", "2026-12-18", 20, 190)
    assert report([tmp_path / "exports"], tmp_path / "pack") == 0
    for book in (tmp_path / "pack").glob("*.xlsx"):
        for ws in load_workbook(book).worksheets:
            where = (book.name, ws.title)
            titles = ws.print_title_rows
            assert titles and titles.startswith("$"), where
            row = int(titles.split(":")[0].lstrip("$"))
            headings = [c for c in ws[row] if c.value]
            assert headings and all(c.alignment.wrap_text and c.font.b for c in headings), where
            assert ws.page_setup.orientation == "landscape", where
            assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0), where
            if row > 1:  # the title and its lines: across the table, wrapped
                assert ws["A2"].alignment.wrap_text and ws.merged_cells.ranges, where


def test_schools_whose_figures_end_on_different_days_are_totalled_like_with_like(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Figures to 23 October and to 18 December are never added together: a total for each
    end date, each with its sessions, and a plain sentence saying the periods differ."""
    exports = tmp_path / "exports"
    primary(exports, "Fenmoor Primary School", "2026-10-23", 10, 150)
    primary(exports, "Larkspur Primary School", "2026-12-18", 20, 190)
    primary(exports, "Wren Lane Primary School", "2026-12-18", 30, 180)
    assert report([exports], tmp_path / "pack") == 0
    assert "The schools' figures end on different dates" in capsys.readouterr().out
    rows = rows_of(tmp_path / "pack" / "All schools targeting pack.xlsx", "Schools")
    assert any("end on different dates (18 December 2026: 2 schools; 23 October 2026: "
               "1 school)" in str(r[0]) for r in rows[:4])
    totals = {r[0]: r for r in rows if str(r[0]).startswith("All schools")}
    assert set(totals) == {"All schools with figures to 18 December 2026",
                           "All schools with figures to 23 October 2026"}
    december = totals["All schools with figures to 18 December 2026"]
    # 20 x 190 + 30 x 180 of 50 x 200 sessions: 92.0%, with the sessions beside it.
    assert december[2:6] == ("18 December 2026", 50, 0.92, "9,200 of 10,000")
    assert totals["All schools with figures to 23 October 2026"][3:6] == (
        10, 0.75, "1,500 of 2,000")
    cohorts = rows_of(tmp_path / "pack" / "All schools targeting pack.xlsx", "Cohorts")
    heading = next(r for r in cohorts if r[0] == "Figures to")
    assert heading[1:3] == ("Cohort", "Group")
    assert {r[0] for r in cohorts[cohorts.index(heading) + 1:] if r[0]} == {
        "18 December 2026", "23 October 2026"}


def test_schools_whose_figures_end_on_the_same_day_have_one_total(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One end date: one 'All schools' total, and no sentence about differing periods."""
    exports = tmp_path / "exports"
    primary(exports, "Larkspur Primary School", "2026-12-18", 20, 190)
    primary(exports, "Wren Lane Primary School", "2026-12-18", 30, 180)
    assert report([exports], tmp_path / "pack") == 0
    rows = rows_of(tmp_path / "pack" / "All schools targeting pack.xlsx", "Schools")
    assert [r[0] for r in rows if str(r[0]).startswith("All schools")] == ["All schools"]
    assert not any("different dates" in str(r[0]) for r in rows)

"""`casework import attendance` as a user runs it: the dry-run report, JSON, and errors."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from function_app.cli import imports as cli_imports
from tests.imports import builder

pytestmark = pytest.mark.cli


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="casework")
    cli_imports.add_parser(parser.add_subparsers(dest="command", required=True))
    return cli_imports.command(parser.parse_args(["import", "attendance", *argv]))


def test_dry_run_shows_mapping_counts_and_cases(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """The dry run shows the mapping chosen, counts per tier and who would need a case, each
    with the figure and the sessions it comes from."""
    path = builder.grid_file(tmp_path)
    assert run([str(path), "--dry-run", "--today", builder.TODAY]) == 0
    out = capsys.readouterr().out
    assert "a register grid" in out and "header on row 4" in out
    assert "upn                  <- UPN (column A)" in out
    assert "Tier 1 (100-93%): 5" in out and "Tier 4 (50% or lower): 1" in out
    assert "Persistently absent: 4" in out and "Severely absent: 1" in out
    assert "Penalty notice threshold reached: 2" in out
    assert "Would need a case (Tier 2 and below, or severely absent): 5" in out
    assert "Mohammed Ali" in out and "Amelia Hughes" not in out
    assert "9R     45.0% (45 of 100 possible sessions)  Tier 4" in out
    assert "Dry run: nothing was written." in out


def test_without_dry_run_needs_a_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                      ) -> None:
    """Without --dry-run and with no site set, the command says which site it needs and
    writes nothing."""
    assert run([str(builder.summary_file(tmp_path))]) == 2
    assert "say which site" in capsys.readouterr().err


def test_json_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--format json gives the counts and each pupil needing a case with their % and, in
    ``shown``, the figure with its sessions."""
    path = builder.marks_file(tmp_path, ".csv")
    assert run([str(path), "--dry-run", "--format", "json", "--today", builder.TODAY]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [t["pupils"] for t in report["tiers"]] == [5, 3, 1, 1]
    freya = next(p for p in report["need_a_case"] if p["upn"] == "K801200000055")
    assert freya["percent"] == "90.0%"
    assert freya["shown"] == "90.0% (90 of 100 possible sessions)"
    assert freya["penalty_threshold"]["reached"] is True
    assert report["written"] is False


def test_bad_file_exits_2_with_every_problem(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """A rejected file exits 2 and names each problem's sheet, row and column on stderr."""
    rows = builder.summary_rows()
    rows[2][8] = 120
    path = builder.write_table(tmp_path / "bad.xlsx", builder.SUMMARY_HEADER, rows)
    assert run([str(path), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "sheet 'Attendance', row 7, column I ('Present + AEA'): present (120)" in err


def test_skip_invalid_lists_what_was_left_out(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """--skip-invalid imports the rest and lists the problems it skipped."""
    rows = builder.summary_rows()
    rows[2][8] = 120
    path = builder.write_table(tmp_path / "bad.xlsx", builder.SUMMARY_HEADER, rows)
    assert run([str(path), "--dry-run", "--skip-invalid"]) == 0
    out = capsys.readouterr().out
    assert "Pupils: 9." in out
    assert "Left out (--skip-invalid), 1 problem:" in out


def test_unknown_profile_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown --profile is a user error, exit 2."""
    assert run([str(builder.summary_file(tmp_path)), "--dry-run", "--profile", "nowhere"]) == 2
    assert "no policy profile called 'nowhere'" in capsys.readouterr().err


def test_mapping_file_from_the_command_line(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """--mapping names the columns of an export whose headers are not recognised."""
    path = builder.write_table(tmp_path / "odd.csv", ["Pupil Ref", "Poss.", "Pres."],
                               [["K1", 100, 91], ["K2", 100, 40]])
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"shape": "summary", "columns": {
        "upn": "Pupil Ref", "possible": "Poss.", "present": "Pres."}}), "utf-8")
    assert run([str(path), "--mapping", str(mapping), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Tier 2 (92-80%): 1" in out and "Severely absent: 1" in out


def test_targeting_pack(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--pack writes a local workbook (a dry run too: it writes nothing to the lists) with
    the tier counts, every pupil and two native charts."""
    import zipfile

    from openpyxl import load_workbook

    pack = tmp_path / "pack.xlsx"
    assert run([str(builder.grid_file(tmp_path)), "--today", builder.TODAY, "--dry-run",
                "--pack", str(pack)]) == 0
    assert f"Targeting pack written to {pack}." in capsys.readouterr().out
    book = load_workbook(pack)
    assert book.sheetnames == ["Summary", "Pupils", "Reg groups"]
    tiers = [(row[0], row[2]) for row in book["Summary"].iter_rows(min_row=5, max_row=8,
                                                                   values_only=True)]
    assert tiers == [("Tier 1", 5), ("Tier 2", 3), ("Tier 3", 1), ("Tier 4", 1)]
    pupils = list(book["Pupils"].iter_rows(min_row=2, values_only=True))
    freya = next(r for r in pupils if r[0] == "K801200000055")
    assert (freya[9], freya[10], freya[13]) == (0.9, 2, "yes")
    with zipfile.ZipFile(pack) as z:
        assert len([n for n in z.namelist() if n.startswith("xl/charts/chart")]) == 2

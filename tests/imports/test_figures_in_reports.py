"""`casework report targeting` gives every attendance percentage with the sessions it is
worked out from, by the one rule (``display_figure``): on the school on a page (its key
figures, its trend and its year groups) and in the lines the command prints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from function_app.cli import main
from function_app.domain.attendance import display_figure
from tests.imports import builder

pytestmark = pytest.mark.cli

SCHOOL = "Tiny Primary School"
HEADER = ["UPN", "Forename", "Surname", "Year", "School", "Possible", "Present"]
# (year, possible, present) per pupil, in the earlier export and the later one.
EARLIER = [(3, 100, 40), (3, 100, 100), (4, 100, 97)]
LATER = [(3, 200, 80), (3, 200, 199), (4, 200, 197)]
FIGURE = re.compile(r"\d+\.\d%")


def _export(folder: Path, day: str, pupils: list[tuple[int, int, int]]) -> None:
    rows = [[f"PTIN{n:05d}", f"Forename{n}", f"Surname{n}", year, SCHOOL, possible, present]
            for n, (year, possible, present) in enumerate(pupils)]
    builder.write_table(folder / f"tiny {day}.csv", HEADER, rows)


def _figure(pupils: list[tuple[int, int, int]], year: int | None = None) -> str:
    chosen = [p for p in pupils if year is None or p[0] == year]
    return display_figure(sum(p[2] for p in chosen), sum(p[1] for p in chosen))


@pytest.fixture
def made(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    exports = tmp_path / "exports"
    exports.mkdir()
    _export(exports, "2026-10-02", EARLIER)
    _export(exports, "2026-11-13", LATER)
    out = tmp_path / "pack"
    assert main(["report", "targeting", "--from", str(exports), "--out", str(out),
                 "--today", builder.TODAY]) == 0
    return out, capsys.readouterr().out


def _page_text(out: Path) -> tuple[dict[str, str], list[list[str]], str]:
    import docx

    page = docx.Document(str(out / f"{SCHOOL} school on a page.docx"))
    rows = [[c.text for c in row.cells] for t in page.tables for row in t.rows]
    text = "\n".join([p.text for p in page.paragraphs] + ["\n".join(r) for r in rows])
    return {r[0]: r[1] for r in rows}, rows, text


def _row(rows: list[list[str]], first: str) -> list[str]:
    found = [r for r in rows if r[0] == first]
    assert len(found) == 1, (first, rows)
    return found[0]


def test_the_page_gives_the_school_s_attendance_with_its_sessions(
        made: tuple[Path, str]) -> None:
    """The key figures read "Overall attendance: 79.3% (476 of 600 possible sessions)"."""
    values, _, _ = _page_text(made[0])
    assert _figure(LATER) == "79.3% (476 of 600 possible sessions)"
    assert values["Overall attendance"] == _figure(LATER)


def test_the_page_s_trend_and_year_groups_give_sessions_beside_each_percentage(
        made: tuple[Path, str]) -> None:
    """Each export in the trend and each year group gives its attendance with its sessions."""
    _, rows, _ = _page_text(made[0])
    assert ["2 October 2026", _figure(EARLIER)] == _row(rows, "2 October 2026")[:2]
    assert ["13 November 2026", _figure(LATER)] == _row(rows, "13 November 2026")[:2]
    assert _row(rows, "Year 3")[2] == _figure(LATER, 3)
    assert _row(rows, "Year 4")[2] == _figure(LATER, 4)


def test_no_percentage_on_the_page_stands_alone(made: tuple[Path, str]) -> None:
    """Every percentage on the page is followed by what it counts: sessions or pupils."""
    _, _, text = _page_text(made[0])
    shown = list(FIGURE.finditer(text))
    assert shown
    for m in shown:
        assert re.match(r" \((\d+ of \d+ possible sessions?|\d+ pupils?)\)",
                        text[m.end():]), text[m.start():m.end() + 40]


def test_the_report_line_gives_each_school_s_attendance_with_its_sessions(
        made: tuple[Path, str]) -> None:
    """The command's line for the school reads "overall 79.3% (476 of 600 possible
    sessions) to 13 November 2026"."""
    _, said = made
    line = next(s for s in said.splitlines() if s.startswith(f"  {SCHOOL}:"))
    assert f"overall {_figure(LATER)} to 13 November 2026" in line
    assert all(m.end() < len(line) and line[m.end():].startswith(" (")
               for m in FIGURE.finditer(line))

"""`casework render KIND --out FILE` for two parents who share a full name: each gets a
letter of their own, named as the letter's own file name names them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from function_app.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "aim-review-no-engagement.json"

pytestmark = pytest.mark.cli


def two_chris_joneses(tmp_path: Path, second_address: str) -> Path:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["carers"] = [
        {"id": "c1", "first_name": "Chris", "last_name": "Jones", "relationship": "Mother",
         "parental_responsibility": True, "address": "12 Elm Road\nStroud\nGL5 1AA"},
        {"id": "c2", "first_name": "Chris", "last_name": "Jones", "relationship": "Father",
         "parental_responsibility": True, "address": second_address},
    ]
    path = tmp_path / "case.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def render(tmp_path: Path, capsys: pytest.CaptureFixture[str], case: Path) -> list[Path]:
    out_file = tmp_path / "letters" / "concern.docx"
    code = main(["render", "letter_of_concern", "--input", str(case), "--today", "2026-11-22",
                 "--out", str(out_file)])
    out, err = capsys.readouterr()
    assert code == 0, err
    return [Path(p) for p in out.splitlines()]


def text_of(path: Path) -> str:
    """The letter's words, the address block's table cells included."""
    doc = Document(path)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_two_parents_of_the_same_name_at_different_addresses_get_a_file_each(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Both Chris Joneses get a letter beside --out, told apart by their address's first
    line; neither overwrites the other."""
    paths = render(tmp_path, capsys, two_chris_joneses(tmp_path, "4 Mill Lane\nStroud"))
    assert [p.name for p in paths] == ["concern - Chris Jones (12 Elm Road).docx",
                                       "concern - Chris Jones (4 Mill Lane).docx"]
    assert sorted(p.name for p in (tmp_path / "letters").iterdir()) == sorted(
        p.name for p in paths)
    assert "12 Elm Road" in text_of(paths[0]) and "4 Mill Lane" not in text_of(paths[0])
    assert "4 Mill Lane" in text_of(paths[1]) and "12 Elm Road" not in text_of(paths[1])


def test_two_parents_of_the_same_name_and_address_are_numbered(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """At the same address the two letters are parent 1 and parent 2: still two files."""
    paths = render(tmp_path, capsys, two_chris_joneses(tmp_path, "12 Elm Road\nStroud"))
    assert [p.name for p in paths] == ["concern - Chris Jones (parent 1).docx",
                                       "concern - Chris Jones (parent 2).docx"]
    assert len(list((tmp_path / "letters").iterdir())) == 2

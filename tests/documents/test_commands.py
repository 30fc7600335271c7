"""The document commands as an attendance lead or an LA's IT admin runs them."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document

from function_app.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "templates" / "sample-case.json"
EXAMPLE = ROOT / "examples" / "aim-review-no-engagement.json"

pytestmark = pytest.mark.cli


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def template_with(tmp_path: Path, name: str, *paragraphs: str) -> Path:
    folder = tmp_path / "la-templates"
    folder.mkdir(exist_ok=True)
    doc = Document()
    doc.add_heading("LA plan", 1)
    for text in paragraphs:
        doc.add_paragraph(text)
    doc.save(folder / name)
    return folder


def test_templates_list_names_every_kind(capsys: pytest.CaptureFixture[str]) -> None:
    """`templates list` prints one kind a line with its title."""
    code, out, _ = run(capsys, "templates", "list")
    assert code == 0
    assert "aim_plan: Attendance Improvement Meeting plan (one per case)" in out.splitlines()
    assert len(out.splitlines()) == 13


def test_shipped_templates_pass_the_check(capsys: pytest.CaptureFixture[str]) -> None:
    """Every shipped template passes `templates check`."""
    code, out, _ = run(capsys, "templates", "check")
    assert code == 0, out
    assert "13 of 13 templates passed." in out


def test_a_broken_template_is_named_with_its_tag(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An LA template with an unclosed tag fails the check, naming the file and the tag."""
    folder = template_with(tmp_path, "aim-plan.docx", "{% if meeting.target %}Target")
    code, out, _ = run(capsys, "templates", "check", "--dir", str(folder))
    assert code == 2
    [line] = [x for x in out.splitlines() if x.startswith("FAIL")]
    assert "aim-plan.docx" in line and "if meeting.target" in line
    assert "12 of 13 templates passed." in out


def test_a_template_using_an_unknown_name_is_named(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A template that uses a name the context lacks fails, naming the name and its tag."""
    folder = template_with(tmp_path, "aim-plan.docx", "Dear {{ parent_name }}",
                           "{{ meeting.titel }}")
    code, out, _ = run(capsys, "templates", "check", "--dir", str(folder))
    assert code == 2
    assert "parent_name" in out and "{{ parent_name }}" in out


def test_a_misspelt_attribute_is_named(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    """A misspelt field such as meeting.titel is found by rendering, and its tag named."""
    folder = template_with(tmp_path, "aim-plan.docx", "{{ meeting.titel }}")
    code, out, _ = run(capsys, "templates", "check", "--dir", str(folder))
    assert code == 2
    assert "titel" in out and "{{ meeting.titel }}" in out


def test_a_malicious_template_is_refused(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """A template that tries to reach Python internals is refused as a sandbox escape."""
    folder = template_with(tmp_path, "letter-of-concern.docx",
                           "{{ pupil.__class__.__mro__[1].__subclasses__() }}")
    code, out, _ = run(capsys, "templates", "check", "--dir", str(folder))
    assert code == 2
    [line] = [x for x in out.splitlines() if x.startswith("FAIL")]
    assert "letter-of-concern.docx" in line and "sandbox" in line


def test_render_writes_one_letter_per_parent(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """A per-carer kind writes one file per parent beside --out and prints each path."""
    out_file = tmp_path / "letters" / "concern.docx"
    code, out, err = run(capsys, "render", "letter_of_concern", "--input", str(EXAMPLE),
                         "--today", "2026-11-22", "--out", str(out_file))
    assert code == 0, err
    paths = [Path(p) for p in out.splitlines()]
    assert [p.name for p in paths] == ["concern - Dana Ellis.docx", "concern - Chris Ellis.docx"]
    assert all(p.is_file() for p in paths)
    assert "Dear Dana Ellis" in "\n".join(p.text for p in Document(paths[0]).paragraphs)


def test_render_names_files_by_the_catalogue(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """With --out-dir the file is named by date and title, so a case folder reads in order."""
    code, out, _ = run(capsys, "render", "aim_plan", "--input", str(EXAMPLE), "--meeting", "m1",
                       "--today", "2026-11-22", "--out-dir", str(tmp_path))
    assert code == 0
    assert Path(out.strip()).name == "2026-09-23 AIM plan.docx"


def test_unknown_kind_and_meeting_are_refused(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown kind lists the known ones; an unknown meeting lists the case's; exit 2."""
    code, _, err = run(capsys, "render", "aim_plna", "--input", str(EXAMPLE),
                       "--out", str(tmp_path / "x.docx"))
    assert code == 2 and "aim_plna" in err and "aim_plan" in err
    code, _, err = run(capsys, "render", "aim_plan", "--input", str(EXAMPLE), "--meeting", "m9",
                       "--out", str(tmp_path / "x.docx"))
    assert code == 2 and "'m9'" in err and "m1, m2" in err
    assert not list(tmp_path.iterdir())


def test_missing_information_is_named_and_nothing_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An invitation without a time, to a parent without an address, names both fields and
    writes no file at all."""
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    meeting = next(m for m in data["meetings"] if m["id"] == "m3")
    del meeting["time"]
    data["carers"][1].pop("address")
    data["carers"][1].pop("email")
    case = tmp_path / "case.json"
    case.write_text(json.dumps(data), encoding="utf-8")
    out_dir = tmp_path / "out"
    code, _, err = run(capsys, "render", "aim_invitation", "--input", str(case),
                       "--meeting", "m3", "--out-dir", str(out_dir))
    assert code == 2
    assert "meetings[3].time" in err and "carers[1].address" in err
    assert not out_dir.exists()
    assert "Traceback" not in err


def test_bulk_render_goes_on_past_a_bad_case(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """A .jsonl of cases renders each into its own folder, reports a bad line by number,
    and still writes the good ones."""
    good = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    second = dict(good, case_ref="ATT-2026-0043")
    lines = [json.dumps(good), "{not json", json.dumps(second)]
    source = tmp_path / "cases.jsonl"
    source.write_text("\n".join(lines), encoding="utf-8")
    code, out, err = run(capsys, "render", "aim_plan", "--input", str(source), "--today",
                         "2026-11-22", "--out-dir", str(tmp_path / "out"))
    assert code == 2
    assert "line 2: is not valid JSON" in err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == \
        ["ATT-2026-0042", "ATT-2026-0043"]
    assert "2 documents written" in out


def test_protective_marking_comes_from_the_setting(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """CASEWORK_PROTECTIVE_MARKING puts its line at the top of every document."""
    monkeypatch.setenv("CASEWORK_PROTECTIVE_MARKING", "OFFICIAL-SENSITIVE")
    code, out, _ = run(capsys, "render", "aim_plan", "--input", str(EXAMPLE), "--meeting", "m1",
                       "--out-dir", str(tmp_path))
    assert code == 0
    doc = Document(Path(out.strip()))
    header = "\n".join(p.text for p in doc.sections[0].header.paragraphs)
    assert "OFFICIAL-SENSITIVE" in header


def test_an_la_template_replaces_the_shipped_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file of the same name in the LA's folder is used instead of the shipped template."""
    folder = template_with(tmp_path, "aim-plan.docx", "Our own plan for {{ pupil.full_name }}")
    code, out, _ = run(capsys, "render", "aim_plan", "--input", str(EXAMPLE), "--meeting", "m1",
                       "--templates-dir", str(folder), "--out-dir", str(tmp_path / "out"))
    assert code == 0
    text = [p.text for p in Document(Path(out.strip())).paragraphs]
    assert "Our own plan for Jordan Ellis" in text


SOFFICE = shutil.which("soffice")


@pytest.mark.libreoffice
def test_every_kind_converts_to_pdf_with_libreoffice(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every kind's document converts to PDF in LibreOffice (one soffice call for all)."""
    if SOFFICE is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have LibreOffice: .ci/run installs it")
        pytest.skip("LibreOffice is not installed here")
    out_dir = tmp_path / "docx"
    kinds = [line.split(":")[0] for line in
             (run(capsys, "templates", "list")[1]).splitlines()]
    for kind in kinds:
        code, _, err = run(capsys, "render", kind, "--input", str(SAMPLE), "--today",
                           "2026-11-22", "--out-dir", str(out_dir))
        assert code == 0, err
    files = sorted(out_dir.glob("*.docx"))
    pdf_dir = tmp_path / "pdf"
    subprocess.run([SOFFICE, "--headless", "--convert-to", "pdf", "--outdir", str(pdf_dir),
                    *map(str, files)], check=True, capture_output=True, timeout=300,
                   env={**os.environ, "HOME": str(tmp_path)})
    pdfs = {p.stem for p in pdf_dir.glob("*.pdf")}
    assert pdfs == {f.stem for f in files}
    assert all(p.stat().st_size > 1000 for p in pdf_dir.glob("*.pdf"))
    assert len(files) >= 11
    assert all(Document(io.BytesIO(f.read_bytes())) for f in files)

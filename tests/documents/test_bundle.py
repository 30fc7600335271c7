"""The evidence bundle (seed 000: the evidence collated for the Request to Initiate Legal
Proceedings; seed 004: compile the plans and documents as evidence): one .docx with a cover,
an index with each exhibit's SHA-256, the chronology and the exhibits in date order."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from docx import Document

from function_app.documents.bundle import Exhibit, build_bundle, index_of
from function_app.domain.model import Case, ContactMode
from function_app.domain.policy import load_profile
from function_app.domain.readiness import readiness
from tests.builders import TODAY, case, interaction, meeting

pytestmark = pytest.mark.unit


def exhibit(folder: Path, name: str, title: str, on: dt.date, body: str) -> Exhibit:
    doc = Document()
    doc.add_heading(title, 1)
    doc.add_paragraph(body)
    doc.add_paragraph("First action", style="List Number")
    table = doc.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Target"
    table.rows[0].cells[1].text = "No further unauthorised absence"
    path = folder / name
    doc.save(str(path))
    return Exhibit(path, title, on)


@pytest.fixture
def exhibits(tmp_path: Path) -> list[Exhibit]:
    # Given out of date order on purpose.
    return [
        exhibit(tmp_path, "plan.docx", "Plan from the school attendance meeting",
                dt.date(2026, 1, 6), "Body of the plan."),
        exhibit(tmp_path, "concern.docx", "Letter of concern to Dana Ellis",
                dt.date(2025, 12, 1), "Body of the letter of concern."),
        exhibit(tmp_path, "notice.docx", "Notice to Improve to Dana Ellis",
                dt.date(2026, 1, 28), "Body of the notice."),
    ]


def the_case() -> Case:
    return case(
        meetings=(meeting(date=dt.date(2026, 1, 6)),),
        interactions=(interaction(date=dt.date(2025, 12, 1), mode=ContactMode.LETTER,
                                  summary="Letter of concern sent"),))


def paragraphs(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs]


def test_exhibits_are_headed_in_date_order(tmp_path: Path, exhibits: list[Exhibit]) -> None:
    """Each exhibit starts on its own heading "Exhibit N: <title>, <date>", numbered by date,
    and its own text follows its heading."""
    out = tmp_path / "bundle" / "bundle.docx"
    build_bundle(case(), exhibits, out, prepared_on=TODAY)
    texts = paragraphs(out)
    headings = [t for t in texts if t.startswith("Exhibit ") and ":" in t]
    assert headings == [
        "Exhibit 1: Letter of concern to Dana Ellis, 1 December 2025",
        "Exhibit 2: Plan from the school attendance meeting, 6 January 2026",
        "Exhibit 3: Notice to Improve to Dana Ellis, 28 January 2026",
    ]
    for heading, body in zip(headings, ("Body of the letter of concern.", "Body of the plan.",
                                        "Body of the notice."), strict=True):
        assert texts.index(heading) < texts.index(body)
    assert texts.index(headings[0]) < texts.index("Body of the letter of concern.") \
        < texts.index(headings[1])


def test_every_sha256_in_the_index_matches_its_source(
        tmp_path: Path, exhibits: list[Exhibit]) -> None:
    """The index gives each exhibit's SHA-256, and each matches the file it came from."""
    out = tmp_path / "bundle.docx"
    entries = build_bundle(case(), exhibits, out, prepared_on=TODAY)
    index = next(t for t in Document(str(out)).tables if t.rows[0].cells[4].text == "SHA-256")
    rows = [[c.text for c in r.cells] for r in index.rows[1:]]
    sources = {e.path.name: hashlib.sha256(e.path.read_bytes()).hexdigest() for e in exhibits}
    assert len(rows) == len(exhibits) == len(entries)
    for _number, _title, _date, name, digest in rows:
        assert digest == sources[name]
    assert [r[0] for r in rows] == ["1", "2", "3"]
    assert [e.sha256 for e in index_of(exhibits)] == [r[4] for r in rows]


def test_the_chronology_lists_contacts_and_meetings(
        tmp_path: Path, exhibits: list[Exhibit]) -> None:
    """Seed 000: every interaction with its date, time and mode; the chronology comes from
    the same data as the templates' chronology."""
    out = tmp_path / "bundle.docx"
    build_bundle(the_case(), exhibits, out, prepared_on=TODAY)
    chron = next(t for t in Document(str(out)).tables
                 if [c.text for c in t.rows[0].cells] == ["Date", "Time", "Event"])
    events = [[c.text for c in r.cells] for r in chron.rows[1:]]
    assert events[0][0] == "1 December 2025" and "Letter of concern sent" in events[0][2]
    assert events[1][0] == "6 January 2026" and "held" in events[1][2]


def test_the_cover_names_the_case_and_the_readiness_steps_can_be_included(
        tmp_path: Path, exhibits: list[Exhibit]) -> None:
    """The cover gives the case reference, pupil and number of exhibits; with a readiness
    report, each step is listed with whether it was found."""
    c = case()
    out = tmp_path / "bundle.docx"
    build_bundle(c, exhibits, out, prepared_on=TODAY,
                 readiness=readiness(c, load_profile("national-2024"), TODAY))
    texts = paragraphs(out)
    assert "Case reference: ATT-2026-0001" in texts and "Exhibits: 3" in texts
    steps = next(t for t in Document(str(out)).tables if t.rows[0].cells[0].text == "Step")
    assert "Education Supervision Order considered" in [r.cells[0].text for r in steps.rows]


def test_a_missing_exhibit_is_an_error(tmp_path: Path) -> None:
    """An exhibit that is not on disk cannot be hashed: FileNotFoundError, no bundle."""
    out = tmp_path / "bundle.docx"
    with pytest.raises(FileNotFoundError):
        build_bundle(case(), [Exhibit(tmp_path / "gone.docx", "Gone", TODAY)], out,
                     prepared_on=TODAY)
    assert not out.exists()


@pytest.mark.cli
def test_rendered_documents_bundle_and_open(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Documents made by `casework render` (a plan and one covering letter per parent, seed
    001) compose into a bundle that opens, with every exhibit's text in it."""
    from function_app.cli import main
    from function_app.services.case_input import read_case_path

    example = Path(__file__).resolve().parents[2] / "examples" / "aim-review-no-engagement.json"
    args = ["--input", str(example), "--today", "2026-11-20"]
    assert main(["render", "aim_plan", *args, "--out", str(tmp_path / "plan.docx")]) == 0
    assert main(["render", "plan_cover_letter", *args,
                 "--out", str(tmp_path / "cover.docx")]) == 0
    capsys.readouterr()
    made = sorted(tmp_path.glob("*.docx"))
    assert len(made) == 3
    exhibits = [Exhibit(p, p.stem, dt.date(2026, 10, 21)) for p in made]
    out = tmp_path / "out" / "bundle.docx"
    entries = build_bundle(read_case_path(example), exhibits, out,
                           prepared_on=dt.date(2026, 11, 20))
    bundle_text = "\n".join(paragraphs(out))
    for e in exhibits:
        assert all(p in bundle_text for p in paragraphs(e.path) if p.strip())
    assert {e.sha256 for e in entries} == {hashlib.sha256(p.read_bytes()).hexdigest()
                                           for p in made}

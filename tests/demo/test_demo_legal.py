"""`casework demo`'s legal referral (issue 10): Mason Kerr's school ticks "Prepare legal
referral" the week after his legal consultation; the bundle in his case folder's Legal
subfolder opens in python-docx and LibreOffice, its index pages are the PDF's pages, its
hashes are the folder's files, and readiness reports the one gap the scenario leaves (the
summer term's support meeting was logged only as a contact). A second run makes nothing."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from function_app.adapters.libreoffice import LibreOfficePdf, soffice
from function_app.demo.runner import DemoResult, run_demo

pytestmark = [pytest.mark.integration, pytest.mark.libreoffice,
              pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not "
                                                          "installed")]
MASON = Path("Case Files") / "Coldharbour Ridge School" / "ATT-2026-0321 Kerr, Mason"


@dataclass
class Played:
    workspace: Path
    first: DemoResult
    first_output: str
    legal_before_second: dict[str, int]
    second_output: str

    @property
    def folder(self) -> Path:
        return self.workspace / "tenant" / "sites" / "attendance" / MASON

    @property
    def legal(self) -> Path:
        return self.folder / "Legal"


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Played:
    workspace = tmp_path_factory.mktemp("demo-legal") / "casework-demo"
    out = io.StringIO()
    first = run_demo(workspace, out)
    legal = workspace / "tenant" / "sites" / "attendance" / MASON / "Legal"
    before = {p.name: p.stat().st_mtime_ns for p in legal.iterdir()}
    second = io.StringIO()
    run_demo(workspace, second)
    return Played(workspace, first, out.getvalue(), before, second.getvalue())


def test_the_bundle_is_in_the_legal_subfolder_as_word_and_pdf(played: Played) -> None:
    """One .docx and one PDF, dated the Friday of the week the box was ticked."""
    assert sorted(p.name for p in played.legal.iterdir()) == [
        "2026-11-27 Evidence bundle ATT-2026-0321.docx",
        "2026-11-27 Evidence bundle ATT-2026-0321.pdf"]


def test_the_index_pages_and_hashes_are_true(played: Played) -> None:
    """Each exhibit's page in the index is the PDF page with its heading; each SHA-256 is
    that of the file in Mason's folder; every page reads "Page X of Y"."""
    docx = next(played.legal.glob("*.docx"))
    texts = [p.extract_text() or "" for p in PdfReader(str(next(played.legal.glob("*.pdf")))).pages]
    table = next(t for t in Document(str(docx)).tables if t.rows[0].cells[0].text == "Exhibit")
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    files = {p.name: p for p in played.folder.iterdir() if p.is_file()}
    assert sorted(r[3] for r in rows) == sorted(files)
    for number, _title, _date, name, digest, page in rows:
        assert digest == hashlib.sha256(files[name].read_bytes()).hexdigest()
        assert re.search(rf"Exhibit\s+{number}\s*:", texts[int(page) - 1]), (number, page)
    assert all(f"Page {n} of {len(texts)}" in t for n, t in enumerate(texts, start=1))
    assert "Request to Initiate Legal Proceedings" in "\n".join(texts[:8])


def test_the_word_bundle_opens_in_libreoffice(played: Played) -> None:
    """LibreOffice converts the filed .docx again to a PDF with the same number of pages."""
    docx = next(played.legal.glob("*.docx"))
    pdf = asyncio.run(LibreOfficePdf()(docx.read_bytes()))
    filed = len(PdfReader(str(next(played.legal.glob("*.pdf")))).pages)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == filed


def test_readiness_reports_the_one_gap_on_the_case_and_in_the_output(played: Played) -> None:
    """The summer term's support meeting is not recorded as held: the one required step
    missing, said in the week's output and in the card to the legal channel (no names)."""
    out = played.first_output
    assert "ATT-2026-0321: staff ticked \"Prepare legal referral\"; filed the evidence " \
           "bundle" in out
    assert "Readiness: not ready, 1 step missing." in out
    assert "Missing: School attendance (support) meeting held." in out
    (card,) = [json.loads(p.read_text(encoding="utf-8"))
               for p in sorted((played.workspace / "teams" / "la_legal").glob("*.json"))]
    shown = json.dumps(card, ensure_ascii=False)
    assert "ATT-2026-0321" in shown and "(MK)" in shown
    assert "School attendance (support) meeting held" in shown
    assert "Mason" not in shown and "Kerr" not in shown


def test_a_second_run_bundles_nothing_again(played: Played) -> None:
    """Run again, nothing is typed, so the bundle is not made or touched again."""
    assert {p.name: p.stat().st_mtime_ns for p in played.legal.iterdir()} == \
        played.legal_before_second
    assert "staff ticked" not in played.second_output

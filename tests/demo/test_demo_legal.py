"""`casework demo`'s legal referral (issue 10): Mason Kerr's school ticks "Prepare legal
referral" the week after his legal consultation; the bundle in his case folder's Legal
subfolder opens in python-docx and LibreOffice, its index pages are the PDF's pages, its
hashes are the folder's files, and readiness reports the one gap the scenario leaves (the
summer term's support meeting was logged only as a contact). A second run makes nothing.

Without LibreOffice (taken away here by the dev tenant's lookup of soffice, so this runs
everywhere) the Word bundle is still filed, and the output, the case and the card say
plainly that the PDF needs LibreOffice. The tests that read the PDF need LibreOffice."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from pypdf import PdfReader

from function_app import bootstrap
from function_app.adapters.libreoffice import LibreOfficePdf, soffice
from function_app.demo.runner import DemoResult, run_demo
from function_app.devtenant import pdf as dev_pdf
from function_app.settings import Settings

pytestmark = pytest.mark.integration
MASON = Path("Case Files") / "Coldharbour Ridge School" / "ATT-2026-0321 Kerr, Mason"
BUNDLE = "2026-11-27 Evidence bundle ATT-2026-0321"


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



def play(workspace: Path) -> Played:
    out = io.StringIO()
    first = run_demo(workspace, out)
    legal = workspace / "tenant" / "sites" / "attendance" / MASON / "Legal"
    before = {p.name: p.stat().st_mtime_ns for p in legal.iterdir()}
    second = io.StringIO()
    run_demo(workspace, second)
    return Played(workspace, first, out.getvalue(), before, second.getvalue())


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Played:
    """The demo as this machine runs it (with LibreOffice if installed)."""
    return play(tmp_path_factory.mktemp("demo-legal") / "casework-demo")


@pytest.fixture(scope="module")
def played_without_libreoffice(played: Played, tmp_path_factory: pytest.TempPathFactory
                               ) -> Played:
    """The demo on a machine without LibreOffice: this one's run when it has none, else one
    with the dev tenant's lookup of soffice finding nothing."""
    if soffice() is None:
        return played
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dev_pdf, "soffice", lambda: None)
        return play(tmp_path_factory.mktemp("demo-legal-no-pdf") / "casework-demo")


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_the_bundle_is_in_the_legal_subfolder_as_word_and_pdf(played: Played) -> None:
    """One .docx and one PDF, dated the Friday of the week the box was ticked."""
    assert sorted(p.name for p in played.legal.iterdir()) == [
        "2026-11-27 Evidence bundle ATT-2026-0321.docx",
        "2026-11-27 Evidence bundle ATT-2026-0321.pdf"]


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
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


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
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


def test_without_libreoffice_the_word_bundle_is_filed_and_the_pdf_said_to_need_it(
        played_without_libreoffice: Played) -> None:
    """No PDF can be made: the .docx alone is in Legal/, its index true to the folder's
    files and giving no page; the week's output and the summary say the PDF needs
    LibreOffice and how to get it, and name no PDF; the case's Legal readiness and the card
    say so too; it is not an item needing attention."""
    played = played_without_libreoffice
    assert [p.name for p in played.legal.iterdir()] == [f"{BUNDLE}.docx"]
    document = Document(str(played.legal / f"{BUNDLE}.docx"))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Exhibit")
    files = {p.name: p for p in played.folder.iterdir() if p.is_file()}
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert sorted(r[3] for r in rows) == sorted(files)
    for _number, _title, _date, name, digest, page in rows:
        assert digest == hashlib.sha256(files[name].read_bytes()).hexdigest()
        assert page == "-"

    out = played.first_output
    assert ("ATT-2026-0321: staff ticked \"Prepare legal referral\"; filed the evidence bundle "
            f"in Coldharbour Ridge School/ATT-2026-0321 Kerr, Mason/Legal: {BUNDLE}.docx.\n"
            "    No PDF: the dev tenant converts to PDF with LibreOffice, which is not installed "
            "here: install libreoffice-writer-nogui and run the demo again in a new workspace "
            "(in production Microsoft Graph's ?format=pdf makes the PDF).") in out
    assert (f"The evidence bundle of ATT-2026-0321 is filed as a Word document only "
            f"({BUNDLE}.docx, in its case folder's Legal subfolder): no PDF") in out
    assert f"{BUNDLE}.pdf" not in out
    assert "1 item needs attention;" in out and played.first.attention == 1
    assert "Readiness: not ready, 1 step missing." in out

    fields = _case(played.workspace, "ATT-2026-0321")
    text = str(fields["LegalReadiness"])
    assert "as a Word document only: no PDF was made" in text
    assert "needs LibreOffice" in text and "libreoffice-writer-nogui" in text
    assert "\nPDF: not made (see above).\n" in text and f"{BUNDLE}.pdf" not in text
    assert fields["PrepareLegalReferral"] is False
    (card,) = [p.read_text(encoding="utf-8")
               for p in sorted((played.workspace / "teams" / "la_legal").glob("*.json"))]
    assert "no PDF was made" in card and "Mason" not in card

    assert {p.name: p.stat().st_mtime_ns for p in played.legal.iterdir()} == \
        played.legal_before_second
    assert "staff ticked" not in played.second_output


def _case(workspace: Path, case_ref: str) -> dict[str, Any]:
    """A Cases item's fields, read back through Graph from the demo's tenant."""
    from function_app.devtenant import DevTenant

    async def read(base_url: str, hostname: str, site_path: str) -> dict[str, Any]:
        settings = bootstrap.settings_for_dev_tenant(base_url, hostname, site_path, workspace,
                                                     base=Settings())
        graph = bootstrap.graph_client(settings)
        lists = await graph.lists()
        items = await graph.all_items(lists["Cases"].id)
        (found,) = [i.fields for i in items if i.fields.get("Title") == case_ref]
        return found

    with DevTenant(workspace / "tenant") as tenant:
        return asyncio.run(read(tenant.base_url, tenant.hostname, tenant.site_path))

"""`casework demo`'s legal referral (issues 10 and 15): Mason Kerr's school ticks "Prepare
legal referral" the week after his legal consultation; the bundle in his case folder's Legal
subfolder opens in python-docx and LibreOffice, its index pages are the PDF's pages, its
hashes are the folder's files, each exhibit is the PDF of its filed document page for page,
every letter is dated by the date written on it, and readiness does not contradict the
exhibits (the summer term's support meeting, logged as a contact, is a support meeting
held). A second run makes nothing.

Without LibreOffice (taken away here by the dev tenant's lookup of soffice, so this runs
everywhere) the Word bundle is still filed, and the output, the case and the card say
plainly that the PDF needs LibreOffice. The tests that read the PDF need LibreOffice."""

from __future__ import annotations

import asyncio
import datetime as dt
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
from function_app.demo.scenario import COLDHARBOUR
from function_app.devtenant import pdf as dev_pdf
from function_app.settings import Settings

pytestmark = pytest.mark.integration
# In Coldharbour Ridge School's own site's library: the school's site, not one for all.
SITE = Path("tenant") / COLDHARBOUR.site_path.lstrip("/")
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
        return self.workspace / SITE / MASON

    @property
    def legal(self) -> Path:
        return self.folder / "Legal"



def play(workspace: Path) -> Played:
    out = io.StringIO()
    first = run_demo(workspace, out)
    legal = workspace / SITE / MASON / "Legal"
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


def index_rows(docx: Path) -> list[list[str]]:
    table = next(t for t in Document(str(docx)).tables if t.rows[0].cells[0].text == "Exhibit")
    return [[c.text for c in r.cells] for r in table.rows[1:]]


def pdf_texts(pdf: bytes | Path) -> list[str]:
    source = io.BytesIO(pdf) if isinstance(pdf, bytes) else str(pdf)
    return [p.extract_text() or "" for p in PdfReader(source).pages]


@pytest.fixture(scope="module")
def filed_pdfs(played: Played) -> dict[str, list[str]]:
    """Each filed Word document of Mason's folder converted on its own, as Graph's
    ?format=pdf does in the dev tenant: the text of each page."""
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    convert = LibreOfficePdf()
    return {p.name: pdf_texts(asyncio.run(convert(p.read_bytes())))
            for p in sorted(played.folder.glob("*.docx"))}


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_the_index_pages_and_hashes_are_true(played: Played) -> None:
    """Each exhibit's page in the index is the PDF page where its stamp "Exhibit N - page 1
    of y" stands; each SHA-256 is that of the file in Mason's folder; every page is numbered
    through the bundle."""
    texts = pdf_texts(next(played.legal.glob("*.pdf")))
    rows = index_rows(next(played.legal.glob("*.docx")))
    files = {p.name: p for p in played.folder.iterdir() if p.is_file()}
    assert sorted(r[3] for r in rows) == sorted(files)
    for number, _title, _date, name, digest, page in rows:
        assert digest == hashlib.sha256(files[name].read_bytes()).hexdigest()
        assert re.search(rf"Exhibit {number} - page 1 of \d+ - bundle page {page} of "
                         rf"{len(texts)}", texts[int(page) - 1]), (number, page)
    for n, text in enumerate(texts, start=1):
        assert f"Page {n} of {len(texts)}" in text or f"bundle page {n} of {len(texts)}" in text
    assert "Request to Initiate Legal Proceedings" in "\n".join(texts[:8])


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_each_exhibit_is_its_filed_document_page_for_page(
        played: Played, filed_pdfs: dict[str, list[str]]) -> None:
    """The text of each exhibit's pages in the bundle equals that of its filed document's own
    PDF, page for page, letterhead, address and footers included, the stamp aside."""
    from function_app.documents.bundle_stamp import without_stamp

    texts = pdf_texts(next(played.legal.glob("*.pdf")))
    for number, _title, _date, name, _digest, page in index_rows(next(played.legal.glob(
            "*.docx"))):
        own = filed_pdfs[name]
        exhibit = texts[int(page) - 1: int(page) - 1 + len(own)]
        assert [without_stamp(t) for t in exhibit] == [without_stamp(t) for t in own], number
        assert all(f"Exhibit {number} - page {x} of {len(own)}" in t
                   for x, t in enumerate(exhibit, start=1))
    letter = filed_pdfs["2026-09-23 AIM invitation and warning - Dana Kerr.docx"][0]
    assert "Coldharbour Ridge School" in letter and "7 Quarry Close" in letter


def written_on(texts: list[str]) -> str | None:
    """The date line of a letter, read from its own PDF: a date alone above "Our reference"."""
    lines = [line.strip() for line in "\n".join(texts).splitlines()]
    end = next((n for n, line in enumerate(lines) if line.startswith("Our reference")), None)
    if end is None:
        return None
    return next((line for line in reversed(lines[:end])
                 if re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}", line)), None)


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_every_letter_is_dated_by_the_date_written_on_it(
        played: Played, filed_pdfs: dict[str, list[str]]) -> None:
    """In the index and the chronology each letter's date is the one written on it (the
    warning of prosecution of 11 September, not its meeting's 23 September), and the
    chronology is in date and time order, citing every exhibit by its number."""
    docx = next(played.legal.glob("*.docx"))
    rows = index_rows(docx)
    letters = {name: written_on(filed_pdfs[name]) for name in filed_pdfs}
    dated = {name: on for name, on in letters.items() if on is not None}
    assert dated["2026-09-23 AIM invitation and warning - Dana Kerr.docx"] == \
        "11 September 2026"
    assert len(dated) == 8  # the warnings and the covering letters
    for number, _title, on, name, _digest, _page in rows:
        assert on == dated.get(name, on), (number, name)
    table = next(t for t in Document(str(docx)).tables if t.rows[0].cells[-1].text == "Exhibit"
                 and t.rows[0].cells[0].text == "Date")
    chron = [[c.text for c in r.cells] for r in table.rows[1:]]
    by_number = {r[0]: r for r in rows}
    cited = {n.strip() for r in chron for n in r[6].replace("Exhibit", "").split(",") if n.strip()}
    assert cited == set(by_number)
    for row in chron:
        if row[2] == "letter" and row[4].startswith("Letter: "):  # the letter itself; its
            # sending (emailed, or posted from the pack) is a contact of its own
            (number,) = row[6].replace("Exhibit", "").split()
            assert row[0] == dated[by_number[number][3]]
    order = [(dt.datetime.strptime(r[0], "%d %B %Y"), r[1] or "99") for r in chron]
    assert [o[0] for o in order] == sorted(o[0] for o in order)
    same_day = [r[1] for r in chron if r[0] == "18 November 2026" and r[2] == "meeting"]
    assert same_day == ["09:30", "14:00"]
    warning = next(r for r in chron if "AIM invitation and warning - Dana Kerr" in r[4])
    call = next(r for r in chron if "called about the letter" in r[4])
    assert chron.index(warning) < chron.index(call)


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_the_pdf_has_a_title_language_and_a_bookmark_per_exhibit(played: Played) -> None:
    """The bundle PDF's title is shown, its language is en-GB, and each exhibit has a
    bookmark at its first page."""
    reader = PdfReader(str(next(played.legal.glob("*.pdf"))))
    assert reader.metadata is not None and reader.metadata.title == \
        "Evidence bundle for legal intervention: ATT-2026-0321"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    marks = {str(o.title).split(":")[0]: reader.get_destination_page_number(o) + 1
             for o in reader.outline if not isinstance(o, list)}
    for number, *_rest, page in index_rows(next(played.legal.glob("*.docx"))):
        assert marks[f"Exhibit {number}"] == int(page)


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_the_word_bundle_opens_in_libreoffice(played: Played) -> None:
    """LibreOffice converts the filed .docx (the bundle's own pages) again to the pages
    that come before the first exhibit in the PDF."""
    docx = next(played.legal.glob("*.docx"))
    pdf = asyncio.run(LibreOfficePdf()(docx.read_bytes()))
    first = min(int(r[5]) for r in index_rows(docx))
    assert len(PdfReader(io.BytesIO(pdf)).pages) == first - 1


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_readiness_does_not_contradict_the_exhibits(played: Played) -> None:
    """The summer term's support meeting, logged as a contact and shown in the referral form,
    is a support meeting held: the readiness finds every step, says so in the week's output
    and on the bundle's cover, and the card to the legal channel names no one. (Needs the
    letters sent, so their PDFs: without LibreOffice none is, and the readiness says so,
    test_without_libreoffice_the_word_bundle_is_filed_and_the_pdf_said_to_need_it.)"""
    out = played.first_output
    assert "ATT-2026-0321: staff ticked \"Prepare legal referral\"; filed the evidence " \
        "bundle" in out
    assert "Readiness: ready." in out
    document = Document(str(next(played.legal.glob("*.docx"))))
    texts = [p.text for p in document.paragraphs]
    assert "READY: every required step is evidenced." in texts[:3]
    steps = next(t for t in document.tables if t.rows[0].cells[0].text == "Step")
    support = next(r for r in steps.rows if r.cells[0].text.startswith("School attendance"))
    assert support.cells[1].text == "Yes" and "8 September 2026" in support.cells[2].text
    (card,) = [json.loads(p.read_text(encoding="utf-8"))
               for p in sorted((played.workspace / "teams" / "la_legal").glob("*.json"))]
    shown = json.dumps(card, ensure_ascii=False)
    assert "ATT-2026-0321" in shown and "(MK)" in shown
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
    say so too; it is not an item needing attention. No letter was sent (none could be
    made a PDF), so the readiness finds the letters not yet sent."""
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
    # No letter could be sent here (each needs its PDF), so none is recorded as sent and
    # the readiness says so, rather than counting a letter nobody received.
    assert "Readiness: not ready" in out
    assert "Missing: " in out
    assert "Letters could not be emailed or put in a print pack here" in out
    texts = [p.text for p in document.paragraphs]
    assert any(t.startswith("MISSING FROM THIS BUNDLE: the exhibits.") for t in texts)

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
    """A Cases item's fields, read back through Graph from Coldharbour Ridge School's site in
    the demo's tenant."""
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
        return asyncio.run(read(tenant.base_url, tenant.hostname, COLDHARBOUR.site_path))


def test_without_libreoffice_no_letter_is_emailed_or_packed_and_the_summary_says_why(
        played_without_libreoffice: Played) -> None:
    """Letters cannot be made into PDFs here: no email leaves the schools' mailboxes, no
    print pack is filed, the approved letters wait (sent at a later run, never lost), and
    the summary says plainly that LibreOffice is needed; a second run sends nothing."""
    played = played_without_libreoffice
    assert not list((played.workspace / "mail").rglob("*.eml"))
    assert not list((played.workspace / "tenant").rglob("Letters to post/*.pdf"))
    assert played.first.emailed == 0
    for out in (played.first_output, played.second_output):
        letters = out.split("Letters to parents")[1]
        assert "Letters could not be emailed or put in a print pack here" in letters
        assert "install libreoffice-writer-nogui" in letters.replace("Install", "install")
        assert "approved and not yet sent" in letters
        assert "This run sent no letter" in letters

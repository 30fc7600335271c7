"""The bundle as PDF, through LibreOffice: the index's page for each exhibit is the PDF page
where its heading stands, every page reads "Page X of Y", and a PDF exhibit's own pages are
in the PDF bundle. The numbers are read back from the PDF, not taken from the code."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import re

import pytest
from docx import Document
from pypdf import PdfReader, PdfWriter

from function_app.adapters.libreoffice import LibreOfficePdf
from function_app.documents.bundle import Bundle, Source, readable
from function_app.documents.bundle_pdf import BundleError, page_texts, paginate
from tests.builders import TODAY, case

pytestmark = [pytest.mark.libreoffice, pytest.mark.usefixtures("libreoffice")]



def docx_bytes(title: str, paragraphs: int, marker: str = "") -> bytes:
    doc = Document()
    doc.add_heading(title, 1)
    for n in range(paragraphs):
        doc.add_paragraph(f"{title}, paragraph {n + 1}. " + "The family was offered support. "
                          * 6)
    if marker:
        doc.add_paragraph(marker)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def converter() -> LibreOfficePdf:
    return LibreOfficePdf()


def sources_of_many_lengths() -> list[Source]:
    """Exhibits of one paragraph to several pages, so that pages cannot be guessed."""
    lengths = (1, 14, 3, 30, 2, 9)
    return [readable(Source(f"2026-01-{10 + n:02d} Record {n + 1}.docx", f"Record {n + 1}",
                            dt.date(2026, 1, 10 + n), docx_bytes(f"Record {n + 1}", length)))
            for n, length in enumerate(lengths)]


def index_pages(docx: bytes) -> dict[int, int]:
    table = next(t for t in Document(io.BytesIO(docx)).tables
                 if t.rows[0].cells[0].text == "Exhibit")
    return {int(r.cells[0].text): int(r.cells[5].text) for r in table.rows[1:]
            if r.cells[5].text.isdigit()}


def test_index_pages_are_the_pdf_pages_where_each_exhibit_starts(
        converter: LibreOfficePdf) -> None:
    """For each exhibit, the page the index gives is the PDF page that begins with its
    heading; the .docx opens in python-docx and every PDF page is numbered "Page X of Y"."""
    sources = sources_of_many_lengths()
    made = asyncio.run(paginate(Bundle(case(), tuple(sources), TODAY), converter))
    texts = page_texts(made.pdf)
    pages = index_pages(made.docx)
    assert sorted(pages) == [1, 2, 3, 4, 5, 6]
    for number, page in pages.items():
        assert re.search(rf"Exhibit\s+{number}\s*:", texts[page - 1]), (number, page)
        assert not re.search(rf"Exhibit\s+{number}\s*:", texts[page - 2])
    assert len(set(pages.values())) == 6 and list(pages.values()) == sorted(pages.values())
    for n, text in enumerate(texts, start=1):
        assert f"Page {n} of {len(texts)}" in text
    assert 2 <= made.conversions <= 4


def test_a_pdf_exhibit_has_its_own_pages_in_the_pdf_bundle(converter: LibreOfficePdf) -> None:
    """A scanned letter uploaded as PDF is an exhibit: its pages follow its heading in the PDF,
    numbered with the rest, and the exhibits after it start where the index says."""
    letter = asyncio.run(converter(docx_bytes("Letter from the family", 40,
                                              marker="Signed, Mrs Ellis")))
    pdf_pages = len(PdfReader(io.BytesIO(letter)).pages)
    assert pdf_pages >= 2
    sources = [*sources_of_many_lengths()[:2],
               readable(Source("Scanned letter.pdf", "Scanned letter.pdf", dt.date(2026, 1, 10),
                               letter, generated=False)),
               readable(Source("2026-02-01 Record 9.docx", "Record 9", dt.date(2026, 2, 1),
                               docx_bytes("Record 9", 2)))]
    made = asyncio.run(paginate(Bundle(case(), tuple(sources), TODAY), converter))
    texts = page_texts(made.pdf)
    pages = index_pages(made.docx)
    scan = next(e for e in made.entries if e.file_name == "Scanned letter.pdf")
    assert scan.page == pages[scan.number]
    after = texts[scan.page: scan.page + pdf_pages]
    assert "Letter from the family" in after[0]
    assert "Signed, Mrs Ellis" in after[-1]
    following = scan.number + 1
    assert re.search(rf"Exhibit\s+{following}\s*:", texts[pages[following] - 1])
    assert pages[following] == scan.page + pdf_pages + 1
    for n, text in enumerate(texts, start=1):
        assert f"Page {n} of {len(texts)}" in text


def test_pages_that_never_settle_are_an_error(converter: LibreOfficePdf) -> None:
    """If each conversion moves the exhibits (here, a converter that adds a page each time),
    no bundle is returned: an index with wrong pages is worse than none."""
    calls = 0

    async def shifting(docx: bytes) -> bytes:
        nonlocal calls
        calls += 1
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(await converter(docx))))
        for _ in range(calls):
            writer.insert_blank_page(index=0)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    with pytest.raises(BundleError, match="did not settle"):
        asyncio.run(paginate(Bundle(case(), tuple(sources_of_many_lengths()[:2]), TODAY),
                             shifting))
    assert calls == 4

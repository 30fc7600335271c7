"""The bundle as PDF, through LibreOffice: the index's page for each exhibit is the PDF page
where its stamp "Exhibit N - page 1 of y" stands, every page is numbered through the bundle,
and each exhibit is its document's own PDF page for page (a PDF exhibit as it is). The
numbers are read back from the PDF, not taken from the code."""

from __future__ import annotations

import asyncio
import datetime as dt
import io

import pytest
from docx import Document
from pypdf import PdfReader, PdfWriter

from function_app.adapters.libreoffice import LibreOfficePdf
from function_app.documents.bundle import Bundle, Source, readable
from function_app.documents.bundle_pdf import BundleError, page_texts, paginate
from function_app.documents.bundle_stamp import without_stamp
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
    """For each exhibit, the page the index gives is the PDF page stamped "Exhibit N - page 1
    of y", its pages are its document's own PDF page for page, and every page is numbered
    through the bundle."""
    sources = sources_of_many_lengths()
    made = asyncio.run(paginate(Bundle(case(), tuple(sources), TODAY), converter))
    texts = page_texts(made.pdf)
    pages = index_pages(made.docx)
    assert sorted(pages) == [1, 2, 3, 4, 5, 6]
    for source, (number, page) in zip(sources, sorted(pages.items()), strict=True):
        assert source.content is not None
        own = page_texts(asyncio.run(converter(source.content)))
        exhibit = texts[page - 1: page - 1 + len(own)]
        assert [without_stamp(t) for t in exhibit] == [without_stamp(t) for t in own]
        assert f"Exhibit {number} - page 1 of {len(own)} - bundle page {page} of" in exhibit[0]
    assert list(pages.values()) == sorted(pages.values())
    for n, text in enumerate(texts, start=1):
        assert f"Page {n} of {len(texts)}" in text or f"bundle page {n} of {len(texts)}" in text
    assert 2 <= made.conversions <= 4


def test_a_pdf_exhibit_is_in_the_bundle_as_it_is(converter: LibreOfficePdf) -> None:
    """A scanned letter uploaded as PDF is an exhibit as it is: its pages follow in the PDF,
    stamped and numbered with the rest, and the exhibits after it start where the index
    says."""
    letter = asyncio.run(converter(docx_bytes("Letter from the family", 40,
                                              marker="Signed, Mrs Ellis")))
    own = page_texts(letter)
    assert len(own) >= 2
    sources = [*sources_of_many_lengths()[:2],
               readable(Source("Scanned letter.pdf", "Scanned letter.pdf", dt.date(2026, 1, 10),
                               letter, generated=False)),
               readable(Source("2026-02-01 Record 9.docx", "Record 9", dt.date(2026, 2, 1),
                               docx_bytes("Record 9", 2)))]
    made = asyncio.run(paginate(Bundle(case(), tuple(sources), TODAY), converter))
    texts = page_texts(made.pdf)
    pages = index_pages(made.docx)
    scan = next(e for e in made.entries if e.file_name == "Scanned letter.pdf")
    assert scan.page == pages[scan.number] and scan.pages == len(own)
    exhibit = texts[scan.page - 1: scan.page - 1 + len(own)]
    assert [without_stamp(t) for t in exhibit] == [without_stamp(t) for t in own]
    assert "Signed, Mrs Ellis" in exhibit[-1]
    assert pages[scan.number + 1] == scan.page + len(own)
    reader = PdfReader(io.BytesIO(made.pdf))
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    marks = {str(o.title): reader.get_destination_page_number(o) + 1
             for o in reader.outline if not isinstance(o, list)}
    assert marks[scan.heading] == scan.page


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
    assert calls == 2 + 4  # each exhibit once, then the bundle's own pages four times

"""The PDF bundle put together from PDFs: the bundle's own pages, then each exhibit's PDF
exactly as filed, every page stamped in its bottom margin and numbered through the bundle.

An exhibit page is not redrawn, scaled or restyled: its content stream is kept as it is
(pypdf isolates it in its own graphics state) and one line of text is laid over it in the
bottom margin, "Exhibit 3 - page 1 of 2 - bundle page 17 of 40". The bundle's own pages read
"Page 5 of 40". The text is Helvetica, one of the PDF standard fonts, so nothing is embedded.

The document has a title (shown in the window's title bar), language en-GB, a bookmark per
exhibit below the bookmarks of the bundle's own headings, and is tagged: ``pdf_tags`` joins
the structure trees of the bundle's own pages and of each exhibit under one Document, a Part
per exhibit (an exhibit without tags, such as a scan, is tagged a page at a time), and every
stamp is marked as a pagination artifact, so a screen reader reads the documents and skips
the stamps.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

STAMP_SIZE = 7.5  # points
STAMP_RISE = 9.0  # points above the bottom edge of the page
FOLIO_RISE = 18.0
LANGUAGE = "en-GB"
STAMP = re.compile(r"^\s*Exhibit \d+ - page \d+ of \d+ - bundle page \d+ of \d+\s*$")
OWN_PAGES = "The bundle's own pages: cover, index, summary, attendance record and chronology"
UNTAGGED_ALT = ("{title}: page {page} of {pages}, an image of the document as filed (a scan "
                "or a picture), with no text to read out.")
FOLIO = re.compile(r"^\s*Page \d+ of \d+\s*$")


def exhibit_stamp(number: int, page: int, pages: int, at: int, total: int) -> str:
    return f"Exhibit {number} - page {page} of {pages} - bundle page {at} of {total}"


def without_stamp(text: str) -> str:
    """A page's extracted text without the bundle's stamp or page number."""
    return "\n".join(line for line in text.splitlines()
                     if not STAMP.match(line) and not FOLIO.match(line))


def assemble(front: bytes, exhibits: Sequence[tuple[int, str, bytes]], *, title: str,
             author: str = "") -> bytes:
    """``front`` (the bundle's own pages) followed by each exhibit (number, bookmark, PDF),
    stamped and numbered, with the title, language and bookmarks."""
    from pypdf import PdfReader, PdfWriter

    from .pdf_tags import JoinedPart, finished, join_structure

    writer = PdfWriter()
    front_reader = PdfReader(io.BytesIO(front))
    writer.append(front_reader)
    front_pages = len(writer.pages)
    parts = [JoinedPart(front_reader, 0, OWN_PAGES)]
    marks: list[tuple[str, int]] = []
    spans: list[tuple[int, int]] = []
    for number, bookmark, pdf in exhibits:
        start = len(writer.pages)
        reader = PdfReader(io.BytesIO(pdf))
        writer.append(reader, import_outline=False)
        parts.append(JoinedPart(reader, start, bookmark, UNTAGGED_ALT))
        marks.append((bookmark, start))
        spans.append((number, len(writer.pages) - start))
    join_structure(writer, parts, title=title, language=LANGUAGE)
    total = len(writer.pages)
    lines: list[str] = [f"Page {n} of {total}" for n in range(1, front_pages + 1)]
    for number, count in spans:
        for x in range(1, count + 1):
            lines.append(exhibit_stamp(number, x, count, len(lines) + 1, total))
    _stamp(writer, lines, front_pages)
    for bookmark, start in marks:
        writer.add_outline_item(title=bookmark, page_number=start)
    return finished(writer, title=title, author=author, language=LANGUAGE)


def _stamp(writer: Any, lines: Sequence[str], front_pages: int) -> None:
    """Lay each line over its page: centred below the footer area on the bundle's own
    pages, at the left of the bottom margin on an exhibit's."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    overlays = PdfWriter()
    font = overlays._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"),
        NameObject("/Encoding"): NameObject("/WinAnsiEncoding")}))
    for n, (page, line) in enumerate(zip(writer.pages, lines, strict=True)):
        if page.get("/Rotate", 0) % 360:
            page.transfer_rotation_to_content()
        box = page.mediabox
        left, bottom = float(box.left), float(box.bottom)
        width, height = float(box.width), float(box.height)
        overlay = overlays.add_blank_page(width=width, height=height)
        overlay.mediabox = box
        overlay[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
            {NameObject("/FBundle"): font})})
        if n < front_pages:
            x, y = left + (width - _width(line)) / 2, bottom + FOLIO_RISE
        else:
            x, y = left + 28.0, bottom + STAMP_RISE
        text = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        stream = DecodedStreamObject()
        stream.set_data(f"/Artifact <</Type /Pagination /Subtype /Footer>> BDC q BT /FBundle "
                        f"{STAMP_SIZE} Tf 0.25 0.25 0.25 rg {x:.2f} {y:.2f} Td ({text}) Tj ET "
                        "Q EMC".encode("latin-1"))
        overlay[NameObject("/Contents")] = overlays._add_object(stream)
    out = io.BytesIO()
    overlays.write(out)
    for page, overlay in zip(writer.pages, PdfReader(io.BytesIO(out.getvalue())).pages,
                             strict=True):
        page.merge_page(overlay)


def _width(line: str) -> float:
    """About the width of ``line`` in Helvetica at the stamp's size (to centre it)."""
    return len(line) * STAMP_SIZE * 0.52

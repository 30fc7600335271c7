"""The bundle as a PDF whose index tells the truth: each exhibit's page is the PDF page on
which its heading stands, and every page reads "Page X of Y".

Word does not know its own page breaks until it lays the document out, so the page numbers
are found, not computed: compose the .docx, convert it to PDF (Graph's ``?format=pdf`` in
production, LibreOffice locally; the dev tenant converts with LibreOffice too), read each
exhibit heading's page from the PDF's text, write those numbers into the index, convert
again, and check they did not move. Writing numbers can move pages (a longer number wraps a
row), so this repeats a bounded number of times and fails loudly if they never settle.

A PDF exhibit appears in the .docx as one page per PDF page, each carrying only a small
mark and the footer; in the PDF each of those pages is overlaid with the exhibit's page,
scaled to fit between the mark and the footer, so the numbering stays true.
"""

from __future__ import annotations

import io
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from function_app.domain.errors import CaseworkError

from .bundle import PDF, Bundle, BundleEntry, ComposedBundle

Convert = Callable[[bytes], Awaitable[bytes]]  # .docx bytes -> .pdf bytes
MAX_CONVERSIONS = 4
_OUTLINE = re.compile(r"\s*Exhibit\s+(\d+)\s*:")
TOP_ROOM, BOTTOM_ROOM, SIDE_ROOM = 80.0, 70.0, 50.0  # points kept for the mark and footer


class BundleError(CaseworkError):
    """The bundle could not be made as promised (its page numbers would not be true)."""


@dataclass(frozen=True, slots=True)
class PaginatedBundle:
    docx: bytes
    pdf: bytes
    entries: tuple[BundleEntry, ...]  # with each included exhibit's page
    conversions: int


async def paginate(bundle: Bundle, convert: Convert,
                   composed: ComposedBundle | None = None) -> PaginatedBundle:
    """The .docx and PDF of the bundle, with the index's page numbers checked against the
    PDF. BundleError if they do not settle within MAX_CONVERSIONS conversions. ``composed``:
    the bundle composed already (the caller keeps it to file the Word bundle alone if the
    converter cannot make PDFs). What ``convert`` raises goes to the caller."""
    wanted = [e.number for e in bundle.entries if e.included]
    composed = composed or ComposedBundle(bundle)
    pages: dict[int, int] | None = None
    for conversion in range(1, MAX_CONVERSIONS + 1):
        docx = composed.docx(pages)
        pdf = await convert(docx)
        found = exhibit_pages(pdf, wanted)
        if pages is not None and found == pages:
            entries = tuple(_with_page(e, pages.get(e.number)) for e in bundle.entries)
            return PaginatedBundle(docx, insert_pdf_exhibits(pdf, bundle, pages), entries,
                                   conversions=conversion)
        pages = found
    raise BundleError(f"The exhibits' page numbers did not settle after {MAX_CONVERSIONS} "
                      "conversions to PDF, so the index cannot be trusted; no bundle was "
                      "filed.")


def _with_page(e: BundleEntry, page: int | None) -> BundleEntry:
    from dataclasses import replace

    return replace(e, page=page)


def page_texts(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def exhibit_pages(pdf: bytes, numbers: list[int]) -> dict[int, int]:
    """{exhibit number: 1-based page of its heading}. The PDF's bookmarks give them where
    the converter exports headings as bookmarks (LibreOffice does); else each page's text is
    searched, forwards, since exhibits follow one another. BundleError naming the exhibit
    whose heading is not found."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(pdf))
        marked = _bookmarked(reader)
        if all(n in marked for n in numbers):
            return {n: marked[n] for n in numbers}
        texts = [page.extract_text() or "" for page in reader.pages]
    except PyPdfError as exc:
        raise BundleError(f"The PDF the converter returned cannot be read "
                          f"({type(exc).__name__}), so the exhibits' pages cannot be "
                          "found.") from exc
    found: dict[int, int] = {}
    start = 0
    for n in numbers:
        heading = re.compile(rf"(^|\n)\s*Exhibit\s+{n}\s*:")
        page = next((i for i in range(start, len(texts)) if heading.search(texts[i])), None)
        if page is None:
            raise BundleError(f"Exhibit {n}'s heading is not in the PDF of the bundle, so its "
                              "page cannot be given in the index.")
        found[n] = page + 1
        start = page + 1  # each exhibit starts on a new page
    return found


def _bookmarked(reader: Any) -> dict[int, int]:
    """{exhibit number: page} from the PDF's outline entries "Exhibit N: ..."."""
    found: dict[int, int] = {}

    def walk(items: Any) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
                continue
            matched = _OUTLINE.match(str(getattr(item, "title", "") or ""))
            if matched and int(matched.group(1)) not in found:
                found[int(matched.group(1))] = reader.get_destination_page_number(item) + 1

    try:
        walk(reader.outline)
    except Exception:  # an outline pypdf cannot follow: fall back to the pages' text
        return {}
    return found


def insert_pdf_exhibits(pdf: bytes, bundle: Bundle, pages: Mapping[int, int]) -> bytes:
    """The bundle's PDF with each PDF exhibit's pages laid onto the pages kept for them (the
    pages right after the exhibit's heading page)."""
    sources = [(e, s) for e, s in zip(bundle.entries, bundle.ordered_sources(), strict=True)
               if e.included and s.form == PDF and s.content is not None]
    if not sources:
        return pdf
    from pypdf import PdfReader, PdfWriter, Transformation

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    for entry, source in sources:
        assert source.content is not None
        exhibit = PdfReader(io.BytesIO(source.content))
        for offset, page in enumerate(exhibit.pages, start=1):
            target = writer.pages[pages[entry.number] - 1 + offset]
            width, height = float(target.mediabox.width), float(target.mediabox.height)
            box = page.mediabox
            w, h = float(box.width), float(box.height)
            room_w, room_h = width - 2 * SIDE_ROOM, height - TOP_ROOM - BOTTOM_ROOM
            scale = min(room_w / w, room_h / h)
            x = SIDE_ROOM + (room_w - w * scale) / 2
            y = BOTTOM_ROOM + (room_h - h * scale) / 2
            move = (Transformation().translate(-float(box.left), -float(box.bottom))
                    .scale(scale, scale).translate(x, y))
            target.merge_transformed_page(page, move)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

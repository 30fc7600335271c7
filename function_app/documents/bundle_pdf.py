"""The bundle as a PDF whose index tells the truth and whose exhibits are true copies.

Each exhibit is the PDF of its filed document exactly as filed: the caller gives it
(``Source.pdf``: Graph's ``?format=pdf`` of the filed file in production, which the dev
tenant answers with LibreOffice; a PDF staff uploaded is itself), else it is made here with
the same converter as the bundle's own pages (a .docx; an image is put alone on an A4 page
first). The bundle's own pages are composed as .docx and converted; their number decides
where the exhibits start, and writing those page numbers into the index can change it (a
longer number wraps a row), so this converts again until the numbers stay put, a bounded
number of times, and fails loudly if they never settle. ``bundle_stamp`` then joins the
pages, stamps every exhibit page "Exhibit N - page x of y" and numbers every page through
the bundle.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from function_app.domain.errors import CaseworkError

from .bundle import BUNDLE_TITLE, Bundle, ComposedBundle
from .exhibits import DOCX, IMAGE, BundleEntry, Source

Convert = Callable[[bytes], Awaitable[bytes]]  # .docx bytes -> .pdf bytes
MAX_CONVERSIONS = 4


class BundleError(CaseworkError):
    """The bundle could not be made as promised (its page numbers would not be true)."""


@dataclass(frozen=True, slots=True)
class PaginatedBundle:
    docx: bytes
    pdf: bytes
    entries: tuple[BundleEntry, ...]  # with each included exhibit's page and pages
    conversions: int  # of the bundle's own pages


async def paginate(bundle: Bundle, convert: Convert,
                   composed: ComposedBundle | None = None) -> PaginatedBundle:
    """The .docx of the bundle's own pages and the PDF of the whole bundle, the index's page
    numbers checked against the PDF. BundleError if they do not settle within
    MAX_CONVERSIONS conversions. ``composed``: the bundle composed already (the caller keeps
    it to file the Word bundle alone if no PDF can be made). What ``convert`` raises goes to
    the caller."""
    exhibits = [(e, await exhibit_pdf(s, convert)) for e, s in bundle.exhibits()]
    counts = {e.number: _page_count(pdf, e) for e, pdf in exhibits}
    composed = composed or ComposedBundle(bundle)
    pages: dict[int, int] | None = None
    for conversion in range(1, MAX_CONVERSIONS + 1):
        docx = composed.docx(pages)
        front = await convert(docx)
        at = _page_count(front, None) + 1
        found: dict[int, int] = {}
        for e, _ in exhibits:
            found[e.number] = at
            at += counts[e.number]
        if pages is not None and found == pages:
            from .bundle_stamp import assemble

            entries = tuple(replace(e, page=pages.get(e.number), pages=counts.get(e.number, 0))
                            if e.included else e for e in bundle.entries)
            pdf = assemble(front, [(e.number, e.heading, p) for e, p in exhibits],
                           title=f"{BUNDLE_TITLE}: {bundle.case.case_ref}",
                           author=bundle.prepared_by or bundle.case.school.name)
            return PaginatedBundle(docx, pdf, entries, conversions=conversion)
        pages = found
    raise BundleError(f"The exhibits' page numbers did not settle after {MAX_CONVERSIONS} "
                      "conversions to PDF, so the index cannot be trusted; no bundle was "
                      "filed.")


async def exhibit_pdf(source: Source, convert: Convert) -> bytes:
    """The exhibit as PDF: the one given, else the file converted (an image on a page)."""
    if source.pdf is not None:
        return source.pdf
    assert source.content is not None
    if source.form == DOCX:
        return await convert(source.content)
    if source.form == IMAGE:
        return await convert(image_page(source.content))
    raise BundleError(f"{source.name} cannot be put in the bundle as PDF.")


def image_page(content: bytes) -> bytes:
    """An image alone on an A4 page, as large as fits, as .docx (to convert): the picture's
    own bytes, neither redrawn nor resized."""
    from docx import Document

    from . import bundle_sections as sections

    doc: Any = Document()
    sections.page_setup(doc)
    sections.picture(doc, content)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _page_count(pdf: bytes, entry: BundleEntry | None) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        return len(PdfReader(io.BytesIO(pdf)).pages)
    except PyPdfError as exc:
        what = f"Exhibit {entry.number}'s PDF" if entry else "The PDF of the bundle's pages"
        raise BundleError(f"{what} cannot be read ({type(exc).__name__}), so the pages "
                          "cannot be numbered.") from exc


def page_texts(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]

"""The evidence bundle for legal intervention: its own pages as one .docx, and through
``bundle_pdf`` one PDF of those pages followed by a true copy of each exhibit.

Seed 000 ("Still no engagement?"): the school completes the Request to Initiate Legal
Proceedings with the evidence it has collated; seed 004 (Tier 3): compile the supportive
measures, plans and other documents as evidence. The bundle is, in order:

1. a cover page (case reference, school, pupil, parents, prepared by, date) that says
   plainly "NOT READY" and the gaps when the readiness check found any;
2. the index of exhibits: number, title, the document's own date, file name, the SHA-256 of
   the filed file (so anyone can check an exhibit is the document in the case folder) and
   the page it starts on; documents missing or unreadable are listed too, never left out,
   and an earlier version of a document remade for the same event is listed as superseded;
3. the readiness steps (``function_app.domain.readiness``), found or missing, if given;
4. the prefilled Request to Initiate Legal Proceedings, if given;
5. the case summary, the attendance record with the register for the period cited, and the
   chronology, which cites each exhibit by its number (``bundle_sections``);
6. in the PDF only, each exhibit in date order: the PDF of the filed document exactly as
   filed (``bundle_pdf``, ``bundle_stamp``), stamped in the margin. The Word document says
   where they are, and, when no PDF could be made, that they are missing from the bundle.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from docx import Document

from function_app.domain.model import Case
from function_app.domain.policy import Profile
from function_app.domain.readiness import Readiness

from . import bundle_sections as sections
from .exhibits import (
    DOCX,
    IMAGE,
    IMAGE_SUFFIXES,
    PDF,
    BundleEntry,
    Pair,
    Source,
    arranged,
    index_of,
    readable,
)

__all__ = [  # the exhibits' names, still importable from here
    "BUNDLE_TITLE", "DOCX", "IMAGE", "IMAGE_SUFFIXES", "PDF", "Bundle", "BundleEntry",
    "ComposedBundle", "Pair", "Source", "arranged", "build_bundle", "compose_docx",
    "index_of", "readable",
]

BUNDLE_TITLE = "Evidence bundle for legal intervention"
@dataclass(frozen=True, slots=True)
class Bundle:
    """Everything a bundle is made from."""

    case: Case
    sources: tuple[Source, ...]
    prepared_on: date
    prepared_by: str = ""
    readiness: Readiness | None = None
    referral_form: bytes | None = None  # the prefilled Request to Initiate Legal Proceedings
    profile: Profile | None = None  # for the period cited in the attendance record
    pairs: tuple[Pair, ...] = field(init=False)  # each index line with its source
    entries: tuple[BundleEntry, ...] = field(init=False)

    def __post_init__(self) -> None:
        pairs = arranged(self.sources)
        object.__setattr__(self, "pairs", pairs)
        object.__setattr__(self, "entries", tuple(e for e, _ in pairs))

    def exhibits(self) -> list[Pair]:
        """The exhibits whose files are in the bundle, in order."""
        return [(e, s) for e, s in self.pairs if e.included and s.content is not None]


def compose_docx(bundle: Bundle, pages: Mapping[int, int] | None = None) -> bytes:
    """The bundle's own pages as .docx bytes; ``pages`` gives each exhibit's first page."""
    return ComposedBundle(bundle).docx(pages)


class ComposedBundle:
    """The bundle's own pages composed once; ``docx`` writes the index's page numbers into
    them and saves, as often as the page numbers need checking. The exhibits are not in the
    Word document: they are the filed files, put in the PDF as they are."""

    def __init__(self, bundle: Bundle) -> None:
        from docxcompose.composer import Composer

        doc: Any = Document()
        self._footer = sections.page_setup(doc)
        entries = bundle.entries
        sections.cover(doc, bundle.case, bundle.prepared_on, bundle.prepared_by, entries,
                       bundle.readiness)
        doc.add_page_break()
        self._note, self._page_cells = sections.index(doc, entries)
        if bundle.readiness is not None:
            doc.add_page_break()
            sections.readiness(doc, bundle.readiness)
        composer = Composer(doc)
        if bundle.referral_form is not None:
            composer.doc.add_page_break()
            composer.append(Document(io.BytesIO(bundle.referral_form)))
        composer.doc.add_page_break()
        sections.summary(composer.doc, bundle.case, bundle.readiness, entries)
        composer.doc.add_page_break()
        sections.attendance(composer.doc, bundle.case, bundle.profile)
        composer.doc.add_page_break()
        sections.chronology(composer.doc, bundle.case, bundle.pairs)
        composer.doc.add_heading("Exhibits", level=1)
        self._where = composer.doc.add_paragraph(sections.EXHIBITS_IN_PDF)
        self._composer = composer
        self._numbered = False

    def docx(self, pages: Mapping[int, int] | None = None) -> bytes:
        """With the PDF: its pages are numbered on the PDF ("Page X of Y" through the bundle),
        so the Word pages carry no footer of their own."""
        self._note.text = sections.INDEX_NOTE
        self._where.text = sections.EXHIBITS_IN_PDF
        for number, cell in self._page_cells.items():
            page = (pages or {}).get(number)
            cell.text = str(page) if page is not None else sections.PAGE_PLACEHOLDER
        return self._saved()

    def docx_without_pdf(self, why: str) -> bytes:
        """The Word bundle to file when no PDF can be made (``why``): the index gives no
        page (they would be guesses), and its note and the Exhibits page say plainly that the
        exhibits are missing from the bundle. Its pages read "Page X of Y"."""
        self._note.text = sections.without_pdf_note(why)
        self._where.text = sections.exhibits_missing(why)
        for cell in self._page_cells.values():
            cell.text = sections.NO_PAGE
        if not self._numbered:
            sections.number_pages(self._footer)
            self._numbered = True
        return self._saved()

    def _saved(self) -> bytes:
        out = io.BytesIO()
        self._composer.save(out)
        return out.getvalue()


def build_bundle(case: Case, sources: Sequence[Source], out: Path, *, prepared_on: date,
                 readiness: Readiness | None = None, prepared_by: str = "",
                 referral_form: bytes | None = None) -> tuple[BundleEntry, ...]:
    """Write the bundle's .docx (without page numbers in the index) to ``out``; its index."""
    bundle = Bundle(case, tuple(sources), prepared_on, prepared_by, readiness, referral_form)
    content = compose_docx(bundle)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(content)
    return bundle.entries

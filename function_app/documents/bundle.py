"""The evidence bundle for legal intervention: one .docx (and, through ``bundle_pdf``, one PDF)
for the Lead Officer.

Seed 000 ("Still no engagement?"): the school completes the Request to Initiate Legal
Proceedings with the evidence it has collated; seed 004 (Tier 3): compile the supportive
measures, plans and other documents as evidence. The bundle is, in order:

1. a cover page (case reference, school, pupil, parents, prepared by, date);
2. the index of exhibits: number, title, date, file name, the SHA-256 of the source file
   (so anyone can check an exhibit is the document in the case folder) and the page it
   starts on; documents missing or unreadable are listed too, never left out;
3. the readiness steps (``function_app.domain.readiness``), found or missing, if given;
4. the prefilled Request to Initiate Legal Proceedings, if given (rendered from the
   ``legal_referral`` template);
5. the case summary, the attendance record and the chronology (``bundle_sections``);
6. each exhibit in date order (then title) on a new page headed
   "Exhibit N: <title>, <date>": a .docx appended with docxcompose (styles, numbering and
   images survive); an image placed on the page; a PDF as one page per PDF page, which the
   PDF bundle fills with that page (``bundle_pdf``).

Every page's footer reads "Page X of Y" (Word's PAGE and NUMPAGES fields).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from docx import Document

from function_app.domain.model import Case
from function_app.domain.policy import Profile
from function_app.domain.readiness import Readiness
from function_app.domain.wording import counted

from . import bundle_sections as sections
from .formatting import long_date
from .xml_text import clean

BUNDLE_TITLE = "Evidence bundle for legal intervention"
DOCX, PDF, IMAGE = "docx", "pdf", "image"
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff"})
PDF_PAGE_MARK = "PDF exhibit"  # the line on each page the PDF bundle fills with a PDF page
_Day = date  # a field below is called ``date``


@dataclass(frozen=True, slots=True)
class Source:
    """A document from the case folder: its bytes, or None with the reason it has none."""

    name: str  # the file name in the case folder
    title: str
    date: date
    content: bytes | None
    generated: bool = True  # made by the product; False: uploaded by staff
    problem: str = ""  # why there is no content: missing, or unreadable
    pdf_pages: int = 0  # for a PDF: its number of pages (set by ``readable``)

    @property
    def form(self) -> str:
        suffix = Path(self.name).suffix.lower()
        if suffix == ".pdf":
            return PDF
        if suffix in IMAGE_SUFFIXES:
            return IMAGE
        return DOCX if suffix in (".docx", ".docm") else suffix.lstrip(".") or "file"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest() if self.content is not None else ""

    @classmethod
    def from_path(cls, path: Path, title: str, on: _Day, generated: bool = True) -> Source:
        """The file at ``path``; a file that is not there is a missing source, not an error."""
        try:
            content: bytes | None = path.read_bytes()
            problem = ""
        except FileNotFoundError:
            content, problem = None, "missing: the file is not in the case folder"
        return readable(cls(path.name, title, on, content, generated, problem))


def readable(source: Source) -> Source:
    """The source, or the same marked unreadable when its content cannot be opened as what
    its name says it is (so that the bundle lists it rather than failing or leaving it out)."""
    if source.content is None:
        return source
    try:
        if source.form == DOCX:
            Document(io.BytesIO(source.content))
        elif source.form == PDF:
            from pypdf import PdfReader

            pages = len(PdfReader(io.BytesIO(source.content)).pages)
            if not pages:
                raise ValueError("no pages")
            return _replace(source, pdf_pages=pages)
        elif source.form == IMAGE:
            from docx.image.image import Image

            Image.from_blob(source.content)
        else:
            return _replace(source, content=None, problem=(
                f"unreadable: a .{source.form} file cannot be shown in the bundle; "
                "save it as PDF or Word in the case folder"))
    except Exception as exc:  # any parser's failure means the same thing: we cannot show it
        return _replace(source, content=None,
                        problem=f"unreadable: the file could not be opened as {source.form} "
                                f"({type(exc).__name__})")
    return source


def _replace(source: Source, **changes: Any) -> Source:
    return replace(source, **changes)


@dataclass(frozen=True, slots=True)
class BundleEntry:
    """One line of the index."""

    number: int
    title: str
    date: date
    file_name: str
    sha256: str  # '' when the source is missing or unreadable
    generated: bool = True
    problem: str = ""
    page: int | None = None  # the PDF page the exhibit starts on, once known

    @property
    def included(self) -> bool:
        return not self.problem

    @property
    def heading(self) -> str:
        return f"Exhibit {self.number}: {self.title}, {long_date(self.date)}"


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
    entries: tuple[BundleEntry, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "entries", index_of(self.sources))

    def ordered_sources(self) -> list[Source]:
        return sorted(self.sources, key=_order)


def _order(s: Source) -> tuple[date, str, str]:
    return (s.date, s.title, s.name)


def index_of(sources: Sequence[Source]) -> tuple[BundleEntry, ...]:
    """The sources numbered in date order (then title), each with its file's SHA-256."""
    return tuple(BundleEntry(n, s.title, s.date, s.name, s.sha256, s.generated, s.problem)
                 for n, s in enumerate(sorted(sources, key=_order), start=1))


def compose_docx(bundle: Bundle, pages: Mapping[int, int] | None = None) -> bytes:
    """The bundle as .docx bytes; ``pages`` gives each exhibit's first page for the index."""
    return ComposedBundle(bundle).docx(pages)


class ComposedBundle:
    """The bundle composed once (joining the exhibits is the slow part); ``docx`` writes the
    index's page numbers into it and saves, as often as the page numbers need checking."""

    def __init__(self, bundle: Bundle) -> None:
        from docxcompose.composer import Composer

        doc: Any = Document()
        sections.page_setup(doc)
        entries = bundle.entries
        sections.cover(doc, bundle.case, bundle.prepared_on, bundle.prepared_by, entries)
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
        sections.chronology(composer.doc, bundle.case)
        for entry, source in zip(entries, bundle.ordered_sources(), strict=True):
            if not entry.included or source.content is None:
                continue
            composer.doc.add_page_break()
            composer.doc.add_heading(clean(entry.heading), level=1)
            try:
                _exhibit(composer, entry, source)
            except Exception as exc:  # docxcompose's or python-docx's: said by number only
                from .bundle_pdf import BundleError

                raise BundleError(f"Exhibit {entry.number} opens but could not be joined "
                                  f"into the bundle ({type(exc).__name__}); save it again "
                                  "in Word, or as PDF, and ask again.") from exc
        self._composer = composer

    def docx(self, pages: Mapping[int, int] | None = None) -> bytes:
        self._note.text = sections.INDEX_NOTE
        for number, cell in self._page_cells.items():
            page = (pages or {}).get(number)
            cell.text = str(page) if page is not None else sections.PAGE_PLACEHOLDER
        return self._saved()

    def docx_without_pdf(self, why: str) -> bytes:
        """The Word bundle to file when no PDF can be made (``why``): the index gives no
        page (they would be guesses) and its note says why."""
        self._note.text = sections.without_pdf_note(why)
        for cell in self._page_cells.values():
            cell.text = sections.NO_PAGE
        return self._saved()

    def _saved(self) -> bytes:
        out = io.BytesIO()
        self._composer.save(out)
        return out.getvalue()


def _exhibit(composer: Any, entry: BundleEntry, source: Source) -> None:
    assert source.content is not None
    origin = "" if source.generated else " (not made by the casework app: uploaded to the " \
                                        "case folder)"
    composer.doc.add_paragraph(clean(f"File: {source.name}{origin}. SHA-256: {entry.sha256}"))
    if source.form == DOCX:
        composer.append(Document(io.BytesIO(source.content)))
    elif source.form == IMAGE:
        sections.picture(composer.doc, source.content)
    elif source.form == PDF:
        composer.doc.add_paragraph(
            f"This exhibit is a PDF file of {counted(source.pdf_pages, 'page')}. In the PDF "
            "bundle each of its pages follows on its own page; in this Word document those "
            "pages are left blank.")
        for n in range(1, source.pdf_pages + 1):
            composer.doc.add_page_break()
            sections.small(composer.doc, f"{PDF_PAGE_MARK} {entry.number}, page {n} of "
                                         f"{source.pdf_pages}: {clean(source.name)}")


def build_bundle(case: Case, sources: Sequence[Source], out: Path, *, prepared_on: date,
                 readiness: Readiness | None = None, prepared_by: str = "",
                 referral_form: bytes | None = None) -> tuple[BundleEntry, ...]:
    """Write the bundle's .docx (without page numbers in the index) to ``out``; its index."""
    bundle = Bundle(case, tuple(sources), prepared_on, prepared_by, readiness, referral_form)
    content = compose_docx(bundle)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(content)
    return bundle.entries

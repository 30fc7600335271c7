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

from . import bundle_sections as sections
from .formatting import long_date

BUNDLE_TITLE = "Evidence bundle for legal intervention"
DOCX, PDF, IMAGE = "docx", "pdf", "image"
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff"})
_Day = date  # a field below is called ``date``


@dataclass(frozen=True, slots=True)
class Source:
    """A document from the case folder: its bytes, or None with the reason it has none.

    ``date`` is the document's own date: the date written on it where it has one (a letter's
    date line), else its meeting's date (a plan), else the date in its name or the day it
    was uploaded (``case_folder.source_of``). ``kind``, ``meeting`` and ``carer`` are the
    library's DocumentKind, MeetingId and CarerId columns ('' when not known); ``made_at``
    is its GeneratedAt (else the file's created time), which tells the latest of two
    versions of the same document. ``pdf`` is the filed document as PDF: Graph's
    conversion of the filed file (``?format=pdf``) or, for a PDF, the file itself."""

    name: str  # the file name in the case folder
    title: str
    date: date
    content: bytes | None
    generated: bool = True  # made by the product; False: uploaded by staff
    problem: str = ""  # why there is no content: missing, or unreadable
    pdf_pages: int = 0  # for a PDF: its number of pages (set by ``readable``)
    kind: str = ""
    meeting: str = ""
    carer: str = ""
    made_at: str = ""
    pdf: bytes | None = None
    letter: bool = False  # a letter to a parent (the catalogue's per-carer kinds)

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

    @property
    def event(self) -> tuple[str, str, str] | None:
        """The event a generated document was made for (kind, meeting, parent): two files of
        one event are versions of one document. None without a meeting: a document not made
        for a meeting is never taken for another's version (a letter sent is never hidden)."""
        if not (self.generated and self.kind and self.meeting):
            return None
        return (self.kind, self.meeting, self.carer)

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
            return replace(source, pdf_pages=pages, pdf=source.content)
        elif source.form == IMAGE:
            from docx.image.image import Image

            Image.from_blob(source.content)
        else:
            return replace(source, content=None, problem=(
                f"unreadable: a .{source.form} file cannot be shown in the bundle; "
                "save it as PDF or Word in the case folder"))
    except Exception as exc:  # any parser's failure means the same thing: we cannot show it
        return replace(source, content=None,
                       problem=f"unreadable: the file could not be opened as {source.form} "
                               f"({type(exc).__name__})")
    return source


@dataclass(frozen=True, slots=True)
class BundleEntry:
    """One line of the index: an exhibit (numbered), or a superseded version (number 0)."""

    number: int
    title: str
    date: date
    file_name: str
    sha256: str  # '' when the source is missing or unreadable
    generated: bool = True
    problem: str = ""
    page: int | None = None  # the PDF page the exhibit starts on, once known
    superseded_by: int = 0  # the exhibit that is the latest version of this document
    pages: int = 0  # the exhibit's number of pages in the PDF bundle, once known

    @property
    def included(self) -> bool:
        """An exhibit whose file is in the bundle."""
        return not self.problem and not self.superseded_by

    @property
    def superseded(self) -> bool:
        return bool(self.superseded_by)

    @property
    def heading(self) -> str:
        return f"Exhibit {self.number}: {self.title}, {long_date(self.date)}"


Pair = tuple[BundleEntry, Source]


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


def _order(s: Source) -> tuple[date, str, str]:
    return (s.date, s.title, s.name)


def _latest(s: Source) -> tuple[str, date, str]:
    return (s.made_at, s.date, s.name)


def arranged(sources: Sequence[Source]) -> tuple[Pair, ...]:
    """Each source with its index line: the exhibits numbered in date order (then title),
    then the earlier versions of a document remade for the same event (same kind, meeting
    and parent), each pointing to the exhibit that is its latest version."""
    events: dict[tuple[str, str, str], list[Source]] = {}
    for s in sources:
        if s.event is not None:
            events.setdefault(s.event, []).append(s)
    latest = {key: max(group, key=_latest) for key, group in events.items()}
    earlier = [s for s in sources if s.event is not None and latest[s.event] is not s]
    kept = sorted((s for s in sources if not any(s is e for e in earlier)), key=_order)
    pairs = [(_entry(n, s), s) for n, s in enumerate(kept, start=1)]
    number = {id(s): e.number for e, s in pairs}
    for s in sorted(earlier, key=_order):
        assert s.event is not None
        pairs.append((replace(_entry(0, s), superseded_by=number[id(latest[s.event])]), s))
    return tuple(pairs)


def _entry(number: int, s: Source) -> BundleEntry:
    return BundleEntry(number, s.title, s.date, s.name, s.sha256, s.generated, s.problem,
                       pages=s.pdf_pages if s.form == PDF else 0)


def index_of(sources: Sequence[Source]) -> tuple[BundleEntry, ...]:
    """The index lines of the sources (``arranged``), each with its file's SHA-256."""
    return tuple(e for e, _ in arranged(sources))


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

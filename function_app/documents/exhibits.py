"""The exhibits of an evidence bundle: each document from the case folder (``Source``) and
its line in the index (``BundleEntry``), numbered in date order, with earlier versions of a
document remade for the same event listed as superseded (``arranged``).

Shared by the bundle's own pages (``bundle_sections``), its Word document (``bundle``) and its
PDF (``bundle_pdf``); it imports none of them.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from docx import Document

from .formatting import long_date

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
    sending: str = ""  # its Sending column (issue 18): '' for a letter filed before it

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

"""The day's print pack of a school (issue 18, point 3): every letter to post that day in one
PDF, "2026-11-20 Letters to post.pdf" in the case files, after a cover that lists them.

Staff print the pack, fold each letter for a DL window envelope, post them and tick the pack
as posted. So the pack:

* puts each letter exactly as filed, its pages neither redrawn nor scaled (as the evidence
  bundle does its exhibits): the recipient's address stays where the letter put it, in the
  DL window, 20-110 mm from the left and 50-90 mm from the top of its first page;
* starts each letter on a new sheet. It is made for double-sided printing by default: a
  letter with an odd number of pages (and the cover) is followed by a page that says "This
  page is intentionally blank". Why by default: printed double-sided, a pack made for
  single-sided printing puts one family's letter on the back of another's, and the page is
  posted to the wrong family (a personal data breach); printed single-sided, a pack made for
  double-sided printing only gives spare sheets that say they are blank. The cover says
  which printing the pack is made for;
* opens with a cover (``cover_docx``, a .docx converted with the same ``Convert`` as
  the letters, so names in any script print as typed) that says how to print, fold, post
  and tick the pack, and lists each letter: number, case reference, letter, to whom (the
  name only: the cover stays in school), its pages and the page it starts on. The cover's
  length moves the letters, so it is converted again until its page count settles;
* numbers every page in the bottom margin, below the letters' own footers ("Letter 2 of 5,
  page 1 of 2 - pack page 5 of 14"), laid over the page and marked as a pagination artifact,
  as ``bundle_stamp`` does;
* has a title ("Letters to post, Oakfield Primary School, 3 March 2026"), language en-GB, a
  bookmark per letter, and is tagged: ``pdf_tags`` joins the cover's and each letter's
  structure under one Document, a Part each; the blank pages hold artifacts only.

Pure: bytes in, bytes out; filing the pack and recording the letters as posted are the
caller's.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from function_app.domain.errors import CaseworkError

from .formatting import long_date

Convert = Callable[[bytes], Awaitable[bytes]]  # .docx bytes -> .pdf bytes
LANGUAGE = "en-GB"
MAX_CONVERSIONS = 4  # of the cover, until its page count settles
STAMP_SIZE = 7.5  # points
STAMP_LEFT = 20 / 25.4 * 72  # 20 mm: the letters' own left margin
STAMP_RISE = 5.5 / 25.4 * 72  # the baseline 5.5 mm above the bottom edge: below the
#     letters' footers (9 mm and up), above the edge most printers cannot print (4-5 mm)
BLANK = "This page is intentionally blank"
BLANK_SIZE = 11.0
COVER_PART = "Cover: the letters in this pack and how to post them"
UNTAGGED_ALT = ("{title}: page {page} of {pages}, an image of the letter as filed, with no "
                "text to read out.")


class PrintPackError(CaseworkError):
    """The print pack could not be made as promised; the message says why, plainly."""


@dataclass(frozen=True, slots=True)
class PackLetter:
    """One letter to post: its case, its kind's title ("Letter of concern"), to whom (the
    carer's name), and the letter as filed: its PDF, or its .docx to convert. ``document``:
    the filed document (its name or item id), handed back on its entry so the caller can
    record that letter as posted."""

    case_ref: str
    title: str
    recipient: str
    pdf: bytes | None = None
    docx: bytes | None = None
    document: str = ""

    def __post_init__(self) -> None:
        if (self.pdf is None) == (self.docx is None):
            raise ValueError("A letter to post is given as its PDF or as its .docx, not both "
                             "and not neither.")


@dataclass(frozen=True, slots=True)
class PackEntry:
    """A letter in the pack: its number (in the cover's list), ``pages`` of its own,
    starting on pack page ``first_page``; ``blank_after``: a blank page follows it (so the
    next letter starts on a new sheet)."""

    number: int
    case_ref: str
    title: str
    recipient: str
    pages: int
    first_page: int
    blank_after: bool = False
    document: str = ""

    @property
    def last_page(self) -> int:
        return self.first_page + self.pages - 1

    @property
    def bookmark(self) -> str:
        return f"{self.number}. {self.title} to {self.recipient} ({self.case_ref})"


@dataclass(frozen=True, slots=True)
class PrintPack:
    """The pack's PDF, its file name, each letter's place in it and the pack's layout."""

    pdf: bytes
    file_name: str
    title: str
    entries: tuple[PackEntry, ...]
    cover_pages: int  # the cover's own pages, before any blank page after it
    total_pages: int
    duplex: bool
    conversions: int  # of the cover


def pack_file_name(day: date) -> str:
    """'2026-11-20 Letters to post.pdf': one pack a day in each school's case files."""
    return f"{day.isoformat()} Letters to post.pdf"


def pack_title(school: str, day: date) -> str:
    """'Letters to post, Oakfield Primary School, 3 March 2026'."""
    return f"Letters to post, {' '.join(school.split())}, {long_date(day)}"


@dataclass(frozen=True, slots=True)
class Layout:
    """Where everything goes, given the cover's length: what the cover says and the
    stamps number."""

    entries: tuple[PackEntry, ...]
    cover_pages: int
    cover_blank: bool
    total: int


def layout(counts: Sequence[int], letters: Sequence[PackLetter], cover_pages: int,
           duplex: bool) -> Layout:
    """Each letter's place after a cover of ``cover_pages``; in duplex, the cover and each
    letter with an odd number of pages is followed by a blank page."""
    cover_blank = duplex and cover_pages % 2 == 1
    at = cover_pages + cover_blank + 1
    entries = []
    for number, (letter, pages) in enumerate(zip(letters, counts, strict=True), start=1):
        blank = duplex and pages % 2 == 1
        entries.append(PackEntry(number, letter.case_ref, letter.title, letter.recipient,
                                 pages, at, blank, letter.document))
        at += pages + blank
    return Layout(tuple(entries), cover_pages, cover_blank, at - 1)


async def make_print_pack(letters: Sequence[PackLetter], school: str, day: date,
                          convert: Convert, *, duplex: bool = True) -> PrintPack:
    """The day's print pack of ``school``: a cover, then each letter in the order given,
    each starting on a new sheet (``duplex``: made for double-sided printing, the default).
    A letter's .docx and the cover are converted with ``convert``; what it raises goes to
    the caller. PrintPackError for no letters, a letter whose PDF cannot be read, or a
    cover whose length does not settle."""
    if not letters:
        raise PrintPackError("There are no letters to post, so no print pack was made.")
    pdfs = [letter.pdf if letter.pdf is not None else await convert(_docx(letter))
            for letter in letters]
    counts = [_page_count(pdf, f"Letter {n} of the pack ({_named(letter)})")
              for n, (letter, pdf) in enumerate(zip(letters, pdfs, strict=True), start=1)]
    title, name = pack_title(school, day), pack_file_name(day)
    cover_pages = 1  # a guess; the cover's conversion says
    for conversion in range(1, MAX_CONVERSIONS + 1):
        planned = layout(counts, letters, cover_pages, duplex)
        cover = await convert(cover_docx(title, name, planned.entries, planned.total, duplex))
        found = _page_count(cover, "The PDF of the pack's cover")
        actual = layout(counts, letters, found, duplex)
        if (actual.entries, actual.total) == (planned.entries, planned.total):
            # what the cover says is true (in duplex, 1 page and a blank or 2 pages alike)
            pdf = assemble(cover, pdfs, actual, title=title, author=school)
            return PrintPack(pdf, name, title, actual.entries, found, actual.total, duplex,
                             conversion)
        cover_pages = found
    raise PrintPackError(f"The cover's page count did not settle after {MAX_CONVERSIONS} "
                         "conversions to PDF, so the page numbers it lists cannot be trusted; "
                         "no print pack was made.")


def assemble(cover: bytes, letters: Sequence[bytes], planned: Layout, *, title: str,
             author: str = "") -> bytes:
    """The cover, then each letter's PDF as it is, with the blank pages, stamps, title,
    language, bookmarks and tags of ``planned`` (whose entries are ``letters``, in order)."""
    from pypdf import PdfReader, PdfWriter

    from .pdf_tags import JoinedPart, finished, join_structure

    writer = PdfWriter()
    cover_reader = PdfReader(io.BytesIO(cover))
    writer.append(cover_reader, import_outline=False)
    parts = [JoinedPart(cover_reader, 0, COVER_PART)]
    lines = [_stamp_line(f"Cover, page {n} of {planned.cover_pages}", n, planned.total)
             for n in range(1, planned.cover_pages + 1)]
    if planned.cover_blank:
        _blank_page(writer)
        lines.append(_stamp_line("Blank page", len(lines) + 1, planned.total))
    count = len(planned.entries)
    for entry, pdf in zip(planned.entries, letters, strict=True):
        if len(writer.pages) + 1 != entry.first_page:
            raise PrintPackError(f"Letter {entry.number} would not start on page "
                                 f"{entry.first_page}; no print pack was made.")
        reader = PdfReader(io.BytesIO(pdf))
        writer.append(reader, import_outline=False)
        parts.append(JoinedPart(reader, entry.first_page - 1,
                                f"Letter {entry.number}: {_named(entry)}", UNTAGGED_ALT))
        for page in range(1, entry.pages + 1):
            lines.append(_stamp_line(f"Letter {entry.number} of {count}, page {page} of "
                                     f"{entry.pages}", len(lines) + 1, planned.total))
        if entry.blank_after:
            _blank_page(writer)
            lines.append(_stamp_line("Blank page", len(lines) + 1, planned.total))
    if len(writer.pages) != planned.total:
        raise PrintPackError(f"The pack has {len(writer.pages)} pages, not the "
                             f"{planned.total} its cover lists; no print pack was made.")
    join_structure(writer, parts, title=title, language=LANGUAGE)
    _stamp(writer, lines)
    writer.add_outline_item(title=COVER_PART, page_number=0)
    for entry in planned.entries:
        writer.add_outline_item(title=entry.bookmark, page_number=entry.first_page - 1)
    return finished(writer, title=title, author=author, language=LANGUAGE,
                    subject="Letters to print and post in DL window envelopes")


def _stamp_line(what: str, at: int, total: int) -> str:
    return f"{what} - pack page {at} of {total}"


def _font(writer: Any) -> Any:
    from pypdf.generic import DictionaryObject, NameObject

    return writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"),
        NameObject("/Encoding"): NameObject("/WinAnsiEncoding")}))


def _artifact_text(text: str, x: float, y: float, size: float, kind: str) -> bytes:
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return (f"/Artifact {kind} BDC q BT /FPack {size} Tf 0.25 0.25 0.25 rg {x:.2f} {y:.2f} "
            f"Td ({escaped}) Tj ET Q EMC").encode("latin-1")


def _blank_page(writer: Any) -> None:
    """A page the size of the one before it that says, in the middle, only that it is blank;
    all of it an artifact (a screen reader skips it)."""
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    before = writer.pages[-1].mediabox
    width, height = float(before.width), float(before.height)
    page = writer.add_blank_page(width=width, height=height)
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
        {NameObject("/FPack"): _font(writer)})})
    stream = DecodedStreamObject()
    stream.set_data(_artifact_text(BLANK, (width - _width(BLANK, BLANK_SIZE)) / 2, height / 2,
                                   BLANK_SIZE, "<</Type /Layout>>"))
    page[NameObject("/Contents")] = writer._add_object(stream)


def _stamp(writer: Any, lines: Sequence[str]) -> None:
    """Lay each line over its page, in the bottom margin at the left: merged over the page's
    content, which pypdf keeps in its own graphics state, so the page is not changed."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    overlays = PdfWriter()
    font = _font(overlays)
    for page, line in zip(writer.pages, lines, strict=True):
        if page.get("/Rotate", 0) % 360:
            page.transfer_rotation_to_content()
        box = page.mediabox
        overlay = overlays.add_blank_page(width=float(box.width), height=float(box.height))
        overlay.mediabox = box
        overlay[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
            {NameObject("/FPack"): font})})
        stream = DecodedStreamObject()
        stream.set_data(_artifact_text(
            line, float(box.left) + STAMP_LEFT, float(box.bottom) + STAMP_RISE, STAMP_SIZE,
            "<</Type /Pagination /Subtype /Footer>>"))
        overlay[NameObject("/Contents")] = overlays._add_object(stream)
    out = io.BytesIO()
    overlays.write(out)
    for page, overlay in zip(writer.pages, PdfReader(io.BytesIO(out.getvalue())).pages,
                             strict=True):
        page.merge_page(overlay)


def _width(text: str, size: float) -> float:
    """About the width of ``text`` in Helvetica at ``size`` (to centre it)."""
    return len(text) * size * 0.5


def _docx(letter: PackLetter) -> bytes:
    assert letter.docx is not None
    return letter.docx


def _named(letter: PackLetter | PackEntry) -> str:
    return f"{letter.title} to {letter.recipient}, {letter.case_ref}"


def _page_count(pdf: bytes, what: str) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
    except (PyPdfError, ValueError) as exc:
        raise PrintPackError(f"{what} cannot be read as a PDF ({type(exc).__name__}), so no "
                             "print pack was made.") from exc
    if pages == 0:
        raise PrintPackError(f"{what} has no pages, so no print pack was made.")
    return pages


# -- the cover --------------------------------------------------------------------------

COLUMNS = ("No.", "Case", "Letter", "To", "Pages", "First page")
WIDTHS_CM = (1.0, 3.0, 4.6, 4.4, 2.0, 2.0)  # 17 cm: A4 less 2 cm margins
DUPLEX_STEP = (
    "Print the whole pack double-sided (on both sides of the paper, flipped on the long "
    "edge). The pack is made for double-sided printing: each letter starts on the front of "
    "a new sheet, and after a letter with an odd number of pages comes a page that says "
    "\u201cThis page is intentionally blank\u201d, so no letter is printed on the back of "
    "another. If the printer can only print on one side, print it anyway and throw away the "
    "sheets that say \u201cThis page is intentionally blank\u201d.")
SIMPLEX_STEP = (
    "Print the whole pack single-sided (on one side of the paper only). The pack is made for "
    "single-sided printing and has no blank pages between letters: printed double-sided, "
    "one family\u2019s letter would be on the back of another\u2019s.")


def cover_docx(title: str, file_name: str, entries: Sequence[PackEntry], total: int,
               duplex: bool) -> bytes:
    """The cover as .docx: what the pack is, how to print, fold, post and tick it, and the
    list of letters (names only: no address on the cover), in British English."""
    from docx import Document
    from docx.shared import Cm, Pt

    from .bundle_sections import page_setup
    from .xml_text import clean

    doc: Any = Document()
    page_setup(doc)
    _british(doc, title)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "Arial", Pt(11)
    doc.add_heading(clean(title), level=1)
    letters = f"{len(entries)} letter{'s' if len(entries) != 1 else ''}"
    doc.add_paragraph(
        f"{letters} to post, {total} pages in all with this cover. This cover stays in "
        "school: do not post it. It names each family but gives no address; each letter "
        "carries its own.")
    doc.add_heading("How to post the letters", level=2)
    for step in (
        DUPLEX_STEP if duplex else SIMPLEX_STEP,
        f"Check the pack: every page is numbered at the bottom, \u201cpack page N of "
        f"{total}\u201d, and each letter starts on the first page listed below. To print "
        "one letter again, print only its pages.",
        "Keep each letter\u2019s sheets together, in order, the first page on top. Fold them "
        "in three so the name and address are on the outside: fold the bottom third up, then "
        "fold the top third back.",
        "Put each letter in a DL window envelope (110 x 220 mm), the address facing the "
        "window. Check that the whole name and address show through the window, and nothing "
        "else, then seal it and post it as the school usually does.",
        f"When every letter in this pack has been posted, tick \u201cPosted\u201d on this "
        f"pack (\u201c{file_name}\u201d) in Case Files in SharePoint. Each letter is then "
        "recorded on its case as posted that day. If a letter cannot be posted, do not tick "
        "Posted until it has gone.",
    ):
        doc.add_paragraph(step, style="List Number")
    doc.add_heading("The letters in this pack", level=2)
    table = doc.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    table.autofit = False
    _repeat_header(table.rows[0])
    for entry in entries:
        pages = f"{entry.pages}" + (" + blank" if entry.blank_after else "")
        cells = table.add_row().cells
        for cell, text in zip(cells, (str(entry.number), entry.case_ref, entry.title,
                                      entry.recipient, pages, str(entry.first_page)),
                              strict=True):
            cell.text = clean(text)
    for n, row in enumerate(table.rows):
        for cell, text, width in zip(row.cells, COLUMNS, WIDTHS_CM, strict=True):
            if n == 0:
                cell.text = text
            cell.width = Cm(width)
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size, run.bold = Pt(10), n == 0 or None
    for column, width in zip(table.columns, WIDTHS_CM, strict=True):
        column.width = Cm(width)
    doc.add_paragraph(
        "This cover names the families: when the letters have gone, shred the printed cover "
        "and any spare sheets.")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _british(doc: Any, title: str) -> None:
    """British English as the document's language (its text's default and its properties),
    so the PDF's language is en-GB and a screen reader speaks it so; its title."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    from .xml_text import clean

    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)
    doc.core_properties.language = LANGUAGE
    doc.core_properties.title = clean(title)


def _repeat_header(row: Any) -> None:
    """The header row repeats on each page of the table, and is read as its header."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)

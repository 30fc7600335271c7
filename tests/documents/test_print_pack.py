"""The day's print pack (issue 18, point 3): "one PDF in the case files (named like
'2026-11-20 Letters to post.pdf'), each letter starting on a new sheet, ready for a DL window
envelope, with a cover listing the letters."

Without LibreOffice, the letters are small PDFs made by hand and the cover's .docx is
"converted" by a stand-in that lays its paragraphs and table rows out as a tagged PDF, a
fixed number of lines a page; everything is read back from the pack's PDF with pypdf, not
taken from the code. With LibreOffice, letters rendered from the templates keep their
address inside the DL window on their first page inside the pack.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from pypdf import PdfReader, PdfWriter

from function_app.documents.print_pack import (
    BLANK,
    COVER_PART,
    MAX_CONVERSIONS,
    PackLetter,
    PrintPack,
    PrintPackError,
    make_print_pack,
)
from tests.documents.pdf_structure import (
    marked_content,
    structure_outline,
    tagged_pages,
    tagged_pdf,
    tagging_problems,
    untagged_pdf,
)

SCHOOL = "Oakfield Primary School"
DAY = date(2026, 3, 3)
TITLE = "Letters to post, Oakfield Primary School, 3 March 2026"
LINES_PER_PAGE = 30
STAMP = re.compile(r"^(.*) - pack page (\d+) of (\d+)$")


# -- a stand-in for the converter -------------------------------------------------------

def docx_lines(docx: bytes) -> list[str]:
    """The .docx's paragraphs and table rows (cells joined by " | "), in document order."""
    doc: Any = Document(io.BytesIO(docx))
    lines: list[str] = []
    for block in doc.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(t.text or "" for t in block.iter() if t.tag.endswith("}t"))
            if text.strip():
                lines.append(text)
        elif tag == "tbl":
            for row in block.iter():
                if row.tag.endswith("}tr"):
                    cells = [c for c in row.iter() if c.tag.endswith("}tc")]
                    lines.append(" | ".join(
                        "".join(t.text or "" for t in c.iter() if t.tag.endswith("}t"))
                        for c in cells))
    return lines


def lines_pdf(lines: Sequence[str], per_page: int = LINES_PER_PAGE) -> bytes:
    """A tagged PDF: ``per_page`` lines a page, each line a P element (Latin-1 text)."""
    chunks = [lines[i:i + per_page] for i in range(0, len(lines), per_page)] or [[]]
    return tagged_pages([[("/P", line, 40, 800 - 24 * n, 9) for n, line in enumerate(chunk)]
                         for chunk in chunks], rule=False)


class Converter:
    """Converts a .docx to a tagged PDF of its lines, counting conversions."""

    def __init__(self) -> None:
        self.converted: list[list[str]] = []

    async def __call__(self, docx: bytes) -> bytes:
        lines = docx_lines(docx)
        self.converted.append(lines)
        return lines_pdf(lines)


def letter_docx(*paragraphs: str) -> bytes:
    doc: Any = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# -- the letters and the pack, read back ------------------------------------------------

def letters() -> list[PackLetter]:
    """Letters of 1, 2 and 3 pages, tagged and not (a letter filed as a scan has no tags)."""
    return [
        PackLetter("ATT-0001", "Letter of concern", "Dana Ellis",
                   pdf=tagged_pdf(["Dear Ms Ellis, letter A page 1"], heading="Letter A"),
                   document="2026-03-03 Letter of concern - Dana Ellis.docx"),
        PackLetter("ATT-0002", "Invitation to a school attendance meeting", "Jo Taylor",
                   pdf=tagged_pdf(["Dear Mr Taylor, letter B page 1", "Letter B page 2"])),
        PackLetter("ATT-0003", "Notice to Improve", "Sam Okafor",
                   pdf=untagged_pdf(["Letter C page 1", "Letter C page 2", "Letter C page 3"])),
        PackLetter("ATT-0004", "Letter of concern", "Alex Morgan",
                   pdf=tagged_pdf(["Dear Alex Morgan, letter D page 1", "Letter D page 2"])),
    ]


def make(items: Sequence[PackLetter], duplex: bool = True,
         convert: Any = None) -> PrintPack:
    return asyncio.run(make_print_pack(items, SCHOOL, DAY, convert or Converter(),
                                       duplex=duplex))


def texts(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def stamps(pdf: bytes) -> list[str]:
    """Each page's stamp, without "- pack page N of T" (checked here)."""
    pages = texts(pdf)
    found = []
    for n, text in enumerate(pages, start=1):
        lines = [m for line in text.splitlines() if (m := STAMP.match(line.strip()))]
        assert len(lines) == 1, f"page {n}: {text!r}"
        assert (int(lines[0][2]), int(lines[0][3])) == (n, len(pages))
        found.append(lines[0][1])
    return found


def cover_rows(pdf: bytes, cover_pages: int) -> list[list[str]]:
    rows = []
    for text in texts(pdf)[:cover_pages]:
        for line in text.splitlines():
            cells = [c.strip() for c in line.split("|")]
            if len(cells) == 6 and cells[0].isdigit():
                rows.append(cells)
    return rows


# -- without LibreOffice ----------------------------------------------------------------

def test_each_letter_starts_a_new_sheet_in_order_with_blank_pages_only_where_needed() -> None:
    """Made for double-sided printing (the default): the cover (1 page) and letters of 1
    and 3 pages are followed by a blank page, so every letter starts on an odd page (the
    front of a sheet); letters of 2 pages are not. Each letter's pages follow in order."""
    pack = make(letters())
    assert pack.duplex and pack.cover_pages == 1
    assert stamps(pack.pdf) == [
        "Cover, page 1 of 1", "Blank page",
        "Letter 1 of 4, page 1 of 1", "Blank page",
        "Letter 2 of 4, page 1 of 2", "Letter 2 of 4, page 2 of 2",
        "Letter 3 of 4, page 1 of 3", "Letter 3 of 4, page 2 of 3", "Letter 3 of 4, page 3 of 3",
        "Blank page",
        "Letter 4 of 4, page 1 of 2", "Letter 4 of 4, page 2 of 2"]
    assert [(e.number, e.first_page, e.pages, e.blank_after) for e in pack.entries] == [
        (1, 3, 1, True), (2, 5, 2, False), (3, 7, 3, True), (4, 11, 2, False)]
    assert all(e.first_page % 2 == 1 for e in pack.entries)
    pages = texts(pack.pdf)
    assert "letter A page 1" in pages[2]
    assert "letter B page 1" in pages[4] and "Letter B page 2" in pages[5]
    assert [f"Letter C page {n}" in pages[5 + n] for n in (1, 2, 3)] == [True] * 3
    assert "letter D page 1" in pages[10] and "Letter D page 2" in pages[11]
    assert pack.total_pages == len(pages) == 12
    assert pack.entries[0].document == "2026-03-03 Letter of concern - Dana Ellis.docx"


def test_blank_pages_are_artifacts_that_say_so() -> None:
    """A blank page says only "This page is intentionally blank" (and its stamp), all of it
    marked as an artifact: a screen reader skips it, and it is in no Part."""
    pack = make(letters())
    reader = PdfReader(io.BytesIO(pack.pdf))
    blanks = [n for n, s in enumerate(stamps(pack.pdf)) if s == "Blank page"]
    assert blanks == [1, 3, 9]
    for n in blanks:
        page = reader.pages[n]
        assert BLANK in (page.extract_text() or "")
        mcids, unmarked = marked_content(page, reader)
        assert (mcids, unmarked) == ([], 0)
        assert "/StructParents" not in page


def test_single_sided_has_no_blank_pages() -> None:
    """Made for single-sided printing, letters follow one another with no blank pages, and
    the cover says the pack is for single-sided printing."""
    pack = make(letters(), duplex=False)
    assert [e.first_page for e in pack.entries] == [2, 3, 5, 8]
    assert "Blank page" not in stamps(pack.pdf)
    cover = texts(pack.pdf)[0]
    assert "single-sided" in cover and BLANK not in cover


def test_the_cover_lists_every_letter_at_its_first_page() -> None:
    """The cover's table, read back from the PDF: number, case, letter, to whom, pages and
    first page, and each first page is where the letter's stamp says "page 1"."""
    pack = make(letters())
    rows = cover_rows(pack.pdf, pack.cover_pages)
    assert [r[:4] for r in rows] == [
        ["1", "ATT-0001", "Letter of concern", "Dana Ellis"],
        ["2", "ATT-0002", "Invitation to a school attendance meeting", "Jo Taylor"],
        ["3", "ATT-0003", "Notice to Improve", "Sam Okafor"],
        ["4", "ATT-0004", "Letter of concern", "Alex Morgan"]]
    assert [r[4] for r in rows] == ["1 + blank", "2", "3 + blank", "2"]
    found = stamps(pack.pdf)
    for row in rows:
        first = int(row[5])
        assert found[first - 1] == f"Letter {row[0]} of 4, page 1 of {row[4][0]}"


def test_the_cover_says_how_to_print_fold_post_and_tick_and_gives_no_address() -> None:
    """Plain steps: print double-sided (and what to do single-sided), fold for a DL window
    envelope, tick "Posted" on the pack in SharePoint; the cover stays in school and names
    the families without their addresses."""
    items = letters()
    items[0] = PackLetter("ATT-0001", "Letter of concern", "Dana Ellis",
                          pdf=tagged_pdf(["Dana Ellis, 12 Birch Road, Newtown NT1 2AB"]))
    pack = make(items)
    cover = " ".join(texts(pack.pdf)[0].split())
    for words in (TITLE, "4 letters to post, 12 pages in all", "double-sided",
                  "each letter starts on the front of a new sheet", BLANK,
                  "throw away the sheets", "DL window envelope", "fold the bottom third up",
                  "Posted", "2026-03-03 Letters to post.pdf", "SharePoint",
                  "do not post it", "shred"):
        assert words in cover, words
    assert "Birch Road" not in cover and "NT1" not in cover


def test_the_pack_is_named_for_the_day_titled_in_british_english_tagged_and_bookmarked() -> None:
    """'2026-03-03 Letters to post.pdf'; the title shown in the title bar; language en-GB;
    a bookmark per letter at its first page; one Document with a Part for the cover and
    each letter (the untagged letter tagged a page at a time), every page's text tagged or
    an artifact."""
    pack = make(letters())
    assert pack.file_name == "2026-03-03 Letters to post.pdf"
    assert pack.title == TITLE
    reader = PdfReader(io.BytesIO(pack.pdf))
    assert reader.metadata is not None and reader.metadata.title == TITLE
    assert reader.root_object["/Lang"] == "en-GB"
    assert reader.root_object["/ViewerPreferences"]["/DisplayDocTitle"]
    assert tagging_problems(pack.pdf) == []
    assert structure_outline(pack.pdf, depth=2) == [
        ("/Document", TITLE), ("/Part", COVER_PART),
        ("/Part", "Letter 1: Letter of concern to Dana Ellis, ATT-0001"),
        ("/Part", "Letter 2: Invitation to a school attendance meeting to Jo Taylor, ATT-0002"),
        ("/Part", "Letter 3: Notice to Improve to Sam Okafor, ATT-0003"),
        ("/Part", "Letter 4: Letter of concern to Alex Morgan, ATT-0004")]
    marks = [(item.title, reader.get_destination_page_number(item)) for item in reader.outline
             if not isinstance(item, list)]
    assert marks == [(COVER_PART, 0)] + [(e.bookmark, e.first_page - 1) for e in pack.entries]
    assert marks[1][0] == "1. Letter of concern to Dana Ellis (ATT-0001)"


def test_the_letters_pages_are_kept_as_filed() -> None:
    """Each letter page's own content is in the pack's page unchanged (the stamp is laid
    over it), on a page of the same size."""
    items = letters()
    pack = make(items)
    pages = PdfReader(io.BytesIO(pack.pdf)).pages
    for entry, letter in zip(pack.entries, items, strict=True):
        assert letter.pdf is not None
        for n, page in enumerate(PdfReader(io.BytesIO(letter.pdf)).pages):
            own = page.get_contents()
            assert own is not None
            in_pack = pages[entry.first_page - 1 + n]
            contents = in_pack.get_contents()
            assert contents is not None
            assert own.get_data().strip() in contents.get_data()
            assert in_pack.mediabox == page.mediabox


def long_day() -> list[PackLetter]:
    """Forty one-page letters: a cover of two pages (at thirty lines a page)."""
    return [PackLetter(f"ATT-{n:04d}", "Letter of concern", f"Parent {n}",
                       pdf=tagged_pdf([f"Letter {n}"])) for n in range(1, 41)]


def test_a_long_cover_is_converted_again_until_its_pages_settle() -> None:
    """Single-sided, the first guess (a one-page cover) is wrong for forty letters, so the
    cover is made again with every letter a page later; its list is then right."""
    converter = Converter()
    pack = make(long_day(), duplex=False, convert=converter)
    assert pack.cover_pages == 2 and pack.conversions == 2 == len(converter.converted)
    assert [e.first_page for e in pack.entries] == list(range(3, 43))
    rows = cover_rows(pack.pdf, 2)
    assert [int(r[5]) for r in rows] == [e.first_page for e in pack.entries]
    found = stamps(pack.pdf)
    assert found[:3] == ["Cover, page 1 of 2", "Cover, page 2 of 2", "Letter 1 of 40, page 1 of 1"]


def test_in_duplex_a_two_page_cover_takes_the_place_of_a_cover_and_its_blank_page() -> None:
    """Double-sided, a one-page cover is followed by a blank page: a two-page cover puts
    the letters where the first conversion said, so it is not converted again, and no blank
    page follows it."""
    converter = Converter()
    pack = make(long_day(), convert=converter)
    assert pack.cover_pages == 2 and pack.conversions == 1 == len(converter.converted)
    assert [e.first_page for e in pack.entries] == [3 + 2 * n for n in range(40)]
    assert [int(r[5]) for r in cover_rows(pack.pdf, 2)] == [e.first_page for e in pack.entries]
    found = stamps(pack.pdf)
    assert found[:4] == ["Cover, page 1 of 2", "Cover, page 2 of 2",
                         "Letter 1 of 40, page 1 of 1", "Blank page"]
    assert tagging_problems(pack.pdf) == []


def test_a_cover_that_never_settles_is_an_error() -> None:
    """A converter whose cover grows two pages each time: no pack, rather than a wrong
    list."""
    calls: list[int] = []

    async def growing(docx: bytes) -> bytes:
        calls.append(1)
        return lines_pdf([f"Cover page {n}" for n in range(2 * len(calls) + 1)], per_page=1)

    with pytest.raises(PrintPackError, match="did not settle"):
        make(letters(), convert=growing)
    assert len(calls) == MAX_CONVERSIONS


def test_a_letter_given_as_docx_is_converted() -> None:
    """A letter given as its .docx is converted with the same converter as the cover."""
    converter = Converter()
    items = [PackLetter("ATT-0009", "Letter of concern", "Chris Lee",
                        docx=letter_docx("Dear Chris Lee,", "We are writing about attendance.")),
             *letters()[:1]]
    pack = make(items, convert=converter)
    assert converter.converted[0] == ["Dear Chris Lee,", "We are writing about attendance."]
    assert "We are writing about attendance." in texts(pack.pdf)[pack.entries[0].first_page - 1]
    assert tagging_problems(pack.pdf) == []


def test_bad_letters_make_no_pack() -> None:
    """No letters, a letter that is not a PDF, a letter with neither or both forms."""
    with pytest.raises(PrintPackError, match="no letters to post"):
        make([])
    broken = PackLetter("ATT-0005", "Notice to Improve", "Sam Okafor", pdf=b"not a pdf")
    with pytest.raises(PrintPackError, match=r"Letter 2 of the pack \(Notice to Improve to Sam"):
        make([letters()[0], broken])
    with pytest.raises(ValueError, match=r"PDF or as its \.docx"):
        PackLetter("ATT-0006", "Letter of concern", "Jo Taylor")
    with pytest.raises(ValueError, match=r"PDF or as its \.docx"):
        PackLetter("ATT-0006", "Letter of concern", "Jo Taylor", pdf=b"%PDF", docx=b"PK")


# -- with LibreOffice -------------------------------------------------------------------

@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_real_letters_keep_their_address_in_the_dl_window_inside_the_pack(
        tmp_path: Path) -> None:
    """Letters rendered from the templates (a long name and a six-line address for the
    first parent), converted by LibreOffice with the cover: on each letter's first page in
    the pack, every line of the name and address is 20-110 mm from the left and 50-90 mm
    from the top, and nothing else is in the window; the pack's stamp is below everything
    the letter prints. The pack is tagged and its cover lists the first pages where the
    letters are."""
    from function_app.adapters.libreoffice import LibreOfficePdf
    from tests.documents.test_address_window import (
        ADDRESS,
        BOTTOM,
        LEFT,
        NAME,
        RIGHT,
        TOP,
        first_page,
    )
    from tests.documents.test_address_window import letters as rendered

    made = [(kind, n, content) for kind, marking, logo in (
        ("letter_of_concern", "OFFICIAL-SENSITIVE", True), ("notice_to_improve", "", False))
        for n, content in enumerate(rendered(kind, marking, logo))]
    items = [PackLetter("SAMPLE-0001", kind.replace("_", " ").capitalize(),
                        NAME if n == 0 else "Jo Taylor", docx=content)
             for kind, n, content in made]
    pack = asyncio.run(make_print_pack(items, SCHOOL, DAY, LibreOfficePdf(tmp_path / "lo")))
    assert tagging_problems(pack.pdf) == []
    reader = PdfReader(io.BytesIO(pack.pdf))
    for entry in pack.entries:
        assert entry.first_page % 2 == 1
        alone = PdfWriter()
        alone.add_page(reader.pages[entry.first_page - 1])
        path = tmp_path / f"letter-{entry.number}.pdf"
        alone.write(path)
        found = first_page(path)
        expected = ([NAME, *ADDRESS.splitlines()] if entry.recipient == NAME
                    else ["Jo Taylor", "22 Elm Close", "Oldtown", "OT4 5EF"])
        address = []
        for line in expected:
            matches = [t for t in found if t.text == line]
            assert matches, f"letter {entry.number}: {line!r} is not one line on page 1"
            address.append(matches[0])
        for t in address:
            assert t.x >= LEFT and t.right <= RIGHT, f"letter {entry.number}: {t}"
            assert t.top >= TOP and t.bottom <= BOTTOM, f"letter {entry.number}: {t}"
        others = [t for t in found if t not in address and t.overlaps_window()]
        assert not others, f"letter {entry.number}: in the window besides the address: {others}"
        stamp = f"Letter {entry.number} of {len(items)}, page 1 of {entry.pages}"
        stamped = [t for t in found if t.text.startswith(stamp)]
        assert len(stamped) == 1, f"letter {entry.number}: {stamp!r} not found"
        lowest = max(t.bottom for t in found if t is not stamped[0])
        assert stamped[0].top > lowest, f"letter {entry.number}: the stamp is on its footer"
    cover = "".join("".join((reader.pages[n].extract_text() or "").split())
                    for n in range(pack.cover_pages))  # cells wrap: compare without spaces
    for entry in pack.entries:
        pages = f"{entry.pages}+blank" if entry.blank_after else str(entry.pages)
        row = f"{entry.number}SAMPLE-0001{entry.title}{entry.recipient}{pages}{entry.first_page}"
        assert "".join(row.split()) in cover, row

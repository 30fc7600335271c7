"""Build the shipped Word templates in this folder from code, so they can be rebuilt.

    .venv/bin/python templates/build_templates.py          # writes every template
    .venv/bin/python templates/build_templates.py aim_plan # only the kinds named

Each template is an ordinary .docx that a local authority can open and edit in Word. The
tags are docxtpl's (https://docxtpl.readthedocs.io): {{ var }} for a value, {%p ... %}
alone in a paragraph for a paragraph-level if or for (the whole paragraph disappears), and
{%tr ... %} alone in a table row for a row loop. The names a template may use are the keys
of ``function_app.documents.context.build_context``; nothing else exists when it renders.

The layout is shared by every kind:

- A4 portrait, 20 mm top margin. The header is the letterhead: a borderless table with
  the logo (``logo``, when there is one) on the left and the school's name, address,
  telephone and email on the right, so a logo widens the letterhead but never deepens it.
  The protective marking (``marking``) is the first line of every header and the last
  line of the footer, and disappears when it is not set. A plan or record has one header
  on every page; a letter has the letterhead on page 1 only (Word's "different first
  page") and a slim header, the school's name, on later pages, which start near the top.
- Letters print for a DL window envelope (domain.md, "Sending letters": on an A4 page
  folded in three the address belongs 50-90 mm from the top and 20-110 mm from the left).
  Page 1's header holds the marking, the letterhead and its rule in one borderless cell
  whose row is exactly as deep as the space above the window (10 mm header distance +
  LETTERHEAD_DEPTH_CM + a 1 pt hairline paragraph = 50 mm), so the body starts at 50 mm
  on page 1 only. The body starts with the address block: a borderless table whose one
  row is exactly 40 mm high, the recipient's name and address in the left cell
  (22-110 mm from the left), the date and our reference in the right. The exact heights
  mean neither a deep letterhead nor a long address can push the letter into the window.
  Word and LibreOffice both start the body right below a header deeper than the top
  margin, and honour an exact row height the same way, unlike frames and floating tables,
  which LibreOffice converts on import and wraps text around differently
  (tests/documents/test_address_window.py and test_reader_fixes.py check the PDF).
- The footer gives the case reference and "Page X of Y" (Word's PAGE and NUMPAGES fields).
- Headings use Word's Heading 1-3 styles, so the navigation pane and screen readers see the
  structure. Tables have a repeating header row and alternative text.
- Optional sections are wrapped, heading and all, in one {%p if %} so that nothing is left
  behind when they are empty.

The output is deterministic: the same code writes byte-identical files (fixed timestamps
in the zip and in the document properties).
"""

from __future__ import annotations

import io
import json
import re
import sys
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from function_app.documents.word_fields import add_field

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE / "catalogue.json"

# A4 with 2.2 cm side margins: 16.6 cm of text width.
PAGE_WIDTH, PAGE_HEIGHT = Cm(21.0), Cm(29.7)
MARGIN_SIDE, MARGIN_TOP, MARGIN_BOTTOM = Cm(2.2), Cm(2.0), Cm(2.0)
TEXT_WIDTH_CM = 16.6
# DL window envelope (domain.md): the address belongs 50-90 mm from the top and 20-110 mm
# from the left of page 1. A letter's body starts at the window's top, with a row this high.
LETTER_BODY_TOP_CM = 5.0
HEADER_DISTANCE_CM = 1.0
HAIRLINE_PT = 1.0  # the paragraph Word needs after the letterhead block, as thin as can be
LETTERHEAD_DEPTH_CM = LETTER_BODY_TOP_CM - HEADER_DISTANCE_CM - HAIRLINE_PT * 2.54 / 72
WINDOW_HEIGHT_CM = 4.0
ADDRESS_WIDTH_CM = 8.8  # 22 mm margin + 88 mm = 110 mm, the window's right edge
LOGO_CELL_CM = 5.0  # the letterhead's logo column; logo.py fits the image inside it

FONT = "Arial"
DARK_BLUE = RGBColor(0x1F, 0x38, 0x64)
GREY = RGBColor(0x40, 0x40, 0x40)
HEADER_FILL = "DCE4F2"  # header rows of tables
LABEL_FILL = "F2F2F2"  # the label column of a details table
BORDER = "8C8C8C"
FIXED_TIME = datetime(2026, 1, 1, 0, 0, 0)
ZIP_TIME = (2026, 1, 1, 0, 0, 0)

# --- Jinja snippets used in many templates -------------------------------------------------

NAME = "{{ pupil.known_as }}"
NAMES = "{{ pupil.known_as }}’s"
# "Please contact me" + CONTACT: " on 01234 567890 or by email at office@school.org"
CONTACT = (
    "{% if school.phone %} on {{ school.phone }}{% endif %}"
    "{% if school.phone and school.email %} or{% endif %}"
    "{% if school.email %} by email at {{ school.email }}{% endif %}"
    "{% if not school.phone and not school.email %} at the school{% endif %}"
)


# --- the builder -------------------------------------------------------------------------


@dataclass
class Row:
    """A table row: its cells, or a docxtpl {%tr %} tag alone in the row."""

    cells: Sequence[object] = ()
    tag: str = ""
    height_cm: float | None = None
    header: bool = False


def tag_row(tag: str) -> Row:
    return Row(tag=tag)


@dataclass
class Para:
    """A paragraph inside a table cell (or anywhere): its text and style."""

    text: str
    style: str = "Table Text"
    align: WD_ALIGN_PARAGRAPH | None = None


class Template:
    """One .docx under construction, with the house style and header and footer in place."""

    def __init__(self, title: str, letter: bool) -> None:
        self.doc = Document()
        self.title = title
        self.letter = letter
        self._styles()
        self._page()
        # python-docx's new document starts with one empty paragraph: use it for the first
        # thing written rather than leaving a blank line at the top.
        self._first: Paragraph | None = (self.doc.paragraphs[0] if self.doc.paragraphs
                                          else None)

    # -- styles and page --------------------------------------------------------------

    def _styles(self) -> None:
        styles = self.doc.styles
        root = styles.element
        # British English for spelling and for screen readers; Arial everywhere.
        defaults = root.find(qn("w:docDefaults"))
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        _set_fonts(rpr, FONT)
        lang = rpr.find(qn("w:lang"))
        lang.set(qn("w:val"), "en-GB")
        ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
        spacing = ppr.find(qn("w:spacing"))
        spacing.set(qn("w:after"), "120")
        spacing.set(qn("w:line"), "264")
        for style in root.findall(qn("w:style")):
            srpr = style.find(qn("w:rPr"))
            if srpr is not None:
                fonts = srpr.find(qn("w:rFonts"))
                if fonts is not None:
                    srpr.remove(fonts)
                color = srpr.find(qn("w:color"))
                if color is not None:
                    srpr.remove(color)

        normal = styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(11)

        for level, size, before, after in ((1, 15, 6, 8), (2, 12.5, 14, 4), (3, 11, 10, 3)):
            h = styles[f"Heading {level}"]
            h.font.name = FONT
            h.font.size = Pt(size)
            h.font.bold = True
            h.font.italic = False
            h.font.color.rgb = DARK_BLUE
            h.paragraph_format.space_before = Pt(before)
            h.paragraph_format.space_after = Pt(after)
            h.paragraph_format.keep_with_next = True

        quote = styles["Quote"]
        quote.font.italic = True
        quote.font.color.rgb = GREY
        quote.paragraph_format.left_indent = Cm(0.8)
        quote.paragraph_format.right_indent = Cm(0.8)
        quote.paragraph_format.space_after = Pt(4)

        bullet = styles["List Bullet"]
        bullet.paragraph_format.space_after = Pt(3)

        for name in ("Header", "Footer"):
            styles[name].font.size = Pt(9)
            styles[name].paragraph_format.space_after = Pt(0)
            # The default template's tab stops are for US Letter: centre and right of A4.
            tabs = styles[name].paragraph_format.tab_stops
            tabs.clear_all()
            if name == "Header":
                tabs.add_tab_stop(Cm(TEXT_WIDTH_CM / 2), WD_TAB_ALIGNMENT.CENTER)
            tabs.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)

        def add(name: str, base: str = "Normal", size: float | None = None,
                bold: bool = False, color: RGBColor | None = None,
                before: float = 0, after: float = 0,
                align: WD_ALIGN_PARAGRAPH | None = None) -> None:
            s = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            s.base_style = styles[base]
            s.quick_style = True
            if size:
                s.font.size = Pt(size)
            s.font.bold = bold
            if color is not None:
                s.font.color.rgb = color
            s.paragraph_format.space_before = Pt(before)
            s.paragraph_format.space_after = Pt(after)
            if align is not None:
                s.paragraph_format.alignment = align

        add("Protective Marking", "Header", 10, bold=True, after=4,
            align=WD_ALIGN_PARAGRAPH.CENTER)
        add("Letterhead Name", "Header", 15, bold=True, color=DARK_BLUE,
            align=WD_ALIGN_PARAGRAPH.RIGHT)
        add("Letterhead Detail", "Header", 9, color=GREY, align=WD_ALIGN_PARAGRAPH.RIGHT)
        add("Letterhead Rule", "Header", 4)
        add("Address", after=0)
        styles["Address"].paragraph_format.line_spacing = 1.0
        styles["Address"].paragraph_format.right_indent = Cm(0.2)
        add("Table Text", size=10, before=2, after=2)
        add("Table Heading", size=10, bold=True, before=2, after=2)
        add("Small Print", size=9, color=GREY, before=6, after=4)
        # The date and our reference, right of the window, kept clear of it by the indent.
        add("Letter Date", after=2, align=WD_ALIGN_PARAGRAPH.RIGHT)
        add("Letter Reference", "Small Print", after=0, align=WD_ALIGN_PARAGRAPH.RIGHT)
        for name in ("Letter Date", "Letter Reference"):
            styles[name].paragraph_format.left_indent = Cm(0.3)
        add("Table Bullet", "List Bullet", size=10, before=1, after=1)
        styles["Table Bullet"].paragraph_format.line_spacing = 1.0
        styles["Table Text"].paragraph_format.line_spacing = 1.0
        styles["Table Heading"].paragraph_format.line_spacing = 1.0
        styles["Table Heading"].paragraph_format.keep_with_next = True

    def _page(self) -> None:
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        section.left_margin = section.right_margin = MARGIN_SIDE
        section.top_margin = MARGIN_TOP
        section.bottom_margin = MARGIN_BOTTOM
        section.header_distance = Cm(HEADER_DISTANCE_CM)
        section.footer_distance = Cm(0.9)
        header = section.header
        header.is_linked_to_previous = False
        self._footer(section.footer)
        if not self.letter:
            # One header and one footer on every page, so there is one of each to edit.
            self._marking(header.paragraphs[0])
            self._letterhead(header)
            _rule(_para(header, "", "Letterhead Rule"))
            return
        # A letter: page 1 has its own header, the letterhead in a block exactly as deep as
        # the space above the DL window, so the body (the address) starts 50 mm from the
        # top; later pages have a slim header and start near the normal top margin.
        section.different_first_page_header_footer = True
        self._window_letterhead(section.first_page_header)
        self._footer(section.first_page_footer)
        self._marking(header.paragraphs[0])
        _rule(_para(header, "{{ school.name }}", "Letterhead Detail"))

    def _footer(self, footer: Any) -> None:
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.style = self.doc.styles["Footer"]
        _top_rule(p)
        p.add_run("Reference {{ case_ref }}\tPage ")
        add_field(p, "PAGE")
        p.add_run(" of ")
        add_field(p, "NUMPAGES")
        _tag(footer, "{%p if marking %}")
        _para(footer, "{{ marking }}", "Protective Marking").paragraph_format.space_before = \
            Pt(4)
        _tag(footer, "{%p endif %}")

    def _window_letterhead(self, header: Any) -> None:
        """Page 1 of a letter: the marking, the letterhead and its rule inside one borderless
        cell whose row is exactly LETTERHEAD_DEPTH_CM high, then a hairline paragraph (Word
        needs a paragraph last), so the header ends where the window begins whatever it
        holds: Word and LibreOffice both start the body right below a header that is
        deeper than the top margin."""
        header.is_linked_to_previous = False
        block = _layout_table(header.add_table(1, 1, Cm(TEXT_WIDTH_CM)), [TEXT_WIDTH_CM],
                              "Letterhead")
        row = block.rows[0]
        row.height, row.height_rule = Cm(LETTERHEAD_DEPTH_CM), WD_ROW_HEIGHT_RULE.EXACTLY
        cell = row.cells[0]
        self._marking(cell.paragraphs[0])
        self._letterhead(cell)
        _rule(cell.paragraphs[-1])
        cell.paragraphs[-1].style = self.doc.styles["Letterhead Rule"]
        last = header.paragraphs[0]
        header._element.append(last._p)  # after the block
        last.style = self.doc.styles["Header"]
        hairline = last.paragraph_format
        hairline.space_before = hairline.space_after = Pt(0)
        hairline.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        hairline.line_spacing = Pt(HAIRLINE_PT)

    def _letterhead(self, container: Any) -> None:
        """The logo on the left (an empty cell without one), the school on the right: side
        by side, so the letterhead is as deep with a logo as without (about 40 mm at most,
        marking included), above a letter's address window."""
        text_width = TEXT_WIDTH_CM - LOGO_CELL_CM
        table = _layout_table(container.add_table(1, 2, Cm(TEXT_WIDTH_CM))
                              if not isinstance(container, _Cell)
                              else container.add_table(1, 2),
                              [LOGO_CELL_CM, text_width], "Letterhead")
        logo, school = table.rows[0].cells
        logo.paragraphs[0].style = self.doc.styles["Header"]
        _runs(logo.paragraphs[0], "{{ logo }}")
        _fill(school, [
            Para("{{ school.name }}", "Letterhead Name"),
            Para("{%p if school.address_lines %}"),
            Para("{{ school.address_lines|join(', ') }}", "Letterhead Detail"),
            Para("{%p endif %}"),
            Para("{%p if school.phone or school.email %}"),
            Para("{% if school.phone %}Telephone {{ school.phone }}{% endif %}"
                 "{% if school.phone and school.email %}   |   {% endif %}"
                 "{% if school.email %}Email {{ school.email }}{% endif %}",
                 "Letterhead Detail"),
            Para("{%p endif %}"),
        ])

    def _marking(self, first_paragraph: Paragraph) -> None:
        """The protective marking, first line of a header; gone when ``marking`` is empty."""
        first_paragraph.text = "{%p if marking %}"
        container = first_paragraph._parent
        _para(container, "{{ marking }}", "Protective Marking")
        _tag(container, "{%p endif %}")

    # -- body -------------------------------------------------------------------------

    def p(self, text: str = "", style: str = "Normal",
          align: WD_ALIGN_PARAGRAPH | None = None, before: float | None = None,
          after: float | None = None, keep_next: bool = False) -> Paragraph:
        if self._first is not None:
            paragraph, self._first = self._first, None
            paragraph.style = self.doc.styles[style]
        else:
            paragraph = self.doc.add_paragraph(style=style)
        _runs(paragraph, text)
        if align is not None:
            paragraph.alignment = align
        if before is not None:
            paragraph.paragraph_format.space_before = Pt(before)
        if after is not None:
            paragraph.paragraph_format.space_after = Pt(after)
        if keep_next:
            paragraph.paragraph_format.keep_with_next = True
        return paragraph

    def tag(self, text: str) -> None:
        """A docxtpl paragraph tag, alone in its paragraph (the paragraph disappears)."""
        self.p(text)

    def h1(self, text: str) -> None:
        self.p(text, "Heading 1")

    def h2(self, text: str) -> None:
        self.p(text, "Heading 2")

    def h3(self, text: str) -> None:
        self.p(text, "Heading 3")

    def bullets(self, items: str, text: str = "{{ item }}", var: str = "item") -> None:
        self.tag(f"{{%p for {var} in {items} %}}")
        self.p(text, "List Bullet")
        self.tag("{%p endfor %}")

    def table(self, widths: Sequence[float], rows: Sequence[Row], caption: str,
              header: Sequence[str] | None = None, label_column: bool = False) -> Table:
        if not self.doc.paragraphs:  # a body must not start with a table
            self.p("")
        table: Table = self.doc.add_table(rows=0, cols=len(widths))
        _table_look(table, widths, caption, label_column, bool(header))
        if header:
            _add_row(table, widths, Row(cells=[Para(h, "Table Heading") for h in header],
                                        header=True), header=True)
        for row in rows:
            _add_row(table, widths, row, label_column=label_column)
        return table

    # -- letters ------------------------------------------------------------------------

    def letter_opening(self, subject: str) -> None:
        """The address block, then the salutation and the subject line as Heading 1."""
        self.address_block()
        self.p("{{ carer.salutation }},", before=6)
        self.h1(subject)

    def address_block(self) -> None:
        """The DL window (domain.md, "Sending letters"): the first thing in a letter's body,
        which starts 50 mm from the top of the page, is a row exactly 40 mm high; the left
        cell (22-110 mm from the left) holds the recipient's name and address and nothing
        else, the right cell the date and our reference, outside the window."""
        table = _layout_table(self.doc.add_table(rows=1, cols=2),
                              [ADDRESS_WIDTH_CM, TEXT_WIDTH_CM - ADDRESS_WIDTH_CM],
                              "Recipient's name and address, date and our reference",
                              top_cm=0.2)
        row = table.rows[0]
        row.height, row.height_rule = Cm(WINDOW_HEIGHT_CM), WD_ROW_HEIGHT_RULE.EXACTLY
        recipient, dated = row.cells
        _fill(recipient, [
            Para("{{ carer.full_name }}", "Address"),
            Para("{%p for line in carer.address_lines %}"),
            Para("{{ line }}", "Address"),
            Para("{%p endfor %}"),
            Para("{%p if carer.email and not carer.address_lines %}"),
            Para("By email: {{ carer.email }}", "Address"),
            Para("{%p endif %}"),
        ])
        _fill(dated, [Para("{{ today }}", "Letter Date"),
                      Para("Our reference: {{ case_ref }}", "Letter Reference")])
        # The table goes before python-docx's empty first paragraph, which then holds the
        # salutation: nothing may stand above the window.
        if self._first is not None:
            self._first._p.addprevious(table._tbl)

    def letter_closing(self, enclosure: str = "") -> None:
        self.p("Yours sincerely", before=6, after=40, keep_next=True)
        self.tag("{%p if school.signatory_name %}")
        self.p("{{ school.signatory_name }}", after=0, keep_next=True)
        self.tag("{%p endif %}")
        self.tag("{%p if school.signatory_role %}")
        self.p("{{ school.signatory_role }}", after=0, keep_next=True)
        self.tag("{%p endif %}")
        self.p("{{ school.name }}", after=0)
        if enclosure:
            self.p(f"Enclosed: {enclosure}", "Small Print", before=18)

    # -- saving -----------------------------------------------------------------------

    def save(self, path: Path, subject: str) -> None:
        props = self.doc.core_properties
        props.title = self.title
        # python-docx refuses a property over 255 characters; a long source is shortened.
        props.subject = subject if len(subject) <= 255 else subject[:254] + "…"
        props.language = "en-GB"
        props.author = "Attendance Casework"
        props.last_modified_by = "Attendance Casework"
        # No braces here: docxtpl renders this property as a template too.
        props.comments = ("Template: edit in Word. The tags in double braces are filled in "
                          "when documents are made; see templates/build_templates.py.")
        props.keywords = "attendance; template"
        props.category = "Attendance casework template"
        props.created = props.modified = FIXED_TIME
        props.last_printed = FIXED_TIME
        props.revision = 1
        buffer = io.BytesIO()
        self.doc.save(buffer)
        path.write_bytes(_normalise(buffer.getvalue()))


# --- low-level helpers -------------------------------------------------------------------


_BOLD = re.compile(r"(\*\*.+?\*\*)")


def _runs(paragraph: Paragraph, text: str) -> None:
    """Text with **bold** spans as runs; nothing else is interpreted."""
    for part in _BOLD.split(text):
        if not part:
            continue
        if part.startswith("**") and part.endswith("**"):
            paragraph.add_run(part[2:-2]).bold = True
        else:
            paragraph.add_run(part)


def _para(container: Any, text: str, style: str) -> Paragraph:
    paragraph: Paragraph = container.add_paragraph(style=style)
    _runs(paragraph, text)
    return paragraph


def _tag(container: Any, text: str) -> Paragraph:
    paragraph: Paragraph = container.add_paragraph(text)
    return paragraph


def _set_fonts(rpr: Any, name: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), name)


def _border(side: str, size: int = 6, color: str = BORDER) -> Any:
    el = OxmlElement(f"w:{side}")
    el.set(qn("w:val"), "single")
    el.set(qn("w:sz"), str(size))
    el.set(qn("w:space"), "1")
    el.set(qn("w:color"), color)
    return el


def _rule(paragraph: Paragraph) -> None:
    """A thin line under the paragraph (the end of the letterhead)."""
    ppr = paragraph._p.get_or_add_pPr()
    pbdr = OxmlElement("w:pBdr")
    pbdr.append(_border("bottom", 6, "1F3864"))
    _insert_pbdr(ppr, pbdr)
    paragraph.paragraph_format.space_after = Pt(6)


def _top_rule(paragraph: Paragraph) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    pbdr = OxmlElement("w:pBdr")
    pbdr.append(_border("top", 4, BORDER))
    _insert_pbdr(ppr, pbdr)
    paragraph.paragraph_format.space_before = Pt(0)


def _insert_pbdr(ppr: Any, pbdr: Any) -> None:
    # w:pBdr comes after pStyle, keepNext, keepLines, pageBreakBefore, framePr,
    # widowControl, numPr, suppressLineNumbers in the schema's sequence.
    after = {qn(f"w:{n}") for n in ("pStyle", "keepNext", "keepLines", "pageBreakBefore",
                                     "framePr", "widowControl", "numPr",
                                     "suppressLineNumbers")}
    index = 0
    for i, child in enumerate(ppr):
        if child.tag in after:
            index = i + 1
    ppr.insert(index, pbdr)


def _table_look(table: Table, widths: Sequence[float], caption: str, label_column: bool,
                has_header: bool) -> None:
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    tbl = table._tbl
    tblpr = tbl.tblPr
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(int(sum(widths) * 567)))
    width.set(qn("w:type"), "dxa")
    for old in tblpr.findall(qn("w:tblW")):
        tblpr.remove(old)
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(_border(side, 4))
    layout = tblpr.find(qn("w:tblLayout"))
    # Schema order: tblStyle, ..., tblW, jc, ..., tblBorders, shd, tblLayout, tblCellMar,
    # tblLook, tblCaption, tblDescription.
    style = tblpr.find(qn("w:tblStyle"))
    style.addnext(width)
    jc = tblpr.find(qn("w:jc"))
    (jc if jc is not None else width).addnext(borders)
    if layout is None:
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        borders.addnext(layout)
    margins = OxmlElement("w:tblCellMar")
    for side, value in (("left", 90), ("right", 90)):
        m = OxmlElement(f"w:{side}")
        m.set(qn("w:w"), str(value))
        m.set(qn("w:type"), "dxa")
        margins.append(m)
    layout.addnext(margins)
    look = tblpr.find(qn("w:tblLook"))
    if look is None:
        look = OxmlElement("w:tblLook")
        tblpr.append(look)
    for attr in list(look.attrib):
        del look.attrib[attr]
    look.set(qn("w:val"), "0000")
    look.set(qn("w:firstRow"), "1" if has_header else "0")
    look.set(qn("w:firstColumn"), "1" if label_column else "0")
    look.set(qn("w:lastRow"), "0")
    look.set(qn("w:lastColumn"), "0")
    look.set(qn("w:noHBand"), "1")
    look.set(qn("w:noVBand"), "1")
    cap = OxmlElement("w:tblCaption")
    cap.set(qn("w:val"), caption)
    tblpr.append(cap)
    desc = OxmlElement("w:tblDescription")
    desc.set(qn("w:val"), caption)
    tblpr.append(desc)
    grid = tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(int(w * 567)))


def _layout_table(table: Table, widths: Sequence[float], description: str,
                  top_cm: float = 0) -> Table:
    """A borderless table that places things side by side (letterhead, address block): no
    cell padding left or right, so its text lines up with the margins, and fixed widths;
    ``top_cm`` above the first line in each cell."""
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    tblpr = table._tbl.tblPr
    for old in [*tblpr.findall(qn("w:tblStyle")), *tblpr.findall(qn("w:tblLayout"))]:
        tblpr.remove(old)  # no table style's borders; one tblLayout, ours, below
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(sum(Cm(w).twips for w in widths)))
    width.set(qn("w:type"), "dxa")
    for old in tblpr.findall(qn("w:tblW")):
        tblpr.remove(old)
    tblpr.insert(0, width)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    margins = OxmlElement("w:tblCellMar")
    for side, value in (("top", round(top_cm * 567)), ("left", 0), ("bottom", 0),
                        ("right", 0)):
        m = OxmlElement(f"w:{side}")
        m.set(qn("w:w"), str(value))
        m.set(qn("w:type"), "dxa")
        margins.append(m)
    # Schema order: tblStyle, ..., tblW, jc, ..., tblLayout, tblCellMar, tblLook, tblCaption,
    # tblDescription.
    jc = tblpr.find(qn("w:jc"))
    (jc if jc is not None else width).addnext(layout)
    layout.addnext(margins)
    for old in tblpr.findall(qn("w:tblLook")):
        tblpr.remove(old)
    desc = OxmlElement("w:tblDescription")  # a layout table: no caption, no header row
    desc.set(qn("w:val"), description)
    tblpr.append(desc)
    for col, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(Cm(w).twips))  # the same twips as each cell's width
    for row in table.rows:
        for cell, w in zip(row.cells, widths, strict=True):
            cell.width = Cm(w)
    return table


def _shade(cell: _Cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def _add_row(table: Table, widths: Sequence[float], row: Row, header: bool = False,
             label_column: bool = False) -> None:
    r = table.add_row()  # type: ignore[no-untyped-call]
    trpr = r._tr.get_or_add_trPr()
    cant = OxmlElement("w:cantSplit")
    trpr.append(cant)
    if header:
        th = OxmlElement("w:tblHeader")
        trpr.append(th)
    if row.height_cm:
        r.height = Cm(row.height_cm)
    cells = r.cells
    for cell, w in zip(cells, widths, strict=True):
        cell.width = Cm(w)
    if row.tag:
        _fill(cells[0], [Para(row.tag)])
        for cell in cells[1:]:
            _fill(cell, [Para("")])
        return
    for i, (cell, content) in enumerate(zip(cells, row.cells, strict=True)):
        if isinstance(content, str):
            content = [Para(content, "Table Heading" if (label_column and i == 0)
                            else "Table Text")]
        elif isinstance(content, Para):
            content = [content]
        _fill(cell, content)  # type: ignore[arg-type]
        if header:
            _shade(cell, HEADER_FILL)
        elif label_column and i == 0:
            _shade(cell, LABEL_FILL)


def _fill(cell: _Cell, paragraphs: Sequence[Para | str]) -> None:
    first = True
    for spec in paragraphs:
        if isinstance(spec, str):
            spec = Para(spec)
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        paragraph.style = spec.style
        _runs(paragraph, spec.text)
        if spec.align is not None:
            paragraph.alignment = spec.align


# python-docx's blank document carries a thumbnail of some other document, and a second,
# Word 2010-only copy of the styles that would not match ours: neither is wanted.
_DROPPED = {"docProps/thumbnail.jpeg", "word/stylesWithEffects.xml"}


def _normalise(data: bytes) -> bytes:
    """Fixed timestamps and no stale extra parts, so a rebuild is byte-identical."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            if name in _DROPPED:
                continue
            content = source.read(name)
            if name == "_rels/.rels":
                content = re.sub(rb"<Relationship [^>]*thumbnail[^>]*/>", b"", content)
            if name == "word/_rels/document.xml.rels":
                content = re.sub(rb"<Relationship [^>]*stylesWithEffects[^>]*/>", b"", content)
            if name == "[Content_Types].xml":
                content = re.sub(rb"<Override [^>]*stylesWithEffects[^>]*/>", b"", content)
            if name == "word/settings.xml":
                content = content.replace(b'w:themeFontLang w:val="en-US"',
                                          b'w:themeFontLang w:val="en-GB"')
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, content)
    return out.getvalue()


# --- shared sections ---------------------------------------------------------------------


def attendance_table(t: Template, internal: bool = False) -> None:
    """The attendance record as at the document's date: sessions, absences and the
    percentage with its sessions; a plain sentence when no figures end by that date."""
    t.tag("{%p if attendance.shown %}")
    rows = [
        tag_row("{%tr if attendance.period %}"),
        Row(["Period", "{{ attendance.period }}"]),
        tag_row("{%tr endif %}"),
        Row(["Possible sessions", "{{ attendance.possible }}"]),
        Row(["Sessions attended", "{{ attendance.present }}"]),
        Row(["Authorised absences (sessions)", "{{ attendance.authorised }}"]),
        Row(["Unauthorised absences (sessions)", "{{ attendance.unauthorised }}"]),
        Row(["Attendance", "**{{ attendance.figure }}**"]),
    ]
    if internal:
        rows += [
            Row(["Attendance band", "{{ attendance.tier }} ({{ attendance.tier_band }})"]),
            Row(["Persistently absent (10% or more of sessions missed)",
                 "{% if attendance.persistently_absent %}Yes{% else %}No{% endif %}"]),
            Row(["Severely absent (50% or more of sessions missed)",
                 "{% if attendance.severely_absent %}Yes{% else %}No{% endif %}"]),
        ]
    t.table([7.0, 9.6], rows, "Attendance record", label_column=True)
    t.tag("{%p if attendance.note %}")
    t.p("{{ attendance.note }}", "Small Print", before=4)
    t.tag("{%p endif %}")
    t.tag("{%p else %}")
    t.p("{{ attendance.note }}")
    t.tag("{%p endif %}")


def attendance_sentence(t: Template) -> None:
    """The attendance record in words, for a letter without the table."""
    t.p("{% if attendance.shown %}" + NAMES + " attendance was **{{ attendance.figure }}**"
        "{{ attendance.over_period }} (each school day has a morning and an afternoon "
        "session). Of the sessions missed, "
        "{{ attendance.authorised }} were authorised absences and "
        "{{ attendance.unauthorised }} were unauthorised absences, that is, absences the "
        "school had not given permission for.{% if attendance.note %} {{ attendance.note }}"
        "{% endif %}{% else %}{{ attendance.note }}{% endif %}")


def attendance_intro(t: Template) -> None:
    """The percentage in a sentence, then the figures in a table (letters)."""
    t.p("{% if attendance.shown %}" + NAMES + " attendance was **{{ attendance.figure }}**"
        "{{ attendance.over_period }}. The figures are below. Each school "
        "day has two sessions, morning and afternoon; an unauthorised absence is one the "
        "school has not given permission for.{% else %}{{ attendance.note }}{% endif %}",
        keep_next=True)
    attendance_table(t)


def review_figures(t: Template) -> None:
    """A review's attendance since the meeting whose plan it reviews, beside the target,
    when the register marks give it."""
    t.tag("{%p if meeting and meeting.review_figures %}")
    t.p("**Attendance since the {{ previous_meeting.title }} on "
        "{{ meeting.review_figures.since }}:** {{ meeting.review_figures.figure }}, "
        "{{ meeting.review_figures.period }}.")
    t.tag("{%p elif meeting and previous_meeting %}")
    t.p("Attendance since the {{ previous_meeting.title }} on {{ previous_meeting.date }} "
        "cannot be given here: the register marks for that period are not recorded.")
    t.tag("{%p endif %}")


def pupil_details(t: Template, meeting: bool = True, date_label: str = "") -> None:
    """The pupil, school and case, and the meeting's date and place."""
    rows = [
        Row(["Pupil", "{{ pupil.full_name }}"]),
        Row(["Date of birth", "{{ pupil.date_of_birth }}"]),
        Row(["Year group", "{{ pupil.year_group }}"]),
        tag_row("{%tr if pupil.upn %}"),
        Row(["Unique pupil number (UPN)", "{{ pupil.upn }}"]),
        tag_row("{%tr endif %}"),
        Row(["School", "{{ school.name }}"]),
        tag_row("{%tr if carers %}"),
        Row(["Parent(s)/carer(s)",
             "{% for c in carers %}{{ c.full_name }} ({{ c.relationship }})"
             "{% if not loop.last %}; {% endif %}{% endfor %}"]),
        tag_row("{%tr endif %}"),
        Row(["Case reference", "{{ case_ref }}"]),
    ]
    if meeting:
        rows += [
            Row(["Date of meeting",
                 "{{ meeting.weekday_date }}{% if meeting.time %}, "
                 "{{ meeting.time }}{% endif %}"]),
            Row(["Venue", "{{ meeting.venue[:1]|upper }}{{ meeting.venue[1:] }}"]),
        ]
    if date_label:
        rows += [Row([date_label, "{{ today }}"])]
    t.table([5.0, 11.6], rows, "Pupil and meeting details", label_column=True)


def attendees_section(t: Template, heading: str = "Who attended") -> None:
    """Seed 001: the names and roles of everyone at the meeting, in full."""
    t.h2(heading)
    t.tag("{%p if meeting.attendees %}")
    t.table([6.6, 6.6, 3.4], [
        tag_row("{%tr for person in meeting.attendees %}"),
        Row(["{{ person.name }}", "{{ person.role }}", "{{ person.attendance }}"]),
        tag_row("{%tr endfor %}"),
    ], "People invited to the meeting, their roles and whether they attended",
        header=["Name", "Role", "Attended"])
    t.tag("{%p else %}")
    t.p("No attendees were recorded for this meeting.")
    t.tag("{%p endif %}")


def voices(t: Template, m: str = "meeting", pupil_heading: str = "",
           parent_heading: str = "") -> None:
    """Direct quotes (seed 000): the pupil's and the parents' own words, when recorded."""
    pupil_heading = pupil_heading or f"{NAMES} views, in their own words"
    parent_heading = parent_heading or "The parents’ or carers’ views, in their own words"
    t.tag(f"{{%p if {m}.pupil_voice %}}")
    t.h2(pupil_heading)
    quotes(t, f"{m}.pupil_voice")
    t.tag("{%p endif %}")
    t.tag(f"{{%p if {m}.parent_voice %}}")
    t.h2(parent_heading)
    quotes(t, f"{m}.parent_voice")
    t.tag("{%p endif %}")


def quotes(t: Template, items: str) -> None:
    t.tag(f"{{%p for q in {items} %}}")
    t.p("“{{ q.text }}” – {{ q.speaker }}", "Quote")
    t.tag("{%p endfor %}")


def reasons_section(t: Template, heading: str, level: int = 2,
                    fallback: str = "No reasons for absence were recorded.") -> None:
    (t.h2 if level == 2 else t.h3)(heading)
    t.tag("{%p if meeting.reasons %}")
    t.bullets("meeting.reasons")
    t.tag("{%p else %}")
    t.p(fallback)
    t.tag("{%p endif %}")


def barriers_section(t: Template, heading: str = "Barriers to attendance",
                     level: int = 2) -> None:
    t.tag("{%p if meeting.barriers %}")
    (t.h2 if level == 2 else t.h3)(heading)
    t.bullets("meeting.barriers")
    t.tag("{%p endif %}")


def interventions_table(t: Template, items: str, caption: str) -> None:
    """Seed 001: each intervention ticked and dated when offered and when completed."""
    # Each header word on one line (bold 10 pt, with DejaVu Sans, wider than Arial, as
    # LibreOffice's fallback): "Offered" needs 2.0 cm, "Completed" 2.5 cm.
    t.table([3.9, 2.0, 2.9, 2.5, 2.9, 2.4], [
        tag_row(f"{{%tr for i in {items} %}}"),
        Row(["{{ i.name }}", Para("{{ i.offered }}", align=WD_ALIGN_PARAGRAPH.CENTER),
             "{{ i.offered_on }}",
             Para("{{ i.completed }}", align=WD_ALIGN_PARAGRAPH.CENTER),
             "{{ i.completed_on }}", "{{ i.taken_up }}"]),
        tag_row("{%tr endfor %}"),
    ], caption, header=["Support or intervention", "Offered", "Date offered", "Completed",
                        "Date completed", "Taken up"])


def action_plan(t: Template, m: str = "meeting", caption: str = "Action plan") -> None:
    """Seeds 001 and 002: what the young person, the parents and the school agree to.

    The three rows of the guidance are always there, each with a line saying why it is
    empty when it is; a row for anyone else appears only when they have actions.
    """
    def cell(items: str, fallback: str) -> list[Para]:
        return [
            Para(f"{{%p for a in {items} %}}"),
            Para("{{ a }}", "Table Bullet"),
            Para("{%p endfor %}"),
            Para(f"{{%p if not {items} %}}"),
            Para(fallback),
            Para("{%p endif %}"),
        ]

    pupil_fallback = (
        f"{{% if not {m}.pupil_of_age %}}Left blank: {NAME} is too young to make "
        "agreements about attendance."
        f"{{% elif {m}.attendees and not {m}.pupil_attended %}}Left blank: {NAME} did not "
        "attend the meeting."
        "{% else %}No agreements were recorded.{% endif %}")
    parent_fallback = (
        "Nothing is asked of the parent(s)/carer(s) in this plan"
        f"{{% if {m}.attendees and not {m}.parents_attended %}}; they did not attend the "
        "meeting{% endif %}.")
    t.table([5.0, 11.6], [
        Row([Para(f"Young person ({NAME}) agrees to", "Table Heading"),
             cell(f"{m}.actions.pupil", pupil_fallback)]),
        Row([Para("Parent(s)/carer(s) agree(s) to", "Table Heading"),
             cell(f"{m}.actions.parents", parent_fallback)]),
        Row([Para("School agrees to", "Table Heading"),
             cell(f"{m}.actions.school", "No actions were recorded.")]),
        tag_row(f"{{%tr if {m}.actions.others %}}"),
        Row([Para("Others involved agree to", "Table Heading"),
             cell(f"{m}.actions.others", "")]),
        tag_row("{%tr endif %}"),
    ], caption, header=["Who", "Agreed actions"])


def target_and_review(t: Template, m: str = "meeting", target_heading: str = "Attendance target",
                      review_heading: str = "Review date") -> None:
    t.h2(target_heading)
    t.tag(f"{{%p if {m}.target %}}")
    t.p(f"**{{{{ {m}.target }}}}**")
    t.tag("{%p else %}")
    t.p("No target was recorded.")
    t.tag("{%p endif %}")
    t.h2(review_heading)
    t.tag(f"{{%p if {m}.review_date %}}")
    t.p(f"This plan will be reviewed by **{{{{ {m}.review_date }}}}**.")
    t.tag("{%p else %}")
    t.p("No review date was set.")
    t.tag("{%p endif %}")


def absent_parents_note(t: Template) -> None:
    t.tag("{%p if meeting.attendees and not meeting.parents_attended %}")
    t.p("The parent(s)/carer(s) did not attend this meeting. It was held in their absence"
        "{% if meeting.actions.parents %}, and the actions for them below are the school’s "
        "suggestions of what might help{% else %}; nothing is asked of them in this plan"
        "{% endif %}. We would welcome their views on this plan.")
    t.tag("{%p endif %}")


def copies_note(t: Template, exhibited: bool = True) -> None:
    text = ("A copy of this plan is given or sent to the parent(s)/carer(s), to "
            f"{NAME} where appropriate, and to the professionals involved.")
    if exhibited:
        text += (" The purpose of this plan is to help improve attendance and to avoid "
                 "legal proceedings; it may, however, be exhibited in any legal proceedings "
                 "that follow.")
    t.p(text, "Small Print", before=14)


# --- the eleven templates ------------------------------------------------------------------


def letter_of_concern(t: Template) -> None:
    """Seed 002: the first step, before any meeting. Kind, factual, an invitation to talk."""
    t.letter_opening("{{ pupil.full_name }}’s attendance at school")
    t.p(f"I am writing because we are concerned about {NAMES} attendance at school, and "
        "I would like us to work together to help.")
    attendance_intro(t)
    t.p(f"Every day in school matters. When children miss school it can be harder for them "
        "to keep up with their learning and to stay close to their friends. We know that "
        "there can be many reasons why a child finds it hard to come to school, and that "
        f"families can be dealing with a lot at once. We would like to understand what is "
        f"getting in the way for {NAME} and how we can help.", before=8)
    t.p(f"Please contact me{CONTACT} so that we can talk about this. We can speak on the "
        "phone or meet at school, whichever suits you better. If there is anything you "
        f"think we should know, such as a health problem, a worry about school or something "
        "happening at home, please tell us. We will treat what you tell us with care.")
    t.p(f"If {NAMES} attendance does not improve, the next step would be to invite you to "
        "a meeting at school, so that together we can agree a plan to help.")
    t.p("Thank you for your help. I look forward to hearing from you.")
    t.letter_closing()


def meeting_details(t: Template, caption: str) -> None:
    t.table([4.0, 12.6], [
        Row(["Date", "**{{ meeting.weekday_date }}**"]),
        Row(["Time", "**{{ meeting.time }}**"]),
        Row(["Place", "**{{ meeting.venue[:1]|upper }}{{ meeting.venue[1:] }}**"]),
    ], caption, label_column=True)


def staff_attending(t: Template, intro: str) -> None:
    """The school staff and other professionals invited, when they are recorded."""
    staff = "meeting.attendees|selectattr('party', 'in', ['school', 'agency'])|list"
    t.tag(f"{{%p if {staff} %}}")
    t.p(intro, keep_next=True)
    t.tag(f"{{%p for person in {staff} %}}")
    t.p("{{ person.name }}, {{ person.role }}", "List Bullet")
    t.tag("{%p endfor %}")
    t.tag("{%p endif %}")


def support_meeting_invitation(t: Template) -> None:
    """Seed 002: invited by letter; may go ahead in their absence unless a new time is
    agreed; arrangements agreed by phone are confirmed in writing."""
    t.letter_opening("Invitation to a school attendance meeting about {{ pupil.full_name }}")
    t.p(f"I am writing to invite you to a meeting to talk about {NAMES} "
        f"attendance, and how we can work together to help {NAME} come to school every day. "
        "{% if attendance.shown %}" + NAMES + " attendance was **{{ attendance.figure }}**"
        "{{ attendance.over_period }}.{% if attendance.note %} {{ attendance.note }}"
        "{% endif %}{% endif %}")
    t.p("The meeting will be:", keep_next=True)
    meeting_details(t, "Date, time and place of the meeting")
    t.p(f"At the meeting we would like to hear what is making it hard for {NAME} to come to "
        "school, look at what has helped so far, and agree a plan that everyone can play a "
        "part in. It is not about blame: we want to work with you.", before=8)
    t.p("{% if meeting.pupil_of_age %}We would like " + NAME + " to come to the meeting "
        "too, so that we can hear their views.{% else %}You are welcome to bring " + NAME +
        " if you think it would help, but you do not need to.{% endif %}")
    staff_attending(t, "From the school and other services, you will meet:")
    t.p(f"If this time does not suit you, please contact me{CONTACT} and we will find "
        "another time. If we agree a new time or place by phone, we will confirm it to you "
        "in writing. Please also let us know if you need anything to help you take part, "
        "such as an interpreter.")
    t.p("Please note that the meeting may go ahead even if you are not able to come, "
        "unless you contact the school and we agree a new time with you. If it goes ahead "
        "without you, we will send you a copy of the plan made at the meeting, and you will "
        "still be able to tell us what you think.")
    t.p("Thank you. I look forward to seeing you.")
    t.letter_closing()


def aim_invitation(t: Template) -> None:
    """Seeds 000 and 001: the warning in writing of a risk of prosecution, and the
    invitation to the Attendance Improvement Meeting."""
    t.letter_opening("{{ pupil.full_name }}: warning that you may be at risk of "
                     "prosecution, and invitation to an Attendance Improvement Meeting")
    t.p(f"I am writing to you about {NAMES} attendance at school, to invite you to an "
        "Attendance Improvement Meeting, and to let you know in writing that you may be at "
        "risk of prosecution.")
    t.h2(f"{NAMES} attendance")
    attendance_sentence(t)
    t.p("We know that there can be many reasons why a child finds it hard to attend "
        "school, and that families may be facing several difficulties at once. We would like "
        f"to understand what is getting in the way for {NAME}, and to work with you to help.")
    t.h2("You may be at risk of prosecution")
    t.p(f"As a parent, you have a legal duty to make sure that {NAME} attends school "
        "regularly. Under section 444 of the Education Act 1996 it is an offence for a "
        "parent not to do so. **Because " + NAME + " has not been attending school "
        "regularly, I must warn you that you may be at risk of prosecution.**")
    t.p("We want to avoid this. The purpose of the meeting is to agree a plan that helps "
        f"{NAME} attend school and prevents legal action being taken.")
    t.h2("The Attendance Improvement Meeting")
    t.p("You are invited to an Attendance Improvement Meeting at:", keep_next=True)
    meeting_details(t, "Date, time and place of the Attendance Improvement Meeting")
    t.p("{% if meeting.pupil_of_age %}It is important that " + NAME + " comes to the "
        "meeting too, so that we can hear their views and agree the plan with them."
        "{% else %}You are welcome to bring " + NAME + " if you think it would help, but "
        "you do not need to.{% endif %}", before=8)
    staff_attending(t, "From the school and other services, you will meet:")
    t.p("At the meeting we will look at what has helped so far, talk about anything that is "
        "making attendance difficult, and agree together what you, " + NAME + " and the "
        "school will each do. We will then review the plan with you.")
    t.h2("If the time or place does not suit you")
    t.p(f"If you cannot attend at this time, please contact me{CONTACT} as soon as you can, "
        "so that we can agree another time. If we agree new arrangements by phone, we will "
        "confirm them to you in writing.")
    t.p("{% if meeting.at_home %}We have arranged to meet at your home. If you would prefer "
        "to meet at school, or somewhere neutral, please tell us and we will arrange this."
        "{% else %}If you would find it easier to meet at your own home, or somewhere "
        "neutral away from school, please tell us and we will arrange this.{% endif %} "
        "Please also let us know if you need anything else to help you take part, such as "
        "an interpreter.")
    t.p("**Please note that the meeting will go ahead even if you do not attend, unless "
        "you contact the school and we agree a new time with you.** If the meeting goes ahead "
        "without you, we will send you a copy of the plan made at the meeting.")
    t.p("Thank you. I hope to see you at the meeting.")
    t.letter_closing()


def adjustments_offer(t: Template) -> None:
    """Reasonable adjustments, as the AIM invitation offers them (seed 000): the family's
    home or a neutral place, and anything else that helps them take part."""
    t.p("{% if meeting.at_home %}We have arranged to meet at your home. If you would prefer "
        "to meet at school, or somewhere neutral, please tell us and we will arrange this."
        "{% else %}If you would find it easier to meet at your own home, or somewhere "
        "neutral away from school, please tell us and we will arrange this.{% endif %} "
        "Please also let us know if you need anything else to help you take part, such as "
        "an interpreter.")


def review_meeting_invitation(t: Template) -> None:
    """Seed 002, review meeting: the previous plan is discussed and whether its target was
    met, then a decision; invited by letter like the first meeting, may go ahead unless a
    new time is agreed, arrangements agreed by phone confirmed in writing."""
    t.letter_opening("Invitation to a meeting to review {{ pupil.full_name }}’s "
                     "attendance plan")
    t.p(f"I am writing to invite you to a review meeting about {NAMES} attendance."
        "{% if previous_meeting %} At the {{ previous_meeting.title }} on "
        "{{ previous_meeting.date }} we agreed a plan together to help " + NAME +
        " come to school every day, and said that we would meet again to see how it is "
        "going.{% endif %}")
    t.p("The meeting will be:", keep_next=True)
    meeting_details(t, "Date, time and place of the review meeting")
    t.p(f"At the meeting we will look together at the plan we agreed last time: what has "
        "worked well, even in a small way, and what has not. We will look at whether "
        f"{NAME} has met the attendance target we set"
        "{% if previous_meeting and previous_meeting.target %}, "
        "“{{ previous_meeting.target }}”{% endif %}, and at " + NAMES + " attendance "
        "since then. Together we will then agree what happens next: that might be carrying "
        "on as we are, or a new plan with more support.", before=8)
    t.p("{% if meeting.pupil_of_age %}We would like " + NAME + " to come to the meeting "
        "too, so that we can hear how they feel it has gone.{% else %}You are welcome to "
        "bring " + NAME + " if you think it would help, but you do not need to.{% endif %}")
    staff_attending(t, "From the school and other services, you will meet:")
    t.p(f"If this time does not suit you, please contact me{CONTACT} and we will find "
        "another time. If we agree a new time or place by phone, we will confirm it to you "
        "in writing.")
    adjustments_offer(t)
    t.p("Please note that the meeting may go ahead even if you are not able to come, "
        "unless you contact the school and we agree a new time with you. If it goes ahead "
        "without you, we will send you a copy of what was agreed, and you will still be "
        "able to tell us what you think.")
    t.p("Thank you. I look forward to seeing you.")
    t.letter_closing()


def meeting_rearranged(t: Template) -> None:
    """Seeds 000-002: changed arrangements are confirmed in writing. Says plainly that the
    meeting has moved and where and when it now is; for an AIM, one sentence that the
    earlier letter's warning still stands, not the warning again."""
    t.letter_opening("{{ pupil.full_name }}: the {{ meeting.title }} has been rearranged")
    t.p("I am writing to let you know that the {{ meeting.title }} about " + NAMES +
        " attendance has been rearranged. The new date, time and place are below. They "
        "replace those in our earlier letter.")
    t.p("The meeting will now be:", keep_next=True)
    meeting_details(t, "The new date, time and place of the meeting")
    t.p("{% if meeting.kind == 'review' %}The meeting is still to look together at the "
        "plan we agreed at the last meeting, and at whether " + NAME + " has met its "
        "attendance target.{% else %}The meeting is still to agree together a plan that "
        "helps " + NAME + " come to school every day.{% endif %}"
        "{% if meeting.kind == 'aim' %} The warning in our earlier letter still stands."
        "{% endif %}", before=8)
    staff_attending(t, "From the school and other services, you will meet:")
    t.p(f"If the new time does not suit you, please contact me{CONTACT} as soon as you can "
        "and we will find another time. If we agree new arrangements by phone, we will "
        "confirm them to you in writing.")
    adjustments_offer(t)
    t.p("Please note that the meeting {% if meeting.kind == 'aim' %}will{% else %}may"
        "{% endif %} go ahead at the new time even if you do not attend, unless you contact "
        "the school and we agree another time with you.")
    t.p("I am sorry for any inconvenience the change causes. Thank you.")
    t.letter_closing()


def aim_plan(t: Template) -> None:
    """Seed 001's AIM plan template, with the direct quotes of seed 000."""
    t.h1("{{ meeting.title }} plan")
    pupil_details(t)
    attendees_section(t)
    t.tag("{%p if meeting.outcome %}")
    t.h2("Review of the previous plan")
    t.tag("{%p if previous_meeting %}")
    t.p("This meeting reviewed the plan made at the {{ previous_meeting.title }} on "
        "{{ previous_meeting.date }}{% if previous_meeting.target %}, whose target was "
        "“{{ previous_meeting.target }}”{% endif %}.")
    t.tag("{%p endif %}")
    review_figures(t)
    t.p("**Target met:** {{ meeting.outcome.target_met }}")
    t.p("**Decision:** {{ meeting.outcome.decision }}")
    t.tag("{%p if meeting.outcome.discussion %}")
    t.p("{{ meeting.outcome.discussion }}")
    t.tag("{%p endif %}")
    t.tag("{%p endif %}")
    t.h2("Attendance")
    attendance_table(t)
    reasons_section(t, "Reason(s) for absence given by parent(s)/carer(s) or young person")
    barriers_section(t)
    voices(t)
    t.h2("Interventions previously offered and/or completed")
    t.tag("{%p if meeting.interventions %}")
    interventions_table(t, "meeting.interventions",
                        "Interventions previously offered and completed, ticked and dated")
    t.tag("{%p else %}")
    t.p("No interventions were recorded for this meeting.")
    t.tag("{%p endif %}")
    t.h2("Action plan")
    absent_parents_note(t)
    action_plan(t)
    target_and_review(t)
    copies_note(t)


def siblings_table(t: Template) -> None:
    """Seed 002: siblings, including at other schools, for whole-family support."""
    t.table([5.0, 5.7, 3.2, 2.7], [  # 2.7 cm: "Attendance" on one line
        tag_row("{%tr for s in siblings %}"),
        Row(["{{ s.full_name }}", "{{ s.school }}", "{{ s.date_of_birth }}",
             "{% if s.attendance_concern %}Yes{% else %}No{% endif %}"]),
        tag_row("{%tr endfor %}"),
    ], "Brothers and sisters, their schools and any concern about their attendance",
        header=["Name", "School", "Date of birth", "Attendance concern"])


def support_meeting_record(t: Template) -> None:
    """Seed 002's school attendance support meeting template, section by section."""
    t.h1("School attendance support meeting: record and action plan")
    pupil_details(t)
    attendees_section(t)

    t.h2("Siblings")
    t.tag("{%p if siblings %}")
    siblings_table(t)
    t.tag("{%p else %}")
    t.p("No brothers or sisters are recorded.")
    t.tag("{%p endif %}")

    t.h2("Early Help: support and services already involved")
    t.tag("{%p if meeting.early_help_services %}")
    t.bullets("meeting.early_help_services")
    t.tag("{%p else %}")
    t.p("No Early Help or other services were recorded as involved with the family.")
    t.tag("{%p endif %}")

    t.h2("The child’s view")
    t.tag("{%p if meeting.pupil_voice %}")
    quotes(t, "meeting.pupil_voice")
    t.tag("{%p else %}")
    t.p(f"{NAMES} view was not recorded"
        "{% if meeting.attendees and not meeting.pupil_attended %}; " + NAME +
        " did not attend the meeting"
        "{% endif %}.")
    t.tag("{%p endif %}")
    t.tag("{%p if meeting.parent_voice %}")
    t.h2("The parents’ or carers’ view")
    quotes(t, "meeting.parent_voice")
    t.tag("{%p endif %}")

    t.h2("Attendance up to this meeting")
    attendance_table(t)
    reasons_section(t, "Main reasons for absence", level=3)
    barriers_section(t, "Barriers to attendance", level=3)

    t.h2("School interventions and support in school")
    t.tag("{%p if meeting.interventions %}")
    interventions_table(t, "meeting.interventions", "Support and interventions in school")
    t.tag("{%p else %}")
    t.p("No interventions were recorded for this meeting.")
    t.tag("{%p endif %}")

    for heading, key, fallback in (
        ("EHCP or SEN support and reasonable adjustments", "send_support",
         "No EHCP or SEN support was recorded."),
        ("Present situation", "present_situation", "Nothing was recorded."),
        ("Other key issues", "other_issues", "No other key issues were recorded."),
    ):
        t.h2(heading)
        t.tag(f"{{%p if meeting.{key} %}}")
        t.p(f"{{{{ meeting.{key} }}}}")
        t.tag("{%p else %}")
        t.p(fallback)
        t.tag("{%p endif %}")

    t.h2("Action plan aim")
    t.tag("{%p if meeting.target %}")
    t.p("**{{ meeting.target }}**")
    t.tag("{%p else %}")
    t.p("No target was recorded.")
    t.tag("{%p endif %}")
    t.h2("Action plan")
    absent_parents_note(t)
    action_plan(t)
    t.h2("Review date")
    t.tag("{%p if meeting.review_date %}")
    t.p("This plan will be reviewed by **{{ meeting.review_date }}**.")
    t.tag("{%p else %}")
    t.p("No review date was set.")
    t.tag("{%p endif %}")
    copies_note(t)


def review_meeting_record(t: Template) -> None:
    """Seed 002's review meeting: the previous plan, target met, decision, the new plan."""
    t.h1("Attendance review meeting record")
    pupil_details(t)
    attendees_section(t)
    t.h2("Attendance up to this meeting")
    attendance_table(t)

    t.h2("The previous plan")
    t.tag("{%p if previous_meeting %}")
    t.p("This meeting reviewed the plan made at the {{ previous_meeting.title }} on "
        "{{ previous_meeting.date }}.")
    t.tag("{%p if previous_meeting.target %}")
    t.p("**Its target was:** {{ previous_meeting.target }}")
    t.tag("{%p endif %}")
    review_figures(t)
    action_plan(t, "previous_meeting", "The previous action plan")
    t.tag("{%p endif %}")
    t.h3("What has worked well and what has not")
    t.tag("{%p if meeting.outcome and meeting.outcome.discussion %}")
    t.p("{{ meeting.outcome.discussion }}")
    t.tag("{%p else %}")
    t.p("No discussion of the previous plan was recorded.")
    t.tag("{%p endif %}")

    t.tag("{%p if meeting.outcome %}")
    t.h2("Target met?")
    tick = "{% if meeting.outcome.target_met == 'VALUE' %}✓{% endif %}"
    center = WD_ALIGN_PARAGRAPH.CENTER
    t.table([5.5, 5.6, 5.5], [
        Row([Para(tick.replace("VALUE", v), align=center)
             for v in ("Yes", "Some improvement", "No")]),
    ], "Whether the target of the previous plan was met",
        header=["Yes", "Some improvement", "No"])
    t.h2("Decision")
    t.p("**{{ meeting.outcome.decision }}**", before=4)
    t.tag("{%p if meeting.outcome.escalate %}")
    t.p("An action plan to improve attendance stays in place below, so that support for "
        f"{NAME} continues while the case is escalated.")
    t.tag("{%p elif meeting.review_date %}")
    t.p("New review date: **{{ meeting.review_date }}**.")
    t.tag("{%p endif %}")
    t.tag("{%p endif %}")

    voices(t)
    t.tag("{%p if meeting.reasons or meeting.barriers %}")
    t.h2("Reasons for absence and barriers to attendance")
    t.tag("{%p if meeting.reasons %}")
    t.h3("Reasons for absence")
    t.bullets("meeting.reasons")
    t.tag("{%p endif %}")
    barriers_section(t, "Barriers to attendance", level=3)
    t.tag("{%p endif %}")
    t.tag("{%p if meeting.interventions %}")
    t.h2("Support and interventions")
    interventions_table(t, "meeting.interventions", "Support and interventions, ticked and dated")
    t.tag("{%p endif %}")

    t.h2("The new plan")
    absent_parents_note(t)
    action_plan(t, caption="The new action plan")
    target_and_review(t)
    copies_note(t)


def plan_cover_letter(t: Template) -> None:
    """Seeds 001 and 002: the plan goes to each parent with a letter and the review date;
    if they did not attend, the meeting went ahead in their absence.

    Whether this carer attended is read from the names of those present, since letters
    go to each parent individually (seed 000) and one may attend while another does not.
    Another parent is named only when they live together; to a parent who lives apart the
    letter names only the pupil and the staff and agencies who attended.
    """
    t.letter_opening("{{ pupil.full_name }}: the plan from the {{ meeting.title }} on "
                     "{{ meeting.date }}")
    # Only the carers who share this carer's home (context.py, ``household``) are named:
    # parents who live apart may not share information (safeguarding and privacy), so a
    # letter to one never says whether the other came.
    t.tag("{%p set present_carers = meeting.present|selectattr('party', 'equalto', 'carer')"
          "|map(attribute='name')|select('in', carer.household)|list %}")
    t.tag("{%p set professionals = meeting.present|rejectattr('party', 'equalto', 'carer')"
          "|list %}")
    t.tag("{%p set you_attended = carer.full_name in "
          "meeting.present|map(attribute='name')|list %}")
    # Seed 001's plan may ask nothing of the parents: then no "what we are asking of you".
    asks = ("{% if meeting.actions.parents %}, and what we are asking of you.{% else %}. "
            "There is nothing we are asking of you in this plan this time.{% endif %}")
    nothing_asked = ("{% if not meeting.actions.parents %} There is nothing we are asking "
                     "of you in this plan this time.{% endif %}")
    t.tag("{%p if you_attended %}")
    t.p("Thank you for coming to the {{ meeting.title }} on {{ meeting.weekday_date }} to "
        f"talk about {NAMES} attendance. I have enclosed a copy of the plan that we agreed "
        "together. It sets out what {% if meeting.actions.parents %}you, {% endif %}"
        f"{NAME} and the school have each agreed to do to help {NAME} come to school."
        + nothing_asked)
    t.tag("{%p elif present_carers %}")
    t.p("The {{ meeting.title }} about " + NAMES + " attendance took place on "
        "{{ meeting.weekday_date }}, with {{ present_carers|join(' and ') }}. We write to "
        "each parent individually, so I have enclosed your own copy of the plan agreed at "
        "the meeting. It sets out what {% if meeting.actions.parents %}the parents, "
        f"{{% endif %}}{NAME} and the school have each agreed to do to help {NAME} come to "
        "school." + nothing_asked)
    t.tag("{%p elif meeting.parents_attended %}")
    t.p("The {{ meeting.title }} about " + NAMES + " attendance took place on "
        "{{ meeting.weekday_date }}{% if professionals %}, with "
        "{% for x in professionals %}{{ x.name }} ({{ x.role }}){% if loop.revindex == 2 %}"
        " and {% elif not loop.last %}, {% endif %}{% endfor %}{% endif %}. We write to "
        "each parent individually, so I have enclosed your own copy of the plan made at the "
        f"meeting. It sets out what the school will do to support {NAME}" + asks)
    t.tag("{%p elif not meeting.attendees %}")
    t.p("The {{ meeting.title }} about " + NAMES + " attendance took place on "
        "{{ meeting.weekday_date }}. I have enclosed a copy of the plan made at the meeting. "
        f"It sets out what the school will do to support {NAME}" + asks)
    t.tag("{%p else %}")
    t.p("The {{ meeting.title }} about " + NAMES + " attendance took place on "
        "{{ meeting.weekday_date }}. As you were not able to attend, the meeting went ahead "
        "in your absence. I have enclosed a copy of the plan made at the meeting. It sets "
        f"out what the school will do to support {NAME}" + asks)
    t.tag("{%p endif %}")
    t.tag("{%p if meeting.target %}")
    t.p("The attendance target in the plan is: **{{ meeting.target }}**")
    t.tag("{%p endif %}")
    t.tag("{%p if meeting.outcome and meeting.outcome.escalate %}")
    t.p("At the meeting we looked at how the previous plan had gone. Because " + NAMES +
        " attendance has not improved enough, the school has decided to take the next, more "
        "formal step. We will write to you separately about what this means. The plan stays "
        f"in place, and we will keep supporting {NAME}.")
    t.tag("{%p endif %}")
    t.tag("{%p if meeting.review_date %}")
    t.p("We will review the plan by **{{ meeting.review_date }}**. We will let you know the "
        "date, time and place of the review meeting, and we would like you to be there.")
    t.tag("{%p endif %}")
    t.tag("{%p if you_attended %}")
    t.p(f"If anything changes, or you have any questions about the plan, please contact "
        f"me{CONTACT}.")
    t.tag("{%p else %}")
    t.p(f"If you do not agree with the plan, or would like to add anything to it, please "
        f"contact me{CONTACT}. We would very much like to hear your views and to work "
        f"with you to help {NAME}.")
    t.tag("{%p endif %}")
    t.p("Thank you for your support.")
    t.letter_closing(enclosure="a copy of the plan from the {{ meeting.title }} on "
                               "{{ meeting.date }}")


def notice_to_improve(t: Template) -> None:
    """DfE, Working together to improve school attendance (2024): the Notice to Improve."""
    t.letter_opening("Notice to Improve: {{ pupil.full_name }}’s attendance at "
                     "{{ school.name }}")
    t.p("This letter is a **Notice to Improve**. It is a formal notice about " + NAMES +
        " attendance at school, and a final opportunity for you to work with us and the "
        "support on offer to improve it before a penalty notice is issued or prosecution "
        "is considered.")
    t.h2(f"{NAMES} attendance record")
    attendance_intro(t)
    t.p("Regular attendance at school helps children to learn, to make and keep friends, "
        "and to feel safe and supported. As a parent, you have a legal duty under section 7 "
        "of the Education Act 1996 to make sure that " + NAME + " receives a suitable "
        "full-time education, and, as " + NAME + " is registered at a school, to make sure "
        f"that {NAME} attends it regularly. Failing to secure regular attendance is an "
        "offence under section 444 of the Education Act 1996.", before=8)

    t.h2("The support already offered")
    t.tag("{%p set offered = meetings|rejectattr('kind', 'equalto', 'legal_consultation')"
          "|list %}")
    t.tag("{%p if offered %}")
    t.p("We have offered these meetings to talk about " + NAMES + " attendance:",
        keep_next=True)
    status = ("{% if m.status == 'held' %}Held{% elif m.status == 'planned' %}Planned"
              "{% elif m.status == 'did_not_proceed' %}Did not go ahead"
              "{% else %}Cancelled{% endif %}")
    t.table([3.6, 7.2, 5.8], [
        tag_row("{%tr for m in offered %}"),
        Row(["{{ m.date }}", "{{ m.title[:1]|upper }}{{ m.title[1:] }}", status]),
        tag_row("{%tr endfor %}"),
    ], "Meetings offered about attendance", header=["Date", "Meeting", "What happened"])
    t.tag("{%p endif %}")
    t.tag("{%p if interventions %}")
    t.p("We have offered this support:", before=8, keep_next=True)
    interventions_table(t, "interventions", "Support offered, ticked and dated")
    t.tag("{%p endif %}")
    t.tag("{%p if not offered and not interventions %}")
    t.p("The support offered so far is set out in our earlier letters to you.")
    t.tag("{%p endif %}")
    t.p("Support is still available to you and " + NAME + ", including any support offered "
        "before that you were not able to take up. We would like to meet you to talk about "
        f"what would help. Please contact me{CONTACT} to arrange this.", before=8)

    t.h2("The improvement period")
    t.p("The improvement period is **{{ notice.period_weeks }} weeks**, from "
        "{{ notice.issued_on }} until **{{ notice.period_ends }}**. During this time we will "
        f"monitor {NAMES} attendance closely.")
    t.p("**What counts as sufficient improvement:** {{ notice.sufficient_improvement }}")

    t.h2("What happens if attendance does not improve")
    t.p("**If " + NAMES + " attendance does not improve sufficiently by "
        "{{ notice.period_ends }}, a penalty notice may be issued to you, or the local "
        "authority may consider prosecution or other legal action.** A penalty notice may "
        "be issued before the end of the improvement period only if it becomes clear that "
        "sufficient improvement can no longer be made within it.")
    t.p("A penalty notice is issued to each parent, for each child. It is "
        "{{ profile.penalty_first_21_days }} if paid within 21 days, or "
        "{{ profile.penalty_first_28_days }} if paid within 28 days; a second penalty notice "
        "for the same child within three years is {{ profile.penalty_second }}. If a penalty "
        "notice is not paid, the local authority will consider prosecution in the "
        "magistrates’ court.")
    t.tag("{%p if penalty_notices %}")
    t.p("Penalty notices already issued for " + NAME + ":", keep_next=True)
    t.bullets("penalty_notices", "{{ n.carer }}, issued on {{ n.issued_on }}", "n")
    t.tag("{%p endif %}")
    t.p(f"We would much rather work with you than take this step. If there is anything "
        f"making it hard for {NAME} to attend school, please tell us, so that we can help.")
    t.letter_closing()


def attendance_contract(t: Template) -> None:
    """DfE 2024 (replacing parenting contracts for attendance); seed 004, Tier 3."""
    t.h1("Attendance contract")
    t.p("This attendance contract is a written agreement between "
        "{% for c in carers if c.parental_responsibility %}{{ c.full_name }}"
        "{% if not loop.last %}, {% endif %}{% endfor %} and {{ school.name }} about "
        "{{ pupil.full_name }}’s attendance at school. It was agreed at a meeting on "
        "{{ meeting.weekday_date }}.")
    pupil_details(t)
    t.h2("About this contract")
    t.p("Agreeing to this contract is voluntary, and it is not legally binding. It sets out "
        "the support the school and other services will give, and what each person agrees "
        f"to do to improve {NAMES} attendance.")
    t.p("**Please be aware that if you refuse to agree a contract, or do not keep to what "
        "you have agreed, this can be used as evidence in court if the local authority "
        "later decides to take legal action about " + NAMES + " attendance.**")
    attendees_section(t, "Who took part")
    t.h2("Attendance up to this meeting")
    attendance_table(t)
    t.tag("{%p if meeting.reasons or meeting.barriers %}")
    t.h2("What is making attendance difficult")
    t.bullets("meeting.reasons + meeting.barriers")
    t.tag("{%p endif %}")
    voices(t)
    t.tag("{%p if meeting.interventions %}")
    t.h2("Support already offered")
    interventions_table(t, "meeting.interventions", "Support already offered, ticked and dated")
    t.tag("{%p endif %}")
    t.h2("What each of us agrees to do")
    action_plan(t, caption="Commitments of the young person, parents, school and others")
    target_and_review(t, review_heading="Review")
    t.h2("Signatures")
    t.p("By signing, each person agrees to do their best to keep to this contract.")
    t.table([5.0, 3.6, 5.0, 3.0], [
        tag_row("{%tr for c in carers if c.parental_responsibility %}"),
        Row(["{{ c.full_name }}", "{{ c.relationship }}", "", ""], height_cm=1.3),
        tag_row("{%tr endfor %}"),
        tag_row("{%tr if meeting.pupil_of_age %}"),
        Row(["{{ pupil.full_name }}", "Pupil", "", ""], height_cm=1.3),
        tag_row("{%tr endif %}"),
        Row(["{{ school.signatory_name }}",
             "{{ school.signatory_role }}{% if school.signatory_role %}, {% endif %}"
             "{{ school.name }}", "", ""], height_cm=1.3),
    ], "Signatures of the parents, the pupil and the school",
        header=["Name", "Role", "Signature", "Date"])
    t.p("A signed copy of this contract is given to each person who signs it.",
        "Small Print", before=10)


def legal_referral(t: Template) -> None:
    """Seed 000 (Request to Initiate Legal Proceedings) and seed 004 (Legal Interventions
    Referral): the case, the record, and the chronology of support and engagement."""
    form = "{{ profile.legal_referral_form[:1]|upper }}{{ profile.legal_referral_form[1:] }}"
    t.h1(form)
    t.p("From {{ school.name }} to the local authority, for the attention of the officer "
        "responsible for legal intervention in school attendance. Prepared on {{ today }}.")

    t.h2("1. Case summary")
    pupil_details(t, meeting=False)
    t.p("{% if attendance.shown %}" + NAMES + " attendance was **{{ attendance.figure }}**"
        "{{ attendance.over_period }} ({{ attendance.tier }}, "
        "{{ attendance.tier_band }}){% if attendance.severely_absent %}: " + NAME +
        " was severely absent (missing 50% or more of sessions){% elif "
        "attendance.persistently_absent %}: " + NAME + " was persistently absent (missing "
        "10% or more of sessions){% endif %}.{% if attendance.note %} {{ attendance.note }}"
        "{% endif %}{% else %}{{ attendance.note }}{% endif %} The support offered, the "
        "family’s engagement with it, and the meetings held are set out below in date order.",
        before=8)
    t.h3("Parents and carers")
    t.tag("{%p if carers %}")
    # 2.9 and 3.1 cm: "Relationship" and "responsibility" each on one line; 3.6 cm: an
    # email address such as "sam@example.org" unbroken.
    t.table([3.2, 2.9, 3.1, 3.8, 3.6], [
        tag_row("{%tr for c in carers %}"),
        Row(["{{ c.full_name }}", "{{ c.relationship }}",
             "{% if c.parental_responsibility %}Yes{% else %}No{% endif %}",
             "{{ c.address_lines|join(', ') }}", "{{ c.email }}"]),
        tag_row("{%tr endfor %}"),
    ], "Parents and carers", header=["Name", "Relationship", "Parental responsibility",
                                     "Address", "Email"])
    t.tag("{%p else %}")
    t.p("No parents or carers are recorded.")
    t.tag("{%p endif %}")
    t.tag("{%p if siblings %}")
    t.h3("Siblings")
    siblings_table(t)
    t.tag("{%p endif %}")
    t.tag("{%p if meeting %}")
    t.h3("Consultation")
    # The profile's "your Inclusion Officer" speaks to the school; in the school's own
    # referral the role is named plainly, with the officer's name where it is recorded.
    t.p("The school consulted {% if consulted.name %}{{ consulted.name }}, "
        "{{ consulted.role }},{% else %}{{ consulted.role }}{% endif %} at the "
        "{{ meeting.title }} on {{ meeting.weekday_date }}{% if meeting.time %} at "
        "{{ meeting.time }}{% endif %}.{% if meeting.present %} Present: "
        "{% for x in meeting.present %}{{ x.name }} ({{ x.role }}){% if loop.revindex == 2 %}"
        " and {% elif not loop.last %}, {% endif %}{% endfor %}.{% endif %}")
    t.tag("{%p endif %}")

    t.h2("2. Attendance record")
    attendance_table(t, internal=True)

    t.h2("3. Chronology of support offered and engagement")
    t.tag("{%p if chronology %}")
    t.table([3.2, 2.0, 11.4], [  # 2 cm: "10:15am" on one line
        tag_row("{%tr for e in chronology %}"),
        Row(["{{ e.date }}", "{{ e.time }}", "{{ e.event }}"]),
        tag_row("{%tr endfor %}"),
    ], "Every contact and meeting in date order", header=["Date", "Time", "Event"])
    t.tag("{%p else %}")
    t.p("No contacts or meetings are recorded.")
    t.tag("{%p endif %}")

    t.h2("4. Meetings")
    t.tag("{%p if meetings %}")
    status = ("{% if m.status == 'held' %}Held{% elif m.status == 'planned' %}Planned"
              "{% elif m.status == 'did_not_proceed' %}Did not go ahead"
              "{% else %}Cancelled{% endif %}")
    t.table([2.6, 3.0, 2.1, 5.6, 3.3], [
        tag_row("{%tr for m in meetings %}"),
        Row(["{{ m.date }}", "{{ m.title[:1]|upper }}{{ m.title[1:] }}",
             status + "{% if m.reason_not_proceeded %}: {{ m.reason_not_proceeded }}"
                      "{% endif %}",
             "{% if m.status in ['held', 'did_not_proceed'] %}"
             "{% for x in m.present %}{{ x.name }} ({{ x.role }})"
             "{% if not loop.last %}; {% endif %}{% endfor %}"
             "{% if m.absent %}{% if m.present %}. {% endif %}Absent: "
             "{% for x in m.absent %}{{ x.name }} ({{ x.role }})"
             "{% if not loop.last %}; {% endif %}{% endfor %}{% endif %}{% endif %}",
             "{% if m.outcome %}Target met: {{ m.outcome.target_met }}. "
             "{{ m.outcome.decision }}.{% elif m.target %}Target: {{ m.target }}{% endif %}"]),
        tag_row("{%tr endfor %}"),
    ], "Meetings about attendance, who attended and the outcome",
        header=["Date", "Meeting", "Status", "Who attended", "Target or outcome"])
    t.tag("{%p else %}")
    t.p("No meetings are recorded.")
    t.tag("{%p endif %}")
    t.tag("{%p set quoted_contacts = interactions|selectattr('quotes')|list %}")
    t.tag("{%p if meetings|selectattr('pupil_voice')|list or "
          "meetings|selectattr('parent_voice')|list or quoted_contacts %}")
    t.h3("In their own words")
    t.p("What the pupil and the parents or carers said, as recorded at the time.")
    t.tag("{%p for m in meetings if m.pupil_voice or m.parent_voice %}")
    t.p("**{{ m.title[:1]|upper }}{{ m.title[1:] }}, {{ m.date }}**", keep_next=True)
    quotes(t, "m.pupil_voice + m.parent_voice")
    t.tag("{%p endfor %}")
    t.tag("{%p for i in quoted_contacts %}")
    t.p("**{{ i.mode[:1]|upper }}{{ i.mode[1:] }}, {{ i.date }}"
        "{% if i.time %}, {{ i.time }}{% endif %}**", keep_next=True)
    quotes(t, "i.quotes")
    t.tag("{%p endfor %}")
    t.tag("{%p endif %}")

    t.h2("5. Interventions")
    t.tag("{%p if interventions %}")
    interventions_table(t, "interventions", "Interventions offered and completed, ticked and "
                                            "dated")
    t.tag("{%p else %}")
    t.p("No interventions are recorded.")
    t.tag("{%p endif %}")

    t.tag("{%p if notice %}")
    t.h2("6. Notice to Improve")
    t.p("A Notice to Improve was issued on {{ notice.issued_on }}, with an improvement period "
        "of {{ notice.period_weeks }} weeks ending on {{ notice.period_ends }}."
        "{% if notice.sufficient_improvement %} Sufficient improvement was defined as: "
        "{{ notice.sufficient_improvement }}{% endif %}")
    t.tag("{%p endif %}")

    t.h2("{% if notice %}7{% else %}6{% endif %}. Penalty notices")
    t.tag("{%p if penalty_notices %}")
    t.table([8.3, 8.3], [
        tag_row("{%tr for n in penalty_notices %}"),
        Row(["{{ n.carer }}", "{{ n.issued_on }}"]),
        tag_row("{%tr endfor %}"),
    ], "Penalty notices issued for this child", header=["Issued to", "Issued on"])
    t.tag("{%p else %}")
    t.p("No penalty notices have been issued for this child.")
    t.tag("{%p endif %}")

    t.h2("{% if notice %}8{% else %}7{% endif %}. Completed by")
    t.table([5.0, 11.6], [
        Row(["Name", "{{ school.signatory_name }}"]),
        Row(["Role", "{{ school.signatory_role }}"]),
        Row(["School", "{{ school.name }}"]),
        Row(["Signature", ""], height_cm=1.3),
        Row(["Date", ""], height_cm=0.9),
    ], "Who completed this referral", label_column=True)
    t.p("Attach the letters sent to the parents, the meeting records and plans, the "
        "covering letters and the registration certificate.", "Small Print", before=10)


def apdr_form(t: Template) -> None:
    """Seed 004, Tier 2: an Assess, Plan, Do, Review form with the pupil's voice."""
    t.h1("Assess, Plan, Do, Review (APDR): attendance")
    t.tag("{%p if meeting %}")
    pupil_details(t)
    t.tag("{%p else %}")
    pupil_details(t, meeting=False, date_label="Date")
    t.tag("{%p endif %}")

    t.h2("Assess")
    t.h3("Attendance")
    attendance_table(t, internal=True)
    t.h3("Reasons for absence")
    t.tag("{%p if meeting and meeting.reasons %}")
    t.bullets("meeting.reasons")
    t.tag("{%p else %}")
    t.p("Not yet recorded.")
    t.tag("{%p endif %}")
    t.tag("{%p if meeting and meeting.barriers %}")
    t.h3("Barriers to attendance")
    t.bullets("meeting.barriers")
    t.tag("{%p endif %}")

    t.h2("Plan")
    t.tag("{%p if meeting %}")
    t.tag("{%p if meeting.target %}")
    t.p("**Target:** {{ meeting.target }}")
    t.tag("{%p endif %}")
    action_plan(t)
    t.tag("{%p if meeting.review_date %}")
    t.p("This plan will be reviewed by **{{ meeting.review_date }}**.", before=8)
    t.tag("{%p endif %}")
    t.tag("{%p else %}")
    t.p("Not yet recorded.")
    t.tag("{%p endif %}")

    t.h2("Do")
    do = "(meeting.interventions if meeting and meeting.interventions else interventions)"
    t.tag(f"{{%p if {do} %}}")
    interventions_table(t, do, "Interventions put in place, ticked and dated")
    t.tag("{%p else %}")
    t.p("No interventions are recorded yet.")
    t.tag("{%p endif %}")

    t.h2("Review")
    t.tag("{%p if meeting and meeting.outcome %}")
    t.tag("{%p if previous_meeting %}")
    t.p("This review looked back on the plan made at the {{ previous_meeting.title }} on "
        "{{ previous_meeting.date }}.")
    t.tag("{%p endif %}")
    review_figures(t)
    t.p("**Target met:** {{ meeting.outcome.target_met }}")
    t.p("**Decision:** {{ meeting.outcome.decision }}")
    t.tag("{%p if meeting.outcome.discussion %}")
    t.p("{{ meeting.outcome.discussion }}")
    t.tag("{%p endif %}")
    t.tag("{%p else %}")
    t.p("Not yet reviewed.")
    t.tag("{%p endif %}")

    t.h2("Pupil voice")
    t.tag("{%p if meeting and meeting.pupil_voice %}")
    quotes(t, "meeting.pupil_voice")
    t.tag("{%p else %}")
    t.p(f"{NAMES} views have not been recorded yet.")
    t.tag("{%p endif %}")
    t.tag("{%p if meeting and meeting.parent_voice %}")
    t.h3("The parents’ or carers’ views")
    quotes(t, "meeting.parent_voice")
    t.tag("{%p endif %}")
    t.tag("{%p if meeting %}")
    t.h2("Who took part")
    t.tag("{%p if meeting.attendees %}")
    t.table([6.6, 6.6, 3.4], [
        tag_row("{%tr for person in meeting.attendees %}"),
        Row(["{{ person.name }}", "{{ person.role }}", "{{ person.attendance }}"]),
        tag_row("{%tr endfor %}"),
    ], "People at the meeting, their roles and whether they attended",
        header=["Name", "Role", "Attended"])
    t.tag("{%p else %}")
    t.p("No attendees were recorded.")
    t.tag("{%p endif %}")
    t.tag("{%p endif %}")
    copies_note(t, exhibited=False)


BUILDERS: dict[str, tuple[Callable[[Template], None], bool]] = {
    "letter_of_concern": (letter_of_concern, True),
    "support_meeting_invitation": (support_meeting_invitation, True),
    "aim_invitation": (aim_invitation, True),
    "review_meeting_invitation": (review_meeting_invitation, True),
    "meeting_rearranged": (meeting_rearranged, True),
    "aim_plan": (aim_plan, False),
    "support_meeting_record": (support_meeting_record, False),
    "review_meeting_record": (review_meeting_record, False),
    "plan_cover_letter": (plan_cover_letter, True),
    "notice_to_improve": (notice_to_improve, True),
    "attendance_contract": (attendance_contract, False),
    "legal_referral": (legal_referral, False),
    "apdr_form": (apdr_form, False),
}


def build(kind: dict[str, str], folder: Path = HERE) -> Path:
    body, letter = BUILDERS[kind["kind"]]
    t = Template(kind["title"], letter)
    body(t)
    path = folder / kind["file"]
    t.save(path, kind["source"])
    return path


def school_on_a_page(t: Template) -> None:
    """Seed 003's "school on a page", for governors and the termly targeting meeting: the
    school's attendance in figures, with no pupil named."""
    footer = t.doc.sections[0].footer.paragraphs[0]
    footer.runs[0].text = "{{ footer }}\tPage "  # no case reference on a school's page
    t.h1("School on a page: attendance")
    t.p("**{{ school.name }}**, {{ phase }}: {{ pupils }} pupils, figures to {{ figures_to }}.")
    t.h2("Key figures")
    t.table([11.6, 5.0], [
        tag_row("{%tr for m in measures %}"),
        Row(["{{ m.label }}", "{{ m.value }}"]),
        tag_row("{%tr endfor %}"),
    ], "The school's attendance figures", label_column=True)
    t.h2("Trend")
    # A trend needs two imports; with one, a sentence says so instead of a one-row table.
    t.tag("{%p if trend_note %}")
    t.p("{{ trend_note }}")
    t.tag("{%p else %}")
    t.table([4.6, 4.0, 4.0, 4.0], [
        tag_row("{%tr for e in trend %}"),
        Row(["{{ e.to }}", "{{ e.overall }}", "{{ e.persistent }}", "{{ e.severe }}"]),
        tag_row("{%tr endfor %}"),
    ], "Overall attendance and absence rates at each export",
        header=["Figures to", "Overall attendance", "Persistently absent", "Severely absent"])
    t.tag("{%p endif %}")
    t.h2("Year groups")
    t.table([4.6, 3.0, 4.5, 4.5], [
        tag_row("{%tr for c in year_groups %}"),
        Row(["{{ c.group }}", "{{ c.pupils }}", "{{ c.overall }}", "{{ c.persistent }}"]),
        tag_row("{%tr endfor %}"),
    ], "Attendance by year group",
        header=["Year group", "Pupils", "Overall attendance", "Persistently absent"])
    t.h2("Termly targeting support")
    t.p("{{ targeting }}")
    t.p("{{ plans }}")
    t.p("{{ source }}", "Small Print")


REPORT_BUILDERS: dict[str, Callable[[Template], None]] = {
    "school_on_a_page": school_on_a_page,
}


def build_report(report: dict[str, str], folder: Path = HERE) -> Path:
    """A template for a school-level report (the catalogue's "reports"), not a case's."""
    t = Template(report["title"], False)
    REPORT_BUILDERS[report["report"]](t)
    path = folder / report["file"]
    t.save(path, report["source"])
    return path


def main(argv: Sequence[str]) -> int:
    catalogue = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    kinds, reports = catalogue["kinds"], catalogue.get("reports", [])
    wanted = set(argv)
    unknown = wanted - {k["kind"] for k in kinds} - {r["report"] for r in reports}
    if unknown:
        print(f"unknown kinds: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    missing = {k["kind"] for k in kinds} - set(BUILDERS)
    if missing:
        print(f"no builder for: {', '.join(sorted(missing))}", file=sys.stderr)
        return 1
    for kind in kinds:
        if not wanted or kind["kind"] in wanted:
            print(build(kind).relative_to(HERE.parent))
    for report in reports:
        if not wanted or report["report"] in wanted:
            print(build_report(report).relative_to(HERE.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

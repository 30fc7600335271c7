"""The Template: one .docx under construction, with the house styles, the page, the
letterhead (a letter's in a block as deep as the space above the DL window), the footer,
the body's paragraphs, headings and tables, a letter's opening and closing, and saving with
fixed timestamps so that a rebuild is byte-identical."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from function_app.documents.word_fields import add_field

from .house_style import (
    ADDRESS_WIDTH_CM,
    DARK_BLUE,
    FONT,
    GREY,
    HAIRLINE_PT,
    HEADER_DISTANCE_CM,
    LETTERHEAD_DEPTH_CM,
    LOGO_CELL_CM,
    MARGIN_BOTTOM,
    MARGIN_SIDE,
    MARGIN_TOP,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    TEXT_WIDTH_CM,
    WINDOW_HEIGHT_CM,
    Para,
    Row,
    add_para,
    add_row,
    add_runs,
    add_tag,
    bottom_rule,
    fill_cell,
    layout_table,
    set_fonts,
    table_look,
    top_rule,
)

# Fixed times in the document properties and in the zip, so a rebuild is byte-identical.
FIXED_TIME = datetime(2026, 1, 1, 0, 0, 0)
ZIP_TIME = (2026, 1, 1, 0, 0, 0)


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
        set_fonts(rpr, FONT)
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
            bottom_rule(add_para(header, "", "Letterhead Rule"))
            return
        # A letter: page 1 has its own header, the letterhead in a block exactly as deep as
        # the space above the DL window, so the body (the address) starts 50 mm from the
        # top; later pages have a slim header and start near the normal top margin.
        section.different_first_page_header_footer = True
        self._window_letterhead(section.first_page_header)
        self._footer(section.first_page_footer)
        self._marking(header.paragraphs[0])
        bottom_rule(add_para(header, "{{ school.name }}", "Letterhead Detail"))

    def _footer(self, footer: Any) -> None:
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.style = self.doc.styles["Footer"]
        top_rule(p)
        p.add_run("Reference {{ case_ref }}\tPage ")
        add_field(p, "PAGE")
        p.add_run(" of ")
        add_field(p, "NUMPAGES")
        add_tag(footer, "{%p if marking %}")
        add_para(footer, "{{ marking }}", "Protective Marking").paragraph_format.space_before = \
            Pt(4)
        add_tag(footer, "{%p endif %}")

    def _window_letterhead(self, header: Any) -> None:
        """Page 1 of a letter: the marking, the letterhead and its rule inside one borderless
        cell whose row is exactly LETTERHEAD_DEPTH_CM high, then a hairline paragraph (Word
        needs a paragraph last), so the header ends where the window begins whatever it
        holds: Word and LibreOffice both start the body right below a header that is
        deeper than the top margin."""
        header.is_linked_to_previous = False
        block = layout_table(header.add_table(1, 1, Cm(TEXT_WIDTH_CM)), [TEXT_WIDTH_CM],
                             "Letterhead")
        row = block.rows[0]
        row.height, row.height_rule = Cm(LETTERHEAD_DEPTH_CM), WD_ROW_HEIGHT_RULE.EXACTLY
        cell = row.cells[0]
        self._marking(cell.paragraphs[0])
        self._letterhead(cell)
        bottom_rule(cell.paragraphs[-1])
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
        table = layout_table(container.add_table(1, 2, Cm(TEXT_WIDTH_CM))
                             if not isinstance(container, _Cell)
                             else container.add_table(1, 2),
                             [LOGO_CELL_CM, text_width], "Letterhead")
        logo, school = table.rows[0].cells
        logo.paragraphs[0].style = self.doc.styles["Header"]
        add_runs(logo.paragraphs[0], "{{ logo }}")
        fill_cell(school, [
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
        add_para(container, "{{ marking }}", "Protective Marking")
        add_tag(container, "{%p endif %}")

    # -- body -------------------------------------------------------------------------

    def p(self, text: str = "", style: str = "Normal",
          align: WD_ALIGN_PARAGRAPH | None = None, before: float | None = None,
          after: float | None = None, keep_next: bool = False) -> Paragraph:
        if self._first is not None:
            paragraph, self._first = self._first, None
            paragraph.style = self.doc.styles[style]
        else:
            paragraph = self.doc.add_paragraph(style=style)
        add_runs(paragraph, text)
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
        table_look(table, widths, caption, label_column, bool(header))
        if header:
            add_row(table, widths, Row(cells=[Para(h, "Table Heading") for h in header],
                                       header=True), header=True)
        for row in rows:
            add_row(table, widths, row, label_column=label_column)
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
        table = layout_table(self.doc.add_table(rows=1, cols=2),
                             [ADDRESS_WIDTH_CM, TEXT_WIDTH_CM - ADDRESS_WIDTH_CM],
                             "Recipient's name and address, date and our reference",
                             top_cm=0.2)
        row = table.rows[0]
        row.height, row.height_rule = Cm(WINDOW_HEIGHT_CM), WD_ROW_HEIGHT_RULE.EXACTLY
        recipient, dated = row.cells
        fill_cell(recipient, [
            Para("{{ carer.full_name }}", "Address"),
            Para("{%p for line in carer.address_lines %}"),
            Para("{{ line }}", "Address"),
            Para("{%p endfor %}"),
            Para("{%p if carer.email and not carer.address_lines %}"),
            Para("By email: {{ carer.email }}", "Address"),
            Para("{%p endif %}"),
        ])
        fill_cell(dated, [Para("{{ today }}", "Letter Date"),
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

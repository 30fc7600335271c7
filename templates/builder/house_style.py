"""The house style every template shares: the A4 page and the DL window's measurements,
fonts and colours, the Jinja phrases for the pupil's name and the school's contact details,
and the low-level pieces a template is built from (paragraphs with **bold** runs, tag
paragraphs, rules, and tables with the house look or a borderless layout)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

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


# --- rows and paragraphs of a template -----------------------------------------------------


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


# --- low-level helpers -------------------------------------------------------------------


_BOLD = re.compile(r"(\*\*.+?\*\*)")


def add_runs(paragraph: Paragraph, text: str) -> None:
    """Text with **bold** spans as runs; nothing else is interpreted."""
    for part in _BOLD.split(text):
        if not part:
            continue
        if part.startswith("**") and part.endswith("**"):
            paragraph.add_run(part[2:-2]).bold = True
        else:
            paragraph.add_run(part)


def add_para(container: Any, text: str, style: str) -> Paragraph:
    paragraph: Paragraph = container.add_paragraph(style=style)
    add_runs(paragraph, text)
    return paragraph


def add_tag(container: Any, text: str) -> Paragraph:
    paragraph: Paragraph = container.add_paragraph(text)
    return paragraph


def set_fonts(rpr: Any, name: str) -> None:
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


def bottom_rule(paragraph: Paragraph) -> None:
    """A thin line under the paragraph (the end of the letterhead)."""
    ppr = paragraph._p.get_or_add_pPr()
    pbdr = OxmlElement("w:pBdr")
    pbdr.append(_border("bottom", 6, "1F3864"))
    _insert_pbdr(ppr, pbdr)
    paragraph.paragraph_format.space_after = Pt(6)


def top_rule(paragraph: Paragraph) -> None:
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


def table_look(table: Table, widths: Sequence[float], caption: str, label_column: bool,
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


def layout_table(table: Table, widths: Sequence[float], description: str,
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


def add_row(table: Table, widths: Sequence[float], row: Row, header: bool = False,
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
        fill_cell(cells[0], [Para(row.tag)])
        for cell in cells[1:]:
            fill_cell(cell, [Para("")])
        return
    for i, (cell, content) in enumerate(zip(cells, row.cells, strict=True)):
        if isinstance(content, str):
            content = [Para(content, "Table Heading" if (label_column and i == 0)
                            else "Table Text")]
        elif isinstance(content, Para):
            content = [content]
        fill_cell(cell, content)  # type: ignore[arg-type]
        if header:
            _shade(cell, HEADER_FILL)
        elif label_column and i == 0:
            _shade(cell, LABEL_FILL)


def fill_cell(cell: _Cell, paragraphs: Sequence[Para | str]) -> None:
    first = True
    for spec in paragraphs:
        if isinstance(spec, str):
            spec = Para(spec)
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        paragraph.style = spec.style
        add_runs(paragraph, spec.text)
        if spec.align is not None:
            paragraph.alignment = spec.align


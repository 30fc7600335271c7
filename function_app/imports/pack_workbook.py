"""The targeting pack's workbook as printed for the meeting (openpyxl): every sheet
landscape and one page wide, its column headings bold, wrapped and repeated at the top of
each printed page, and the long lines of text wrapped within the table's width instead of
running off the page; with the native Excel charts the sheets draw.

The sheets' content is in targeting_pack.py.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .found import mark_as_ours

PERCENT = "0.0%"
LINE = 15.0  # points: one line of Excel's default 11-point Calibri


def _lines(text: str, width: float, size: float = 11, bold: bool = False) -> int:
    """How many lines TEXT wraps to in a cell WIDTH characters wide (a generous guess)."""
    room = max(1.0, (width - 1.5) * 11 / size / (1.1 if bold else 1.0))
    lines, used = 1, 0.0
    for word in text.split():
        if not used:
            used = len(word)
        elif used + 1 + len(word) <= room:
            used += 1 + len(word)
        else:
            lines, used = lines + 1, len(word)
        while used > room:
            lines, used = lines + 1, used - room
    return lines


@dataclass
class _Layout:
    """What a sheet's finishing needs: its table's width, heading row and long text."""

    columns: int = 1
    header: int | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)  # row, first column


class PackWorkbook:
    """A workbook of the targeting pack, its sheets set up to print for the meeting."""

    def __init__(self) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Font

        self.book = Workbook()
        mark_as_ours(self.book)
        self.bold = Font(bold=True)
        self.title_font = Font(bold=True, size=14)
        self._first = True
        self._layout: dict[str, _Layout] = {}

    def sheet(self, title: str) -> Any:
        if self._first:
            ws = self.book.active
            ws.title = title
            self._first = False
        else:
            ws = self.book.create_sheet(title)
        # Printed for the targeting meeting: landscape, each sheet one page wide.
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        self._layout[title] = _Layout()
        return ws

    def heading(self, ws: Any, *cells: object) -> None:
        """The table's column headings: bold, wrapped, repeated on every printed page."""
        ws.append(list(cells))
        for cell in ws[ws.max_row]:
            cell.font = self.bold
        layout = self._layout[ws.title]
        layout.columns = max(layout.columns, len(cells))
        if layout.header is None:
            layout.header = ws.max_row

    def title(self, ws: Any, text: str, *lines: str) -> None:
        ws.append([text])
        ws.cell(row=ws.max_row, column=1).font = self.title_font
        self._layout[ws.title].spans.append((ws.max_row, 1))
        for line in lines:
            ws.append([line])
            self._layout[ws.title].spans.append((ws.max_row, 1))
        ws.append([])

    def span(self, ws: Any, label: str, text: str) -> None:
        """A label and a long text, the text across the rest of the table's width."""
        ws.append([label, text])
        self._layout[ws.title].spans.append((ws.max_row, 2))

    def percent_columns(self, ws: Any, first_row: int, *columns: int) -> None:
        for col in columns:
            for (cell,) in ws.iter_rows(min_row=first_row, min_col=col, max_col=col):
                cell.number_format = PERCENT

    def widths(self, ws: Any, *widths: int) -> None:
        from openpyxl.utils import get_column_letter

        for n, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(n)].width = w

    def _finish(self, ws: Any) -> None:
        """Wraps what would run off the printed page and sets the print titles."""
        from openpyxl.styles import Alignment
        from openpyxl.utils import get_column_letter

        layout = self._layout[ws.title]
        last = layout.columns
        width = [float(ws.column_dimensions[get_column_letter(c)].width or 13)
                 for c in range(1, last + 1)]
        spanned = {row for row, _ in layout.spans}
        for row, first in layout.spans:
            cell = ws.cell(row=row, column=first)
            if first < last:
                ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            size = float(cell.font.sz or 11)
            lines = _lines(str(cell.value or ""), sum(width[first - 1:last]), size)
            ws.row_dimensions[row].height = lines * LINE * max(size, 11) / 11
        if layout.header is not None:
            header = layout.header
            lines = 1
            for cell in ws[header][:last]:
                cell.alignment = Alignment(wrap_text=True, vertical="bottom")
                lines = max(lines, _lines(str(cell.value or ""), width[cell.column - 1],
                                          bold=True))
            ws.row_dimensions[header].height = lines * LINE
            ws.print_title_rows = f"{header}:{header}"
        for row in ws.iter_rows(min_row=(layout.header or 0) + 1, max_col=last):
            if not row or row[0].row in spanned:
                continue
            lines = 1
            for cell in row:
                if isinstance(cell.value, str) and len(cell.value) > width[cell.column - 1]:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                    lines = max(lines, _lines(cell.value, width[cell.column - 1]))
            if lines > 1:
                ws.row_dimensions[row[0].row].height = lines * LINE

    def save(self) -> bytes:
        for ws in self.book.worksheets:
            self._finish(ws)
        buffer = io.BytesIO()
        self.book.save(buffer)
        return buffer.getvalue()


def tier_chart(ws: Any, first_row: int, bands: int, anchor: str) -> None:
    """A bar chart of the pupils per tier, from the tier rows starting at ``first_row``."""
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.title = "Pupils per tier"
    chart.y_axis.title = "Pupils"
    chart.legend = None
    chart.add_data(Reference(ws, min_col=2, min_row=first_row, max_row=first_row + bands - 1))
    chart.set_categories(Reference(ws, min_col=1, min_row=first_row,
                                   max_row=first_row + bands - 1))
    ws.add_chart(chart, anchor)


def line_chart(ws: Any, title: str, columns: Sequence[int], header_row: int, last_row: int,
               anchor: str) -> None:
    """A line chart of percentage columns, one line per column, over the rows below the
    heading row."""
    from openpyxl.chart import LineChart, Reference

    chart = LineChart()
    chart.title = title
    chart.y_axis.title = "%"
    chart.y_axis.number_format = "0%"
    for col in columns:
        chart.add_data(Reference(ws, min_col=col, min_row=header_row, max_row=last_row),
                       titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_row))
    ws.add_chart(chart, anchor)


def column_letter(n: int) -> str:
    """Excel's letter(s) for the n-th column, counting from 1."""
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(n))

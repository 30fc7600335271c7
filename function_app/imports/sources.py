"""Open an export: the sheets of a workbook (python-calamine) or the rows of a CSV file.

Rows keep the sheet's own numbering: row index 0 is Excel's row 1 even when the export
leaves the top rows empty.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import cast

from .model import ImportProblem, ImportRejected
from .values import Cell

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")

Rows = list[list[Cell]]


def _whole_file(path: Path, message: str) -> ImportRejected:
    return ImportRejected([ImportProblem("", 0, 0, "", f"{path.name}: {message}")])


def sheets(path: Path, only: str | None = None) -> Iterator[tuple[str, Rows]]:
    """Each sheet's name and rows, in workbook order (a CSV file is one sheet)."""
    if not path.is_file():
        raise _whole_file(path, "there is no file here")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield path.name, _csv_rows(path)
        return
    if suffix not in WORKBOOK_SUFFIXES:
        raise _whole_file(path, f"expected a .csv or {', '.join(WORKBOOK_SUFFIXES)} file")
    yield from _workbook(path, only)


def _csv_rows(path: Path) -> Rows:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise _whole_file(path, "the file is not text (expected UTF-8 or Windows-1252)")
    if "\x00" in text:
        raise _whole_file(path, "the file is not a CSV text file (it holds binary data)")
    sample = text[:8192]
    delimiter = max(",;\t", key=sample.count)  # comma, or what Excel in some locales uses
    return [list(r) for r in csv.reader(text.splitlines(), delimiter=delimiter)]


def _workbook(path: Path, only: str | None) -> Iterator[tuple[str, Rows]]:
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    with path.open("rb") as f:
        head = f.read(len(_OLE_MAGIC))
    if not head:
        raise _whole_file(path, "the file is empty")
    if head == _OLE_MAGIC and suffix_is_ooxml(path):
        # An .xlsx is a zip; Excel saves a workbook with a password to open as an OLE
        # compound file holding an EncryptedPackage stream (MS-OFFCRYPTO).
        if _ENCRYPTED in path.read_bytes():
            raise _whole_file(path, "the workbook is password-protected: open it in Excel, "
                                    "remove the password (File > Info > Protect Workbook) "
                                    "and save it again")
        raise _whole_file(path, "this is an old-format workbook (.xls) with an .xlsx name: "
                                "save it again from Excel as .xlsx, or rename it to .xls")
    try:
        book = CalamineWorkbook.from_path(str(path))
    except PasswordError:
        raise _whole_file(path, "the workbook is password-protected: remove the password "
                                "and save it again") from None
    except (CalamineError, OSError, ValueError) as exc:
        raise _whole_file(path, f"the workbook is damaged or not a spreadsheet ({exc})"
                          ) from None
    with book:
        names = book.sheet_names
        if only is not None and only not in names:
            raise _whole_file(path, f"there is no sheet called {only!r}; the sheets are "
                                    f"{', '.join(map(repr, names))}")
        for name in names if only is None else [only]:
            try:
                rows = cast(Rows, book.get_sheet_by_name(name).to_python(
                    skip_empty_area=False))
            except CalamineError as exc:
                raise ImportRejected([ImportProblem(name, 0, 0, "",
                                                    f"the sheet cannot be read ({exc})")]
                                     ) from None
            yield name, rows


def suffix_is_ooxml(path: Path) -> bool:
    return path.suffix.lower() in (".xlsx", ".xlsm", ".xlsb")

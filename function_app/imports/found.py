"""Finding the schools' exports for `casework report targeting`: the files named, and every
.xlsx, .xls, .ods and .csv file in the folders named and in their sub-folders (the demo
writes its exports to casework-demo/exports/), leaving out what the app itself wrote there:

- the workbooks the app writes (the targeting packs, `import attendance --pack`), known by
  their name or by the mark the app puts in every workbook's properties;
- the folder the pack is being written to (--out), so that a second run does not read the
  first run's pack;
- the demo's stand-in for Microsoft 365 (a folder holding tenant.sqlite: the documents the
  app filed), and hidden folders and files (.cache, Excel's ~$ lock files).

A file named on the command line is always read: the officer chose it.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from function_app.domain.wording import counted

EXPORT_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv")
OUR_MARK = "Attendance Casework output"  # the keywords of every workbook the app writes
PACK_NAME = " targeting pack.xlsx"  # "<school> targeting pack.xlsx", "All schools ..."
DEV_TENANT = "tenant.sqlite"  # function_app/devtenant keeps its documents beside this
NAMES_SHOWN = 5  # a folder's export names listed in full up to this many


def mark_as_ours(book: Any) -> None:
    """Marks an openpyxl workbook as the app's own output, so a later search leaves it out."""
    book.properties.creator = "Attendance Casework"
    book.properties.keywords = OUR_MARK


def written_by_us(path: Path) -> bool:
    """A workbook the app wrote: a targeting pack by its name, any other by its mark."""
    if path.name.endswith(PACK_NAME):
        return True
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return False
    try:
        with zipfile.ZipFile(path) as z:
            return OUR_MARK.encode() in z.read("docProps/core.xml")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False


@dataclass
class Found:
    """The exports found, and what was left out and why."""

    exports: list[Path] = field(default_factory=list)
    left_out: list[tuple[Path, str]] = field(default_factory=list)
    missing: list[Path] = field(default_factory=list)  # named, but nothing is there

    def describe(self) -> list[str]:
        """In plain words: how many exports in which folder, and what was left out."""
        folders: dict[Path, list[str]] = {}
        for path in self.exports:
            folders.setdefault(path.parent, []).append(path.name)
        lines = []
        for folder, names in folders.items():
            shown = names if len(names) <= NAMES_SHOWN + 1 else [
                *names[:NAMES_SHOWN], f"and {len(names) - NAMES_SHOWN} more"]
            lines.append(f"Found {counted(len(names), 'export')} in {folder}: "
                         f"{', '.join(shown)}")
        lines += [f"Left out {path}: {why}" for path, why in self.left_out]
        return lines


def find_exports(sources: Sequence[Path], out: Path | None = None) -> Found:
    """The files named, and the exports in the folders named and their sub-folders."""
    found = Found()
    skip = out.resolve() if out is not None else None
    for source in sources:
        if source.is_dir():
            _search(source, skip, found)
        elif not source.exists():
            found.missing.append(source)
        else:
            found.exports.append(source)
    return found


def _search(folder: Path, out: Path | None, found: Found) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name.casefold())
    except OSError as exc:
        found.left_out.append((folder, f"it cannot be opened ({exc.strerror})"))
        return
    for entry in entries:
        path = folder / entry.name
        if entry.name.startswith((".", "~$")):
            continue  # hidden, Excel's lock files, the app's half-written files
        if entry.is_dir(follow_symlinks=False):
            if out is not None and path.resolve() == out:
                found.left_out.append((path, "the pack is written here"))
            elif (path / DEV_TENANT).is_file():
                found.left_out.append((path, "the demo's stand-in for Microsoft 365 "
                                             "(the documents the app filed)"))
            else:
                _search(path, out, found)
        elif entry.is_file() and Path(entry.name).suffix.lower() in EXPORT_SUFFIXES:
            if written_by_us(path):
                found.left_out.append((path, "a workbook this app wrote, not a school's "
                                             "export"))
            else:
                found.exports.append(path)

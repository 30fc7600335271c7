"""GET .../content?format=pdf: convert with LibreOffice when it is installed, else 406.

Conversions are cached per file version under DIR/.cache/pdf and run one at a time (a
LibreOffice profile cannot be shared by two running instances).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from function_app.adapters.libreoffice import (
    ConversionError,
    ConversionTimedOut,
    convert_file,
    soffice,
)

from .errors import GraphError

if TYPE_CHECKING:
    from .backend import Backend
    from .store import DriveItemRow, DriveRow

# The source formats Graph documents for format=pdf.
SUPPORTED = frozenset(
    {
        "csv",
        "doc",
        "docx",
        "odp",
        "ods",
        "odt",
        "pot",
        "potm",
        "potx",
        "pps",
        "ppsx",
        "ppsxm",
        "ppt",
        "pptm",
        "pptx",
        "rtf",
        "xls",
        "xlsx",
    }
)
TIMEOUT_SECONDS = 120.0


def cached_pdf(data_dir: Path, item: DriveItemRow) -> Path:
    return data_dir / ".cache" / "pdf" / f"{item.id}-{item.content_version}.pdf"


async def convert_to_pdf(b: Backend, drive: DriveRow, item: DriveItemRow) -> Path:
    extension = Path(item.name).suffix.lstrip(".").lower()
    if extension not in SUPPORTED:
        raise GraphError(
            406, "notSupported", f"Files of type '.{extension}' cannot be converted to pdf."
        )
    target = cached_pdf(b.data_dir, item)
    if target.exists():
        return target
    program = soffice()
    if program is None:
        raise GraphError(
            406,
            "notSupported",
            "Conversion to pdf needs LibreOffice (soffice on "
            "PATH) on the machine running the dev tenant.",
        )
    work = b.data_dir / ".cache" / "convert"
    work.mkdir(parents=True, exist_ok=True)
    source = work / f"{item.id}.{extension}"
    shutil.copyfile(b.library.disk_path(drive, item), source)
    async with b.pdf_lock:
        try:
            produced = await convert_file(program, source, work,
                                          b.data_dir / ".cache" / "lo-profile", TIMEOUT_SECONDS)
        except ConversionTimedOut:
            raise GraphError(504, "timeout", "The pdf conversion took too long.") from None
        except ConversionError as exc:
            raise GraphError(500, "generalException",
                             f"The pdf conversion failed: {exc}") from None
        finally:
            source.unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    produced.replace(target)
    return target

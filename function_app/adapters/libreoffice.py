"""Converts .docx to PDF with LibreOffice on this machine (``soffice --headless``), as the
dev tenant does for Graph's ``?format=pdf``; production converts through Graph instead.

Each converter keeps its own LibreOffice profile folder: two running instances cannot share
one, and a conversion with a fresh profile pays its set-up once.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

from function_app.domain.errors import CaseworkError

TIMEOUT_SECONDS = 180.0
# Writer's PDF export with tags (LibreOffice 7.4+ reads filter options as JSON): a screen
# reader can follow the document, and the evidence bundle keeps each exhibit's structure.
TAGGED_PDF = 'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"}}'


class ConversionError(CaseworkError):
    """LibreOffice is missing, or could not convert the document."""


class ConversionTimedOut(ConversionError):
    pass


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


async def convert_file(program: str, source: Path, outdir: Path, profile: Path,
                       timeout: float = TIMEOUT_SECONDS) -> Path:
    """One ``soffice --headless --convert-to pdf`` (tagged) of ``source`` into ``outdir``, with the
    LibreOffice profile folder ``profile`` (one per running instance); the PDF's path.
    ConversionTimedOut after ``timeout`` seconds; ConversionError with LibreOffice's own
    words when it made no PDF. The callers say what was being converted."""
    produced = outdir / f"{source.stem}.pdf"
    produced.unlink(missing_ok=True)
    process = await asyncio.create_subprocess_exec(
        program, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless",
        "--convert-to", TAGGED_PDF, "--outdir", str(outdir), str(source),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        _, errors = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise ConversionTimedOut(f"no PDF after {timeout:.0f} s") from None
    if process.returncode != 0 or not produced.exists():
        raise ConversionError(errors.decode("utf-8", "replace").strip()[:300])
    return produced


class LibreOfficePdf:
    """``await converter(docx_bytes)`` -> PDF bytes."""

    def __init__(self, work: Path | None = None) -> None:
        self._work = work or Path(tempfile.mkdtemp(prefix="casework-pdf-"))
        self._lock = asyncio.Lock()
        self.conversions = 0

    async def __call__(self, docx: bytes) -> bytes:
        program = soffice()
        if program is None:
            raise ConversionError("Converting to PDF needs LibreOffice (soffice on PATH); "
                                  "install libreoffice-writer-nogui.")
        async with self._lock:
            self._work.mkdir(parents=True, exist_ok=True)
            source = self._work / "bundle.docx"
            source.write_bytes(docx)
            try:
                produced = await convert_file(program, source, self._work,
                                              self._work / "lo-profile")
            except ConversionTimedOut:
                raise ConversionError("LibreOffice took too long to convert the bundle to "
                                      "PDF.") from None
            except ConversionError as exc:
                raise ConversionError(f"LibreOffice could not convert the bundle to PDF: "
                                      f"{exc}") from None
            self.conversions += 1
            return produced.read_bytes()

"""Every letter to a parent prints its address where a DL window envelope shows it.

domain.md, "Sending letters": a DL window envelope (Royal Mail DL, 110 x 220 mm) shows the
address through a 90 x 45 mm window 20 mm from the left; on an A4 page folded in three the
address belongs 50-90 mm from the top and 20-110 mm from the left. Each letter is rendered,
converted to PDF with LibreOffice and read with pypdf: the position of each piece of text
is its text matrix (the baseline's start), its height the font size.
"""

from __future__ import annotations

import json
import struct
import subprocess
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from function_app.adapters.libreoffice import soffice
from function_app.documents.context import Options, build_context
from function_app.documents.engine import TemplateSet, choose_meeting
from function_app.documents.logo import Logo
from function_app.documents.renderer import DocumentProperties
from function_app.domain import assess, load_profile
from function_app.services.case_files.case_input import case_from_dict

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "templates" / "sample-case.json"
TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
TEMPLATES = TemplateSet()
LETTERS = [k.kind for k in TEMPLATES.catalogue.kinds if k.per_carer]

# The window on page 1, in millimetres from the page's left and top edges.
LEFT, RIGHT, TOP, BOTTOM = 20.0, 110.0, 50.0, 90.0
MM_PER_PT = 25.4 / 72
# Glyphs reach about 0.76 em above the baseline and 0.24 em below it (Arial, and DejaVu
# Sans, LibreOffice's stand-in where Arial is not installed); no character is wider than
# 1 em, most are near 0.6 em.
ASCENT, DESCENT, WIDEST = 0.76, 0.24, 0.75

# A long postal address: the name and six lines must all show through the window.
ADDRESS = "Flat 3, Orchard House\n1 Oak Street\nLittle Hamlet\nNewtown\nNewshire\nNT1 3CD"
NAME = "Samantha Morgan-Whitfield"
VARIANTS = {
    "plain": ("", False),
    "marking": ("OFFICIAL-SENSITIVE", False),
    "logo": ("", True),
    "logo and marking": ("OFFICIAL-SENSITIVE", True),
}

pytestmark = [pytest.mark.libreoffice, pytest.mark.usefixtures("libreoffice")]


@dataclass(frozen=True)
class Text:
    """A piece of text on a page: where its baseline starts, in mm, and its font size."""

    text: str
    x: float
    baseline: float
    size_pt: float

    @property
    def top(self) -> float:
        return self.baseline - ASCENT * self.size_pt * MM_PER_PT

    @property
    def bottom(self) -> float:
        return self.baseline + DESCENT * self.size_pt * MM_PER_PT

    @property
    def right(self) -> float:
        """At most this far right: every character taken as wide as the widest usual one."""
        return self.x + len(self.text) * WIDEST * self.size_pt * MM_PER_PT

    def overlaps_window(self) -> bool:
        return (self.x < RIGHT and self.right > LEFT
                and self.top < BOTTOM and self.bottom > TOP)


def png(width: int, height: int) -> bytes:
    raw = b"".join(b"\x00" + bytes([30, 80, 160]) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


def letters(kind_name: str, marking: str, with_logo: bool) -> list[bytes]:
    """Each letter of this kind made from the sample case, one per parent, the first with a
    long name and a six-line address. The template is rendered directly: this is about
    where the address prints, not whether the case's dates make the letter sensible."""
    data: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))
    first = data["carers"][0]
    first["first_name"], first["last_name"] = NAME.split(" ", 1)
    first["address"] = ADDRESS
    case = case_from_dict(data)
    a = assess(case, load_profile(case.profile), TODAY)
    kind = TEMPLATES.catalogue.get(kind_name)
    fitting = [m for m in case.meetings_by_date() if m.kind.value in kind.meeting_kinds]
    meeting = choose_meeting(kind, case, None) or (fitting[-1] if fitting else None)
    logo = Logo(png(160, 160), "png", 160, 160) if with_logo else None  # square: deepest
    options = Options(marking, logo)
    properties = DocumentProperties(kind.title, case.case_ref, NOW)
    template = TEMPLATES.template(kind)
    return [template.render(build_context(a, meeting, carer, options), properties, logo)
            for carer in case.carers[:2]]


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], list[Path]]:
    """Every letter kind in every variant, converted to PDF in one LibreOffice run."""
    folder = tmp_path_factory.mktemp("window")
    made: dict[tuple[str, str], list[Path]] = {}
    for kind in LETTERS:
        for variant, (marking, with_logo) in VARIANTS.items():
            for n, content in enumerate(letters(kind, marking, with_logo)):
                path = folder / f"{kind}-{variant.replace(' ', '-')}-{n}.docx"
                path.write_bytes(content)
                made.setdefault((kind, variant), []).append(path)
    program = soffice()
    assert program is not None
    sources = [str(p) for paths in made.values() for p in paths]
    subprocess.run([program, f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(folder), *sources],
                   check=True, capture_output=True, timeout=600)
    return {key: [p.with_suffix(".pdf") for p in paths] for key, paths in made.items()}


def first_page(pdf: Path) -> list[Text]:
    """The text of page 1 with its positions, in mm from the top-left corner."""
    page = PdfReader(pdf).pages[0]
    height = float(page.mediabox.height)
    found: list[Text] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = abs(tm[3] * cm[3]) or 1.0
        found.append(Text(text.strip(), x * MM_PER_PT, (height - y) * MM_PER_PT,
                          size * scale))

    page.extract_text(visitor_text=visit)
    return found


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("kind", LETTERS)
def test_the_address_shows_through_a_dl_window(
        kind: str, variant: str, pdfs: dict[tuple[str, str], list[Path]]) -> None:
    """Per domain.md and the Royal Mail DL window, page 1 puts every line of the recipient's
    name and address 20-110 mm from the left and 50-90 mm from the top, and nothing else."""
    for pdf in pdfs[(kind, variant)]:
        texts = first_page(pdf)
        expected = ([NAME, *ADDRESS.splitlines()] if "-0." in pdf.name
                    else ["Jo Taylor", "22 Elm Close", "Oldtown", "OT4 5EF"])
        address = []
        for line in expected:
            matches = [t for t in texts if t.text == line]
            assert matches, f"{pdf.name}: {line!r} is not one line on page 1"
            address.append(matches[0])
        for t in address:
            assert t.x >= LEFT and t.right <= RIGHT, f"{pdf.name}: {t} outside 20-110 mm"
            assert t.top >= TOP and t.bottom <= BOTTOM, f"{pdf.name}: {t} outside 50-90 mm"
        others = [t for t in texts if t not in address and t.overlaps_window()]
        assert not others, f"{pdf.name}: in the window besides the address: {others}"

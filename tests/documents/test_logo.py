"""The school's logo in the letterhead."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from docx import Document
from docx.table import Table

from function_app.cli import main
from function_app.documents.logo import EMU_PER_CM, drawing, load_logo

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "aim-review-no-engagement.json"

pytestmark = pytest.mark.cli


def png(width: int, height: int) -> bytes:
    raw = b"".join(b"\x00" + bytes([30, 80, 160]) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


def test_a_logo_is_placed_in_the_letterhead(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """With --logo, every document carries the image in its header and still opens."""
    logo = tmp_path / "logo.png"
    logo.write_bytes(png(120, 60))
    code = main(["render", "aim_plan", "--input", str(EXAMPLE), "--meeting", "m1",
                 "--logo", str(logo), "--out-dir", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code == 0
    content = Path(out.strip()).read_bytes()
    doc = Document(io.BytesIO(content))
    header_xml = doc.sections[0].header._element.xml
    assert "School logo" in header_xml and "rIdCaseworkLogo" in header_xml
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        assert z.read("word/media/casework-logo.png") == logo.read_bytes()


def test_without_a_logo_nothing_is_left_behind(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """Without a logo there is no image, and no empty paragraph where it would be."""
    code = main(["render", "aim_plan", "--input", str(EXAMPLE), "--meeting", "m1",
                 "--out-dir", str(tmp_path)])
    content = Path(capsys.readouterr().out.strip()).read_bytes()
    assert code == 0
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        assert not [n for n in z.namelist() if "media/casework-logo" in n]
    header = Document(io.BytesIO(content)).sections[0].header
    first = next(iter(header.iter_inner_content()))
    assert isinstance(first, Table), "the letterhead starts with an empty line"
    logo_cell, school_cell = first.rows[0].cells
    assert not logo_cell.text.strip() and "<w:drawing" not in logo_cell._tc.xml
    assert school_cell.paragraphs[0].text == "Severn Vale Academy"


def test_a_wide_logo_is_made_to_fit_the_letterhead(tmp_path: Path) -> None:
    """A logo ten times wider than high is scaled into the logo column (4.8 cm wide), not
    stretched past it, so the letterhead keeps its depth above the DL window (domain.md)."""
    path = tmp_path / "wide.png"
    path.write_bytes(png(1000, 100))
    xml = str(drawing(load_logo(path), "Logo of Severn Vale Academy"))
    cx, cy = (int(v) for v in re.search(r'<wp:extent cx="(\d+)" cy="(\d+)"/>', xml).groups())
    assert cx == int(4.8 * EMU_PER_CM) and cy == cx // 10
    assert 'descr="Logo of Severn Vale Academy"' in xml


def test_a_logo_that_is_not_an_image_is_refused(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """A logo file that is not PNG or JPEG is refused by name, with exit code 2."""
    bad = tmp_path / "logo.gif"
    bad.write_bytes(b"GIF89a....")
    code = main(["render", "aim_plan", "--input", str(EXAMPLE), "--meeting", "m1",
                 "--logo", str(bad), "--out-dir", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "logo.gif" in err and "PNG or JPEG" in err
    assert not (tmp_path / "out").exists()


def test_jpeg_size_is_read_from_its_frame_header(tmp_path: Path) -> None:
    """A JPEG's width and height come from its start-of-frame marker, so it keeps its shape."""
    jpeg = (b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + b"\x00" * 9
            + b"\xff\xc0" + struct.pack(">HBHH", 17, 8, 90, 300) + b"\x03" + b"\x00" * 9)
    path = tmp_path / "logo.jpg"
    path.write_bytes(jpeg)
    logo = load_logo(path)
    assert (logo.extension, logo.width_px, logo.height_px) == ("jpeg", 300, 90)

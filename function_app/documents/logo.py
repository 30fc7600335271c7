"""The school's logo in the letterhead: an optional PNG or JPEG.

The image is added to the package once per template and logo (its parts are cached with
the template's unchanged parts), under one relationship id that every header and the body
can use; the template places it with ``{{ logo }}``, which is the Word drawing markup or
nothing.
"""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup, escape

from .errors import TemplateProblemError
from .xml_text import clean

REL_ID = "rIdCaseworkLogo"
_IMAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
EMU_PER_CM = 360_000


@dataclass(frozen=True, slots=True)
class Logo:
    data: bytes
    extension: str  # "png" or "jpeg"
    width_px: int
    height_px: int

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def part_name(self) -> str:
        return f"word/media/casework-logo.{self.extension}"


def load_logo(path: Path) -> Logo:
    """Read a PNG or JPEG; a clear error naming the file for anything else."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TemplateProblemError(str(path), f"the logo cannot be read: {exc}") from None
    size = _png_size(data) or _jpeg_size(data)
    if size is None:
        raise TemplateProblemError(str(path), "the logo must be a PNG or JPEG image")
    kind = "png" if data.startswith(b"\x89PNG") else "jpeg"
    return Logo(data, kind, *size)


def _png_size(data: bytes) -> tuple[int, int] | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    if not data.startswith(b"\xff\xd8"):
        return None
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):  # start of frame: height, then width
            height, width = struct.unpack(">HH", data[i + 5:i + 9])
            return width, height
        i += 2 + length
    return None


def drawing(logo: Logo, alt: str = "School logo", height_cm: float = 1.6,
            max_width_cm: float = 4.8) -> Markup:
    """The run content that shows the logo, closing and reopening the run's text.

    The image keeps its shape inside a box ``height_cm`` high and ``max_width_cm`` wide (the
    letterhead's logo column), so a wide logo is made smaller, never wider or deeper than
    the letterhead allows. ``alt`` is its alternative text for screen readers ("Logo of
    <school>"); it is escaped, so a school's name can hold any character.
    """
    cy = int(height_cm * EMU_PER_CM)
    cx = int(cy * logo.width_px / max(logo.height_px, 1))
    widest = int(max_width_cm * EMU_PER_CM)
    if cx > widest:
        cx, cy = widest, int(widest * logo.height_px / max(logo.width_px, 1))
    descr = escape(clean(alt))
    pic = "http://schemas.openxmlformats.org/drawingml/2006/picture"
    return Markup(
        '</w:t><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0" '
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing">'
        f'<wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="9001" name="School logo" '
        f'descr="{descr}"/><a:graphic '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        f'<a:graphicData uri="{pic}"><pic:pic xmlns:pic="{pic}">'
        f'<pic:nvPicPr><pic:cNvPr id="9001" name="School logo" descr="{descr}"/>'
        '<pic:cNvPicPr/></pic:nvPicPr>'
        '<pic:blipFill><a:blip xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
        f'2006/relationships" r:embed="{REL_ID}"/><a:stretch><a:fillRect/></a:stretch>'
        f'</pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/>'
        '</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>'
        '</a:graphicData></a:graphic></wp:inline></w:drawing><w:t xml:space="preserve">'
    )


def add_to_parts(parts: dict[str, bytes], templated: list[str], logo: Logo) -> None:
    """Put the image, its content type and a relationship from every templated part."""
    parts[logo.part_name] = logo.data
    types = parts["[Content_Types].xml"].decode("utf-8")
    if f'Extension="{logo.extension}"' not in types:
        types = types.replace(
            "<Default ", f'<Default Extension="{logo.extension}" '
                         f'ContentType="image/{logo.extension}"/><Default ', 1)
        parts["[Content_Types].xml"] = types.encode("utf-8")
    relationship = (f'<Relationship Id="{REL_ID}" Type="{_IMAGE_REL}" '
                    f'Target="media/casework-logo.{logo.extension}"/>')
    for part in templated:
        folder, _, name = part.rpartition("/")
        rels_name = f"{folder}/_rels/{name}.rels"
        rels = parts.get(rels_name, (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{_RELS_NS}"></Relationships>').encode()).decode()
        if REL_ID not in rels:
            rels = re.sub(r"</Relationships>\s*$", relationship + "</Relationships>", rels)
        parts[rels_name] = rels.encode("utf-8")

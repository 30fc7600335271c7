"""File and folder names as SharePoint allows them, and how it compares them."""

from __future__ import annotations

import re
import unicodedata

from .errors import bad_request

_FORBIDDEN = re.compile(r'["*:<>?/\\|\x00-\x1f]')
_RESERVED = re.compile(r"^(?:CON|PRN|AUX|NUL|COM\d|LPT\d|\.lock|desktop\.ini)$", re.IGNORECASE)


def path_key(path: str) -> str:
    """SharePoint names are case-insensitive; compare them folded and NFC-normalised."""
    return unicodedata.normalize("NFC", path).casefold()


def check_name(name: str) -> str:
    """A file or folder name SharePoint accepts, or 400 saying why not."""
    if not name or name != name.strip():
        raise bad_request(f"The name '{name}' is empty or starts or ends with a space.")
    if _FORBIDDEN.search(name):
        raise bad_request(
            f"The name '{name}' contains a character SharePoint does not allow "
            '(" * : < > ? / \\ |).'
        )
    if name.endswith(".") or name.startswith("~$") or "_vti_" in name or _RESERVED.match(name):
        raise bad_request(f"The name '{name}' is reserved or not allowed in SharePoint.")
    if len(name) > 255:
        raise bad_request(f"The name '{name[:40]}...' is longer than 255 characters.")
    return name

"""File and folder names SharePoint and OneDrive accept.

Microsoft's rules: none of " * : < > ? / \\ |; no leading or trailing space, no trailing
dot, no leading dot for our own names; not a reserved name (CON, PRN, AUX, NUL, COM0-9,
LPT0-9, .lock, desktop.ini, _vti_); no "_vti_" anywhere; a whole path of at most 400
characters.
"""

from __future__ import annotations

import re
import unicodedata

_ILLEGAL = re.compile(r'["*:<>?/\\|\x00-\x1f\x7f]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
_RESERVED_WHOLE = {".lock", "desktop.ini"}
MAX_PATH = 400


def safe_name(name: str, max_length: int = 120) -> str:
    """A name SharePoint accepts, as close to the one asked for as possible."""
    text = unicodedata.normalize("NFC", name)
    text = _ILLEGAL.sub("-", text)
    text = text.replace("_vti_", "vti")
    text = re.sub(r"\s+", " ", text).strip(" .")
    if len(text) > max_length:
        stem, dot, ext = text.rpartition(".")
        if dot and len(ext) <= 5:
            text = stem[: max_length - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            text = text[:max_length].rstrip(" .")
    if not text or _RESERVED.match(text) or text.lower() in _RESERVED_WHOLE:
        text = f"document {text}".strip(" .")
    return text


def check_path(path: str) -> str:
    """The path, if it is within SharePoint's limit; ValueError otherwise."""
    if len(path) > MAX_PATH:
        raise ValueError(f"the path is {len(path)} characters; SharePoint allows {MAX_PATH}")
    return path

"""File and folder names SharePoint and OneDrive accept.

Microsoft's rules: none of " * : < > ? / \\ |; no leading or trailing space, no trailing
dot, no leading dot for our own names; not a reserved name (CON, PRN, AUX, NUL, COM0-9,
LPT0-9, .lock, desktop.ini, _vti_); no "_vti_" anywhere; no name beginning "~$" (we refuse
any leading "~"); no folder called "forms" at the root of a library; and a whole decoded,
server-relative path (``/sites/attendance/Case Files/<school>/<case>/<file>``) of at most
400 characters, counted as SharePoint counts them: in UTF-16 code units, so an emoji
counts 2.
"""

from __future__ import annotations

import re
import string
import unicodedata

_ILLEGAL = re.compile(r'["*:<>?/\\|\x00-\x1f\x7f\ud800-\udfff]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
_RESERVED_WHOLE = {".lock", "desktop.ini"}
MAX_PATH = 400
# The longest file name produce() makes: the catalogue's longest fixed part ("YYYY-MM-DD
# Covering letter with the plan - ", 43) and ".docx" leave 72 for the parent's name and
# what tells two parents of the same name apart; the name is shortened to fit.
MAX_FILE_NAME = 120
_FALLBACK_FOLDER = "case"


def units(text: str) -> int:
    """The length of text as SharePoint counts it: UTF-16 code units (an emoji counts 2)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def cut(text: str, limit: int) -> str:
    """The longest start of text of at most limit UTF-16 code units (never half a character)."""
    if units(text) <= limit:
        return text
    out, used = [], 0
    for ch in text:
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > limit:
            break
        out.append(ch)
    return "".join(out)


def _tidy(name: str, max_length: int) -> str:
    text = unicodedata.normalize("NFC", name)
    text = _ILLEGAL.sub("-", text)
    while "_vti_" in text:
        text = text.replace("_vti_", "vti")
    text = re.sub(r"\s+", " ", text).lstrip(" .~").rstrip(" .")
    if units(text) > max_length:
        stem, dot, ext = text.rpartition(".")
        if dot and len(ext) <= 5 and units(ext) < max_length:
            text = cut(stem, max_length - units(ext) - 1).rstrip(" .") + "." + ext
        else:
            text = cut(text, max_length).rstrip(" .")
        text = text.lstrip(" .~")
    return text


def safe_name(name: str, max_length: int = 120) -> str:
    """A name SharePoint accepts, as close to the one asked for as possible.

    max_length counts UTF-16 code units, as SharePoint does. A name that is empty once
    cleaned, or reserved, is prefixed "document". safe_name(safe_name(x)) == safe_name(x).
    """
    text = name
    for _ in range(4):  # cleaning a cleaned name changes nothing; the loop makes sure
        tidied = _tidy(text, max_length)
        if not tidied or _RESERVED.match(tidied) or tidied.lower() in _RESERVED_WHOLE:
            tidied = _tidy(f"document {tidied}", max_length)
        if tidied == text:
            break
        text = tidied
    return text


def in_name(text: str) -> str:
    """text as it reads within a name safe_name made (neither its start nor its end): in
    NFC, each character SharePoint refuses "-", no "_vti_", each run of spacing one space,
    never shortened. So the parent's part of a file name can be compared with their name."""
    text = _ILLEGAL.sub("-", unicodedata.normalize("NFC", text))
    while "_vti_" in text:
        text = text.replace("_vti_", "vti")
    return re.sub(r"\s+", " ", text)


def check_path(path: str) -> str:
    """The path, if it is within SharePoint's limit; ValueError otherwise."""
    if units(path) > MAX_PATH:
        raise ValueError(f"the path is {units(path)} characters; SharePoint allows {MAX_PATH}")
    return path


def _value(text: str) -> str:
    """A typed value as part of one folder name: a slash never makes a new folder level."""
    return text.replace("/", "-").replace("\\", "-")


def case_folder(pattern: str, *, school: str, case_ref: str, surname: str, forename: str,
                prefix: str = "") -> str:
    """The case's folder, from pattern (e.g. "{school}/{case_ref} {surname}, {forename}"),
    as "/"-separated names SharePoint accepts, one per non-blank segment of the pattern.

    Each value is made safe before it is put in the pattern, so "/" or "\\" typed in a
    value is "-" and never a new folder level; each folder name then passes safe_name, does
    not begin "~" and is never empty; the first (at the library's root) is never "forms".

    prefix is what stands before the folder in the decoded server-relative path, e.g.
    "/sites/attendance/Case Files". The folder is made short enough that
    prefix/folder/<a file name of MAX_FILE_NAME> is within SharePoint's 400 UTF-16 code
    units, by shortening the pupil's surname, then forename, never the school or case
    reference. ValueError if even that cannot make it fit.
    """
    segments = [s for s in pattern.split("/") if s.strip()]
    room = MAX_PATH - units(prefix.rstrip("/")) - 1 - 1 - MAX_FILE_NAME

    def build(sur: str, fore: str) -> str:
        values = {"school": _value(school), "case_ref": _value(case_ref),
                  "surname": _value(sur), "forename": _value(fore)}
        names = []
        for i, segment in enumerate(segments):
            name = _tidy(segment.format(**values), MAX_PATH)
            if not name:
                name = _fallback(segment)
            name = safe_name(name, MAX_PATH)
            if i == 0 and name.casefold() == "forms":
                name = f"{name} (school)"
            names.append(name)
        return "/".join(names)

    folder = build(surname, forename)
    if units(folder) <= room:
        return folder
    sur, fore = surname, forename
    for which in ("surname", "forename"):
        while units(folder) > room:
            current = sur if which == "surname" else fore
            if units(current) <= 1:
                break
            shorter = cut(current, max(1, min(units(current) - 1,
                                              units(current) - (units(folder) - room))))
            shorter = shorter.rstrip() or shorter
            if which == "surname":
                sur = shorter
            else:
                fore = shorter
            folder = build(sur, fore)
    if units(folder) > room:
        raise ValueError(
            f"the case folder {folder!r} is {units(folder)} characters; with the library "
            f"path ({units(prefix.rstrip('/'))}) and a file name of up to {MAX_FILE_NAME} "
            f"it would pass SharePoint's limit of {MAX_PATH}, even with the pupil's name "
            "shortened: shorten the school name, the case reference or the library's path")
    return folder


def _fallback(segment: str) -> str:
    """A name for a folder whose values are all empty once cleaned: the school, else case."""
    fields = {f for _, f, _, _ in string.Formatter().parse(segment) if f}
    return "school" if fields == {"school"} else _FALLBACK_FOLDER

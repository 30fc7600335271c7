"""What each of `casework doctor`'s checks gives back, and what the checks share."""

from __future__ import annotations

from typing import NamedTuple

EXAMPLE_SITE = "https://contoso.sharepoint.com/sites/attendance"


class Check(NamedTuple):
    name: str
    ok: bool
    detail: str  # what was found, in plain words
    fix: str = ""  # what to do about it; empty when all is well


def first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def connection_part(connection: str, name: str) -> str:
    """One ``Name=value`` part of a storage connection string."""
    for part in connection.split(";"):
        key, _, value = part.partition("=")
        if key.strip().lower() == name.lower():
            return value.strip()
    return ""

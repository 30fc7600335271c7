"""Small helpers shared by the dev tenant: clock, ids, ISO 8601 text, opaque tokens."""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

# The tenant every notification names; a fixed, obviously-local GUID.
TENANT_ID = "7e4a0000-0000-4000-8000-00000000de75"


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """Graph's usual timestamp form for items and files: whole seconds, UTC, "Z"."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_precise(moment: datetime) -> str:
    """The seven-digit fraction Graph uses for subscription expiry times."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0Z"


def iso_millis(moment: datetime) -> str:
    """Upload sessions' form: milliseconds, UTC, "Z"."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> datetime:
    """Parse ISO 8601 as Graph clients send it (Z or offset, up to 7 fraction digits).

    A value without a zone is taken as UTC, as Graph does. Raises ValueError.
    """
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    if "." in value:
        head, _, tail = value.partition(".")
        digits = ""
        rest = tail
        while rest and rest[0].isdigit():
            digits, rest = digits + rest[0], rest[1:]
        value = f"{head}.{(digits + '000000')[:6]}{rest}"
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def new_guid() -> str:
    return str(uuid.uuid4())


def name_guid(namespace: str, name: str) -> str:
    """A stable GUID for a name (a member of staff, say), the same on every start."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"devtenant:{namespace}:{name}"))


def drive_item_id() -> str:
    """SharePoint driveItem ids look like 01 followed by 32 base32 characters."""
    raw = base64.b32encode(secrets.token_bytes(20)).decode("ascii")
    return "01" + raw[:32]


def drive_id() -> str:
    """SharePoint drive ids are "b!" followed by a base64url string."""
    return "b!" + base64.urlsafe_b64encode(secrets.token_bytes(48)).decode("ascii").rstrip("=")


def encode_token(payload: dict[str, Any]) -> str:
    """An opaque URL-safe token carrying a small JSON payload (delta and paging state)."""
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_token(token: str) -> dict[str, Any] | None:
    """The payload of encode_token, or None for anything that is not one of ours."""
    try:
        padded = token + "=" * (-len(token) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError):
        return None
    return value if isinstance(value, dict) else None

"""The dev tenant's own request and reply records, independent of aiohttp.

Handlers take a Call and return a Reply, so the same handlers serve HTTP requests and the
sub-requests of a JSON batch.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from multidict import CIMultiDict, CIMultiDictProxy

from .errors import bad_request
from .identity import Identity

JSON_TYPE = (
    "application/json;odata.metadata=minimal;odata.streaming=true;"
    "IEEE754Compatible=false;charset=utf-8"
)


@dataclass(slots=True)
class Call:
    method: str
    path: str  # percent-decoded, below /v1.0, e.g. "/sites/{id}/lists"
    query: dict[str, str]
    headers: CIMultiDictProxy[str] | CIMultiDict[str]
    body: bytes
    identity: Identity | None
    in_batch: bool = False

    def option(self, name: str) -> str | None:
        """An OData system query option, spelled with or without "$"."""
        value = self.query.get("$" + name)
        return value if value is not None else self.query.get(name)

    def json(self) -> dict[str, Any]:
        """The request body as a JSON object; 400 when it is not one."""
        if not self.body.strip():
            return {}
        try:
            value = json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise bad_request(f"The request body is not valid JSON: {exc}") from exc
        if not isinstance(value, dict):
            raise bad_request("The request body must be a JSON object.")
        return value


@dataclass(slots=True)
class Reply:
    status: int
    body: Any = None  # a JSON value, or None for no body
    raw: bytes | None = None  # bytes sent as they are (file content, plain text)
    file: Path | None = None  # a file on disk sent as the body
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None

    def payload(self) -> bytes | None:
        if self.raw is not None:
            return self.raw
        if self.file is not None:
            return self.file.read_bytes()
        if self.body is None:
            return None
        return json.dumps(self.body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def media_type(self) -> str | None:
        if self.content_type:
            return self.content_type
        if self.body is not None and self.raw is None and self.file is None:
            return JSON_TYPE
        return None


def ok(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Reply:
    return Reply(status, body=body, headers=dict(headers or {}))


def no_content() -> Reply:
    return Reply(204)

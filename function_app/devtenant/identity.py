"""Who is calling: the app's fixed token, or a member of staff's "dev-user:<name>" token.

Writes are attributed as Graph attributes them: an application, or a user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .util import name_guid

APP_TOKEN = "dev-app-token"
APP_ID = "00000000-0000-0000-0000-00000000ca5e"
APP_NAME = "Attendance Casework"
USER_PREFIX = "dev-user:"


@dataclass(frozen=True, slots=True)
class Identity:
    kind: str  # "application" or "user"
    display_name: str
    id: str

    def identity_set(self) -> dict[str, Any]:
        """Graph's identitySet, as in createdBy / lastModifiedBy."""
        if self.kind == "application":
            return {"application": {"id": self.id, "displayName": self.display_name}}
        return {"user": {"displayName": self.display_name, "id": self.id}}


APPLICATION = Identity("application", APP_NAME, APP_ID)
# Changes the tenant makes itself (the site and library on first start).
SYSTEM = Identity("user", "System Account", name_guid("user", "System Account"))


def user_token(display_name: str) -> str:
    return USER_PREFIX + display_name


def from_authorization(header: str | None) -> Identity | None:
    """The caller named by an Authorization header, or None when it names nobody."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    if token == APP_TOKEN:
        return APPLICATION
    if token.startswith(USER_PREFIX):
        name = token[len(USER_PREFIX) :].strip()
        if name:
            return Identity("user", name, name_guid("user", name))
    return None

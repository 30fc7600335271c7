"""Who is calling: the app's fixed token, or a member of staff's "dev-user:<name>" token.

Writes are attributed as Graph attributes them: an application, or a user. What an app's
write says in createdBy / lastModifiedBy depends on the tenant's ``app_identity``
(``APP_IDENTITIES``), because SharePoint is not consistent about it:

- "app" (the default): ``{"application": {"id": APP_ID, "displayName": APP_NAME}}``.
- "both": ``{"application": {"id": APP_ID, "displayName": APP_NAME},
  "user": {"displayName": "SharePoint App"}}``: what SharePoint Online usually answers for
  a file or item an Entra app wrote through Graph (the app, and SharePoint's stand-in user
  "SharePoint App", which has no id or email there). Seen in Graph answers quoted in public
  code, e.g. a driveItem uploaded by an app: {"application": {"id": "e1d5767e-...",
  "displayName": "... Programmatic Upload"}, "user": {"displayName": "SharePoint App"}},
  and in demisto/content's MicrosoftGraphFiles tests; SharePoint's modern UI shows such
  writes as "SharePoint App" (SharePoint/sp-dev-docs#1213).
- "both-no-id": ``{"application": {"displayName": APP_NAME},
  "user": {"displayName": "SharePoint App"}}``: the same without the application's id, which
  some answers leave out; and Microsoft's own documented examples show app-written pages
  with only ``{"user": {"displayName": "SharePoint App"}}`` (the sitePage/newsLinkPage
  examples in microsoft-graph-docs-contrib), so code must not count on the id.

A member of staff's writes are ``{"user": {"displayName": name, "id": GUID}}`` whatever the
setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .util import name_guid

APP_TOKEN = "dev-app-token"
APP_ID = "00000000-0000-0000-0000-00000000ca5e"
APP_NAME = "Attendance Casework"
USER_PREFIX = "dev-user:"
SHAREPOINT_APP = "SharePoint App"  # the user SharePoint names beside an app's writes
APP_IDENTITIES = ("app", "both", "both-no-id")
# A second application, standing for the SharePoint administrator's tooling: it holds
# Sites.FullControl.All, so it reaches every site and may grant the app a site
# (POST /sites/{id}/permissions) when the tenant limits the app to Sites.Selected.
ADMIN_TOKEN = "dev-admin-token"
ADMIN_APP_ID = "00000000-0000-0000-0000-0000000ad000"
ADMIN_APP_NAME = "Dev Tenant Administration"


@dataclass(frozen=True, slots=True)
class Identity:
    kind: str  # "application" or "user"
    display_name: str
    id: str
    shape: str = "app"  # for an application: one of APP_IDENTITIES

    def identity_set(self) -> dict[str, Any]:
        """Graph's identitySet, as in createdBy / lastModifiedBy."""
        if self.kind != "application":
            return {"user": {"displayName": self.display_name, "id": self.id}}
        if self.shape == "app":
            return {"application": {"id": self.id, "displayName": self.display_name}}
        application = {"displayName": self.display_name}
        if self.shape == "both":
            application = {"id": self.id, **application}
        return {"application": application, "user": {"displayName": SHAREPOINT_APP}}


APPLICATION = Identity("application", APP_NAME, APP_ID)


def application(shape: str = "app") -> Identity:
    """The app's identity, attributed in the given shape (one of APP_IDENTITIES)."""
    if shape not in APP_IDENTITIES:
        raise ValueError(f"app_identity must be one of {APP_IDENTITIES}, got {shape!r}")
    return APPLICATION if shape == "app" else Identity("application", APP_NAME, APP_ID, shape)


ADMIN = Identity("application", ADMIN_APP_NAME, ADMIN_APP_ID)


def is_admin(who: Identity) -> bool:
    return who.kind == "application" and who.id == ADMIN_APP_ID


def user_email(display_name: str, domain: str) -> str:
    """A member of staff's email address: "Attendance Officer" -> attendance.officer@domain."""
    local = ".".join(part for part in display_name.lower().split() if part)
    return f"{local}@{domain}"


# Changes the tenant makes itself (the site and library on first start).
SYSTEM = Identity("user", "System Account", name_guid("user", "System Account"))


def user_token(display_name: str) -> str:
    return USER_PREFIX + display_name


def from_authorization(header: str | None, app: Identity = APPLICATION) -> Identity | None:
    """The caller named by an Authorization header, or None when it names nobody; the app
    token names ``app`` (the tenant's application identity), the admin token ADMIN."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    if token == APP_TOKEN:
        return app
    if token == ADMIN_TOKEN:
        return ADMIN
    if token.startswith(USER_PREFIX):
        name = token[len(USER_PREFIX) :].strip()
        if name:
            return Identity("user", name, name_guid("user", name))
    return None

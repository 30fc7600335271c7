"""Who may reach which site: per-site membership for members of staff, Sites.Selected for
the app, and item sharing for people invited to one file.

Every Graph request that names a site or a drive (directly, by path, or inside a $batch)
is checked here before its handler runs (server.py); subscriptions and SharePoint REST check
the site they name themselves. A caller without access gets what SharePoint gives through
Graph: 403 with code ``accessDenied`` ("The caller doesn't have permission to perform the
action.", https://learn.microsoft.com/graph/errors) and the message "Access denied", as
Graph answers an app or user that lacks a site (quoted in microsoftgraph/
microsoft-graph-docs-contrib#3985 and acsone/msgraphfs#9 for Sites.Selected).

- Members of staff ("dev-user:<name>"): a site created without a members list is open to
  all (read and write), as before. A site with one lets its members read and write, its
  visitors read, and nobody else in (Backend.create_site, DevTenant.add_site).
- The app ("dev-app-token"): by default it reaches every site (Sites.ReadWrite.All). With
  ``sites_selected`` on it reaches only sites it was granted by POST /sites/{id}/permissions
  (grantedToIdentities naming its application id): "read" to read, "write", "owner",
  "fullcontrol" or "manage" to read and write (site-post-permissions.md).
- The admin application ("dev-admin-token", identity.ADMIN) reaches every site and is the
  one that grants the app its sites, as a SharePoint administrator's tooling with
  Sites.FullControl.All does.
- A member of staff who is not in a site may still read (or, with "write", change) one
  drive item they were invited to (POST .../invite): addressed by id, unexpired.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from .errors import GraphError
from .identity import APP_ID, Identity, is_admin, user_email
from .rows import Site

if TYPE_CHECKING:
    from .backend import Backend

READ_METHODS = frozenset({"GET", "HEAD"})
WRITE_ROLES = frozenset({"write", "owner", "fullcontrol", "manage"})
SITE_ROLES = frozenset({"read", *WRITE_ROLES})


def denied() -> GraphError:
    return GraphError(403, "accessDenied", "Access denied")


def app_roles(b: Backend, site: Site) -> set[str]:
    """The roles granted on the site to the app (identity.APP_ID)."""
    roles: set[str] = set()
    for permission in b.store.site_permissions(site.id):
        for granted in permission.get("grantedToIdentitiesV2", []):
            if granted.get("application", {}).get("id") == APP_ID:
                roles.update(permission.get("roles", []))
    return roles


def site_access(b: Backend, who: Identity, site: Site) -> str | None:
    """"write", "read" or None: what the caller may do in the site."""
    if who.kind == "application":
        if is_admin(who) or not b.sites_selected:
            return "write"
        roles = app_roles(b, site)
        if roles & WRITE_ROLES:
            return "write"
        return "read" if "read" in roles else None
    membership = b.store.membership(site.id)
    if membership is None:
        return "write"
    name = who.display_name.casefold()
    if name in {m.casefold() for m in membership.members}:
        return "write"
    if name in {v.casefold() for v in membership.visitors}:
        return "read"
    return None


def require(b: Backend, who: Identity | None, site: Site, *, write: bool) -> None:
    """Refuse (403 accessDenied) a caller who may not read, or write, the site."""
    if who is None:
        return
    level = site_access(b, who, site)
    if level == "write" or (level == "read" and not write):
        return
    raise denied()


def _shared_with(b: Backend, who: Identity, item_id: str, *, write: bool) -> bool:
    """Whether an unexpired invitation on the item lets this member of staff in."""
    if who.kind != "user":
        return False
    email = user_email(who.display_name, b.email_domain)
    for permission in b.store.item_permissions(item_id, time.time()):
        if permission.get("invitation", {}).get("email", "").casefold() != email:
            continue
        roles = set(permission.get("roles", []))
        if roles & WRITE_ROLES or (not write and "read" in roles):
            return True
    return False


def check_request(b: Backend, method: str, who: Identity | None, params: dict[str, str]) -> None:
    """Refuse a Graph request whose site (named, or owning the named drive) the caller may
    not reach; unknown sites and drives are left to the handler's 404."""
    if who is None:
        return
    site: Site | None = None
    if "site-id" in params:
        key = params["site-id"]
        site = b.main_site if key.lower() == "root" else b.store.site(key)
    elif "drive-id" in params:
        drive = b.store.drive(params["drive-id"])
        site = b.store.site(drive.site_id) if drive is not None else None
    if site is None:
        return
    write = method not in READ_METHODS
    level = site_access(b, who, site)
    if level == "write" or (level == "read" and not write):
        return
    item_id = params.get("item-id")
    if item_id and "path" not in params and _shared_with(b, who, item_id, write=write):
        return
    raise denied()

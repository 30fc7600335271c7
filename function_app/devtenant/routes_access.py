"""Site permissions (Sites.Selected grants), sharing invitations on drive items, and
retention labels.

- ``POST /sites/{site-id}/permissions`` (site-post-permissions.md): grant an application
  roles on a site; ``GET .../permissions`` (site-list-permissions.md), ``GET`` and
  ``DELETE .../permissions/{permission-id}`` (site-get-permission.md,
  site-delete-permission.md). Application-only in Graph (Sites.FullControl.All): here the
  admin token (identity.ADMIN) may do all, and the app may read the grants of a site it
  holds "fullcontrol" or "owner" on; members of staff get 403.
- ``POST /drives/{drive-id}/items/{item-id}/invite`` (driveitem-invite.md), and the item's
  ``GET .../permissions`` (driveitem-list-permissions.md), ``GET`` and ``DELETE
  .../permissions/{perm-id}`` (permission-get.md, permission-delete.md).
- ``PATCH``, ``GET`` and ``DELETE .../items/{item-id}/retentionLabel``
  (driveitem-setretentionlabel.md, driveitem-removeretentionlabel.md).

Where the documentation names no answer, the choice is said beside the code, and in
docs/dev-tenant.md ("Known differences").
"""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any

from .access import SITE_ROLES, app_roles, denied
from .backend import Backend
from .calls import Call, Reply, no_content, ok
from .errors import GraphError, bad_request, not_found
from .identity import Identity, is_admin
from .router import Route
from .routes_drive import existing
from .routes_sites import caller
from .rows import Site
from .store import DriveItemRow, DriveRow
from .util import TENANT_ID, iso, iso_precise, name_guid, new_guid, now, parse_iso

GRANTED_TO_IDENTITIES = (
    "GrantedToIdentities has been deprecated. Refer to GrantedToIdentitiesV2"
)
GRANTED_TO = "GrantedTo has been deprecated. Refer to GrantedToV2"
NO_EXPIRY = "0001-01-01T00:00:00Z"  # DateTime.MinValue: "no expiration" (permission.md)
INVITE_ROLES = ("read", "write")  # driveitem-invite.md: "roles": ["read | write"]
MAX_MESSAGE = 2000
# A label that retains and is not a record: kept, so not deleted, but still editable.
# (The documented example's label, with every update refused, is a record label.)
DEFAULT_RETENTION_SETTINGS: dict[str, Any] = {
    "behaviorDuringRetentionPeriod": "retain",
    "isDeleteAllowed": False,
    "isRecordLocked": False,
    "isMetadataUpdateAllowed": True,
    "isContentUpdateAllowed": True,
    "isLabelUpdateAllowed": True,
}


# -- site permissions (the app's grants) ----------------------------------------------------


def _may_read_grants(b: Backend, who: Identity, site: Site) -> bool:
    if is_admin(who):
        return True
    return who.kind == "application" and bool(app_roles(b, site) & {"fullcontrol", "owner"})


def _site_permission_id(app_id: str) -> str:
    """Graph's site permission ids encode the app's claim, as "aTowaS50fG1zLnNwLmV4dHw..."."""
    claim = f"i:0i.t|ms.sp.ext|{app_id}@{TENANT_ID}"
    return base64.b64encode(claim.encode("utf-8")).decode("ascii")


def _public(permission: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in permission.items() if not k.startswith("_")}


def grant_site(b: Backend, site: Site, body: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Grant roles on a site to the application(s) a permission body names: (permission,
    created). Granting an application again replaces its roles, keeping the id."""
    roles = body.get("roles")
    if (not isinstance(roles, list) or not roles
            or not all(isinstance(r, str) and r in SITE_ROLES for r in roles)):
        raise bad_request(f"roles must be a non-empty list of {sorted(SITE_ROLES)}; "
                          f"got {roles!r}.")
    identities = body.get("grantedToIdentities", body.get("grantedToIdentitiesV2"))
    if not isinstance(identities, list) or len(identities) != 1:
        raise bad_request("grantedToIdentities must name one application: "
                          '[{"application": {"id": "...", "displayName": "..."}}].')
    application = identities[0].get("application") if isinstance(identities[0], dict) else None
    if not isinstance(application, dict) or not isinstance(application.get("id"), str):
        raise bad_request("A site permission can only be granted to an application "
                          '(grantedToIdentities[0].application.id); user site permissions '
                          "cannot be created this way.")
    granted = {"id": application["id"],
               "displayName": str(application.get("displayName") or "")}
    permission_id = _site_permission_id(granted["id"])
    created = not any(p["id"] == permission_id for p in b.store.site_permissions(site.id))
    permission = {
        "id": permission_id,
        "@deprecated.GrantedToIdentities": GRANTED_TO_IDENTITIES,
        "roles": list(dict.fromkeys(roles)),
        "grantedToIdentities": [{"application": granted}],
        "grantedToIdentitiesV2": [{"application": granted}],
    }
    b.store.put_site_permission(site.id, permission)
    return permission, created


async def create_site_permission(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    site = b.site(p["site-id"])
    if not is_admin(caller(call)):
        raise denied()  # Sites.FullControl.All, application only (site-post-permissions.md)
    permission, _created = grant_site(b, site, call.json())
    context = f"{b.base_url}/$metadata#sites('{site.id}')/permissions/$entity"
    return ok({"@odata.context": context, **permission}, status=201)


async def get_site_permissions(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    site = b.site(p["site-id"])
    if not _may_read_grants(b, caller(call), site):
        raise denied()
    return ok({"@odata.context": f"{b.base_url}/$metadata#sites('{site.id}')/permissions",
               "value": b.store.site_permissions(site.id)})


def _site_permission(b: Backend, site: Site, permission_id: str) -> dict[str, Any]:
    for permission in b.store.site_permissions(site.id):
        if permission["id"] == permission_id:
            return permission
    raise not_found(f"The permission '{permission_id}' was not found on the site.")


async def get_site_permission(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    site = b.site(p["site-id"])
    if not _may_read_grants(b, caller(call), site):
        raise denied()
    permission = _site_permission(b, site, p["permission-id"])
    context = f"{b.base_url}/$metadata#sites('{site.id}')/permissions/$entity"
    return ok({"@odata.context": context, **permission})


async def delete_site_permission(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    site = b.site(p["site-id"])
    if not is_admin(caller(call)):
        raise denied()
    _site_permission(b, site, p["permission-id"])
    b.store.delete_site_permission(site.id, p["permission-id"])
    return no_content()


# -- sharing invitations on drive items -----------------------------------------------------


def _display_name(email: str) -> str:
    """attendance.officer@domain -> "Attendance Officer" (identity.user_email reversed)."""
    local = email.partition("@")[0]
    return " ".join(part.capitalize() for part in local.replace("_", ".").split(".") if part)


def _link_kind(item: DriveItemRow) -> str:
    if item.is_folder:
        return "f"
    extension = item.name.rpartition(".")[2].lower()
    return {"docx": "w", "doc": "w", "xlsx": "x", "xls": "x", "pptx": "p", "pdf": "b"}.get(
        extension, "u"
    )


def _share_token(item: DriveItemRow, permission_id: str) -> str:
    digest = hashlib.sha256(f"{item.id}|{permission_id}".encode()).digest()
    return "E" + base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")[:42]


def _recipients(body: dict[str, Any]) -> list[str]:
    recipients = body.get("recipients")
    if not isinstance(recipients, list) or not recipients:
        raise bad_request('recipients is required: a non-empty list of {"email": "..."}.')
    emails: list[str] = []
    for recipient in recipients:
        email = recipient.get("email") if isinstance(recipient, dict) else None
        if not isinstance(email, str) or "@" not in email.strip("@"):
            if isinstance(recipient, dict) and ("objectId" in recipient or "alias" in recipient):
                raise bad_request("The dev tenant invites recipients by email only.",
                                  "notSupported")
            raise bad_request(f"Each recipient needs an email address; got {recipient!r}.")
        emails.append(email.strip().lower())
    return list(dict.fromkeys(emails))


def _invite_options(body: dict[str, Any]) -> tuple[list[str], bool, bool, str, str | None,
                                                     float | None]:
    """(roles, requireSignIn, sendInvitation, message, expirationDateTime, its timestamp)."""
    roles = body.get("roles")
    if (not isinstance(roles, list) or not roles
            or not all(isinstance(r, str) and r in INVITE_ROLES for r in roles)):
        raise bad_request(f"roles must be a non-empty list of {list(INVITE_ROLES)}; "
                          f"got {roles!r}.")
    flags = []
    for name in ("requireSignIn", "sendInvitation"):
        value = body.get(name, False)
        if not isinstance(value, bool):
            raise bad_request(f"{name} must be true or false; got {value!r}.")
        flags.append(value)
    message = body.get("message") or ""
    if not isinstance(message, str) or len(message) > MAX_MESSAGE:
        raise bad_request(f"message must be text of at most {MAX_MESSAGE} characters.")
    if body.get("password") is not None:
        # "Optional and OneDrive Personal only" (driveitem-invite.md); refused here so a
        # password meant to protect a SharePoint file is not silently dropped.
        raise bad_request("password is available on OneDrive Personal only, not SharePoint.")
    expires_text, expires = None, None
    raw = body.get("expirationDateTime")
    if raw is not None:
        try:
            moment = parse_iso(str(raw))
        except ValueError as exc:
            raise bad_request(f"expirationDateTime is not a date and time: {exc}.") from exc
        if moment <= now():
            raise bad_request("expirationDateTime must be in the future.")
        expires_text, expires = iso(moment), moment.timestamp()
    return list(dict.fromkeys(roles)), flags[0], flags[1], message, expires_text, expires


def _check_recipients(b: Backend, who: Identity, emails: list[str]) -> None:
    """Refuse recipients outside the tenant when sharing outside it is off, and new guests
    invited by an app.

    Neither answer is documented. driveitem-invite.md (learn.microsoft.com, current) says
    "New guests can't be invited using app-only access. Existing guests can be invited
    using app-only requests." but not with what error; public reports of refused external
    invitations show 400 invalidRequest "The request is malformed or incorrect."
    (microsoftgraph/microsoft-graph-docs-contrib#6139, #3890) or 500 generalException
    (#9132). The dev tenant answers 403 accessDenied with a message that says why; callers
    must treat any refusal of an external recipient as "not shared".
    """
    for email in emails:
        domain = email.rpartition("@")[2]
        if domain == b.email_domain.lower():
            continue
        if not b.external_sharing:
            raise GraphError(403, "accessDenied",
                             f"Sharing outside the organisation is turned off for this "
                             f"tenant: {email} is not in {b.email_domain}.")
        if who.kind == "application" and email not in b.guests:
            raise GraphError(403, "accessDenied",
                             f"New guests can't be invited using app-only access: {email} "
                             "is not yet a guest of this tenant.")


def _people(b: Backend, email: str) -> dict[str, Any] | None:
    """The user (and siteUser) a recipient is, if the tenant knows them: a member of the
    organisation or an existing guest. A new external recipient is known only once they
    redeem the invitation (permission.md, "Invitation to an email address")."""
    internal = email.rpartition("@")[2] == b.email_domain.lower()
    if not internal and email not in b.guests:
        return None
    name = _display_name(email) if internal else email
    user_id = name_guid("user", name) if internal else name_guid("guest", email)
    lookup = b.store.user_lookup_id(Identity("user", name, user_id))
    login = (f"i:0#.f|membership|{email}" if internal else
             f"i:0#.f|membership|{email.replace('@', '_')}#ext#@{b.email_domain}")
    return {"user": {"id": user_id, "displayName": name, "email": email},
            "siteUser": {"id": str(lookup), "displayName": name, "loginName": login}}


def _invitation_permission(b: Backend, drive: DriveRow, item: DriveItemRow, email: str,
                           options: tuple[list[str], bool, str | None], who: Identity,
                           permission_id: str) -> dict[str, Any]:
    roles, sign_in, expires = options
    site, _lst = b.drive_context(drive)
    permission: dict[str, Any] = {"id": permission_id, "roles": roles}
    person = _people(b, email)
    if person is not None:
        permission["@deprecated.GrantedTo"] = GRANTED_TO
        permission["grantedTo"] = {"user": person["user"]}
        permission["grantedToV2"] = person
        permission["@deprecated.GrantedToIdentities"] = GRANTED_TO_IDENTITIES
        permission["grantedToIdentities"] = [{"user": person["user"]}]
        permission["grantedToIdentitiesV2"] = [person]
    # The invitation facet (driveitem-invite.md's example) and, as SharePoint makes a
    # "specific people" link for an invitation, the link facet (permission.md).
    permission["invitation"] = {"email": email, "signInRequired": sign_in,
                                "invitedBy": who.identity_set()}
    permission["link"] = {
        "scope": "users",
        "type": "edit" if "write" in roles else "view",
        "webUrl": f"https://{site.hostname}/:{_link_kind(item)}:/s/{site.name}/"
                  f"{_share_token(item, permission_id)}",
        "preventsDownload": False,
    }
    permission["shareId"] = "u!" + _share_token(item, permission_id)[1:]
    permission["expirationDateTime"] = expires or NO_EXPIRY
    return permission


async def invite(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    drive, item = existing(b, p)
    body = call.json()
    emails = _recipients(body)
    roles, sign_in, send, message, expires_text, expires = _invite_options(body)
    who = caller(call)
    _check_recipients(b, who, emails)
    value = []
    with b.store.transaction():
        for email in emails:
            earlier = b.store.item_permission_for(item.id, email)
            permission_id = earlier["id"] if earlier else new_guid().upper()
            permission = _invitation_permission(
                b, drive, item, email, (roles, sign_in, expires_text), who, permission_id
            )
            b.store.put_item_permission(item.id, email, expires, permission)
            value.append(permission)
            if send:
                b.invitations_sent.append({"email": email, "message": message,
                                           "driveId": drive.id, "itemId": item.id,
                                           "webUrl": permission["link"]["webUrl"],
                                           "roles": roles})
    return ok({"@odata.context": f"{b.base_url}/$metadata#Collection(microsoft.graph.permission)",
               "value": value})


def _site_groups(b: Backend, drive: DriveRow) -> list[dict[str, Any]]:
    """The permissions an item inherits from its site: Owners, Members, Visitors groups.
    (SharePoint lists them with an item's own; it does not return inheritedFrom.)"""
    site, _lst = b.drive_context(drive)
    groups = []
    for number, (group, role) in enumerate(
        (("Owners", "owner"), ("Members", "write"), ("Visitors", "read")), start=3
    ):
        name = f"{site.display_name} {group}"
        group_id = base64.b64encode(f"{site.id}|{group}".encode()).decode("ascii")
        groups.append({
            "id": group_id,
            "@deprecated.GrantedTo": GRANTED_TO,
            "roles": [role],
            "grantedTo": {"user": {"displayName": name}},
            "grantedToV2": {"siteGroup": {"displayName": name, "id": str(number),
                                          "loginName": name}},
            "shareId": group_id,
        })
    return groups


def _item_permissions(b: Backend, drive: DriveRow, item: DriveItemRow) -> list[dict[str, Any]]:
    return [*_site_groups(b, drive), *b.store.item_permissions(item.id, time.time())]


async def get_item_permissions(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    drive, item = existing(b, p)
    context = f"{b.base_url}/$metadata#drives('{drive.id}')/items('{item.id}')/permissions"
    return ok({"@odata.context": context, "value": _item_permissions(b, drive, item)})


def _item_permission(b: Backend, drive: DriveRow, item: DriveItemRow, permission_id: str
                     ) -> dict[str, Any]:
    for permission in _item_permissions(b, drive, item):
        if permission["id"] == permission_id:
            return permission
    raise not_found(f"The permission '{permission_id}' was not found on the item.")


async def get_item_permission(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    drive, item = existing(b, p)
    permission = _item_permission(b, drive, item, p["perm-id"])
    context = (f"{b.base_url}/$metadata#drives('{drive.id}')/items('{item.id}')"
               "/permissions/$entity")
    return ok({"@odata.context": context, **permission})


async def delete_item_permission(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    drive, item = existing(b, p)
    _item_permission(b, drive, item, p["perm-id"])
    if not b.store.delete_item_permission(item.id, p["perm-id"]):
        # "Only sharing permissions that are not inherited can be deleted" (permission-delete.md)
        raise bad_request("An inherited permission (the site's groups) cannot be deleted "
                          "from an item.", "notAllowed")
    return no_content()


# -- retention labels ------------------------------------------------------------------------


def _label_body(b: Backend, drive: DriveRow, item: DriveItemRow, label: dict[str, Any]
                ) -> dict[str, Any]:
    context = (f"{b.base_url}/$metadata#drives('{drive.id}')/items('{item.id}')"
               "/retentionLabel/$entity")
    return {"@odata.context": context, **label}


async def set_retention_label(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    drive, item = existing(b, p)
    body = call.json()
    unknown = set(body) - {"name"}
    if unknown:
        raise bad_request(f"Only the label's name can be set (driveItem: setRetentionLabel); "
                          f"got {sorted(unknown)}.")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise bad_request('The request body must name the label: {"name": "..."}.')
    settings = b.retention_labels.get(name)
    if settings is None:
        # Graph documents no answer for a label that does not exist; this is a 400.
        raise bad_request(f"The retention label '{name}' does not exist in this tenant "
                          f"(it has: {sorted(b.retention_labels) or 'none'}).")
    earlier = b.store.retention_label(item.id)
    if earlier is not None and earlier["name"] == name:
        return ok(_label_body(b, drive, item, earlier))
    label = {
        "name": name,
        "retentionSettings": dict(settings),
        "isLabelAppliedExplicitly": True,
        "labelAppliedDateTime": iso_precise(now()),
        "labelAppliedBy": caller(call).identity_set(),
    }
    b.store.put_retention_label(item.id, label)
    # 201 the first time an item gets a label, 200 after (driveitem-setretentionlabel.md).
    return ok(_label_body(b, drive, item, label), status=201 if earlier is None else 200)


async def get_retention_label(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    drive, item = existing(b, p)
    label = b.store.retention_label(item.id)
    if label is None:
        # Not documented for an unlabelled item; answered as an absent navigation property.
        raise not_found("The item has no retention label.")
    return ok(_label_body(b, drive, item, label))


async def remove_retention_label(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    _drive, item = existing(b, p)
    b.store.delete_retention_label(item.id)  # 204 whether or not it had one
    return no_content()


S = "/sites/{site-id}"
D = "/drives/{drive-id}"


def _routes() -> list[Route]:
    routes = [
        Route("POST", f"{S}/permissions", create_site_permission),
        Route("GET", f"{S}/permissions", get_site_permissions),
        Route("GET", f"{S}/permissions/{{permission-id}}", get_site_permission),
        Route("DELETE", f"{S}/permissions/{{permission-id}}", delete_site_permission),
    ]
    for base in (f"{D}/root", f"{D}/items/{{item-id}}"):
        for addressed in (base, base + ":/{path}:"):
            routes += [
                Route("POST", f"{addressed}/invite", invite),
                Route("GET", f"{addressed}/permissions", get_item_permissions),
                Route("GET", f"{addressed}/permissions/{{perm-id}}", get_item_permission),
                Route("DELETE", f"{addressed}/permissions/{{perm-id}}", delete_item_permission),
                Route("PATCH", f"{addressed}/retentionLabel", set_retention_label),
                Route("GET", f"{addressed}/retentionLabel", get_retention_label),
                Route("DELETE", f"{addressed}/retentionLabel", remove_retention_label),
            ]
    return routes


ROUTES = _routes()

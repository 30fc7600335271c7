"""Subscriptions to list changes: POST (after the validation handshake), GET, PATCH, DELETE.

Only SharePoint list resources ("sites/{site-id}/lists/{list-id}") are supported, with the
one change type Graph supports for them ("updated") and its maximum lifetime.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

from .access import require
from .backend import Backend
from .calls import Call, Reply, no_content, ok
from .errors import GraphError, bad_request
from .identity import APP_ID
from .notifications import check_notification_url
from .router import Route
from .util import iso_precise, new_guid, now, parse_iso

MAX_MINUTES = 42_300  # Graph's documented maximum for SharePoint list subscriptions
_RESOURCE = re.compile(r"^/?sites/(?P<site>[^/]+)/lists/(?P<list>[^/]+)/?$")


def _not_found(sub_id: str) -> GraphError:
    return GraphError(404, "ResourceNotFound", f"The object was not found: subscription {sub_id}")


def _public(b: Backend, sub: dict[str, Any], context: bool = True) -> dict[str, Any]:
    out = {k: v for k, v in sub.items() if not k.startswith("_")}
    if context:
        out = {"@odata.context": f"{b.base_url}/$metadata#subscriptions/$entity", **out}
    return out


def _expiry(value: Any) -> tuple[str, float]:
    if not isinstance(value, str):
        raise bad_request("expirationDateTime is required (ISO 8601).", "InvalidRequest")
    try:
        moment = parse_iso(value)
    except ValueError as exc:
        raise bad_request(
            f"expirationDateTime is not a date and time: {exc}.", "InvalidRequest"
        ) from exc
    if moment <= now():
        raise bad_request("Subscription expiration must be in the future.", "InvalidRequest")
    if moment > now() + timedelta(minutes=MAX_MINUTES):
        raise bad_request(
            f"Subscription expiration can only be {MAX_MINUTES} minutes in the "
            "future for a list resource.",
            "InvalidRequest",
        )
    return iso_precise(moment), moment.timestamp()


def _active(b: Backend, sub_id: str, call: Call | None = None) -> dict[str, Any]:
    sub = b.store.document("subscriptions", sub_id)
    if sub is None or sub["_expires"] <= time.time():
        raise _not_found(sub_id)
    found = _RESOURCE.match(sub["resource"])
    site = b.store.site(found["site"]) if found else None
    if call is not None and site is not None:
        require(b, call.identity, site, write=False)
    return sub


async def create(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    body = call.json()
    resource = body.get("resource")
    found = _RESOURCE.match(resource) if isinstance(resource, str) else None
    if found is None:
        raise bad_request(
            f"The dev tenant supports subscriptions to SharePoint lists only "
            f"('sites/{{site-id}}/lists/{{list-id}}'); got {resource!r}.",
            "InvalidRequest",
        )
    site = b.site(found["site"])
    require(b, call.identity, site, write=False)  # reading the list is enough to subscribe
    lst = b.find_list(site, found["list"])
    change_type = body.get("changeType")
    if change_type != "updated":
        raise bad_request(
            f"changeType {change_type!r} is not supported for a list; lists "
            "support 'updated' only.",
            "InvalidRequest",
        )
    url = body.get("notificationUrl")
    if not isinstance(url, str):
        raise bad_request("notificationUrl is required.", "InvalidRequest")
    check_notification_url(url)
    lifecycle = body.get("lifecycleNotificationUrl")
    if lifecycle is not None:
        check_notification_url(str(lifecycle), "lifecycleNotificationUrl")
    client_state = body.get("clientState")
    if client_state is not None and (not isinstance(client_state, str) or len(client_state) > 128):
        raise bad_request("clientState must be text of at most 128 characters.", "InvalidRequest")
    expires, moment = _expiry(body.get("expirationDateTime"))
    await b.notifier.handshake(url)
    if lifecycle is not None:
        await b.notifier.handshake(str(lifecycle))
    who = call.identity
    sub = {
        "id": new_guid(),
        "resource": resource,
        "applicationId": APP_ID,
        "changeType": change_type,
        "clientState": client_state,
        "notificationUrl": url,
        "notificationQueryOptions": None,
        "lifecycleNotificationUrl": lifecycle,
        "expirationDateTime": expires,
        "creatorId": who.id if who else APP_ID,
        "includeResourceData": False,
        "latestSupportedTlsVersion": body.get("latestSupportedTlsVersion", "v1_2"),
        "encryptionCertificate": None,
        "encryptionCertificateId": None,
        "notificationUrlAppId": None,
        "notificationContentType": "application/json",
        "_listId": lst.id,
        "_expires": moment,
    }
    b.store.put_document("subscriptions", sub["id"], sub)
    return ok(_public(b, sub), status=201)


async def renew(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    sub = _active(b, p["subscription-id"], call)
    body = call.json()
    unknown = set(body) - {"expirationDateTime", "notificationUrl"}
    if unknown:
        raise bad_request(
            f"Only expirationDateTime and notificationUrl can be updated; got {sorted(unknown)}.",
            "InvalidRequest",
        )
    if "notificationUrl" in body:
        url = check_notification_url(str(body["notificationUrl"]))
        await b.notifier.handshake(url)
        sub["notificationUrl"] = url
    if "expirationDateTime" in body:
        sub["expirationDateTime"], sub["_expires"] = _expiry(body["expirationDateTime"])
    b.store.put_document("subscriptions", sub["id"], sub)
    return ok(_public(b, sub))


async def get_one(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    return ok(_public(b, _active(b, p["subscription-id"], call)))


async def get_all(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    moment = time.time()
    subs = [s for s in b.store.documents("subscriptions") if s["_expires"] > moment]
    return ok(
        {
            "@odata.context": f"{b.base_url}/$metadata#subscriptions",
            "value": [_public(b, s, context=False) for s in subs],
        }
    )


async def delete(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    _active(b, p["subscription-id"], call)
    b.store.delete_document("subscriptions", p["subscription-id"])
    return no_content()


ROUTES = [
    Route("POST", "/subscriptions", create),
    Route("GET", "/subscriptions", get_all),
    Route("GET", "/subscriptions/{subscription-id}", get_one),
    Route("PATCH", "/subscriptions/{subscription-id}", renew),
    Route("DELETE", "/subscriptions/{subscription-id}", delete),
]

"""Change notifications as they arrive at the webhook: read, checked, turned into queue work.

Standard library only: the HTTP function imports this on every cold start.

Both senders are understood: Microsoft Graph (``{"value": [{"subscriptionId", "clientState",
"changeType", "resource", "tenantId", ...}]}``) and SharePoint's own list webhooks, which
post the same envelope without ``changeType``. A notification says only that a list
changed; what changed is read later from the list's delta, so the queue message carries
ids and nothing a person typed.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

MAX_BODY_BYTES = 1024 * 1024  # Graph batches notifications, but 1 MB is far beyond any batch
MAX_TOKEN_CHARS = 1024  # Graph's validation tokens are about 200 characters
MAX_FIELD_CHARS = 1024  # a resource is ~130 characters; a queue message must stay small
_ID = re.compile(r"^[A-Za-z0-9._:,/{}@-]{1,300}$")  # GUIDs, site and list ids, resources


class BadNotification(ValueError):
    """The body is not a change notification; the message is a short reason for a 400."""


@dataclass(frozen=True, slots=True)
class Notification:
    subscription_id: str
    client_state: str | None
    resource: str
    change_type: str
    tenant_id: str

    def queue_message(self) -> str:
        """The work item for the queue: ids only."""
        return json.dumps({"subscriptionId": self.subscription_id, "resource": self.resource,
                           "changeType": self.change_type, "tenantId": self.tenant_id},
                          sort_keys=True)


def parse(body: bytes) -> list[Notification]:
    """The notifications in a POST body; BadNotification when it is not that shape."""
    if len(body) > MAX_BODY_BYTES:
        raise BadNotification("The body is too large.")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BadNotification("The body is not JSON.") from exc
    values = data.get("value") if isinstance(data, dict) else None
    if not isinstance(values, list):
        raise BadNotification('The body has no "value" list of notifications.')
    return [_one(raw) for raw in values]


def _one(raw: Any) -> Notification:
    if not isinstance(raw, dict):
        raise BadNotification("A notification is not an object.")
    subscription = raw.get("subscriptionId")
    resource = raw.get("resource")
    if not isinstance(subscription, str) or not isinstance(resource, str):
        raise BadNotification("A notification lacks its subscriptionId or resource.")
    client_state = raw.get("clientState")
    change_type = raw.get("changeType", "")
    tenant = raw.get("tenantId", "")
    if not (client_state is None or isinstance(client_state, str)) \
            or not isinstance(change_type, str) or not isinstance(tenant, str):
        raise BadNotification("A notification has a field of the wrong type.")
    if max(len(subscription), len(resource), len(client_state or ""), len(change_type),
           len(tenant)) > MAX_FIELD_CHARS:
        raise BadNotification("A notification has a field that is too long.")
    return Notification(subscription, client_state, resource, change_type or "updated", tenant)


def genuine(notifications: Iterable[Notification], expected: str
            ) -> tuple[list[Notification], list[Notification]]:
    """(genuine, refused) by clientState, compared in constant time.

    With no expected value configured every notification is refused: an empty secret
    would accept anyone who leaves clientState out.
    """
    want = expected.encode("utf-8", "surrogatepass")
    accepted: list[Notification] = []
    refused: list[Notification] = []
    for n in notifications:
        given = (n.client_state or "").encode("utf-8", "surrogatepass")
        ok = bool(want) and hmac.compare_digest(given, want)
        (accepted if ok else refused).append(n)
    return accepted, refused


def queue_messages(notifications: Iterable[Notification]) -> list[str]:
    """One message per distinct notification, in order: a batch often repeats a list."""
    return list(dict.fromkeys(n.queue_message() for n in notifications))


def loggable(value: str) -> str:
    """An id as it may appear in a log; anything else (a name, a payload) is not logged."""
    return value if _ID.match(value) else "(not an id)"

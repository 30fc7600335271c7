"""Subscriptions: the validation handshake, notifications to a webhook on loopback, renewal."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web

from function_app.devtenant import DevTenant

from .helpers import Graph, Receiver, assert_documented_shape, example

pytestmark = pytest.mark.integration


def _in(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


def _subscribe(
    graph: Graph, tenant: DevTenant, list_id: str, url: str, **extra: Any
) -> dict[str, Any]:
    body = {
        "changeType": "updated",
        "notificationUrl": url,
        "resource": f"sites/{tenant.site_id}/lists/{list_id}",
        "expirationDateTime": _in(3600),
        "clientState": "casework-secret-state",
        **extra,
    }
    answer = graph.post("/subscriptions", body)
    return {"status": answer.status, **answer.json()}


def test_handshake_then_a_notification_per_change(
    graph: Graph, tenant: DevTenant, receiver: Receiver
) -> None:
    """Creating validates the URL first; each item change then POSTs a notification there."""
    lst = graph.new_list([])
    sub = _subscribe(graph, tenant, lst["id"], receiver.url)
    assert sub["status"] == 201
    assert len(receiver.validations) == 1
    assert receiver.validations[0].startswith("Validation: ")
    assert receiver.notifications == []
    items = graph.items_url(lst["id"])
    graph.post(items, {"fields": {"Title": "A"}})
    graph.patch(f"{items}/1/fields", {"Title": "B"})
    received = receiver.wait_for(2)
    assert len(received) == 2
    note = received[0]["value"][0]
    documented = example("change-notifications-delivery-webhooks")["request"]["body"]["value"][0]
    assert set(note) == set(documented)
    assert note["subscriptionId"] == sub["id"]
    assert note["clientState"] == "casework-secret-state"
    assert note["changeType"] == "updated"
    assert note["resource"] == f"sites/{tenant.site_id}/lists/{lst['id']}"
    assert note["subscriptionExpirationDateTime"] == sub["expirationDateTime"]
    assert_documented_shape({k: v for k, v in documented.items() if k != "resourceData"}, note)


def test_a_change_is_not_held_up_by_a_slow_or_failing_webhook(
    graph: Graph, tenant: DevTenant
) -> None:
    """A webhook that fails at first gets the notification on a retry; the write never waits."""
    with Receiver(fail_first=2) as flaky:
        lst = graph.new_list([])
        _subscribe(graph, tenant, lst["id"], flaky.url)
        started = time.perf_counter()
        assert graph.post(graph.items_url(lst["id"]), {"fields": {"Title": "A"}}).status == 201
        assert time.perf_counter() - started < 0.2
        assert len(flaky.wait_for(1)) == 1
        assert flaky.attempts == 3


def test_a_webhook_that_does_not_echo_the_token_is_refused(graph: Graph, tenant: DevTenant) -> None:
    """If the endpoint answers the validation with other text, POST /subscriptions is 400."""
    lst = graph.new_list([])
    with Receiver(echo=False) as wrong:
        answer = _subscribe(graph, tenant, lst["id"], wrong.url)
    assert answer["status"] == 400
    assert answer["error"]["code"] == "ValidationError"
    assert "validationToken" in answer["error"]["message"]
    resources = [s["resource"] for s in graph.get("/subscriptions").json()["value"]]
    assert f"sites/{tenant.site_id}/lists/{lst['id']}" not in resources


def test_a_validation_answer_that_is_not_plain_text_is_refused(
    graph: Graph, tenant: DevTenant
) -> None:
    """The validation answer must be text/plain: the token echoed as JSON is refused (400)."""
    lst = graph.new_list([])

    class JsonReceiver(Receiver):
        async def _handle(self, request: web.Request) -> web.Response:
            return web.json_response(request.query.get("validationToken"))

    with JsonReceiver() as as_json:
        answer = _subscribe(graph, tenant, lst["id"], as_json.url)
    assert answer["status"] == 400
    assert "text/plain" in answer["error"]["message"]


def test_an_unreachable_or_remote_webhook_is_refused(graph: Graph, tenant: DevTenant) -> None:
    """A notificationUrl nobody answers, or one off this machine, is 400 with a clear reason."""
    lst = graph.new_list([])
    with Receiver() as closed:
        url = closed.url
    unreachable = _subscribe(graph, tenant, lst["id"], url)
    assert unreachable["status"] == 400
    assert "could not be reached" in unreachable["error"]["message"]
    remote = _subscribe(graph, tenant, lst["id"], "https://webhook.example.org/notify")
    assert remote["status"] == 400
    assert "this machine" in remote["error"]["message"]


def test_expiry_beyond_the_list_maximum_or_other_change_types_are_refused(
    graph: Graph, tenant: DevTenant, receiver: Receiver
) -> None:
    """A list subscription may last at most 42,300 minutes and only for changeType updated."""
    lst = graph.new_list([])
    too_long = _subscribe(
        graph, tenant, lst["id"], receiver.url, expirationDateTime=_in(42_301 * 60)
    )
    assert too_long["status"] == 400
    assert "42300" in too_long["error"]["message"]
    assert _subscribe(graph, tenant, lst["id"], receiver.url, changeType="created")["status"] == 400
    past = _subscribe(graph, tenant, lst["id"], receiver.url, expirationDateTime=_in(-60))
    assert past["status"] == 400
    assert receiver.validations == []


def test_renew_list_and_delete(graph: Graph, tenant: DevTenant, receiver: Receiver) -> None:
    """PATCH renews the expiry, GET lists it, DELETE (204) removes it and stops notifications."""
    lst = graph.new_list([])
    sub = _subscribe(graph, tenant, lst["id"], receiver.url)
    later = _in(20 * 24 * 3600)
    renewed = graph.patch(f"/subscriptions/{sub['id']}", {"expirationDateTime": later})
    assert renewed.status == 200
    assert renewed.json()["expirationDateTime"][:19] == later[:19]
    assert sub["id"] in [s["id"] for s in graph.get("/subscriptions").json()["value"]]
    assert graph.get(f"/subscriptions/{sub['id']}").status == 200
    assert graph.delete(f"/subscriptions/{sub['id']}").status == 204
    assert graph.get(f"/subscriptions/{sub['id']}").status == 404
    graph.post(graph.items_url(lst["id"]), {"fields": {"Title": "A"}})
    tenant.wait_for_notifications()
    assert receiver.notifications == []


def test_an_expired_subscription_sends_nothing(
    graph: Graph, tenant: DevTenant, receiver: Receiver
) -> None:
    """After its expirationDateTime a subscription is gone: changes notify nobody."""
    lst = graph.new_list([])
    sub = _subscribe(graph, tenant, lst["id"], receiver.url, expirationDateTime=_in(0.6))
    assert sub["status"] == 201
    time.sleep(0.7)
    graph.post(graph.items_url(lst["id"]), {"fields": {"Title": "A"}})
    tenant.wait_for_notifications()
    assert receiver.notifications == []
    assert graph.patch(f"/subscriptions/{sub['id']}", {"expirationDateTime": _in(60)}).status == 404


def test_files_in_a_subscribed_library_notify_too(
    graph: Graph, tenant: DevTenant, receiver: Receiver
) -> None:
    """Uploading a file to a subscribed library sends a notification for the library list."""
    made = graph.post(
        f"/sites/{tenant.site_id}/lists",
        {"displayName": "Notified library", "list": {"template": "documentLibrary"}},
    ).json()
    _subscribe(graph, tenant, made["id"], receiver.url)
    drive = graph.get(f"/sites/{tenant.site_id}/lists/{made['id']}/drive").json()["id"]
    graph.put(f"/drives/{drive}/root:/letter.txt:/content", b"x")
    assert receiver.wait_for(1)[0]["value"][0]["resource"].endswith(made["id"])

"""The notifications function: handshakes echoed, genuine notifications queued, the rest
refused with a short reason or dropped, and nothing a sender wrote put in the logs."""

from __future__ import annotations

import copy
import json
import logging
from typing import Any

import pytest

from .support import CLIENT_STATE, call_http, example, post

pytestmark = pytest.mark.functions
SUBSCRIPTION = "0f6b7c1e-2c3d-4e5f-8a9b-0c1d2e3f4a5b"
RESOURCE = "sites/devtenant.sharepoint.local,1111,2222/lists/3333"


@pytest.fixture(autouse=True)
def client_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEWORK_CLIENT_STATE", CLIENT_STATE)


def graph_body(**changes: Any) -> dict[str, Any]:
    """Graph's documented notification, for one of our subscriptions."""
    body = copy.deepcopy(example("change-notifications-delivery-webhooks")["request"]["body"])
    body["value"][0].update({"subscriptionId": SUBSCRIPTION, "resource": RESOURCE,
                             "clientState": CLIENT_STATE, "changeType": "updated", **changes})
    return body


def test_graphs_validation_token_is_echoed_as_plain_text() -> None:
    """?validationToken=... is answered 200, text/plain, with exactly the token."""
    token = "Validation: Testing client application reachability for subscription Request-Id: 1"
    response, queued = call_http(post(params={"validationToken": token}))
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.get_body().decode("utf-8") == token
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert queued == []


def test_sharepoints_lower_case_validation_token_is_echoed_too() -> None:
    """SharePoint's own webhooks send ?validationtoken=...; it is echoed the same way."""
    response, _ = call_http(post(params={"validationtoken": "abc-123"}))
    assert (response.status_code, response.get_body()) == (200, b"abc-123")


@pytest.mark.parametrize("token", ["", "x" * 1025])
def test_an_empty_or_overlong_token_is_refused(token: str) -> None:
    """A token of no characters or more than 1024 is 400, not echoed."""
    response, _ = call_http(post(params={"validationToken": token}))
    assert response.status_code == 400
    assert token.encode() not in response.get_body() or not token


def test_a_genuine_notification_is_queued_as_ids_and_answered_202() -> None:
    """Graph's documented body with our clientState: one queue message of four ids, 202."""
    response, queued = call_http(post(graph_body()))
    assert response.status_code == 202
    assert [json.loads(m) for m in queued] == [{
        "subscriptionId": SUBSCRIPTION, "resource": RESOURCE, "changeType": "updated",
        "tenantId": "84bd8158-6d4d-4958-8b9f-9d6445542f95"}]


def test_a_sharepoint_webhook_notification_is_queued() -> None:
    """SharePoint's documented notification (no changeType) is understood."""
    body = copy.deepcopy(example("sharepoint-webhook-notification")["request"]["body"])
    body["value"][0]["clientState"] = CLIENT_STATE
    response, queued = call_http(post(body))
    assert response.status_code == 202
    assert json.loads(queued[0])["changeType"] == "updated"
    assert json.loads(queued[0])["resource"] == "b9f6f714-9df8-470b-b22e-653855e1c181"


def test_a_wrong_client_state_queues_nothing_and_logs_ids_only(
        caplog: pytest.LogCaptureFixture) -> None:
    """A notification with another clientState is dropped, answered 202 (Graph would
    retry anything else), and logged by subscription id without the payload."""
    caplog.set_level(logging.DEBUG)
    response, queued = call_http(post(graph_body(clientState="guessed-secret",
                                                 resource="sites/Jordan Ellis")))
    assert response.status_code == 202
    assert queued == []
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert SUBSCRIPTION in logged
    assert "guessed-secret" not in logged and "Jordan" not in logged


def test_a_missing_client_state_is_refused() -> None:
    """A notification without clientState is not ours."""
    body = graph_body()
    del body["value"][0]["clientState"]
    assert call_http(post(body))[1] == []


def test_with_no_client_state_configured_everything_is_refused(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """An unset CASEWORK_CLIENT_STATE accepts nothing, not even an empty clientState."""
    monkeypatch.setenv("CASEWORK_CLIENT_STATE", "")
    response, queued = call_http(post(graph_body(clientState="")))
    assert (response.status_code, queued) == (202, [])
    assert any("CASEWORK_CLIENT_STATE is not set" in r.getMessage() for r in caplog.records)


def test_in_a_batch_only_the_genuine_ones_are_queued_once_each() -> None:
    """Good, forged and repeated notifications in one POST: each good list once."""
    body = graph_body()
    good = body["value"][0]
    other = {**good, "resource": RESOURCE.replace("3333", "4444")}
    body["value"] = [good, {**good, "clientState": "nope"}, good, other]
    response, queued = call_http(post(body))
    assert response.status_code == 202
    assert [json.loads(m)["resource"] for m in queued] == [RESOURCE, other["resource"]]


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe\x00", b"[]", b'{"value": 3}',
                                  b'{"value": [1]}', b'{"value": [{"resource": "r"}]}',
                                  b'{"value": [{"subscriptionId": "s", "resource": 7}]}',
                                  b"[" * 100_000])
def test_a_body_that_is_not_notifications_is_400_with_a_reason(body: bytes) -> None:
    """Malformed JSON or the wrong shape: 400 with a short plain-text reason, nothing queued."""
    response, queued = call_http(post(body))
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert 0 < len(response.get_body()) < 100
    assert queued == []


def test_an_oversized_body_is_413_whether_declared_or_sent() -> None:
    """More than 1 MB is refused, by Content-Length before reading and by size after."""
    declared = post(b"{}", headers={"Content-Length": str(2 * 1024 * 1024)})
    assert call_http(declared)[0].status_code == 413
    sent = post(json.dumps({"value": [], "pad": "x" * (1024 * 1024)}))
    assert call_http(sent)[0].status_code == 413


def test_only_post_is_answered() -> None:
    """GET (or anything but POST) is 405, even with a token."""
    response, _ = call_http(post(method="GET", params={"validationToken": "t"}))
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"


def test_an_empty_batch_is_accepted_and_queues_nothing() -> None:
    """{"value": []} is the right shape with nothing in it."""
    assert call_http(post({"value": []}))[0].status_code == 202

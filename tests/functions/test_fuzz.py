"""The notifications function under any request: always a 2xx or 4xx answer, never an
exception or a 5xx, and nothing queued unless a notification carries our clientState."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .support import CLIENT_STATE, call_http, post

pytestmark = pytest.mark.functions

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12)
client_states = st.one_of(st.just(CLIENT_STATE), st.text(max_size=40), st.none(),
                          st.just(CLIENT_STATE + " "), st.just(CLIENT_STATE.upper()))
notification = st.fixed_dictionaries(
    {"subscriptionId": st.one_of(st.uuids().map(str), st.text(max_size=20), st.integers())},
    optional={"clientState": client_states,
              "resource": st.one_of(st.just("sites/s/lists/l"), st.text(max_size=30)),
              "changeType": st.one_of(st.just("updated"), st.text(max_size=10), st.none()),
              "tenantId": st.one_of(st.uuids().map(str), json_values),
              "extra": json_values})
bodies = st.one_of(
    st.binary(max_size=512),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.lists(notification, max_size=5).map(lambda v: json.dumps({"value": v}).encode()),
    st.text(max_size=200).map(str.encode))
header_names = st.text("abcdefghijklmnopqrstuvwxyz-ABCXYZ", min_size=1, max_size=20)
headers = st.dictionaries(st.one_of(header_names, st.just("Content-Length"),
                                    st.just("Content-Type")),
                          st.text(max_size=30), max_size=4)
params = st.dictionaries(st.one_of(st.text(max_size=15), st.just("validationToken"),
                                   st.just("validationtoken")),
                         st.text(max_size=40), max_size=3)
methods = st.one_of(st.sampled_from(["POST", "GET", "PUT", "DELETE", "PATCH", "OPTIONS",
                                     "post"]), st.text(max_size=8))


def genuine_in(body: bytes) -> int:
    """How many notifications in the body carry our clientState (0 if it is not JSON)."""
    try:
        data: Any = json.loads(body)
    except (ValueError, RecursionError):
        return 0
    values = data.get("value") if isinstance(data, dict) else None
    if not isinstance(values, list):
        return 0
    return sum(1 for v in values if isinstance(v, dict) and v.get("clientState") == CLIENT_STATE)


@pytest.fixture(autouse=True)
def configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEWORK_CLIENT_STATE", CLIENT_STATE)


@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=methods, headers=headers, params=params, body=bodies)
def test_any_request_gets_a_2xx_or_4xx_and_queues_only_genuine_notifications(
        method: str, headers: dict[str, str], params: dict[str, str], body: bytes) -> None:
    """Whatever arrives, the answer is 2xx or 4xx, and messages are queued only for
    notifications with our clientState, with the ids they carried."""
    response, queued = call_http(post(body, params=params, method=method, headers=headers))
    assert 200 <= response.status_code < 500 and not 300 <= response.status_code < 400
    if queued:
        assert response.status_code == 202
        assert genuine_in(body) >= len(queued)
        for text in queued:
            assert set(json.loads(text)) == {"subscriptionId", "resource", "changeType",
                                             "tenantId"}
    if not genuine_in(body):
        assert queued == []

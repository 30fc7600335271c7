"""JSON batching: POST /$batch with up to 20 requests, dependsOn honoured.

Requests run one at a time in an order that respects dependsOn (Graph may run independent
ones in parallel; the answers are the same). A request whose dependency failed gets 424.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import parse_qsl, unquote

from multidict import CIMultiDict

from .backend import Backend
from .calls import JSON_TYPE, Call, Reply, ok
from .errors import GraphError, bad_request
from .router import Route

MAX_REQUESTS = 20


def _invalid(message: str) -> GraphError:
    return bad_request(message, code="BadRequest")


def _order(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The requests in an order where each comes after those it depends on."""
    by_id = {r["id"].lower(): r for r in requests}
    done: set[str] = set()
    ordered: list[dict[str, Any]] = []
    while len(ordered) < len(requests):
        progressed = False
        for request in requests:
            key = request["id"].lower()
            needs = {d.lower() for d in request.get("dependsOn", [])}
            if key not in done and needs <= done:
                ordered.append(request)
                done.add(key)
                progressed = True
        if not progressed:
            raise _invalid("The dependsOn of the batch's requests form a cycle.")
    assert set(by_id) == done
    return ordered


def _validate(body: dict[str, Any]) -> list[dict[str, Any]]:
    requests = body.get("requests")
    if not isinstance(requests, list) or not requests:
        raise _invalid("Invalid batch payload format: 'requests' must be a non-empty list.")
    if len(requests) > MAX_REQUESTS:
        raise _invalid(
            f"A batch may hold at most {MAX_REQUESTS} requests; it held {len(requests)}."
        )
    seen: set[str] = set()
    for request in requests:
        if not isinstance(request, dict):
            raise _invalid("Each request in a batch must be a JSON object.")
        for key in ("id", "method", "url"):
            if not isinstance(request.get(key), str) or not request[key]:
                raise _invalid(f"Each request in a batch needs '{key}'.")
        if request["id"].lower() in seen:
            raise _invalid(f"Request id '{request['id']}' appears twice in the batch.")
        seen.add(request["id"].lower())
        depends = request.get("dependsOn", [])
        if not isinstance(depends, list) or not all(isinstance(d, str) for d in depends):
            raise _invalid("dependsOn must be a list of request ids.")
    for request in requests:
        for dependency in request.get("dependsOn", []):
            if dependency.lower() not in seen:
                raise _invalid(f"Request '{request['id']}' depends on unknown id '{dependency}'.")
    return requests


def _sub_call(b: Backend, outer: Call, request: dict[str, Any]) -> Call:
    url: str = request["url"]
    if url.startswith(b.base_url):
        url = url[len(b.base_url) :]
    if "://" in url:
        raise bad_request("A batch request's url must be relative to the version root.")
    path, _, query = url.partition("?")
    path = "/" + unquote(path).lstrip("/")
    if path.rstrip("/") == "/$batch":
        raise bad_request("A batch cannot contain another batch.")
    headers: CIMultiDict[str] = CIMultiDict()
    given = request.get("headers") or {}
    if not isinstance(given, dict):
        raise bad_request("A batch request's headers must be a JSON object.")
    for key, value in given.items():
        headers[str(key)] = str(value)
    payload = b""
    if request.get("body") is not None:
        content_type = headers.get("Content-Type")
        if not content_type:
            raise bad_request("A batch request with a body must give its Content-Type header.")
        body = request["body"]
        if "json" in content_type.lower():
            payload = json.dumps(body).encode("utf-8")
        elif isinstance(body, str):
            try:
                payload = base64.b64decode(body, validate=True)
            except binascii.Error as exc:
                raise bad_request("A non-JSON body in a batch must be base64.") from exc
        else:
            raise bad_request("A non-JSON body in a batch must be a base64 string.")
    return Call(
        method=request["method"].upper(),
        path=path,
        query=dict(parse_qsl(query, keep_blank_values=True)),
        headers=headers,
        body=payload,
        identity=outer.identity,
        in_batch=True,
    )


def _answer(request_id: str, reply: Reply) -> dict[str, Any]:
    headers = dict(reply.headers)
    media = reply.media_type()
    if media:
        headers["Content-Type"] = media
    answer: dict[str, Any] = {"id": request_id, "status": reply.status, "headers": headers}
    if reply.body is not None and reply.raw is None and reply.file is None:
        answer["body"] = reply.body
    else:
        data = reply.payload()
        if data:
            answer["body"] = base64.b64encode(data).decode("ascii")
    return answer


def _failed_dependency(request_id: str) -> dict[str, Any]:
    return {
        "id": request_id,
        "status": 424,
        "headers": {"Content-Type": JSON_TYPE},
        "body": {
            "error": {
                "code": "FailedDependency",
                "message": "A request this one depends on failed.",
            }
        },
    }


async def batch(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    requests = _validate(call.json())
    answers: dict[str, dict[str, Any]] = {}
    for request in _order(requests):
        key = request["id"].lower()
        if any(answers[d.lower()]["status"] >= 400 for d in request.get("dependsOn", [])):
            answers[key] = _failed_dependency(request["id"])
            continue
        try:
            sub = _sub_call(b, call, request)
        except GraphError as error:
            answers[key] = _answer(request["id"], b.error_reply(error, call))
            continue
        answers[key] = _answer(request["id"], await b.run_subrequest(sub))
    return ok({"responses": [answers[r["id"].lower()] for r in requests]})


ROUTES = [Route("POST", "/$batch", batch)]

"""Graph error responses: one exception carries status, code and message to the boundary.

Every failure a handler reports is a GraphError; the server turns it into Graph's error body
{"error": {"code", "message", "innerError": {"date", "request-id", "client-request-id"}}}.
"""

from __future__ import annotations

from typing import Any


class GraphError(Exception):
    """A Graph-shaped failure: HTTP status, error code, readable message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        inner_code: str | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self.inner_code = inner_code


def error_body(
    code: str,
    message: str,
    *,
    date: str,
    request_id: str,
    client_request_id: str,
    inner_code: str | None = None,
) -> dict[str, Any]:
    inner: dict[str, Any] = {
        "date": date,
        "request-id": request_id,
        "client-request-id": client_request_id,
    }
    if inner_code:
        inner = {"code": inner_code, **inner}
    return {"error": {"code": code, "message": message, "innerError": inner}}


def bad_request(message: str, code: str = "invalidRequest") -> GraphError:
    return GraphError(400, code, message)


def not_found(message: str) -> GraphError:
    return GraphError(404, "itemNotFound", message)


def conflict(message: str) -> GraphError:
    return GraphError(409, "nameAlreadyExists", message)

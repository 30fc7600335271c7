"""The webhook Microsoft Graph posts list changes to: answer, check, enqueue, return 202.

Graph wants an answer within 3 seconds (10 for the validation handshake), so nothing here
reads SharePoint: each genuine notification becomes a small queue message (ids only) and
the queue function does the work.
"""

import logging
import typing

import azure.functions as func

from function_app.services.casework_sweep import notifications as notes

from . import support

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # its __init__ is unannotated
log = logging.getLogger(__name__)


# Annotations are evaluated (no `from __future__ import annotations`) and the queue output
# is typing.List: the worker resolves them with typing.get_type_hints, and the queue
# binding's type check accepts typing.List[str] but not list[str].
@bp.function_name("notifications")
@bp.route(route="notifications", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@bp.queue_output(arg_name="changes", queue_name=support.CHANGES_QUEUE,
                 connection=support.CONNECTION)
def notifications(req: func.HttpRequest,
                  changes: func.Out[typing.List[str]],  # noqa: UP006 (see above)
                  ) -> func.HttpResponse:
    """Validation handshakes are echoed; notifications are checked and queued.

    Anonymous on purpose: Graph cannot send a function key in a header. The clientState
    each subscription was made with is the proof a notification came from Graph.

    A notification whose clientState does not match is dropped and still answered 202:
    Graph treats any answer outside 2xx as a failed delivery and retries it for up to four
    hours (and throttles endpoints that keep failing), so a 401 would only invite repeats
    of something we will never accept, and would tell a prober when it guessed right. A
    genuine notification dropped this way (a secret rotated before its subscription was
    remade) is not lost: the sweep timer reads every list's changes every 15 minutes.
    """
    if req.method.upper() != "POST":
        return _plain(405, "Only POST is answered here.", {"Allow": "POST"})
    token = req.params.get("validationToken", req.params.get("validationtoken"))
    if token is not None:  # Graph's handshake, or SharePoint's (lower-case) one
        if not 0 < len(token) <= notes.MAX_TOKEN_CHARS:
            return _plain(400, "The validation token is empty or too long.")
        # Plain text that browsers must not sniff as HTML: the echo is then inert.
        return func.HttpResponse(token, status_code=200, mimetype="text/plain",
                                 headers={"X-Content-Type-Options": "nosniff"})
    if _declared_length(req) > notes.MAX_BODY_BYTES:
        return _plain(413, "The body is too large.")
    body = req.get_body() or b""
    if len(body) > notes.MAX_BODY_BYTES:
        return _plain(413, "The body is too large.")
    try:
        found = notes.parse(body)
    except notes.BadNotification as exc:
        return _plain(400, str(exc))
    expected = support.settings().client_state
    if not expected and found:
        log.error("CASEWORK_CLIENT_STATE is not set: every notification is refused")
    accepted, refused = notes.genuine(found, expected)
    for n in refused:  # ids only: never the payload
        log.warning("notification refused: clientState does not match (subscription %s)",
                    notes.loggable(n.subscription_id))
    messages = notes.queue_messages(accepted)
    if messages:
        changes.set(messages)
    log.info("notifications: %d queued, %d refused", len(messages), len(refused))
    return func.HttpResponse(status_code=202)


def _declared_length(req: func.HttpRequest) -> int:
    try:
        return int(req.headers.get("content-length") or 0)
    except ValueError:
        return 0


def _plain(status: int, reason: str, headers: dict[str, str] | None = None
           ) -> func.HttpResponse:
    return func.HttpResponse(reason, status_code=status, mimetype="text/plain",
                             headers=headers)

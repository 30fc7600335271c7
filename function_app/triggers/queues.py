"""Queued change notifications: each runs one sweep; the ones given up on are recorded.

Any notification for any list simply triggers a sweep: the processor reads every casework
list's changes from its stored delta link, so which list the message names does not matter
for the work, only for the logs.

Attempts and the poison queue. A sweep that raises fails the invocation; the runtime makes
the message visible again after host.json's visibilityTimeout and, once it has been
dequeued maxDequeueCount times, moves it to ``process-list-changes-poison``. The message
knows it is on its last attempt when its dequeue_count (from the runtime) has reached that
count, read by ``support.max_dequeue_count`` from the same place the runtime reads it.
On a failed attempt, the last one included, this function writes nothing, and the
processor leaves nothing half-done: it saves delta links only after a whole sweep, and a
document's claim is completed only once the file is filed (released if filing fails). So
the next sweep (a retry, the 15-minute timer, or another notification) sees the same
changes and makes only what is still missing. The last attempt only says, in the log,
that the message now goes to the poison queue; the poison function then records it, once,
in one write.

The functions are plain (not async) and run the sweep with asyncio.run: the worker runs
plain functions on its thread pool, so a sweep's CPU-bound work (rendering documents,
SQLite) never holds up the worker's own event loop, which also dispatches the
notifications function that Graph wants answered within 3 seconds.
"""

import asyncio
import hashlib
import json
import logging
from datetime import datetime

import azure.functions as func

from function_app.services import clock
from function_app.services.casework_sweep import notifications as notes

from . import support

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # its __init__ is unannotated
log = logging.getLogger(__name__)
POISON_SCOPE = "poison"


class SweepFailed(RuntimeError):
    """A sweep failed; says what kind of failure, never the error's text (it may quote
    what staff typed)."""


@bp.function_name("process_list_changes")
@bp.queue_trigger(arg_name="msg", queue_name=support.CHANGES_QUEUE,
                  connection=support.CONNECTION)
def process_list_changes(msg: func.QueueMessage) -> None:
    ids = _ids(msg)
    attempt = msg.dequeue_count or 1
    limit = support.max_dequeue_count()
    try:
        subscription = ids["subscriptionId"] if ids["subscriptionId"] != "(none)" else ""
        report = asyncio.run(support.sweep(support.settings(), subscription))
    except Exception as exc:
        last = attempt >= limit
        what = _kind(exc)
        log.error("sweep for subscription %s failed on attempt %d of %d (%s); %s",
                  ids["subscriptionId"], attempt, limit, what,
                  "the message goes to the poison queue" if last else "it will be retried")
        raise SweepFailed(f"the sweep failed ({what}) on attempt {attempt} of {limit}") \
            from None
    support.log_sweep(report, f"notification for subscription {ids['subscriptionId']}")


@bp.function_name("record_poisoned_changes")
@bp.queue_trigger(arg_name="msg", queue_name=support.POISON_QUEUE,
                  connection=support.CONNECTION)
def record_poisoned_changes(msg: func.QueueMessage) -> None:
    """A notification whose sweeps all failed: kept as a fact (scope "poison") and logged,
    so it is not lost silently. Its changes are not lost either: the sweep timer reads them.
    """
    from function_app import bootstrap

    ids = _ids(msg)
    body = msg.get_body()
    key = msg.id or hashlib.sha256(body).hexdigest()[:32]
    fact = json.dumps({**ids, "queuedAt": _iso(msg.insertion_time),
                       "recordedAt": _iso(clock.utc_now()),
                       "attempts": support.max_dequeue_count()}, sort_keys=True)
    support.quiet_libraries()
    state = bootstrap.state_store(support.settings())
    try:
        state.remember(POISON_SCOPE, notes.loggable(key), fact)
    finally:
        support.close(state)
    log.error("notification for subscription %s (resource %s) was given up on after its "
              "sweeps failed; recorded as poison %s. The sweep timer still reads its changes.",
              ids["subscriptionId"], ids["resource"], notes.loggable(key))


def _ids(msg: func.QueueMessage) -> dict[str, str]:
    """The ids a queued notification carries, each only if it looks like an id."""
    try:
        raw = json.loads(msg.get_body().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raw = {}
    if not isinstance(raw, dict):
        raw = {}
    ids = {}
    for name in ("subscriptionId", "resource", "changeType", "tenantId"):
        value = raw.get(name)
        ids[name] = notes.loggable(value) if isinstance(value, str) and value else "(none)"
    return ids


def _kind(exc: BaseException) -> str:
    """An error's type, and for Graph its status and code: safe to log, enough to act on."""
    status, code = getattr(exc, "status", 0), getattr(exc, "code", "")
    detail = f" {status} {notes.loggable(code) if code else ''}".rstrip() if status else ""
    return f"{type(exc).__name__}{detail}"


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment is not None else ""

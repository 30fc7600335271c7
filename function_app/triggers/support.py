"""What the triggers share: queue names, settings, a sweep through bootstrap, log hygiene.

Standard library only at import; bootstrap (and with it msgraph, azure-identity and
docxtpl) is imported inside the functions that need it.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING

from function_app.services import clock

if TYPE_CHECKING:
    from function_app.services.casework_sweep.sweep_report import SweepReport
    from function_app.settings import Settings

CONNECTION = "AzureWebJobsStorage"
CHANGES_QUEUE = "process-list-changes"
POISON_QUEUE = f"{CHANGES_QUEUE}-poison"  # where the runtime moves a message it gave up on
APP_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MAX_DEQUEUE_COUNT = 5  # the queue extension's default
MAX_DEQUEUE_OVERRIDE = "AzureFunctionsJobHost__extensions__queues__maxDequeueCount"
# These log every request's URL at INFO; a file's URL holds the case folder, which holds
# the pupil's name. Application Insights must not receive it: they are kept to WARNING, and
# whatever they (or anything else) log is scrubbed of paths by log_privacy at every level.
CHATTY_LIBRARIES = ("httpx", "httpcore", "azure", "msal", "kiota_http", "urllib3")

log = logging.getLogger("function_app.triggers")


def settings() -> Settings:
    from function_app.settings import Settings

    return Settings.from_environment()


def quiet_libraries() -> None:
    """Keep the HTTP libraries' request lines out of the logs, and scrub names from every
    log record at any level (the Functions worker's handler included)."""
    from function_app.adapters.log_privacy import protect_logs

    for name in CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
    protect_logs()


def worker_name() -> str:
    """Claims need one owner per process: a Functions host may run several workers."""
    return f"{socket.gethostname()}:{os.getpid()}"


async def sweep(config: Settings, subscription_id: str = "") -> SweepReport:
    """One processor sweep over every casework list, wired by bootstrap; with an LA site,
    one over each school's site (``sweep_schools``), their counts added together."""
    from function_app import bootstrap

    quiet_libraries()
    if config.serves_many_schools:
        return await sweep_schools(config, subscription_id)
    graph = bootstrap.graph_client(config)
    state = bootstrap.state_store(config)
    try:
        processor = bootstrap.processor(config, graph, state,
                                        today=clock.uk_time(clock.utc_now()).date(),
                                        owner=worker_name())
        try:
            return await processor.sweep()
        finally:
            await processor.close()
    finally:
        await graph.aclose()
        close(state)


async def sweep_schools(config: Settings, subscription_id: str = "") -> SweepReport:
    """Every school's site swept; a school that failed is logged by its site (its reason
    went to the LA's officers once) and its changes are read again at the next sweep."""
    from function_app import bootstrap
    from function_app.services.casework_sweep.sweep_report import SweepReport

    results = await bootstrap.sweep_every_school(
        config, clock.uk_time(clock.utc_now()).date(), worker_name(),
        subscription_id=subscription_id)
    total = SweepReport(links_saved=all(r.ok for r in results))
    for r in results:
        if r.report is None:
            log.warning("school site %s was not swept; its changes wait for the next sweep",
                        r.school.site)
            continue
        total.changes += r.report.changes
        total.own_writes += r.report.own_writes
        total.cases += r.report.cases
        total.filed += r.report.filed
        total.already_made += r.report.already_made
        for mine, theirs in ((total.needs_attention, r.report.needs_attention),
                             (total.failed, r.report.failed),
                             (total.pending, r.report.pending)):
            mine.update({f"{r.school.site}:{item}": why for item, why in theirs.items()})
    return total


def close(state: object) -> None:
    """Close a state store that holds a connection (SQLite does; others may not)."""
    closer = getattr(state, "close", None)
    if callable(closer):
        closer()


def log_sweep(report: SweepReport, why: str) -> None:
    """Counts only: a report's paths and messages name pupils."""
    log.info("sweep (%s): %d changes by staff, %d own writes, %d cases, %d documents filed, "
             "%d already made, %d items need attention, %d failed, %d waiting for another "
             "worker", why, report.changes, report.own_writes, report.cases, len(report.filed),
             report.already_made, len(report.needs_attention), len(report.failed),
             len(report.pending))


def max_dequeue_count() -> int:
    """How many attempts a queue message gets before the runtime moves it to the poison
    queue: the app setting that overrides host.json if there is one, else host.json's
    extensions.queues.maxDequeueCount, else the extension's default of 5."""
    raw = os.environ.get(MAX_DEQUEUE_OVERRIDE, "").strip()
    if not raw:
        try:
            host = json.loads((APP_ROOT / "host.json").read_text(encoding="utf-8"))
            raw = str(host["extensions"]["queues"]["maxDequeueCount"])
        except (OSError, ValueError, KeyError, TypeError):
            return DEFAULT_MAX_DEQUEUE_COUNT
    try:
        return max(1, int(raw))
    except ValueError:
        return DEFAULT_MAX_DEQUEUE_COUNT

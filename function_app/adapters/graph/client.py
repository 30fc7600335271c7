"""The Microsoft Graph adapter: msgraph-sdk's request builders, auth and middleware, with
responses parsed into our own small records.

msgraph-sdk's generated models cost about 13 ms of CPU per list item to deserialise (a
20-item delta page: 260 ms through the models, 1.6 ms here; tests/benchmarks/bench_graph.py).
So every request goes through the SDK's GraphRequestAdapter (authentication, redirect,
retry and telemetry middleware) with a native response handler, and the JSON is read with
json.loads into ``records``. Every failure is mapped to ``errors`` at this boundary.

GraphClient is made of three parts, each in its own module: ``transport`` (sending a
request, the retry policy, mapping answers to errors), ``lists`` (the site, its lists, list
items, delta, $batch and subscriptions) and ``library`` (the document library's folders and
files), with ``mail`` (sendMail from a school's mailbox). Their public names are importable
from here too.
"""

from __future__ import annotations

from dataclasses import dataclass

from .library import CHUNK, SMALL_UPLOAD_LIMIT, GraphLibrary
from .lists import BATCH_LIMIT
from .mail import GraphMail
from .transport import IDEMPOTENT, GraphTarget, RetryPolicy

__all__ = ["APP_DISPLAY_NAME", "BATCH_LIMIT", "CHUNK", "IDEMPOTENT", "SMALL_UPLOAD_LIMIT",
           "GraphClient", "GraphTarget", "RetryPolicy"]

APP_DISPLAY_NAME = "Attendance Casework"


@dataclass
class GraphClient(GraphLibrary, GraphMail):
    """Microsoft Graph for the product: the site's lists and items, and its document
    library, every request retried by one RetryPolicy and counted per operation."""

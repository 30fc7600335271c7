"""The Graph adapter under injected faults: throttling, outages and dropped connections are
retried until every operation has happened exactly once."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path

import pytest

from function_app.adapters.graph.client import SMALL_UPLOAD_LIMIT, GraphClient
from function_app.devtenant import DevTenant

from .graph_support import quick_retry, simple_list, tenant_client

pytestmark = pytest.mark.integration

FAULT_RATE = 0.2
SEED = 20261122
CASES = ["Ysgol Gymraeg Bro Taf/O'Brien, Siân", "Ysgol Gymraeg Bro Taf/Ní Bhriain, Órla",
         "Severn Vale Academy/ATT-2026-0042 Ellis, Jordan", "Severn Vale Academy/D'Souza, Zoë",
         "St Mary's RC Primary/Łukasiewicz, Kacper", "St Mary's RC Primary/Nguyễn, An"]
UPLOADS = 150
LARGE = 4  # of the uploads, over 4 MB: upload sessions in ranges
UPDATES = 150
ONE_BY_ONE = 60  # the first operations run in turn; the rest 16 at a time


def _documents(rng: random.Random) -> dict[str, bytes]:
    """Where each document goes (case folder/name) and its bytes."""
    documents: dict[str, bytes] = {}
    for n in range(UPLOADS):
        size = SMALL_UPLOAD_LIMIT + rng.randrange(1, 400_000) if n < LARGE else rng.randrange(
            200, 30_000)
        name = f"{2026 + n % 2}-{n % 12 + 1:02d}-{n % 28 + 1:02d} Llythyr – {n:03d}.docx"
        documents[f"{CASES[n % len(CASES)]}/{name}"] = rng.randbytes(size)
    return documents


async def _run(operations: list[Callable[[], Awaitable[object]]]) -> None:
    for operation in operations[:ONE_BY_ONE]:
        await operation()
    rest = operations[ONE_BY_ONE:]
    for start in range(0, len(rest), 16):
        await asyncio.gather(*(operation() for operation in rest[start:start + 16]))


def test_300_operations_under_faults_each_happen_exactly_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        record_property: Callable[[str, object], None]) -> None:
    """At a 20% fault rate, 150 uploads into case folders (4 of them over 4 MB) and 150
    item updates, partly concurrent, all complete: each file is on disk once with its
    bytes, each update reads back, and every retry answered an injected fault."""
    rng = random.Random(SEED)
    documents = _documents(rng)

    async def scenario(tenant: DevTenant) -> GraphClient:
        app = tenant_client(tenant, retry=quick_retry(attempts=10, scale=0.02))
        info = await app.create_list(simple_list("Faults"))
        items = await asyncio.gather(*(app.create_item(info.id, {"Title": f"Pupil {n}"})
                                       for n in range(UPDATES)))
        app.requests.clear()
        updates = {item.id: {"Status": f"Reviewed {n}", "Note": f"Letter {n} sent"}
                   for n, item in enumerate(items)}

        operations: list[Callable[[], Awaitable[object]]] = []
        for path, content in documents.items():
            folder, _, name = path.rpartition("/")
            operations.append(partial(app.upload, folder, name, content))
        for item_id, fields in updates.items():
            operations.append(partial(app.update_fields, info.id, item_id, fields))
        rng.shuffle(operations)

        tenant.set_faults(FAULT_RATE)
        await _run(operations)
        read = {item.id: item.fields for item in await app.all_items(info.id)}
        tenant.set_faults(0.0)
        for item_id, fields in updates.items():
            assert {k: read[item_id][k] for k in fields} == fields
        return app

    with DevTenant(tmp_path, seed=SEED) as tenant:
        app = asyncio.run(scenario(tenant))
        faults = tenant.faults
        root = tenant.files_root

    on_disk = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert on_disk == sorted(documents)  # each exactly once: no copies, nothing missing
    for path, content in documents.items():
        assert (root / path).read_bytes() == content

    ours, sdk = sum(app.retries.values()), sum(app.sdk_retries.values())
    injected = sum(faults.values())
    record_property("faults injected", dict(faults))
    record_property("retries", {"ours": dict(app.retries), "sdk": dict(app.sdk_retries)})
    with capsys.disabled():
        print(f"\n  faults injected {injected} ({dict(faults)}); retries: ours {ours} "
              f"{dict(app.retries)}, msgraph-sdk's {sdk}; requests {sum(app.requests.values())}")
    assert faults["throttled"] and faults["unavailable"] and faults["dropped"]
    # Each fault strikes one request, and that request was retried; only the upload
    # session's status check (asked after a failed range) is not itself retried.
    assert injected - app.requests["upload status"] <= ours + sdk <= injected

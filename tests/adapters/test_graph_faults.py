"""The Graph adapter under injected faults: throttling, outages and dropped connections are
retried until every operation has happened exactly once; a Retry-After longer than the
policy waits is left for a later sweep at once; a lost answer to a PATCH is retried."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path

import pytest

from function_app.adapters.graph.client import SMALL_UPLOAD_LIMIT, GraphClient
from function_app.adapters.graph.errors import GraphError, GraphUnavailableError
from function_app.devtenant import DevTenant

from .graph_support import asked_sleeps, failure_of, quick_retry, simple_list, tenant_client

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


def test_a_retry_after_of_300_s_is_left_for_a_later_sweep_at_once(tmp_path: Path) -> None:
    """A 429 or 503 saying Retry-After: 300, longer than RetryPolicy.max_delay (30 s), is not
    slept (nor cut short and retried early): a read, an update and a create each fail at
    once with GraphUnavailableError carrying retry_after=300, after one request."""

    async def scenario(tenant: DevTenant) -> tuple[GraphClient, list[GraphError]]:
        app = tenant_client(tenant, retry=quick_retry())
        info = await app.create_list(simple_list("Busy for minutes"))
        item = await app.create_item(info.id, {"Title": "Pupil"})
        app.requests.clear()
        errors = []
        for kind, action in (("throttled", app.get_item(info.id, item.id)),
                             ("unavailable", app.update_fields(info.id, item.id,
                                                               {"Status": "Open"})),
                             ("throttled", app.create_item(info.id, {"Title": "Another"}))):
            tenant.strike_next(kind)
            errors.append(await failure_of(action))
        return app, errors

    with DevTenant(tmp_path, retry_after_seconds=300) as tenant:
        app, errors = asyncio.run(scenario(tenant))
    for error in errors:
        assert type(error) is GraphUnavailableError
        assert error.retry_after == 300
        assert "300 s" in str(error) and "later sweep" in str(error)
    assert [e.status for e in errors] == [429, 503, 429]
    assert asked_sleeps(app) == []  # no 30 s sleep, nor any other
    assert dict(app.requests) == {"get item": 1, "update item": 1, "create item": 1}
    assert not app.retries and not app.sdk_retries


def test_a_retry_after_within_max_delay_is_waited_in_full(tmp_path: Path) -> None:
    """Retry-After: 30 (RetryPolicy.max_delay) is honoured as asked, then the read succeeds."""

    async def scenario(tenant: DevTenant) -> GraphClient:
        app = tenant_client(tenant, retry=quick_retry(scale=0.0001))
        await app.site_id()
        tenant.strike_next("throttled")
        await app.lists()
        return app

    with DevTenant(tmp_path, retry_after_seconds=30) as tenant:
        app = asyncio.run(scenario(tenant))
    assert asked_sleeps(app) == [30.0]
    assert app.retries["get lists"] == 1


def test_a_batch_item_throttled_for_minutes_is_not_sent_again(tmp_path: Path) -> None:
    """In update_fields_batch, an item answered 429 with Retry-After: 300 ends with
    GraphUnavailableError(retry_after=300) without a sleep or another batch; the rest are
    written."""

    async def scenario(tenant: DevTenant) -> tuple[GraphClient, dict[str, object], list[str]]:
        app = tenant_client(tenant, retry=quick_retry())
        info = await app.create_list(simple_list("Batch busy for minutes"))
        ids = [(await app.create_item(info.id, {"Title": f"Pupil {n}"})).id for n in range(3)]
        app.requests.clear()
        tenant.strike_next("throttled", method="PATCH")  # the batch's first part
        outcome = await app.update_fields_batch(
            info.id, {i: {"Status": f"Reviewed {i}"} for i in ids})
        read = {i.id: i.fields.get("Status") for i in await app.all_items(info.id)}
        return app, dict(outcome), [str(read[i]) for i in ids]

    with DevTenant(tmp_path, retry_after_seconds=300) as tenant:
        app, outcome, statuses = asyncio.run(scenario(tenant))
    first, *rest = outcome.values()
    assert isinstance(first, GraphUnavailableError) and first.retry_after == 300
    assert all(isinstance(r, dict) for r in rest)
    ids = list(outcome)
    assert statuses == ["None"] + [f"Reviewed {i}" for i in ids[1:]]
    assert app.requests["batch"] == 1 and asked_sleeps(app) == []


def test_a_lost_answer_to_a_patch_is_retried_and_the_values_land(tmp_path: Path) -> None:
    """A PATCH saved but answered by a dropped connection is sent again by the adapter (a
    PATCH is safe to repeat): the item holds the values sent, written twice, nothing else."""

    async def scenario(tenant: DevTenant) -> tuple[GraphClient, dict[str, object]]:
        app = tenant_client(tenant, retry=quick_retry())
        info = await app.create_list(simple_list("Lost answers"))
        item = await app.create_item(info.id, {"Title": "Pupil"})
        tenant.strike_next("lost", method="PATCH")
        await app.update_fields(info.id, item.id, {"Status": "Letter sent", "Note": "x"})
        return app, (await app.get_item(info.id, item.id)).fields

    with DevTenant(tmp_path, fault_kinds=("lost",)) as tenant:
        app, fields = asyncio.run(scenario(tenant))
        assert tenant.faults == {"lost": 1}
    assert (fields["Status"], fields["Note"], fields["_UIVersionString"]) == (
        "Letter sent", "x", "3.0")
    assert app.retries["update item"] == 1

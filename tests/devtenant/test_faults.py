"""Injected faults: throttling, outages, dropped connections and lost answers, survived by
retrying; the default mix is drawn as it always was."""

from __future__ import annotations

import asyncio
import http.client
import json
import random
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from function_app.devtenant import DevTenant
from function_app.devtenant.faults import Faults

from .helpers import Graph

pytestmark = pytest.mark.integration

FRAGMENT = 320 * 1024


class RetryingClient:
    """The smallest client that survives the dev tenant's faults: it retries 429 after
    Retry-After, 503 after a short pause, and a dropped connection at once."""

    def __init__(self, session: aiohttp.ClientSession, tenant: DevTenant) -> None:
        self.session = session
        self.tenant = tenant
        self.retries = 0

    async def send(
        self,
        method: str,
        url: str,
        *,
        body: Any = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        auth: bool = True,
    ) -> tuple[int, Any]:
        target = url if url.startswith("http") else self.tenant.base_url + url
        sent = dict(headers or {})
        if auth:
            sent["Authorization"] = f"Bearer {self.tenant.app_token}"
        for _attempt in range(30):
            try:
                async with self.session.request(
                    method, target, json=body, data=data, headers=sent, allow_redirects=False
                ) as response:
                    payload = await response.read()
                    if response.status == 429:
                        self.retries += 1
                        await asyncio.sleep(float(response.headers["Retry-After"]))
                        continue
                    if response.status == 503:
                        self.retries += 1
                        await asyncio.sleep(0.02)
                        continue
                    parsed = await response.json() if payload else None
                    return response.status, parsed
            except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError):
                self.retries += 1
        raise AssertionError(f"{method} {url} never succeeded")


async def _run_operations(tenant: DevTenant, list_id: str, count: int) -> int:
    items = f"/sites/{tenant.site_id}/lists/{list_id}/items"
    async with aiohttp.ClientSession() as session:
        client = RetryingClient(session, tenant)
        limit = asyncio.Semaphore(16)

        async def create(n: int) -> str:
            async with limit:
                status, item = await client.send(
                    "POST", items, body={"fields": {"Title": f"op {n}"}}
                )
                assert status == 201
                return str(item["id"])

        ids = await asyncio.gather(*(create(n) for n in range(count)))

        async def update(item_id: str) -> None:
            async with limit:
                status, _ = await client.send(
                    "PATCH", f"{items}/{item_id}/fields", body={"Title": f"done {item_id}"}
                )
                assert status == 200

        await asyncio.gather(*(update(i) for i in ids))

        async def read(item_id: str) -> dict[str, Any]:
            async with limit:
                status, item = await client.send("GET", f"{items}/{item_id}?expand=fields")
                assert status == 200
                fields: dict[str, Any] = item["fields"]
                return fields

        seen = await asyncio.gather(*(read(i) for i in ids))
        assert all(f["_UIVersionString"] == "2.0" for f in seen), "each PATCH applied once"
        return client.retries


def test_a_fifth_of_requests_fault_and_retries_do_each_operation_once(tmp_path: Path) -> None:
    """At fault_rate 0.2 about 20% of requests fault; a retrying client still creates,
    updates and reads every item exactly once."""
    with DevTenant(tmp_path / "faulty", seed=20261122) as tenant:
        graph = Graph(tenant)
        lst = graph.new_list([])
        tenant.reset_counts()
        tenant.set_faults(0.2)
        started = time.perf_counter()
        retries = asyncio.run(_run_operations(tenant, lst["id"], 100))
        elapsed = time.perf_counter() - started
        tenant.set_faults(0.0)
        total = sum(tenant.requests.values())
        faults = tenant.faults
        share = sum(faults.values()) / total
        assert total >= 300
        assert 0.14 <= share <= 0.26, (share, faults)
        assert set(faults) == {"throttled", "unavailable", "dropped"}
        # aiohttp itself resends an idempotent GET once when a reused connection drops.
        assert sum(faults.values()) - faults["dropped"] <= retries <= sum(faults.values())
        listed = graph.get(f"{graph.items_url(lst['id'])}?$top=500&$expand=fields").json()
        titles = sorted(i["fields"]["Title"] for i in listed["value"])
        assert len(titles) == 100, "no request ran twice"
        assert titles == sorted(f"done {i}" for i in range(1, 101))
        assert elapsed < 20


def test_an_upload_session_survives_faults(tmp_path: Path) -> None:
    """With faults on, createUploadSession and every byte range simply retried build the file."""
    data = bytes(range(251)) * (5 * 1024 * 1024 // 251)

    async def upload(tenant: DevTenant) -> int:
        async with aiohttp.ClientSession() as session:
            client = RetryingClient(session, tenant)
            url = f"/sites/{tenant.site_id}/drive/root:/Faults/big.bin:/createUploadSession"
            status, created = await client.send("POST", url, body={"item": {}})
            assert status == 200
            start, step = 0, 4 * FRAGMENT
            while start < len(data):
                chunk = data[start : start + step]
                end = start + len(chunk) - 1
                status, _ = await client.send(
                    "PUT",
                    created["uploadUrl"],
                    data=chunk,
                    auth=False,
                    headers={"Content-Range": f"bytes {start}-{end}/{len(data)}"},
                )
                assert status in (202, 201)
                start = end + 1
            assert status == 201
            return client.retries

    with DevTenant(tmp_path / "uploads", fault_rate=0.3, seed=6) as tenant:
        retries = asyncio.run(upload(tenant))
        ranges = -(-len(data) // (4 * FRAGMENT))
        assert retries >= 1
        assert tenant.requests["PUT /upload/{session-id}"] > ranges, "a range PUT was retried"
        assert (tenant.files_root / "Faults" / "big.bin").read_bytes() == data


def test_latency_delays_every_request(tmp_path: Path) -> None:
    """latency_ms adds that much time to each answer."""
    with DevTenant(tmp_path / "slow", latency_ms=60) as tenant:
        graph = Graph(tenant)
        started = time.perf_counter()
        assert graph.get(f"/sites/{tenant.site_id}").status == 200
        assert time.perf_counter() - started >= 0.06
        tenant.set_faults(0.0, latency_ms=0)
        started = time.perf_counter()
        graph.get(f"/sites/{tenant.site_id}")
        assert time.perf_counter() - started < 0.06


def test_request_counts_are_per_route_template_and_resettable(tmp_path: Path) -> None:
    """tenant.requests counts each request by method and route template; reset_counts clears."""
    with DevTenant(tmp_path / "counts") as tenant:
        graph = Graph(tenant)
        lst = graph.new_list([])
        graph.post(graph.items_url(lst["id"]), {"fields": {"Title": "A"}})
        graph.get(f"{graph.items_url(lst['id'])}/1")
        graph.get(f"{graph.items_url(lst['id'])}/1")
        counts = tenant.requests
        assert counts["POST /sites/{site-id}/lists"] == 1
        assert counts["GET /sites/{site-id}/lists/{list-id}/items/{item-id}"] == 2
        tenant.reset_counts()
        assert sum(tenant.requests.values()) == 0
        graph.get(f"/sites/{tenant.hostname}:{tenant.site_path}:/lists")
        assert tenant.requests == {"GET /sites/{hostname}:/{server-relative-path}:/lists": 1}


def _old_draws(seed: int, rate: float, count: int, droppable: bool) -> list[str | None]:
    """What Faults drew before kinds could be chosen: the sequence seeded tests rely on."""
    rng = random.Random(seed)
    kinds = ("throttled", "unavailable", "dropped")
    return [rng.choice(kinds if droppable else kinds[:2]) if rng.random() < rate else None
            for _ in range(count)]


def test_the_default_mix_draws_exactly_what_it_drew_before() -> None:
    """Without kinds, a seeded Faults draws the same faults in the same order as before
    "lost" existed, for requests and for a batch's parts alike."""
    for droppable in (True, False):
        faults = Faults(0.3, 0, 20261122)
        drawn = [faults.draw(droppable=droppable) for _ in range(400)]
        assert drawn == _old_draws(20261122, 0.3, 400, droppable)


def test_kinds_choose_the_faults_drawn_and_a_batch_part_is_never_lost() -> None:
    """Faults(kinds=("lost",)) draws only "lost"; a batch's part (not droppable) cannot lose
    its own connection, so it is answered normally; unknown kinds are refused."""
    faults = Faults(1.0, kinds=("lost",))
    assert {faults.draw() for _ in range(50)} == {"lost"}
    assert {faults.draw(droppable=False) for _ in range(50)} == {None}
    mixed = Faults(1.0, seed=3, kinds=("lost", "throttled"))
    assert {mixed.draw(droppable=False) for _ in range(50)} == {"throttled"}
    with pytest.raises(ValueError, match="fault kinds"):
        Faults(0.1, kinds=("vanished",))
    with pytest.raises(ValueError, match="retry_after_seconds"):
        Faults(0.1, retry_after_seconds=301)


def test_a_lost_patch_is_saved_once_though_its_answer_never_comes(
        tenant: DevTenant, graph: Graph) -> None:
    """A PATCH struck "lost" is processed (the item's next version holds the value) and the
    connection closes with no answer; sent once, it is applied exactly once."""
    lst = graph.new_list([{"name": "Status", "text": {}}])
    url = graph.items_url(lst["id"])
    item = graph.post(url, {"fields": {"Title": "Pupil"}}).json()
    before = tenant.faults["lost"]
    tenant.strike_next("lost")
    connection = http.client.HTTPConnection("127.0.0.1", tenant.port, timeout=10)
    try:
        connection.request("PATCH", graph.target(f"{url}/{item['id']}/fields"),
                           body=json.dumps({"Status": "Letter sent"}),
                           headers={"Authorization": f"Bearer {tenant.app_token}",
                                    "Content-Type": "application/json"})
        with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
            connection.getresponse()
    finally:
        connection.close()
    assert tenant.faults["lost"] == before + 1
    fields = graph.get(f"{url}/{item['id']}/fields").json()
    assert fields["Status"] == "Letter sent"
    assert fields["_UIVersionString"] == "2.0", "applied once, not twice nor never"


def test_injected_429_and_503_say_the_configured_retry_after(tmp_path: Path) -> None:
    """By default an injected 429 says Retry-After: 1 and a 503 none; with
    retry_after_seconds=300 both say 300, as SharePoint's throttling 429/503 can."""

    def answers(tenant: DevTenant) -> list[tuple[int, str | None]]:
        graph = Graph(tenant)
        seen = []
        for kind in ("throttled", "unavailable"):
            tenant.strike_next(kind)
            reply = graph.get(f"/sites/{tenant.site_id}")
            seen.append((reply.status, reply.headers.get("Retry-After")))
        graph.close()
        return seen

    with DevTenant(tmp_path / "default") as tenant:
        assert answers(tenant) == [(429, "1"), (503, None)]
        tenant.set_faults(0.0, retry_after_seconds=120)
        assert answers(tenant) == [(429, "120"), (503, "120")]
    with DevTenant(tmp_path / "long", retry_after_seconds=300) as tenant:
        assert answers(tenant) == [(429, "300"), (503, "300")]


def test_a_strike_for_one_route_waits_for_a_request_to_that_route(
        tenant: DevTenant, graph: Graph) -> None:
    """strike_next(route=...) lets a test lose the answer to one kind of request (creating
    a list item, say) however many others come first: they are answered normally."""
    lst = graph.new_list([])
    url = graph.items_url(lst["id"])
    tenant.strike_next("unavailable", method="POST",
                       route="POST /sites/{site-id}/lists/{list-id}/items")
    assert graph.get(url).status == 200  # a GET of the same list: not struck
    assert graph.get(f"/sites/{tenant.site_id}").status == 200
    assert graph.post(url, {"fields": {"Title": "Pupil"}}).status == 503  # struck
    assert graph.post(url, {"fields": {"Title": "Pupil"}}).status == 201  # once only

"""Injected faults: throttling, outages and dropped connections, survived by retrying."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from function_app.devtenant import DevTenant

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

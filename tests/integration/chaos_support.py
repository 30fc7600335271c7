"""What the chaos tests share: many cases typed into a dev tenant, `casework process` run as
a real process against it over HTTP (and killed with SIGKILL), and the checks that every
letter exists exactly once and that no item says a document is there that is not.

The reference is a clean sweep of the same cases on a second dev tenant, with no faults:
the chaos run must end with exactly the same files, each once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from function_app.devtenant import DevTenant
from function_app.devtenant.library import disk_name

from .helpers import TODAY, Site, example, files_under

CASE_FILES = "Case Files"
# Cases whose changes call for letters to each parent, invitations, plans and records.
SHAPES = ("aim-review-no-engagement.json", "gloucestershire-aim-pupil-and-parents-present.json",
          "support-review-no-improvement-escalate-notice-to-improve.json",
          "gloucestershire-support-review-escalate-to-warning-and-aim.json",
          "support-meeting-invitation-planned.json")
SETTLE_RUNS = 12  # runs to the end after the kills; each must add what the last could not


def cases(count: int) -> list[dict[str, Any]]:
    """``count`` cases of the shapes above, each with its own reference."""
    out = []
    for n in range(count):
        data = example(SHAPES[n % len(SHAPES)])
        data["case_ref"] = f"CHAOS-{n:03d}"
        out.append(data)
    return out


async def typed(tenant: DevTenant, data: Iterable[Mapping[str, Any]]) -> Site:
    site = await Site.ready(tenant)
    for case in data:
        await site.type_case(case)
    return site


def library(tenant: DevTenant) -> Path:
    return tenant.files_root.parent / CASE_FILES


def filed(tenant: DevTenant) -> Counter[str]:
    """Every file in the case files library, by its path under the library: a count of 2
    is a letter made twice."""
    root = library(tenant)
    return Counter(str(p.relative_to(root)) for p in files_under(root))


async def reference(tmp: Path, data: list[dict[str, Any]]) -> Counter[str]:
    """The files a clean sweep of the same cases makes, with nothing failing."""
    with DevTenant(tmp / "reference") as tenant:
        site = await typed(tenant, data)
        processor = site.processor(tmp / "reference-state.sqlite")
        while not (await processor.sweep()).nothing_new:
            pass
        return filed(tenant)


def reference_files(tmp: Path, data: list[dict[str, Any]]) -> Counter[str]:
    return asyncio.run(reference(tmp, data))


@dataclass
class Worker:
    """`casework process` as staff's IT would run it, against the dev tenant."""

    tenant: DevTenant
    env: dict[str, str]

    @classmethod
    def for_tenant(cls, tenant: DevTenant, state: Path, **extra: str) -> Worker:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("CASEWORK_", "GRAPH_", "AZURE_", "SHAREPOINT_"))}
        env |= {"GRAPH_BASE_URL": tenant.base_url, "GRAPH_DEV_TOKEN": tenant.app_token,
                "CASEWORK_STATE": str(state), "PYTHONUNBUFFERED": "1", **extra}
        return cls(tenant, env)

    def command(self) -> list[str]:
        return [sys.executable, "-m", "function_app.cli", "process",
                "--site", f"https://{self.tenant.hostname}{self.tenant.site_path}",
                "--today", TODAY.isoformat()]

    def start(self) -> subprocess.Popen[str]:
        return subprocess.Popen(self.command(), env=self.env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def kill_after_files(self, files: int, timeout: float = 120.0) -> int:
        """Start a sweep and SIGKILL it once the library holds ``files`` files more than
        when it started (or when it ends first); the files there when it was killed."""
        before = sum(filed(self.tenant).values())
        process = self.start()
        deadline = time.monotonic() + timeout
        try:
            while process.poll() is None and time.monotonic() < deadline:
                if sum(filed(self.tenant).values()) - before >= files:
                    break
                time.sleep(0.01)
        finally:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
            process.wait()
        return sum(filed(self.tenant).values())

    def kill_when(self, ready: Callable[[], bool], timeout: float = 120.0) -> bool:
        """Start a sweep and SIGKILL it as soon as ``ready()`` (polled); True when it was
        killed (False: it ended first, or the time ran out)."""
        process = self.start()
        deadline = time.monotonic() + timeout
        killed = False
        try:
            while process.poll() is None and time.monotonic() < deadline:
                if ready():
                    break
                time.sleep(0.005)
        finally:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
                killed = True
            process.wait()
        return killed

    def run(self, timeout: float = 300.0) -> tuple[int, str]:
        done = subprocess.run(self.command(), env=self.env, text=True, capture_output=True,
                              timeout=timeout, check=False)
        return done.returncode, done.stdout + done.stderr

    def settle(self) -> list[str]:
        """Run sweeps until one finds nothing new; each run's output."""
        outputs = []
        for _ in range(SETTLE_RUNS):
            code, out = self.run()
            outputs.append(out)
            if code == 0 and out.rstrip().endswith("Nothing new."):
                return outputs
        raise AssertionError("the sweeps never settled:\n" + "\n---\n".join(outputs))


async def claims_on_items(site: Site) -> list[str]:
    """Every document an item says was made (its links) that is not in the library."""
    root = library(site.tenant)
    missing = []
    for name in ("Cases", "Meetings"):
        for item in await site.app.all_items(site.lists[name].id):
            for link in str(item.fields.get("GeneratedDocuments") or "").split("\n"):
                if not link.strip():
                    continue
                rel = unquote(link).split(f"/{CASE_FILES}/", 1)[-1]
                if not root.joinpath(*(disk_name(p) for p in rel.split("/"))).is_file():
                    missing.append(f"{name}/{item.id}: {rel}")
    return missing


async def assert_every_letter_once(site: Site, expected: Counter[str]) -> Counter[str]:
    """The library holds exactly the reference's files, none twice; no item lists a file
    that is not there and none is left Pending. The statuses the items say, for more."""
    got = filed(site.tenant)
    assert [name for name, n in got.items() if n > 1] == []
    assert got == expected
    assert await claims_on_items(site) == []
    said = await statuses(site)
    assert said["Pending"] == 0
    return said


async def statuses(site: Site) -> Counter[str]:
    """How many Cases and Meetings items say each generation status."""
    seen: Counter[str] = Counter()
    for name in ("Cases", "Meetings"):
        for item in await site.app.all_items(site.lists[name].id):
            seen[str(item.fields.get("GenerationStatus") or "")] += 1
    return seen


class FlakyProxy:
    """A loopback HTTP proxy in front of Azurite's table endpoint that answers 503
    ServerBusy, as Table storage does when it is busy, to every request numbered within
    the windows given (counted from the proxy's start): real faults on the wire, for the
    real Azure SDK to meet."""

    def __init__(self, target_port: int, windows: Iterable[tuple[int, int]]) -> None:
        self.target = f"http://127.0.0.1:{target_port}"
        self.windows = list(windows)
        self.seen = 0
        self.refused = 0
        self.port = 0
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()

    def __enter__(self) -> FlakyProxy:
        self._thread = threading.Thread(target=self._serve, name="flaky proxy", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def _serve(self) -> None:
        from aiohttp import ClientSession, web

        loop = asyncio.new_event_loop()
        self._loop = loop

        async def forward(request: web.Request) -> web.StreamResponse:
            self.seen += 1
            if any(start <= self.seen < start + span for start, span in self.windows):
                self.refused += 1
                return web.Response(status=503, content_type="application/json", text=(
                    '{"odata.error":{"code":"ServerBusy","message":{"lang":"en-US",'
                    '"value":"The server is busy (injected by the test proxy)."}}}'))
            body = await request.read()
            headers = {k: v for k, v in request.headers.items()
                       if k.lower() not in ("host", "content-length")}
            async with session.request(request.method, self.target + request.path_qs,
                                       data=body or None, headers=headers,
                                       skip_auto_headers=("Content-Type",)) as answer:
                payload = await answer.read()
                kept = {k: v for k, v in answer.headers.items() if k.lower() not in (
                    "content-length", "transfer-encoding", "content-encoding", "connection")}
                return web.Response(status=answer.status, body=payload, headers=kept)

        async def start() -> web.AppRunner:
            nonlocal session
            session = ClientSession(auto_decompress=False)
            app = web.Application(client_max_size=16 * 1024 * 1024)
            app.router.add_route("*", "/{tail:.*}", forward)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            return runner

        session: Any = None
        runner = loop.run_until_complete(start())
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(runner.cleanup())
            loop.run_until_complete(session.close())
            loop.close()

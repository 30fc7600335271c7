"""Shared by the Functions tests: the functions as the worker calls them, a fake queue
output, a loopback webhook in front of the HTTP function, and settings for a dev tenant."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import azure.functions as func
import pytest
from aiohttp import web
from azure.functions.queue import QueueMessage
from azure.functions.timer import TimerRequest

from function_app.devtenant import DevTenant
from function_app.settings import Settings
from function_app.triggers import http, queues, timers

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "graph-examples"
CLIENT_STATE = "casework-test-client-state-7f3a"
# A Monday in term, after the examples' meetings; 09:00 UK time (GMT).
MONDAY_9AM = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

# The user functions, exactly as the worker gets them from the blueprints.
notify = http.notifications.build().get_user_function()
process_list_changes = queues.process_list_changes.build().get_user_function()
record_poisoned_changes = queues.record_poisoned_changes.build().get_user_function()
renew_subscriptions = timers.renew_subscriptions.build().get_user_function()
sweep_changes = timers.sweep_changes.build().get_user_function()
send_letters = timers.send_letters.build().get_user_function()
daily_reminders = timers.daily_reminders.build().get_user_function()


class Collect(func.Out[list[str]]):
    """The queue output binding: keeps what the function set."""

    def __init__(self) -> None:
        self.value: list[str] | None = None

    def set(self, val: list[str]) -> None:
        self.value = val

    def get(self) -> list[str]:
        return self.value or []


def post(body: bytes | str | Mapping[str, Any] = b"", params: Mapping[str, str] | None = None,
         method: str = "POST", headers: Mapping[str, str] | None = None) -> func.HttpRequest:
    if isinstance(body, Mapping):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode("utf-8")
    return func.HttpRequest(method, "https://casework.example/api/notifications",
                            headers=dict(headers or {"Content-Type": "application/json"}),
                            params=dict(params or {}), body=body)


def call_http(req: func.HttpRequest) -> tuple[func.HttpResponse, list[str]]:
    out = Collect()
    response = notify(req, out)
    return response, out.get()


def message(body: str | bytes, dequeue_count: int = 1, msg_id: str = "msg-1") -> QueueMessage:
    return QueueMessage(id=msg_id, body=body, dequeue_count=dequeue_count,
                        insertion_time=datetime(2026, 11, 23, 8, 59, tzinfo=UTC))


def timer(past_due: bool = False) -> TimerRequest:
    return TimerRequest(past_due=past_due)


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def setting_names() -> set[str]:
    """Every environment variable Settings reads, found by asking it."""

    class Recorder(dict[str, str]):
        def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
            names.add(key)
            return default

    names: set[str] = set()
    Settings.from_environment(Recorder())
    return names


def use_tenant(monkeypatch: pytest.MonkeyPatch, tenant: DevTenant, state: Path,
               notification_url: str = "http://127.0.0.1:9/api/notifications",
               client_state: str = CLIENT_STATE) -> None:
    """The app's settings, as the Functions host would give them, for this dev tenant."""
    for name in setting_names():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SHAREPOINT_SITE", f"https://{tenant.hostname}{tenant.site_path}")
    monkeypatch.setenv("GRAPH_BASE_URL", tenant.base_url)
    monkeypatch.setenv("GRAPH_DEV_TOKEN", tenant.app_token)
    monkeypatch.setenv("CASEWORK_STATE", str(state))
    monkeypatch.setenv("CASEWORK_NOTIFICATION_URL", notification_url)
    monkeypatch.setenv("CASEWORK_CLIENT_STATE", client_state)


@dataclass
class Webhook:
    """The notifications function behind a real HTTP server on loopback, as the Functions
    host puts it: the dev tenant's handshakes and notifications reach the function itself,
    and whatever it queues is kept in ``queued``."""

    handler: Callable[..., func.HttpResponse] = notify
    queued: list[str] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._lock = threading.Lock()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/notifications"

    async def _handle(self, request: web.Request) -> web.Response:
        req = func.HttpRequest(request.method, str(request.url), headers=dict(request.headers),
                               params=dict(request.query), body=await request.read())
        out = Collect()
        answer = self.handler(req, out)
        with self._lock:
            self.queued += out.get()
            self.answers.append(answer.status_code)
        return web.Response(status=answer.status_code, body=answer.get_body(),
                            content_type=answer.mimetype)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def start() -> None:
            app = web.Application()
            app.router.add_route("*", "/api/notifications", self._handle)
            self._runner = web.AppRunner(app, access_log=None)
            await self._runner.setup()
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            await site.start()
            self.port = self._runner.addresses[0][1]

        self._loop.run_until_complete(start())
        self._ready.set()
        self._loop.run_forever()

    def wait_for(self, count: int, seconds: float = 10.0) -> list[str]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.queued) >= count:
                    return list(self.queued)
            time.sleep(0.02)
        return list(self.queued)

    def __enter__(self) -> Webhook:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            if self._runner is not None:
                await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

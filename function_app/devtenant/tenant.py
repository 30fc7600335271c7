"""DevTenant: the local Microsoft Graph server, run in a background thread.

with DevTenant(Path("data")) as tenant:
    tenant.base_url   # http://127.0.0.1:PORT/v1.0
    tenant.app_token  # "dev-app-token"
"""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from aiohttp import web

from .backend import Backend
from .background import BackgroundLoop
from .faults import KEEP, KINDS, Faults, Keep
from .identity import APP_TOKEN, application, user_token
from .metrics import RequestCounter
from .server import Server

T = TypeVar("T")
HOST = "127.0.0.1"


class DevTenant(BackgroundLoop):
    """A Microsoft Graph v1.0-compatible tenant on loopback, persisting to data_dir.

    The site (hostname + site_path) and its default library "Documents" exist from the first
    start. fault_rate (0..1) makes that share of requests answer 429 (Retry-After), 503 or
    drop the connection, drawn from a RNG seeded with seed; latency_ms delays every request.

    fault_kinds picks the faults drawn (faults.ALL_KINDS; the default, faults.KINDS, is
    throttled, unavailable and dropped): "lost" processes the request, then drops the
    connection before answering. retry_after_seconds (0..300) makes injected 429 and 503
    both say Retry-After that long (default: 1 s on 429, none on 503). app_identity shapes
    createdBy / lastModifiedBy of the app's writes: "app", "both" or "both-no-id"
    (identity.py says what each gives).
    """

    app_token = APP_TOKEN

    thread_name = "dev tenant"

    def __init__(
        self,
        data_dir: Path,
        port: int = 0,
        fault_rate: float = 0.0,
        latency_ms: int = 0,
        seed: int | None = None,
        hostname: str = "devtenant.sharepoint.local",
        site_path: str = "/sites/attendance",
        *,
        fault_kinds: Sequence[str] = KINDS,
        retry_after_seconds: int | None = None,
        app_identity: str = "app",
    ) -> None:
        super().__init__()
        self.data_dir = Path(data_dir)
        self.hostname = hostname
        self.site_path = "/" + site_path.strip("/")
        self._port = port
        self._faults = Faults(fault_rate, latency_ms, seed, kinds=fault_kinds,
                              retry_after_seconds=retry_after_seconds)
        self._application = application(app_identity)
        self._counter = RequestCounter()
        self._batch_counter = RequestCounter()
        self._runner: web.AppRunner | None = None
        self._backend: Backend | None = None
        self._base_url = ""
        self._site_id = ""
        self._files_root: Path | None = None

    # -- life cycle --------------------------------------------------------------------------

    def __enter__(self) -> DevTenant:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _before_start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)

    async def _startup(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((HOST, self._port))
        port = listener.getsockname()[1]
        origin = f"http://{HOST}:{port}"
        backend = Backend(self.data_dir, origin, self._faults, self._counter, self._batch_counter)
        backend.application = self._application
        site = backend.bootstrap(self.hostname, self.site_path)
        await backend.notifier.start()
        runner = web.AppRunner(Server(backend).app(), access_log=None, handle_signals=False)
        await runner.setup()
        await web.SockSite(runner, listener).start()
        self._backend, self._runner = backend, runner
        self._base_url = backend.base_url
        self._site_id = site.id
        self._files_root = backend.library.root_folder(backend.site_drive(site))

    async def _shutdown(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._backend is not None:
            await self._backend.notifier.close()
            self._backend.close()
        self._runner = self._backend = None

    # -- what clients need -------------------------------------------------------------------

    def _running(self) -> None:
        if self._thread is None or not self._base_url:
            raise RuntimeError("the dev tenant is not running; use it as a context manager")

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT/v1.0"""
        self._running()
        return self._base_url

    @property
    def port(self) -> int:
        self._running()
        return int(self._base_url.rsplit(":", 1)[1].split("/")[0])

    @property
    def site_id(self) -> str:
        """The site's Graph id: "hostname,GUID,GUID"."""
        self._running()
        return self._site_id

    @property
    def files_root(self) -> Path:
        """The folder holding the default library's files, as a person would open them."""
        self._running()
        assert self._files_root is not None
        return self._files_root

    @staticmethod
    def user_token(name: str) -> str:
        """The bearer token of a member of staff: writes are attributed to them by name."""
        return user_token(name)

    # -- counting, faults and knobs for tests ------------------------------------------------

    @property
    def requests(self) -> Counter[str]:
        """HTTP requests received, per "METHOD route-template" (a snapshot)."""
        return self._counter.snapshot()

    @property
    def batch_requests(self) -> Counter[str]:
        """The requests inside $batch calls, per route template (a snapshot)."""
        return self._batch_counter.snapshot()

    @property
    def faults(self) -> Counter[str]:
        """Faults injected so far, per kind: throttled, unavailable, dropped, lost (a
        snapshot)."""
        return self._faults.counts.snapshot()

    def reset_counts(self) -> None:
        self._counter.reset()
        self._batch_counter.reset()
        self._faults.counts.reset()

    def set_faults(self, rate: float, latency_ms: int = 0, *,
                   kinds: Sequence[str] | None = None,
                   retry_after_seconds: int | Keep | None = KEEP) -> None:
        """The share of requests that fault and the latency; also the kinds drawn and the
        Retry-After injected 429/503 say, when given (else they stay as they are)."""
        self._faults.configure(rate, latency_ms, kinds=kinds,
                               retry_after_seconds=retry_after_seconds)

    def strike_next(self, kind: str, count: int = 1, method: str | None = None) -> None:
        """Make the next ``count`` requests (of ``method``, when given) fault with ``kind``
        (faults.ALL_KINDS), whatever the fault rate: e.g. strike_next("lost", method="POST")
        before an import, to lose the answer to its first create."""
        self._faults.strike_next(kind, count, method)

    def set_delta_retention(self, seconds: float) -> None:
        """How long list change logs are kept; delta tokens older than that get 410 Gone."""
        self._running()
        backend = self._backend
        assert backend is not None

        async def apply() -> None:
            backend.delta_retention_seconds = seconds

        self._call(apply())

    def wait_for_notifications(self) -> None:
        """Block until every change notification sent so far was delivered or given up."""
        self._running()
        assert self._backend is not None
        self._call(self._backend.notifier.idle())

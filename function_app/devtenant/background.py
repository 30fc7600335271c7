"""A server that runs its own asyncio loop on a background thread: the dev tenant and the
Teams sink both are, so tests and the demo use them from ordinary synchronous code."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future
from typing import Any


class BackgroundLoop:
    """Start and stop an event loop on a daemon thread; subclasses give ``_startup`` and
    ``_shutdown`` (coroutines run on that loop) and may prepare in ``_before_start``."""

    thread_name = "background"
    call_timeout = 60.0

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def _before_start(self) -> None:
        """Work done on the caller's thread before the loop starts."""

    async def _startup(self) -> None:
        raise NotImplementedError

    async def _shutdown(self) -> None:
        raise NotImplementedError

    def _after_stop(self) -> None:
        """Work done on the caller's thread once the loop has stopped."""

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError(f"the {self.thread_name} is already running")
        self._before_start()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, name=self.thread_name, daemon=True)
        self._thread.start()
        try:
            self._call(self._startup())
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if loop.is_running():
            try:
                self._call(self._shutdown())
            finally:
                loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()
        self._loop = self._thread = None
        self._after_stop()

    def _serve(self) -> None:
        assert self._loop is not None
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    def _call(self, coroutine: Any) -> Any:
        """Run a coroutine on the background loop and wait for its result."""
        assert self._loop is not None
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result(timeout=self.call_timeout)

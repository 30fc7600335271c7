"""Azurite for the tests that need Azure Table storage: the session fixture ``azurite``
(its table endpoint as a connection string) and what it is built from.

tests/conftest.py imports the fixture, so any test can ask for ``azurite``. Azurite is
started for the session unless one already listens on 127.0.0.1:10002; it is found in the
repository's node_modules (``npm ci`` installs it; .ci/run does), on PATH, or through
npx. Without it the tests that use it fail under CI and are skipped elsewhere.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT_KEY = ("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/"
               "K1SZFPTOtr/KBHBeksoGMGw==")  # Azurite's well-known devstoreaccount1 key
DEFAULT_TABLE_PORT = 10002
LISTENING = re.compile(r"Table service is successfully listening at http://[\d.]+:(\d+)")
STARTUP_SECONDS = 60


def connection_string(port: int, key: str = ACCOUNT_KEY) -> str:
    return ("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
            f"AccountKey={key};TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;")


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def _azurite_command() -> list[str] | None:
    local = ROOT / "node_modules" / ".bin" / "azurite"
    if local.exists():
        return [str(local)]
    if found := shutil.which("azurite"):
        return [found]
    if npx := shutil.which("npx"):
        return [npx, "--no-install", "azurite"]  # never downloads: fails if not installed
    return None


def _unavailable(why: str) -> NoReturn:
    message = f"{why}. Install it with `npm ci` in the repository root (.ci/run does)."
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Azurite's table endpoint for the session: one already running, or one started here."""
    if _answers(DEFAULT_TABLE_PORT):
        yield connection_string(DEFAULT_TABLE_PORT)
        return
    command = _azurite_command()
    if command is None:
        _unavailable("Azurite cannot be found (no node_modules/.bin/azurite, azurite or npx)")
    log_path = tmp_path_factory.mktemp("azurite") / "azurite.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*command, "--inMemoryPersistence", "--disableTelemetry", "--skipApiVersionCheck",
             "--silent", "--blobPort", "0", "--queuePort", "0", "--tablePort", "0"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=ROOT,
            start_new_session=True)  # its own process group: npx's node child stops with it
    try:
        port = _wait_for_table_port(process, log_path)
        yield connection_string(port)
    finally:
        _stop(process)


def _wait_for_table_port(process: subprocess.Popen[bytes], log_path: Path) -> int:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        found = LISTENING.search(log_path.read_text(errors="replace"))
        if found and _answers(int(found.group(1))):
            return int(found.group(1))
        if process.poll() is not None:
            said = [line for line in log_path.read_text(errors="replace").splitlines()
                    if line.strip() and "npm warn" not in line]
            _unavailable(f"Azurite did not start (exit {process.returncode}): "
                         f"{' '.join(said[-2:])[:300]}")
        time.sleep(0.05)
    _stop(process)
    pytest.fail(f"Azurite did not listen within {STARTUP_SECONDS} s; its log: {log_path}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

"""The Azure Table state store, against Azurite: the SQLite store's behaviours, and claims
that stay exclusive between workers with their own clients.

Azurite is started for the session unless one already listens on 127.0.0.1:10002; it is
found in the repository's node_modules (``npm ci`` installs it; .ci/run does), on PATH, or
through npx. Without it these tests fail under CI and are skipped elsewhere.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NoReturn

import pytest
from hypothesis import given
from hypothesis import strategies as st

from function_app.adapters.state.errors import StateStoreError, StateUnavailableError
from function_app.adapters.state.tables import TableStateStore, escape_key, unescape_key

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]
ACCOUNT_KEY = ("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/"
               "K1SZFPTOtr/KBHBeksoGMGw==")  # Azurite's well-known devstoreaccount1 key
DEFAULT_TABLE_PORT = 10002
LISTENING = re.compile(r"Table service is successfully listening at http://[\d.]+:(\d+)")
STARTUP_SECONDS = 60
FORBIDDEN_IN_KEYS = re.compile(r"[/\\#?\x00-\x1f\x7f-\x9f]")


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


@pytest.fixture
def open_store(azurite: str) -> Iterator[Callable[[], TableStateStore]]:
    """Opens stores on tables of this test's own (a fresh prefix), closing them after."""
    prefix = "t" + uuid.uuid4().hex[:12]
    opened: list[TableStateStore] = []

    def open_one() -> TableStateStore:
        opened.append(TableStateStore(azurite, table_prefix=prefix))
        return opened[-1]

    yield open_one
    for store in opened:
        store.close()


def test_a_key_is_claimed_once(open_store: Callable[[], TableStateStore]) -> None:
    """The first worker to claim a document gets it; a second does not."""
    store = open_store()
    assert store.claim("doc-1", "a", NOW, 600)
    assert not store.claim("doc-1", "b", NOW, 600)
    claim = store.get_claim("doc-1")
    assert claim is not None
    assert (claim.owner, claim.state, claim.result, claim.claimed_at) == ("a", "claimed", "", NOW)


def test_a_done_claim_is_never_taken_again(open_store: Callable[[], TableStateStore]) -> None:
    """Once a document is made, no later worker claims it, however late."""
    store = open_store()
    store.claim("doc-1", "a", NOW, 600)
    store.complete("doc-1", "a", "https://example/doc.docx")
    assert not store.claim("doc-1", "b", NOW + timedelta(days=30), 600)
    claim = store.get_claim("doc-1")
    assert claim is not None and (claim.state, claim.result) == ("done", "https://example/doc.docx")


def test_a_claim_whose_worker_died_is_taken_over_after_its_lease(
        open_store: Callable[[], TableStateStore]) -> None:
    """A claim left by a crashed worker is taken over once its lease has run out, not before."""
    store = open_store()
    store.claim("doc-1", "dead", NOW, 600)
    assert not store.claim("doc-1", "b", NOW + timedelta(seconds=599), 600)
    assert store.claim("doc-1", "b", NOW + timedelta(seconds=601), 600)
    store.complete("doc-1", "dead", "late")  # the dead worker's late completion is ignored
    store.release("doc-1", "dead")  # and so is its late release
    claim = store.get_claim("doc-1")
    assert claim is not None and claim.state == "claimed" and claim.owner == "b"


def test_a_released_claim_can_be_retried(open_store: Callable[[], TableStateStore]) -> None:
    """A failed attempt releases its claim so the next sweep can try again."""
    store = open_store()
    store.claim("doc-1", "a", NOW, 600)
    store.release("doc-1", "a")
    assert store.get_claim("doc-1") is None
    assert store.claim("doc-1", "b", NOW, 600)


def test_a_done_claim_is_not_released(open_store: Callable[[], TableStateStore]) -> None:
    """Releasing a claim already completed leaves the record of what was made."""
    store = open_store()
    store.claim("doc-1", "a", NOW, 600)
    store.complete("doc-1", "a", "https://example/doc.docx")
    store.release("doc-1", "a")
    claim = store.get_claim("doc-1")
    assert claim is not None and claim.state == "done"


def test_delta_links_and_facts_persist(open_store: Callable[[], TableStateStore]) -> None:
    """Delta links and remembered facts survive opening the store again."""
    store = open_store()
    assert store.delta_link("list-1") == "" and store.keys("errors") == []
    store.save_delta_link("list-1", "https://graph/delta?token=1")
    store.save_delta_link("list-1", "https://graph/delta?token=2")
    store.remember("errors", "Meetings/12", "digest")
    store.remember("errors", "Cases/3", "other")
    store.remember("retry", "Meetings/12", "elsewhere")
    store.close()
    again = open_store()
    assert again.delta_link("list-1") == "https://graph/delta?token=2"
    assert again.recall("errors", "Meetings/12") == "digest"
    assert again.keys("errors") == ["Cases/3", "Meetings/12"]
    again.forget("errors", "Meetings/12")
    again.forget("errors", "never-remembered")
    assert again.recall("errors", "Meetings/12") == ""
    assert again.keys("errors") == ["Cases/3"]
    assert again.recall("retry", "Meetings/12") == "elsewhere"


KEYS = ["Meetings/12/v3#4?x", "a\\b", "Zoë Brontë/Çağrı", "tab\there", "100% ~7E & 'quote'",
        "emoji 😀", "/", "~"]


def test_keys_with_reserved_characters_and_accents_round_trip(
        open_store: Callable[[], TableStateStore]) -> None:
    """Keys and scopes with / \\ # ? %, control characters, accents or emoji keep their text."""
    store = open_store()
    for key in KEYS:
        assert store.claim(key, "a", NOW, 600), key
        claim = store.get_claim(key)
        assert claim is not None and claim.key == key
        store.remember("scope/#?é", key, f"value of {key}")
        store.save_delta_link(key, f"link of {key}")
    again = open_store()
    assert again.keys("scope/#?é") == sorted(KEYS)
    for key in KEYS:
        assert again.recall("scope/#?é", key) == f"value of {key}"
        assert again.delta_link(key) == f"link of {key}"
        assert not again.claim(key, "b", NOW, 600)


@given(st.text())
def test_key_escaping_is_reversible_and_table_safe(text: str) -> None:
    """Any text escapes to a key Table storage accepts, and escapes back to itself."""
    escaped = escape_key(text)
    assert not FORBIDDEN_IN_KEYS.search(escaped)
    assert "%" not in escaped
    assert unescape_key(escaped) == text


def test_azure_errors_become_state_store_errors(azurite: str) -> None:
    """A wrong account key is a StateStoreError naming the setting, with azure's error as cause."""
    port = re.search(r":(\d+)/devstoreaccount1", azurite)
    assert port is not None
    wrong = connection_string(int(port.group(1)), key=ACCOUNT_KEY.replace("Eby8", "Xby8"))
    store = TableStateStore(wrong, table_prefix="wrongkey")
    with pytest.raises(StateStoreError) as raised:
        store.claim("doc-1", "a", NOW, 600)
    assert raised.value.status == 403
    assert "CASEWORK_STATE_CONNECTION" in str(raised.value)
    assert type(raised.value.__cause__).__module__.startswith("azure.")


def test_no_answer_is_state_unavailable() -> None:
    """A storage endpoint that does not answer is StateUnavailableError, not azure's error."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    store = TableStateStore(connection_string(closed_port), retries=0)
    with pytest.raises(StateUnavailableError):
        store.recall("scope", "key")


def test_a_bad_connection_string_or_prefix_is_our_error() -> None:
    """A malformed connection string or table prefix is refused with our own error."""
    with pytest.raises(StateStoreError, match="CASEWORK_STATE_CONNECTION"):
        TableStateStore("not a connection string")
    with pytest.raises(StateStoreError, match="prefix"):
        TableStateStore(connection_string(DEFAULT_TABLE_PORT), table_prefix="has-dash")


def test_importing_the_store_loads_no_azure_sdk() -> None:
    """Importing the Table store (as bootstrap does) imports nothing from azure.data.tables."""
    code = ("import sys, function_app.bootstrap; "
            "sys.exit(any(m.startswith('azure.data') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_four_workers_never_claim_the_same_key(
        open_store: Callable[[], TableStateStore]) -> None:
    """Four workers with their own clients race over 200 keys, a quarter of them held by a
    dead worker whose lease ran out: every key is won (inserted or taken over) exactly once."""
    stores = [open_store() for _ in range(5)]
    for k in range(0, 200, 4):
        assert stores[4].claim(f"doc-{k}", "dead", NOW - timedelta(hours=1), 600)
    racers = stores[:4]
    won: dict[str, list[int]] = {}
    start = threading.Barrier(len(racers))

    def claim_all(owner: str, store: TableStateStore, seed: int) -> None:
        order = list(range(200))
        random.Random(seed).shuffle(order)  # a different order each: they meet at random
        start.wait()
        won[owner] = [k for k in order if store.claim(f"doc-{k}", owner, NOW, 600)]

    workers = [threading.Thread(target=claim_all, args=(f"w{i}", s, i))
               for i, s in enumerate(racers)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert len(won) == 4
    assert sorted(k for keys in won.values() for k in keys) == list(range(200))
    assert all(won.values())  # every worker won some: they really did race
    for owner, keys in won.items():
        for k in keys:
            claim = stores[4].get_claim(f"doc-{k}")
            assert claim is not None and (claim.owner, claim.claimed_at) == (owner, NOW)


def test_the_connection_setting_chooses_the_table_store(tmp_path: Path) -> None:
    """CASEWORK_STATE_CONNECTION set means the Table store; unset, the SQLite file as before."""
    from function_app import bootstrap
    from function_app.adapters.state.sqlite import SqliteStateStore
    from function_app.settings import Settings

    cloud = Settings.from_environment({"CASEWORK_STATE_CONNECTION": connection_string(10002)})
    assert cloud.state_connection == connection_string(10002)
    table_store = bootstrap.state_store(cloud)
    assert isinstance(table_store, TableStateStore)
    table_store.close()
    local = Settings.from_environment({"CASEWORK_STATE": str(tmp_path / "state.sqlite")})
    sqlite_store = bootstrap.state_store(local)
    assert isinstance(sqlite_store, SqliteStateStore)
    sqlite_store.close()

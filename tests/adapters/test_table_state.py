"""The Azure Table state store, against Azurite: the SQLite store's behaviours, and claims
that stay exclusive between workers with their own clients.

The ``azurite`` fixture comes from tests/azurite_support.py (through tests/conftest.py):
Azurite is started for the session unless one already listens on 127.0.0.1:10002, and
without it these tests fail under CI and are skipped elsewhere.
"""

from __future__ import annotations

import hashlib
import random
import re
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from function_app.adapters.state.errors import StateStoreError, StateUnavailableError
from function_app.adapters.state.tables import (
    MAX_KEY_CHARS,
    TableStateStore,
    escape_key,
    table_key,
    unescape_key,
)
from tests.azurite_support import ACCOUNT_KEY, DEFAULT_TABLE_PORT, ROOT, connection_string

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
FORBIDDEN_IN_KEYS = re.compile(r"[/\\#?\x00-\x1f\x7f-\x9f]")


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


def test_forget_claims_deletes_open_and_done_claims_under_a_prefix_only(
        open_store: Callable[[], TableStateStore]) -> None:
    """As in the SQLite store: a closed case's claims go, open or done, whatever their
    partition and however long their key, and no other case's."""
    store = open_store()
    long_key = "case/A%_1/" + "😀/" * 400
    keys = ["case/A%_1/Cases/1/x/k/-", "case/A%_1/Meetings/2/v/k/7", long_key,
            "case/A%_12/Cases/3/x/k/-", "case/AX_1/Cases/4/x/k/-"]
    for key in keys:
        assert store.claim(key, "a", NOW, 600)
    store.complete("case/A%_1/Cases/1/x/k/-", "a", "item:01ABC")
    assert store.forget_claims(["case/A%_1/", "nothing/"]) == 3
    assert all(store.get_claim(k) is None for k in keys[:3])
    assert sorted(c.key for c in open_store().open_claims()) == keys[3:]
    assert store.forget_claims([]) == 0
    assert store.claim(keys[0], "b", NOW, 600)


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


def test_its_owner_retakes_an_open_claim_at_once_another_waits_for_the_lease(
        open_store: Callable[[], TableStateStore]) -> None:
    """A worker restarted under the same owner name retakes its open claim at once, while
    another owner still waits out the (renewed) lease."""
    store = open_store()
    assert store.claim("doc-1", "a", NOW, 600)
    assert store.claim("doc-1", "a", NOW + timedelta(seconds=1), 600)
    assert not store.claim("doc-1", "b", NOW + timedelta(seconds=600), 600)
    claim = store.get_claim("doc-1")
    assert claim is not None
    assert (claim.owner, claim.claimed_at) == ("a", NOW + timedelta(seconds=1))
    assert store.claim("doc-1", "b", NOW + timedelta(seconds=602), 600)


def test_a_done_claim_is_not_retaken_even_by_its_owner(
        open_store: Callable[[], TableStateStore]) -> None:
    """A completed claim stays done when its own owner claims it again, at once or later."""
    store = open_store()
    store.claim("doc-1", "a", NOW, 600)
    store.complete("doc-1", "a", "https://example/doc.docx")
    assert not store.claim("doc-1", "a", NOW, 600)
    assert not store.claim("doc-1", "a", NOW + timedelta(days=30), 600)
    claim = store.get_claim("doc-1")
    assert claim is not None and (claim.state, claim.result) == ("done", "https://example/doc.docx")


def test_open_claims_lists_unfinished_claims_oldest_first_with_original_keys(
        open_store: Callable[[], TableStateStore]) -> None:
    """open_claims gives every claim not yet done or released, oldest first, keys as given."""
    store = open_store()
    assert store.open_claims() == []
    long_key = "Cases/" + "😀" * 70
    store.claim("Meetings/12#3?", "a", NOW + timedelta(minutes=2), 600)
    store.claim(long_key, "b", NOW, 600)
    store.claim("made", "a", NOW - timedelta(hours=1), 600)
    store.complete("made", "a", "https://example/doc.docx")
    store.claim("released", "a", NOW - timedelta(hours=1), 600)
    store.release("released", "a")
    pending = open_store().open_claims()
    assert [(c.key, c.owner, c.state, c.claimed_at) for c in pending] == [
        (long_key, "b", "claimed", NOW),
        ("Meetings/12#3?", "a", "claimed", NOW + timedelta(minutes=2))]


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


LONG = "x" * 1999
AWKWARD_KEYS = ["😀" * 70, "k" * 2000, LONG + "a", LONG + "b", "/", "a/b", "\\", "#", "?",
                "tab\tnew\nline\x00nul\x1f\x7f\x9f", "~h" + "0" * 64, ""]


def test_any_key_works_for_claims_and_facts(open_store: Callable[[], TableStateStore]) -> None:
    """A 70-emoji key, a 2,000-character key, keys with / \\ # ? or control characters, and
    two long keys differing only at the end each keep their own claim and fact, listed as
    given by keys() and open_claims()."""
    store = open_store()
    scopes = ["errors", "🙂" * 300]
    for n, key in enumerate(AWKWARD_KEYS):
        assert store.claim(key, "a", NOW + timedelta(seconds=n), 600), key
        for scope in scopes:
            store.remember(scope, key, f"{scope[:1]} value of {key}")
    again = open_store()
    assert [c.key for c in again.open_claims()] == AWKWARD_KEYS
    for scope in scopes:
        assert again.keys(scope) == sorted(AWKWARD_KEYS)
    for key in AWKWARD_KEYS:
        assert not again.claim(key, "b", NOW, 600), key
        again.complete(key, "a", f"made {key}")
        claim = again.get_claim(key)
        assert claim is not None and (claim.key, claim.state, claim.result) == (
            key, "done", f"made {key}")
        for scope in scopes:
            assert again.recall(scope, key) == f"{scope[:1]} value of {key}"
    assert again.open_claims() == []
    for key in AWKWARD_KEYS[::2]:
        again.forget("errors", key)
    assert again.keys("errors") == sorted(AWKWARD_KEYS[1::2])
    assert again.keys(scopes[1]) == sorted(AWKWARD_KEYS)
    assert again.recall("errors", AWKWARD_KEYS[0]) == ""


def test_entities_written_before_keys_were_kept_still_list(azurite: str) -> None:
    """Claims and facts written before the "Key" property existed still list their keys,
    unescaped from the row key, and the next write adds the property."""
    from azure.data.tables import TableClient

    prefix = "t" + uuid.uuid4().hex[:12]
    store = TableStateStore(azurite, table_prefix=prefix)
    store.remember("errors", "warm-up", "")
    store.claim("warm-up", "a", NOW, 600)
    key = "Meetings/12#é"
    with TableClient.from_connection_string(azurite, f"{prefix}Facts") as facts:
        facts.create_entity({"PartitionKey": escape_key("errors"), "RowKey": escape_key(key),
                             "Value": "old"})
    with TableClient.from_connection_string(azurite, f"{prefix}Claims") as claims:
        claims.create_entity({
            "PartitionKey": hashlib.sha256(key.encode()).hexdigest()[:2],
            "RowKey": escape_key(key), "Owner": "old", "State": "claimed", "Result": "",
            "ClaimedAt": (NOW - timedelta(hours=1)).isoformat()})
    assert store.keys("errors") == sorted(["warm-up", key])
    assert store.recall("errors", key) == "old"
    assert [c.key for c in store.open_claims()] == [key, "warm-up"]
    assert store.claim(key, "a", NOW, 600)
    store.complete(key, "a", "made")
    with TableClient.from_connection_string(azurite, f"{prefix}Claims") as claims:
        assert claims.get_entity(hashlib.sha256(key.encode()).hexdigest()[:2],
                                 escape_key(key))["Key"] == key
    store.close()


def test_a_value_too_long_for_table_storage_is_refused_plainly(
        open_store: Callable[[], TableStateStore]) -> None:
    """A fact's value over 64 KiB (as UTF-16) is refused with our error naming the scope."""
    store = open_store()
    store.remember("errors", "big", "v" * 32 * 1024)
    with pytest.raises(StateStoreError, match="'errors'"):
        store.remember("errors", "bigger", "v" * (32 * 1024 + 1))
    assert store.keys("errors") == ["big"]


def test_a_key_too_long_to_keep_is_refused_plainly(
        open_store: Callable[[], TableStateStore]) -> None:
    """A key over 64 KiB (as UTF-16) cannot be kept in an entity, and is refused plainly."""
    store = open_store()
    with pytest.raises(StateStoreError, match="too long"):
        store.claim("k" * (32 * 1024 + 1), "a", NOW, 600)
    with pytest.raises(StateStoreError, match="too long"):
        store.remember("errors", "k" * (32 * 1024 + 1), "v")


@given(st.text(max_size=700))
@example("a" * 440 + "😀" * 10)
@example("a" * 439 + "/" * 100)
@example("a" * 444 + "é" * 100)
@example("~" * 200)
def test_every_key_is_table_safe_and_distinct(text: str) -> None:
    """Any text becomes a Table key of at most MAX_KEY_CHARS with no forbidden character: its
    escaped form when that fits, else a prefix of it cut between escapes, "~h" and its hash."""
    key = table_key(text)
    escaped = escape_key(text)
    assert len(key) <= MAX_KEY_CHARS and not FORBIDDEN_IN_KEYS.search(key)
    if len(escaped) <= MAX_KEY_CHARS:
        assert key == escaped
        return
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    prefix, mark, tail = key[:-66], key[-66:-64], key[-64:]
    assert (mark, tail) == ("~h", digest)
    assert escaped.startswith(prefix) and len(prefix) >= MAX_KEY_CHARS - 66 - 7
    assert escape_key(unescape_key(prefix)) == prefix  # no escape cut in half
    assert table_key(text + "!") != key


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

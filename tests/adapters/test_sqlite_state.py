"""The SQLite state store: claims are exclusive, even between processes."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from function_app.adapters.state.sqlite import SqliteStateStore

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def test_a_key_is_claimed_once(tmp_path: Path) -> None:
    """The first worker to claim a document gets it; a second does not."""
    store = SqliteStateStore(tmp_path / "state.sqlite")
    assert store.claim("doc-1", "a", NOW, 600)
    assert not store.claim("doc-1", "b", NOW, 600)


def test_a_done_claim_is_never_taken_again(tmp_path: Path) -> None:
    """Once a document is made, no later worker claims it, however late."""
    store = SqliteStateStore(tmp_path / "state.sqlite")
    store.claim("doc-1", "a", NOW, 600)
    store.complete("doc-1", "a", "https://example/doc.docx")
    assert not store.claim("doc-1", "b", NOW + timedelta(days=30), 600)
    claim = store.get_claim("doc-1")
    assert claim is not None and (claim.state, claim.result) == ("done", "https://example/doc.docx")


def test_a_claim_whose_worker_died_is_taken_over_after_its_lease(tmp_path: Path) -> None:
    """A claim left by a crashed worker is taken over once its lease has run out, not before."""
    store = SqliteStateStore(tmp_path / "state.sqlite")
    store.claim("doc-1", "dead", NOW, 600)
    assert not store.claim("doc-1", "b", NOW + timedelta(seconds=599), 600)
    assert store.claim("doc-1", "b", NOW + timedelta(seconds=601), 600)
    store.complete("doc-1", "dead", "late")  # the dead worker's late completion is ignored
    claim = store.get_claim("doc-1")
    assert claim is not None and claim.state == "claimed" and claim.owner == "b"


def test_a_released_claim_can_be_retried(tmp_path: Path) -> None:
    """A failed attempt releases its claim so the next sweep can try again."""
    store = SqliteStateStore(tmp_path / "state.sqlite")
    store.claim("doc-1", "a", NOW, 600)
    store.release("doc-1", "a")
    assert store.claim("doc-1", "b", NOW, 600)


def test_its_owner_retakes_an_open_claim_at_once_another_waits_for_the_lease(
        tmp_path: Path) -> None:
    """A worker restarted under the same owner name retakes its open claim at once, while
    another owner still waits out the (renewed) lease."""
    store = SqliteStateStore(tmp_path / "state.sqlite")
    assert store.claim("doc-1", "a", NOW, 600)
    assert store.claim("doc-1", "a", NOW + timedelta(seconds=1), 600)
    assert not store.claim("doc-1", "b", NOW + timedelta(seconds=600), 600)
    claim = store.get_claim("doc-1")
    assert claim is not None
    assert (claim.owner, claim.claimed_at) == ("a", NOW + timedelta(seconds=1))
    assert store.claim("doc-1", "b", NOW + timedelta(seconds=602), 600)


def test_a_done_claim_is_not_retaken_even_by_its_owner(tmp_path: Path) -> None:
    """A completed claim stays done when its own owner claims it again, at once or later."""
    store = SqliteStateStore(tmp_path / "state.sqlite")
    store.claim("doc-1", "a", NOW, 600)
    store.complete("doc-1", "a", "https://example/doc.docx")
    assert not store.claim("doc-1", "a", NOW, 600)
    assert not store.claim("doc-1", "a", NOW + timedelta(days=30), 600)
    claim = store.get_claim("doc-1")
    assert claim is not None and (claim.state, claim.result) == ("done", "https://example/doc.docx")


def test_open_claims_lists_unfinished_claims_oldest_first_with_original_keys(
        tmp_path: Path) -> None:
    """open_claims gives every claim not yet done or released, oldest first, keys as given."""
    path = tmp_path / "state.sqlite"
    store = SqliteStateStore(path)
    assert store.open_claims() == []
    long_key = "Cases/" + "😀" * 70
    store.claim("Meetings/12#3?", "a", NOW + timedelta(minutes=2), 600)
    store.claim(long_key, "b", NOW, 600)
    store.claim("made", "a", NOW - timedelta(hours=1), 600)
    store.complete("made", "a", "https://example/doc.docx")
    store.claim("released", "a", NOW - timedelta(hours=1), 600)
    store.release("released", "a")
    store.close()
    pending = SqliteStateStore(path).open_claims()
    assert [(c.key, c.owner, c.state, c.claimed_at) for c in pending] == [
        (long_key, "b", "claimed", NOW),
        ("Meetings/12#3?", "a", "claimed", NOW + timedelta(minutes=2))]


LONG = "x" * 1999
AWKWARD_KEYS = ["😀" * 70, "k" * 2000, LONG + "a", LONG + "b", "/", "a/b", "\\", "#", "?",
                "tab\tnew\nline\x00nul\x1f\x7f\x9f", "~h" + "0" * 64, ""]


def test_any_key_works_for_claims_and_facts(tmp_path: Path) -> None:
    """A 70-emoji key, a 2,000-character key, keys with / \\ # ? or control characters, and
    two long keys differing only at the end each keep their own claim and fact, listed as
    given by keys() and open_claims() (as in the Table store)."""
    path = tmp_path / "state.sqlite"
    store = SqliteStateStore(path)
    scopes = ["errors", "🙂" * 300]
    for n, key in enumerate(AWKWARD_KEYS):
        assert store.claim(key, "a", NOW + timedelta(seconds=n), 600), key
        for scope in scopes:
            store.remember(scope, key, f"{scope[:1]} value of {key}")
    store.close()
    again = SqliteStateStore(path)
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


def test_delta_links_and_facts_persist(tmp_path: Path) -> None:
    """Delta links and remembered facts survive reopening the file."""
    path = tmp_path / "state.sqlite"
    store = SqliteStateStore(path)
    store.save_delta_link("list-1", "https://graph/delta?token=1")
    store.save_delta_link("list-1", "https://graph/delta?token=2")
    store.remember("errors", "Meetings/12", "digest")
    store.close()
    again = SqliteStateStore(path)
    assert again.delta_link("list-1") == "https://graph/delta?token=2"
    assert again.recall("errors", "Meetings/12") == "digest"
    assert again.keys("errors") == ["Meetings/12"]
    again.forget("errors", "Meetings/12")
    assert again.recall("errors", "Meetings/12") == ""


def _claim_many(path: str, owner: str, keys: int, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    store = SqliteStateStore(Path(path))
    won = [k for k in range(keys) if store.claim(f"doc-{k}", owner, NOW, 600)]
    out.put((owner, won))


def test_four_processes_never_claim_the_same_key(tmp_path: Path) -> None:
    """Four processes racing over 200 keys: every key is won exactly once."""
    path = str(tmp_path / "state.sqlite")
    SqliteStateStore(Path(path)).close()
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    workers = [ctx.Process(target=_claim_many, args=(path, f"w{i}", 200, out))
               for i in range(4)]
    for w in workers:
        w.start()
    results = [out.get(timeout=60) for _ in workers]
    for w in workers:
        w.join(timeout=60)
    won = [k for _, keys in results for k in keys]
    assert sorted(won) == list(range(200))


def test_forget_claims_deletes_open_and_done_claims_under_a_prefix_only(
        tmp_path: Path) -> None:
    """A closed case's claims go, open or done, and no other case's: "%" and "_" in a
    prefix are plain characters, and a case whose reference starts another's is kept."""
    store = SqliteStateStore(tmp_path / "state.sqlite")
    for key in ("case/A%_1/Cases/1/x/k/-", "case/A%_1/Meetings/2/v/k/7", "case/A%_12/Cases/3/x/k/-",
                "case/AX_1/Cases/4/x/k/-", "legal-bundle/A%_1/abc"):
        assert store.claim(key, "a", NOW, 600)
    store.complete("case/A%_1/Cases/1/x/k/-", "a", "item:01ABC")
    assert store.forget_claims(["case/A%_1/", "legal-bundle/A%_1/", "nothing/"]) == 3
    assert store.get_claim("case/A%_1/Cases/1/x/k/-") is None
    assert store.get_claim("case/A%_1/Meetings/2/v/k/7") is None
    assert sorted(c.key for c in store.open_claims()) == ["case/A%_12/Cases/3/x/k/-",
                                                         "case/AX_1/Cases/4/x/k/-"]
    assert store.forget_claims([]) == 0
    assert store.claim("case/A%_1/Cases/1/x/k/-", "b", NOW, 600)  # forgotten: claimable again

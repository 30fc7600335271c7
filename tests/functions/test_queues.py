"""The queue functions: a queued notification runs a sweep that files documents; a failed
sweep fails the attempt and writes nothing; a poisoned message is recorded by ids."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from function_app.adapters.state.sqlite import SqliteStateStore
from function_app.devtenant import DevTenant
from function_app.triggers.queues import SweepFailed
from tests.integration.helpers import Site, example, files_under

from .support import (
    Webhook,
    message,
    process_list_changes,
    record_poisoned_changes,
    renew_subscriptions,
    timer,
    use_tenant,
)

pytestmark = pytest.mark.functions
NAMES = ("Ellis", "Jordan", "Chris", "Dana", "Severn")  # typed into the case: never logged


def library_files(tenant: DevTenant) -> list[Path]:
    return files_under(tenant.files_root.parent / "Case Files")


def test_a_notification_from_graph_becomes_a_sweep_that_files_the_documents(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
        set_clock: Callable[[datetime], None]) -> None:
    """Subscribed through the renew timer, a case typed by staff is notified to the
    notifications function, queued, and the queue function's sweep files its six
    documents; the logs carry counts and ids, never a name."""
    caplog.set_level(logging.DEBUG)

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant, Webhook() as hook:
            use_tenant(monkeypatch, tenant, tmp_path / "state.sqlite", hook.url)
            site = await Site.ready(tenant)
            await asyncio.to_thread(renew_subscriptions, timer())
            await site.type_case(example("aim-review-no-engagement.json"))
            queued = hook.wait_for(1)
            assert queued, "no notification reached the notifications function"
            assert {json.loads(m)["changeType"] for m in queued} == {"updated"}
            set_clock()
            await asyncio.to_thread(process_list_changes, message(queued[0]))
            assert len(library_files(tenant)) == 6
            await asyncio.to_thread(process_list_changes, message(queued[-1], msg_id="msg-2"))
            assert len(library_files(tenant)) == 6  # a repeat makes nothing twice

    asyncio.run(run())
    ours = [r.getMessage() for r in caplog.records
            if not r.name.startswith("function_app.devtenant")]
    assert any("6 documents filed" in m for m in ours)
    assert not [m for m in ours if any(name in m for name in NAMES)]


@pytest.mark.parametrize(("attempt", "says"), [(1, "it will be retried"),
                                               (5, "the message goes to the poison queue")])
def test_a_failed_sweep_fails_the_attempt_and_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
        attempt: int, says: str) -> None:
    """A sweep that cannot run raises (so the runtime retries, then poisons), leaves the
    state store as it was, and says which attempt of how many it was."""
    state = tmp_path / "state.sqlite"
    with DevTenant(tmp_path / "tenant") as tenant:
        use_tenant(monkeypatch, tenant, state)
        monkeypatch.setenv("SHAREPOINT_SITE", f"https://{tenant.hostname}/sites/no-such-site")
        body = json.dumps({"subscriptionId": "sub-1", "resource": "sites/x/lists/y"})
        with pytest.raises(SweepFailed) as failed:
            process_list_changes(message(body, dequeue_count=attempt))
    assert f"attempt {attempt} of 5" in str(failed.value)
    assert "NotFoundError 404" in str(failed.value)
    assert failed.value.__cause__ is None and failed.value.__suppress_context__
    assert any(says in r.getMessage() and "sub-1" in r.getMessage() for r in caplog.records)
    store = SqliteStateStore(state)
    assert store.keys("poison") == [] and store.keys("retry") == []
    assert not store._db.execute("SELECT * FROM delta_links").fetchall()


def test_a_poisoned_message_is_recorded_by_its_ids(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """The poison function keeps one fact (scope "poison") with the notification's ids and
    times, and logs it; a value that is not an id is kept as "(not an id)"."""
    monkeypatch.setenv("CASEWORK_STATE", str(tmp_path / "state.sqlite"))
    body = json.dumps({"subscriptionId": "sub-1", "resource": "sites/a,b,c/lists/d",
                       "changeType": "updated", "tenantId": "Jordan Ellis"})
    record_poisoned_changes(message(body, dequeue_count=1, msg_id="poison-1"))
    record_poisoned_changes(message(b"\xff not json", msg_id="poison-2"))
    store = SqliteStateStore(tmp_path / "state.sqlite")
    assert store.keys("poison") == ["poison-1", "poison-2"]
    fact = json.loads(store.recall("poison", "poison-1"))
    assert fact["subscriptionId"] == "sub-1" and fact["resource"] == "sites/a,b,c/lists/d"
    assert fact["tenantId"] == "(not an id)"
    assert fact["attempts"] == 5 and fact["queuedAt"].startswith("2026-11-23T08:59")
    assert json.loads(store.recall("poison", "poison-2"))["subscriptionId"] == "(none)"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "poison-1" in logged and "Jordan" not in logged


def test_the_last_attempt_is_read_from_host_json_or_its_app_setting_override(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """maxDequeueCount is host.json's, unless the app setting that overrides it is set."""
    from function_app.triggers import support

    host = json.loads((support.APP_ROOT / "host.json").read_text(encoding="utf-8"))
    monkeypatch.delenv(support.MAX_DEQUEUE_OVERRIDE, raising=False)
    assert support.max_dequeue_count() == host["extensions"]["queues"]["maxDequeueCount"] == 5
    monkeypatch.setenv(support.MAX_DEQUEUE_OVERRIDE, "3")
    assert support.max_dequeue_count() == 3

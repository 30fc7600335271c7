"""`casework pending`: what the casework app has not finished, as an IT admin reads it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from function_app.adapters.state.sqlite import SqliteStateStore
from function_app.cli import main

pytestmark = pytest.mark.cli


def test_pending_lists_open_claims_and_items_to_retry(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """A document claimed by a worker that died, and an item kept for the next sweep, are
    listed with who holds the claim, when it may be taken over, and why the item waits."""
    path = tmp_path / "state.sqlite"
    state = SqliteStateStore(path)
    old = datetime.now(UTC) - timedelta(minutes=20)
    state.claim("Meetings/4/2/aim_plan/-", "worker@host:123", old, 600)
    state.claim("Meetings/5/1/aim_plan/-", "worker@host:124", datetime.now(UTC), 600)
    state.remember("retry", "Meetings/9", "upload file: no answer from Microsoft Graph")
    state.close()
    monkeypatch.setenv("CASEWORK_STATE", str(path))
    monkeypatch.delenv("CASEWORK_STATE_CONNECTION", raising=False)
    assert main(["pending"]) == 0
    out = capsys.readouterr().out
    assert "2 documents being made" in out
    assert "Meetings/4/2/aim_plan/-: by worker@host:123" in out
    assert "free to be taken over" in out
    assert "taken over after" in out
    assert "1 item to be processed again" in out
    assert "Meetings/9: upload file: no answer from Microsoft Graph" in out
    assert "0 Teams alerts waiting" in out

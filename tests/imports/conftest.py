"""Every import test keeps its state (the previous imports) in its own folder and has no
site set unless it gives one."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _own_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEWORK_STATE", str(tmp_path / "state" / "state.sqlite"))
    monkeypatch.delenv("SHAREPOINT_SITE", raising=False)
    monkeypatch.delenv("CASEWORK_STATE_CONNECTION", raising=False)

"""Fixtures for the Functions tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from function_app.services import clock

from .support import MONDAY_9AM


@pytest.fixture
def set_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """Stop the app's clock at a moment (Graph's own clock, in the dev tenant, runs on)."""

    def set_to(moment: datetime = MONDAY_9AM) -> None:
        monkeypatch.setattr(clock, "utc_now", lambda: moment)

    return set_to

"""Fixtures every test may use."""

from __future__ import annotations

from tests.azurite_support import azurite  # noqa: F401 - Azure Table storage, for the session

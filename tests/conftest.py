"""Fixtures every test may use."""

from __future__ import annotations

import os

import pytest

from function_app.adapters.libreoffice import soffice
from tests.azurite_support import azurite  # noqa: F401 - Azure Table storage, for the session


@pytest.fixture(scope="session")
def libreoffice() -> None:
    """Skips where LibreOffice is not installed, saying so; fails under CI, where .ci/run
    installs it, so a failed install is not hidden behind skips."""
    if soffice() is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have LibreOffice: .ci/run installs it")
        pytest.skip("LibreOffice (soffice) is not installed: install libreoffice-writer-nogui")

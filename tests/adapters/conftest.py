"""Fixtures for the adapters' tests: one dev tenant shared by the Graph adapter's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from function_app.devtenant import DevTenant


@pytest.fixture(scope="session")
def tenant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTenant]:
    with DevTenant(tmp_path_factory.mktemp("graph-adapter")) as running:
        yield running

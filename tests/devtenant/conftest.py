"""Fixtures for the dev tenant's tests: one shared tenant, a client, a webhook receiver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from function_app.devtenant import DevTenant

from .helpers import Graph, Receiver


@pytest.fixture(scope="session")
def tenant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTenant]:
    with DevTenant(tmp_path_factory.mktemp("devtenant")) as running:
        yield running


@pytest.fixture
def graph(tenant: DevTenant) -> Iterator[Graph]:
    client = Graph(tenant)
    yield client
    client.close()


@pytest.fixture
def staff(tenant: DevTenant) -> Iterator[Graph]:
    """A client signed in as a member of staff rather than as the app."""
    client = Graph(tenant, tenant.user_token("Attendance Officer"))
    yield client
    client.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running

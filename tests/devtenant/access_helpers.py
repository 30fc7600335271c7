"""Helpers for the tests of sites, membership, grants, sharing and retention labels: a
fresh tenant per module (these tests change tenant settings), and the comparison with
documented examples that carry Graph's "@deprecated.*" annotations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from function_app.devtenant import DevTenant

from .helpers import Graph, Response, assert_documented_shape, example

DEPRECATED = ("@deprecated.GrantedTo", "@deprecated.GrantedToIdentities")


def fresh_tenant(folder: Path, **settings: Any) -> Iterator[DevTenant]:
    with DevTenant(folder, **settings) as running:
        yield running


def _without(value: Any, skip: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {k: _without(v, skip) for k, v in value.items() if k not in skip}
    if isinstance(value, list):
        return [_without(v, skip) for v in value]
    return value


def assert_permission_shape(documented: Any, actual: Any, *, skip: tuple[str, ...] = ()) -> None:
    """Like assert_documented_shape, where Graph's "@deprecated.*" annotations are allowed
    (and, when documented, required with the documented text); ``skip`` names documented
    properties a SharePoint answer does not have (hasPassword: OneDrive Personal only)."""
    if isinstance(documented, dict) and isinstance(actual, dict):
        for key in DEPRECATED:
            if key in documented:
                assert actual.get(key) == documented[key], f"{key} differs or is missing"
    drop = frozenset({*DEPRECATED, *skip})
    assert_documented_shape(_without(documented, drop), _without(actual, drop))


def assert_access_denied(got: Response) -> None:
    """403 with Graph's error body (errors.md) and code accessDenied."""
    assert got.status == 403, (got.status, got.body)
    documented = example("errors")
    assert_documented_shape(documented["response"]["body"], got.json())
    assert got.error_code == "accessDenied"
    assert "accessDenied" in documented["codes"]


def upload(graph: Graph, drive_id: str, name: str, data: bytes = b"hello") -> dict[str, Any]:
    got = graph.put(f"/drives/{drive_id}/root:/{name}:/content", data)
    assert got.status in (200, 201), got.body
    body: dict[str, Any] = got.json()
    return body

"""No module of the app, or of the template builder, is over 500 lines (issue 16: "a
newcomer should find any capability by its name, and a change to one should not make
them read the others"). A module that grows past it is split along its seams, as
``services/casework_sweep`` (the sweep, a case's work, the report) and the Graph adapter
(transport, lists, library) were."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 500

pytestmark = pytest.mark.unit


def test_every_module_is_at_most_500_lines() -> None:
    too_long = {}
    for folder in ("function_app", "templates"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > LIMIT:
                too_long[str(path.relative_to(ROOT))] = lines
    assert too_long == {}, f"modules over {LIMIT} lines: {too_long}"

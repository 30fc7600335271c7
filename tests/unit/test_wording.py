"""Numbers in sentences read as a person writes them."""

from __future__ import annotations

import pytest

from function_app.domain.wording import counted

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("n", "expected"), [(0, "0 steps"), (1, "1 step"), (2, "2 steps")])
def test_a_count_takes_the_plural_unless_it_is_one(n: int, expected: str) -> None:
    assert counted(n, "step") == expected


def test_an_irregular_plural_is_given() -> None:
    assert counted(3, "child", "children") == "3 children"

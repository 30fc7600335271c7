"""The register codes: every code the regulations list can be explained to a reader."""

from __future__ import annotations

import pytest

from function_app.domain.codes import KNOWN_CODES, description

pytestmark = pytest.mark.unit


def test_every_known_code_has_a_description() -> None:
    missing = [code for code in sorted(KNOWN_CODES) if not description(code).strip()]
    assert missing == []


def test_an_unknown_code_is_refused_not_explained() -> None:
    with pytest.raises(KeyError):
        description("I01")

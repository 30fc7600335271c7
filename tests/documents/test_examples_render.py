"""Every document kind renders from the bundled examples, and no example breaks a kind."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from docx import Document

from function_app.documents.context import Options
from function_app.documents.engine import TemplateSet, produce
from function_app.domain import DEFAULT_PROFILE, assess, load_profile
from function_app.domain.errors import InvalidCaseError
from function_app.services.case_files.case_input import read_case_path

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.json"))
TEMPLATES = TemplateSet()

pytestmark = pytest.mark.unit


def test_every_kind_renders_from_some_example_and_none_crashes() -> None:
    """Each kind is produced from at least one bundled example; where an example lacks what
    a kind needs, the refusal names the missing fields instead of failing in some other way."""
    rendered: dict[str, list[str]] = {k.kind: [] for k in TEMPLATES.catalogue.kinds}
    for path in EXAMPLES:
        case = read_case_path(path)
        a = assess(case, load_profile(case.profile or DEFAULT_PROFILE), date(2026, 11, 22))
        for kind in TEMPLATES.catalogue.kinds:
            try:
                documents = produce(TEMPLATES, kind.kind, a, None, Options(),
                                    datetime(2026, 11, 22, tzinfo=UTC))
            except InvalidCaseError as exc:
                assert exc.problems and all(p.path for p in exc.problems)
                continue
            for d in documents:
                Document(io.BytesIO(d.content))
            rendered[kind.kind].append(path.name)
    never = [kind for kind, files in rendered.items() if not files]
    assert not never, f"kinds no example can produce: {never}"

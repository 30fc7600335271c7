"""The domain decides and nothing else: it must import only the standard library."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "function_app" / "domain"
FORBIDDEN = ("azure", "msgraph", "docxtpl", "openpyxl", "kiota_abstractions", "msal", "jsonschema")

pytestmark = pytest.mark.unit


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_domain_imports_no_cloud_or_document_library() -> None:
    """No module under function_app/domain/ imports Azure, Graph, docxtpl or openpyxl."""
    offenders = {
        f"{path.relative_to(DOMAIN)} imports {root}"
        for path in DOMAIN.rglob("*.py")
        for root in _imported_roots(path)
        if root in FORBIDDEN
    }
    assert not offenders, sorted(offenders)


def test_domain_imports_only_the_standard_library() -> None:
    """Every absolute import in the domain is a standard-library module."""
    allowed = set(sys.stdlib_module_names) | {"__future__"}
    offenders = {
        f"{path.relative_to(DOMAIN)} imports {root}"
        for path in DOMAIN.rglob("*.py")
        for root in _imported_roots(path)
        if root not in allowed
    }
    assert not offenders, sorted(offenders)


def test_the_purity_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    """The checker itself notices `from azure.data.tables import TableClient`."""
    module = tmp_path / "bad.py"
    module.write_text("from azure.data.tables import TableClient\nimport docxtpl\n")
    assert _imported_roots(module) >= {"azure", "docxtpl"}

"""The template builder, templates/build_templates.py, rebuilds the committed Word templates.

Issue 16 split the builder by document family (templates/builder/: house_style, template,
sections, invitations, letters, meeting_records, forms, reports) with its output required
to stay byte-identical. The builder is deterministic (fixed timestamps in the zip and the
document properties), so building every kind and report into a temporary folder must give
exactly the committed templates/<name>.docx, byte for byte: a change to the builder that
alters a template shows here until the committed file is rebuilt with it, and a committed
template edited by hand, not rebuilt, shows too.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
CATALOGUE = json.loads((TEMPLATES / "catalogue.json").read_text(encoding="utf-8"))
FILES = sorted([k["file"] for k in CATALOGUE["kinds"]]
               + [r["file"] for r in CATALOGUE.get("reports", [])])
MAX_LINES = 500  # issue 16: no module of the builder over 500 lines

pytestmark = pytest.mark.unit


# With templates/ (argv[1]) first on the path, as when the script runs, builds every kind
# and report of the catalogue into argv[2] with build_templates.py's build and build_report.
BUILD = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import build_templates
folder = Path(sys.argv[2])
catalogue = json.loads(build_templates.CATALOGUE.read_text(encoding="utf-8"))
for kind in catalogue["kinds"]:
    build_templates.build(kind, folder)
for report in catalogue.get("reports", []):
    build_templates.build_report(report, folder)
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every template, built once into a temporary folder by a fresh Python, as
    `python templates/build_templates.py` builds them. Not in this process: importing
    docxtpl (as the renderer's tests do) imports docxcompose, which rebinds python-docx's
    "cp" namespace prefix to the custom properties' namespace, and python-docx then writes
    the keywords, category and last-modified-by of docProps/core.xml in the wrong one."""
    folder = tmp_path_factory.mktemp("templates")
    done = subprocess.run([sys.executable, "-c", BUILD, str(TEMPLATES), str(folder)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return folder


@pytest.mark.parametrize("name", FILES)
def test_each_template_builds_byte_identical_to_the_committed_file(built: Path,
                                                                   name: str) -> None:
    assert (built / name).read_bytes() == (TEMPLATES / name).read_bytes(), (
        f"templates/{name} is not what templates/build_templates.py builds: rebuild it "
        "with `./run python templates/build_templates.py`, or find what changed its output")


def test_the_builder_writes_exactly_the_committed_templates(built: Path) -> None:
    assert sorted(p.name for p in built.glob("*.docx")) == FILES
    assert sorted(p.name for p in TEMPLATES.glob("*.docx")) == FILES


def test_no_module_of_the_builder_is_over_500_lines() -> None:
    modules = [TEMPLATES / "build_templates.py", *sorted((TEMPLATES / "builder").glob("*.py"))]
    too_long = {m.relative_to(TEMPLATES).as_posix(): n for m in modules
                if (n := len(m.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not too_long, too_long

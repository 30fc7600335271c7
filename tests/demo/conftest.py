"""The demo played once for the session (it takes minutes): a first run into a temporary
folder, then a second run on the same folder through the command line. Tests in
test_demo.py and test_demo_penalty.py read it (``played``)."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator

import pytest

from function_app.cli import main
from function_app.demo.runner import run_demo
from tests.demo.test_demo import Played, _all_files, _contacts, _mail_files


@pytest.fixture(scope="session")
def played(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Played]:
    workspace = tmp_path_factory.mktemp("demo") / "casework-demo"
    first_out = io.StringIO()
    first = run_demo(workspace, first_out)
    before = _all_files(workspace)
    mail = _mail_files(workspace)
    contacts = _contacts(workspace)
    second_out = io.StringIO()
    with contextlib.redirect_stdout(second_out):
        code = main(["demo", "--workspace", str(workspace)])
    yield Played(workspace, first, first_out.getvalue(), before, second_out.getvalue(), code,
                 mail, (contacts, _contacts(workspace)))

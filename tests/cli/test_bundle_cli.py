"""`casework bundle --case REF --workspace DIR`: the evidence bundle for a case in a dev
tenant's lists, filed in its folder's Legal subfolder; once per case state; a reference
that is no case is a clear error naming the option."""

from __future__ import annotations

import asyncio
import contextlib
import io
from pathlib import Path

import pytest

from function_app.cli import main
from function_app.devtenant import DevTenant
from tests.integration.helpers import Site, example

pytestmark = [pytest.mark.cli, pytest.mark.integration]
LEGAL = Path("tenant/sites/attendance/Case Files/Severn Vale Academy/"
             "ATT-2026-0042 Ellis, Jordan/Legal")


def bundle(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["bundle", *args])
    return code, out.getvalue(), err.getvalue()



@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_the_command_files_the_bundle_once(tmp_path: Path) -> None:
    """The first run files a .docx and a PDF and reports readiness and the index; the
    second finds them filed for the same case state and makes nothing."""

    async def typed() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            await site.type_case(example("aim-review-no-engagement.json"))
            await site.processor(tmp_path / "processor.sqlite").sweep()

    asyncio.run(typed())
    args = ("--case", "ATT-2026-0042", "--workspace", str(tmp_path), "--today", "2026-11-22")
    code, out, _ = bundle(*args)
    assert code == 0
    assert "Made now." in out and "[MISSING] Education Supervision Order considered" in out
    assert sorted(p.name for p in (tmp_path / LEGAL).iterdir()) == [
        "2026-11-22 Evidence bundle ATT-2026-0042.docx",
        "2026-11-22 Evidence bundle ATT-2026-0042.pdf"]
    assert " 1. AIM plan, 23 September 2026 (page " in out
    code, again, _ = bundle(*args)
    assert code == 0 and "Already filed for this case state: nothing made again." in again
    code, _, err = bundle("--case", "ATT-1999-0001", "--workspace", str(tmp_path))
    assert code == 2 and "--case" in err and "ATT-1999-0001" in err


def test_a_workspace_without_a_tenant_is_a_clear_error(tmp_path: Path) -> None:
    """A folder that holds no dev tenant says to run the demo first."""
    code, _, err = bundle("--case", "ATT-2026-0042", "--workspace", str(tmp_path))
    assert code == 2 and "casework demo" in err

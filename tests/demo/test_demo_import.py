"""`casework demo` imports each school's generated MIS export at the end of term: the cases
staff opened get the term's figures (found by name and date of birth, as staff typed no
UPN) and nothing else changes on them; the other pupils the rules call for get new cases;
each school's import writes to its own site's Cases list only; a second run opens nothing
and changes no figure."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from function_app.adapters.graph.auth import dev_token_provider, request_adapter
from function_app.adapters.graph.client import GraphClient, GraphTarget
from function_app.bootstrap import DEV_APP_ID
from function_app.demo import import_step, scenario
from function_app.demo.runner import run_demo
from function_app.devtenant import DevTenant

pytestmark = pytest.mark.integration


@dataclass
class Runs:
    first: str
    second: str
    after_first: dict[str, dict[str, Any]]
    after_second: dict[str, dict[str, Any]]
    workspace: Path


def cases_in(tenant_dir: Path) -> dict[str, dict[str, Any]]:
    """Every school's Cases items, by reference, read from each school's own site; each
    school's site holds that school's cases only, and no reference is in two sites."""
    async def read(dev: DevTenant) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for school in scenario.SCHOOLS.values():
            app = GraphClient(GraphTarget(dev.base_url, dev.hostname, school.site_path,
                                          DEV_APP_ID),
                              request_adapter(dev.base_url,
                                              dev_token_provider(dev.base_url, dev.app_token)))
            items = await app.all_items((await app.lists())["Cases"].id)
            assert items, school.name
            for i in items:
                assert i.fields["SchoolName"] == school.name, i.fields["Title"]
                assert str(i.fields["Title"]) not in found, i.fields["Title"]
                found[str(i.fields["Title"])] = {k: v for k, v in i.fields.items()
                                                 if not k.startswith(("@", "Modified", "_"))}
        return found
    with DevTenant(tenant_dir) as dev:
        return asyncio.run(read(dev))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    workspace = tmp_path_factory.mktemp("demo-import") / "casework-demo"
    first, second = io.StringIO(), io.StringIO()
    run_demo(workspace, first)
    after_first = cases_in(workspace / "tenant")
    run_demo(workspace, second)
    yield Runs(first.getvalue(), second.getvalue(), after_first, cases_in(workspace / "tenant"),
               workspace)


def test_the_staff_cases_get_the_term_figures_and_nothing_else(runs: Runs) -> None:
    """Each open case staff opened is there once, with the export's figures to the end of
    term; its stage and the rest are as the term left them. A closed case is a finished
    record: its figures stay as staff left them."""
    refs = set(scenario.case_refs())
    closed = {ref for ref in refs if runs.after_first[ref]["CaseStatus"] == "Closed"}
    assert closed  # the term closes two cases
    for ref in refs:
        fields = runs.after_first[ref]
        at_end = fields["FiguresTo"].startswith(scenario.LAST_DAY.isoformat())
        assert at_end == (ref not in closed), ref
        assert not fields.get("Upn"), ref  # a column staff type: not written by the import
    pupils = {(f["PupilForename"], f["PupilSurname"]) for f in runs.after_first.values()}
    assert len(pupils) == len(runs.after_first)  # nobody has two cases
    hartwell = [p for p in import_step.pupils_of(scenario.HARTWELL)
                if any(f["PupilSurname"] == p.surname and f["Title"] in refs - closed
                       for f in runs.after_first.values())]
    possible = {f["PupilSurname"]: f["PossibleSessions"] for f in runs.after_first.values()}
    for pupil in hartwell:
        assert possible[pupil.surname] == len(import_step.marks(pupil))


def test_new_cases_open_for_the_pupils_the_rules_call_for(runs: Runs) -> None:
    """Every new case is at Monitoring, open, and the output names each one."""
    new = {ref: f for ref, f in runs.after_first.items() if ref not in scenario.case_refs()}
    assert new
    for ref, f in new.items():
        assert f["Stage"] == "Monitoring" and f["CaseStatus"] == "Open"
        assert f["Upn"].startswith("Z99")
        assert f"opened {ref}  " in runs.first
    assert "severely absent" in runs.first


def test_a_second_run_opens_nothing_and_changes_no_figure(runs: Runs) -> None:
    """The second run imports the same exports and leaves the list as it was."""
    assert runs.second.count("opened 0 cases, updated the attendance columns of 0") == 3
    assert runs.after_second == runs.after_first


def test_the_exports_make_a_targeting_pack_per_school(runs: Runs, tmp_path: Path) -> None:
    """An LA officer points `casework report targeting` at the demo's exports and gets one
    pack per school, named as the school is, not as the file happens to be."""
    from function_app.cli import main

    assert main(["report", "targeting", "--from", str(runs.workspace / "exports"),
                 "--out", str(tmp_path), "--today", "2026-12-18"]) == 0
    packs = sorted(p.name for p in tmp_path.glob("* targeting pack.xlsx"))
    assert packs == sorted([f"{s.name} targeting pack.xlsx" for s in scenario.SCHOOLS.values()]
                           + ["All schools targeting pack.xlsx"])

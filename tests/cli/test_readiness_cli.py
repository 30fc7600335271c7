"""`casework readiness`: a report of the steps before legal intervention (seed 000; DfE 2024).
Exit 0 whether ready or not, naming what is missing; exit 2 for bad input, as `assess`."""

from __future__ import annotations

import argparse
import copy
import json
from pathlib import Path
from typing import Any

import pytest

from function_app.cli.readiness import add_parser, command

pytestmark = pytest.mark.cli

TODAY = "2026-03-10"
PARENTS = ("c1", "c2")


def _letter(day: str, summary: str, carer_id: str) -> dict[str, Any]:
    return {"date": day, "mode": "letter", "staff_member": "Priya Shah", "summary": summary,
            "carer_ids": [carer_id]}


def _people(pupil: bool = True) -> list[dict[str, Any]]:
    return [
        {"name": "Jordan Ellis", "role": "Pupil", "party": "pupil", "present": pupil},
        {"name": "Dana Ellis", "role": "Mother", "party": "carer", "present": True,
         "carer_id": "c1"},
        {"name": "Priya Shah", "role": "Attendance Officer", "party": "school", "present": True},
        {"name": "Mark Owen", "role": "Deputy Headteacher", "party": "school", "present": True},
    ]


ESCALATE = {"target_met": "no", "decision": "escalate"}
COMPLETE: dict[str, Any] = {
    "case_ref": "ATT-2026-0042",
    "profile": "national-2024",
    "stage": "notice_to_improve",
    "education_supervision_order_considered": True,
    "school": {"name": "Severn Vale Academy", "phase": "secondary"},
    "pupil": {"forename": "Jordan", "surname": "Ellis", "date_of_birth": "2012-05-14",
              "year_group": 9},
    "carers": [
        {"id": "c1", "first_name": "Dana", "last_name": "Ellis", "relationship": "Mother",
         "parental_responsibility": True, "address": "4 Mill Lane\nStroud\nGL5 1AA"},
        {"id": "c2", "first_name": "Sam", "last_name": "Ellis", "relationship": "Father",
         "parental_responsibility": True, "address": "9 Bath Road\nStroud\nGL5 3BB"},
    ],
    "attendance": {"possible_sessions": 100, "present_sessions": 78, "authorised_absences": 6,
                   "unauthorised_absences": 16, "period_start": "2025-09-03",
                   "period_end": "2026-02-27"},
    "notice_to_improve": {"issued_on": "2026-01-28", "improvement_period_weeks": 3},
    "meetings": [
        {"id": "m1", "kind": "support", "status": "held", "date": "2026-01-06",
         "attendees": _people(),
         "pupil_voice": [{"speaker": "Jordan Ellis", "text": "Mornings are hard."}],
         "interventions": [{"name": "Mentoring", "offered": True, "offered_on": "2026-01-06",
                            "taken_up": False}]},
        {"id": "m2", "kind": "review", "status": "held", "date": "2026-01-27",
         "attendees": _people(), "review_outcome": ESCALATE},
        {"id": "m3", "kind": "review", "status": "held", "date": "2026-02-17",
         "attendees": _people(), "review_outcome": ESCALATE},
    ],
    "interactions": [
        *(_letter("2026-01-28", "Notice to Improve", c) for c in PARENTS),
        *(_letter(d, "Copy of the plan sent", c)
          for d in ("2026-01-07", "2026-01-28", "2026-02-18") for c in PARENTS),
    ],
}


def run(tmp_path: Path, data: object, *extra: str) -> int:
    path = tmp_path / "case.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    parser = argparse.ArgumentParser(prog="casework")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["readiness", "--input", str(path), "--today", TODAY, *extra])
    return command(args)


def test_a_complete_case_is_ready(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every step evidenced (DfE 2024 Notice to Improve path): exit 0 and READY."""
    assert run(tmp_path, COMPLETE) == 0
    out = capsys.readouterr().out
    assert "READY: every required step is evidenced." in out
    assert "MISSING" not in out


def test_a_missing_step_is_said_plainly(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Children Act 1989 s36: with no ESO considered, exit 0 but NOT READY, naming the step
    and what to do."""
    data = copy.deepcopy(COMPLETE) | {"education_supervision_order_considered": False}
    assert run(tmp_path, data) == 0
    out = capsys.readouterr().out
    assert "NOT READY: 1 required step missing: Education Supervision Order considered." in out
    assert "What to do: Consider an Education Supervision Order" in out


def test_json_lists_every_step(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Seed 000: each step as data with its evidence, what to do and source."""
    data = copy.deepcopy(COMPLETE)
    data["interactions"] = [i for i in data["interactions"]
                            if not (i["summary"].startswith("Copy") and i["carer_ids"] == ["c2"])]
    assert run(tmp_path, data, "--format", "json") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ready"] is False and out["missing"] == ["plans_sent"]
    step = next(s for s in out["steps"] if s["code"] == "plans_sent")
    assert "Sam Ellis" in step["evidence"] and step["what_to_do"] and step["source"]
    assert set(step) == {"code", "title", "found", "required", "evidence", "what_to_do",
                         "source"}


def test_the_profile_option_changes_the_formal_step(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Seeds 000/001: under gloucestershire-aim the warning letter and the AIM are asked for."""
    assert run(tmp_path, COMPLETE, "--profile", "gloucestershire-aim", "--format", "json") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["profile"] == "gloucestershire-aim"
    assert {"warning_of_prosecution", "aim_held"} <= set(out["missing"])


@pytest.mark.parametrize("data", ["{not json", {"case_ref": "x"}])
def test_bad_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                           data: object) -> None:
    """Bad input, as for `casework assess`: exit 2 with the problem on stderr, no traceback."""
    assert run(tmp_path, data) == 2
    err = capsys.readouterr().err
    assert err.startswith("casework: ") and "Traceback" not in err


def test_unknown_profile_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown profile is the user's mistake: exit 2, naming the known profiles."""
    assert run(tmp_path, COMPLETE, "--profile", "nowhere") == 2
    assert "national-2024" in capsys.readouterr().err


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A case file that does not exist: exit 2."""
    parser = argparse.ArgumentParser(prog="casework")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["readiness", "--input", str(tmp_path / "none.json")])
    assert command(args) == 2


def test_bad_date_is_a_usage_error(tmp_path: Path) -> None:
    """--today must be YYYY-MM-DD; argparse exits 2."""
    with pytest.raises(SystemExit) as exc:
        run(tmp_path, COMPLETE, "--today", "10/03/2026")
    assert exc.value.code == 2

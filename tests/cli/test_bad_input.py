"""Bad input through `casework assess`: exit code 2, every problem named by its path in one
message on stderr, and never a traceback."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from function_app.cli import main
from function_app.domain.policy import known_profiles

pytestmark = pytest.mark.cli

TODAY = "2026-03-10"

VALID: dict[str, Any] = {
    "case_ref": "ATT-2026-0042",
    "stage": "aim",
    "school": {"name": "Severn Vale Academy", "phase": "secondary"},
    "pupil": {"forename": "Jordan", "surname": "Ellis", "date_of_birth": "2012-05-14",
              "year_group": 9},
    "carers": [{"id": "c1", "first_name": "Dana", "last_name": "Ellis",
                "relationship": "Mother", "parental_responsibility": True,
                "address": "4 Mill Lane\nStroud\nGL5 1AA"}],
    "attendance": {"possible_sessions": 100, "present_sessions": 78,
                   "authorised_absences": 6, "unauthorised_absences": 16},
    "meetings": [{
        "id": "m1", "kind": "aim", "status": "held", "date": "2026-02-03",
        "attendees": [
            {"name": "Jordan Ellis", "role": "Pupil", "party": "pupil", "present": True},
            {"name": "Dana Ellis", "role": "Mother", "party": "carer", "present": True,
             "carer_id": "c1"},
            {"name": "Priya Shah", "role": "Attendance Officer", "party": "school",
             "present": True},
        ],
    }],
}


def valid_case() -> dict[str, Any]:
    return copy.deepcopy(VALID)


def write(tmp_path: Path, data: object, name: str = "case.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """main(argv) as a caller sees it: the exit code it returns, stdout and stderr."""
    raised: SystemExit | None = None
    try:
        code = main(argv)
    except SystemExit as exc:
        raised = exc
    out, err = capsys.readouterr()
    if raised is not None:
        pytest.fail(f"main({argv}) raised SystemExit({raised.code}) instead of returning an "
                    f"exit code; stderr was {err!r}")
    assert "Traceback" not in err and "Traceback" not in out
    return code, out, err


def assess(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    return run(["assess", "--input", str(path), "--today", TODAY, *extra], capsys)


def problem_paths(err: str) -> dict[str, str]:
    """The '  - path: message' lines of the one error message, by path."""
    return dict(re.findall(r"^\s+- (\S+): (.*)$", err, flags=re.MULTILINE))


def test_the_valid_case_is_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The base case used below is itself fine, so each failure below is due to its one change."""
    code, out, err = assess(write(tmp_path, valid_case()), capsys)
    assert (code, err) == (0, "")
    assert "Jordan Ellis" in out


def test_many_structural_problems_at_once(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """A file with a missing field, a wrong type, a date written 3/3/2026, an unknown stage, a
    misspelt field and a negative count is rejected with every problem and its path in one
    message, so the user can fix them all in one go."""
    data = valid_case()
    del data["case_ref"]
    data["pupil"]["year_group"] = "nine"
    data["pupil"]["date_of_birth"] = "3/3/2026"
    data["stage"] = "aimm"
    data["carers"][0]["adress"] = data["carers"][0].pop("address")
    data["attendance"]["present_sessions"] = -5
    del data["meetings"][0]["attendees"][1]["role"]
    code, out, err = assess(write(tmp_path, data), capsys)
    assert code == 2
    assert out == ""
    assert err.count("casework:") == 1
    found = problem_paths(err)
    assert set(found) == {
        "case_ref", "pupil.year_group", "pupil.date_of_birth", "stage", "carers[0].adress",
        "attendance.present_sessions", "meetings[0].attendees[1].role"}
    assert "7 problems" in err
    assert "missing" in found["case_ref"]
    assert "whole number" in found["pupil.year_group"]
    assert "YYYY-MM-DD" in found["pupil.date_of_birth"]
    assert "3/3/2026" in found["pupil.date_of_birth"]
    assert "aimm" in found["stage"] and "aim_review" not in found["stage"]
    assert "did you mean 'address'" in found["carers[0].adress"]
    assert "-5" in found["attendance.present_sessions"]


def test_impossible_date_is_rejected(tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """30 February is not a date, even written as YYYY-MM-DD."""
    data = valid_case()
    data["meetings"][0]["date"] = "2026-02-30"
    code, _, err = assess(write(tmp_path, data), capsys)
    assert code == 2
    assert set(problem_paths(err)) == {"meetings[0].date"}


def test_semantic_problems_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A meeting recorded as held after --today and more present than possible sessions are
    both reported, with their paths, in one message."""
    data = valid_case()
    data["meetings"][0]["date"] = "2026-03-11"
    data["attendance"]["present_sessions"] = 101
    code, out, err = assess(write(tmp_path, data), capsys)
    assert code == 2
    assert out == ""
    assert err.count("casework:") == 1
    assert set(problem_paths(err)) == {"meetings[0].date", "attendance.present_sessions"}


def test_invalid_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file that is not JSON is rejected saying so and where the parse failed."""
    text = json.dumps(valid_case(), indent=2).replace('"stage": "aim",', '"stage": "aim"', 1)
    code, out, err = assess(write(tmp_path, text), capsys)
    assert code == 2
    assert out == ""
    assert "not valid JSON" in err
    assert re.search(r"line \d+", err)


def test_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An empty file is reported as not valid JSON, not as a crash."""
    code, _, err = assess(write(tmp_path, ""), capsys)
    assert code == 2
    assert "not valid JSON" in err


def test_not_an_object(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A JSON list instead of a case is rejected for the whole file."""
    code, _, err = assess(write(tmp_path, []), capsys)
    assert code == 2
    assert "whole file" in err


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A path with no file behind it is named in the message."""
    missing = tmp_path / "nowhere" / "case.json"
    code, out, err = assess(missing, capsys)
    assert code == 2
    assert out == ""
    assert "--input" in err
    assert str(missing) in err


@pytest.mark.parametrize("where", ["option", "file"])
def test_unknown_profile_lists_the_known_ones(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str) -> None:
    """An unknown profile, given by --profile or in the case file, is refused with the list of
    profiles that do exist."""
    data = valid_case()
    extra: tuple[str, ...] = ()
    if where == "file":
        data["profile"] = "kent-2025"
    else:
        extra = ("--profile", "kent-2025")
    code, out, err = assess(write(tmp_path, data), capsys, *extra)
    assert code == 2
    assert out == ""
    assert "kent-2025" in err
    for name in known_profiles():
        assert name in err


@pytest.mark.parametrize("today", ["3/3/2026", "2026-02-30", "tomorrow"])
def test_bad_today(tmp_path: Path, capsys: pytest.CaptureFixture[str], today: str) -> None:
    """A --today that is not a YYYY-MM-DD date is refused with exit code 2, naming the value."""
    path = write(tmp_path, valid_case())
    code, out, err = run(["assess", "--input", str(path), "--today", today], capsys)
    assert code == 2
    assert out == ""
    assert today in err
    assert "YYYY-MM-DD" in err


def test_zero_possible_sessions_with_marks(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Figures of 0 possible sessions (given alongside a register) cannot give a percentage:
    that is the user's input to correct, so exit code 2 naming attendance.possible_sessions,
    not 'something went wrong that is not your doing'."""
    data = valid_case()
    data["attendance"] = {"possible_sessions": 0, "present_sessions": 0,
                          "authorised_absences": 0, "unauthorised_absences": 0,
                          "marks": [{"date": "2026-03-02", "session": "AM", "code": "/"}]}
    code, _, err = assess(write(tmp_path, data), capsys)
    assert code == 2, err
    assert "attendance.possible_sessions" in err


def test_register_with_no_possible_session(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """A register whose only marks are not possible sessions (X: not required to attend) gives
    no percentage: exit code 2 naming attendance.marks, not an internal failure."""
    data = valid_case()
    data["attendance"] = {"marks": [{"date": "2026-03-02", "session": "AM", "code": "X"},
                                    {"date": "2026-03-02", "session": "PM", "code": "X"}]}
    code, _, err = assess(write(tmp_path, data), capsys)
    assert code == 2, err
    assert "attendance.marks" in err


def test_whole_number_written_with_a_decimal_point(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """JSON Schema counts 100.0 as an integer, so possible_sessions 100.0 must either work like
    100 or be refused at its path; it must not end as an internal failure (exit 1)."""
    data = valid_case()
    data["attendance"]["possible_sessions"] = 100.0
    code, out, err = assess(write(tmp_path, data), capsys)
    assert code in (0, 2), err
    if code == 0:
        assert "78.0%" in out
    else:
        assert "attendance.possible_sessions" in err


def test_unknown_register_code_through_the_command(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A register code the 2024 regulations do not list is named at its path."""
    data = valid_case()
    data["attendance"]["marks"] = [{"date": "2026-03-02", "session": "AM", "code": "/"},
                                   {"date": "2026-03-02", "session": "PM", "code": "A"}]
    code, _, err = assess(write(tmp_path, data), capsys)
    assert code == 2
    assert set(problem_paths(err)) == {"attendance.marks[1].code"}

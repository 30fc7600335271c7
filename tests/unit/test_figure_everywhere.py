"""Issue 15, item 1: a percentage of attendance is shown with the sessions it comes from, by
the one rule of ``display_figure`` (one decimal, rounded down), and the same figure reads the
same on a Teams card, in an alert's text, in the readiness evidence, in the advice, in the
evidence bundle and in ``casework assess``: 296 of 380 is "77.8% (296 of 380 possible
sessions)" everywhere, never "77.9%" nor "77.8%" alone.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import docx
import pytest

from function_app.adapters.teams.cards import card_for
from function_app.cli import main
from function_app.documents import bundle_sections
from function_app.domain import DEFAULT_PROFILE, Assessment, assess, load_profile
from function_app.domain.alerts import Alert, AlertReason, alerts_for
from function_app.domain.attendance import display_figure
from function_app.domain.model import AttendanceFigures, Case, Stage
from function_app.domain.readiness import readiness
from function_app.services.case_files.case_input import read_case_path
from tests.builders import case as built_case
from tests.builders import figures

pytestmark = pytest.mark.unit

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE = "aim-review-no-engagement.json"  # a consultation and an overdue review on TODAY
TODAY = dt.date(2026, 11, 22)
FIGURE = "77.8% (296 of 380 possible sessions)"  # 296/380 is 77.89...%: rounded down
LAST_YEAR = {"possible_sessions": 380, "present_sessions": 296, "authorised_absences": 24,
             "unauthorised_absences": 60, "period_start": "2025-09-03",
             "period_end": "2026-07-17"}


def case_296_of_380() -> Case:
    example = read_case_path(EXAMPLES / EXAMPLE)
    return replace(example, attendance=AttendanceFigures(
        possible_sessions=380, present_sessions=296, authorised_absences=24,
        unauthorised_absences=60, period_start=dt.date(2025, 9, 3),
        period_end=dt.date(2026, 7, 17)))


def assessed(c: Case) -> Assessment:
    return assess(c, load_profile(c.profile or DEFAULT_PROFILE), TODAY)


def alerts() -> list[Alert]:
    found = alerts_for(assessed(case_296_of_380()))
    assert {a.reason for a in found} == {AlertReason.CONSULTATION_NEEDED,
                                         AlertReason.REVIEW_OVERDUE}
    return found


def runs(card: dict[str, Any]) -> list[str]:
    """Every TextRun's text, in order."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextRun":
                out.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return out


def test_the_rule_gives_the_figure_for_296_of_380() -> None:
    """display_figure rounds 77.89...% down and names the sessions it comes from."""
    assert display_figure(296, 380) == FIGURE


def test_the_card_shows_attendance_with_its_sessions_as_a_fact() -> None:
    """Each alert card has an Attendance fact reading the figure with its sessions."""
    for alert in alerts():
        shown = runs(card_for(alert))
        label = shown.index("Attendance")
        assert shown[label + 1] == FIGURE
        assert all(FIGURE in text for text in shown if "77.8%" in text)


def test_the_alert_text_reads_the_figure_with_its_sessions() -> None:
    """The alert carries the figure, and its text (the card's fallback) states it in full."""
    for alert in alerts():
        assert alert.attendance == FIGURE
        assert f"Attendance {FIGURE}." in card_for(alert)["fallbackText"]


def test_the_severe_absence_ground_states_the_figure_with_its_sessions() -> None:
    """The LA's consultation text for a severely absent pupil gives the figure's sessions."""
    no_plan = read_case_path(EXAMPLES / "severely-absent-exactly-50-percent-no-plan.json")
    severe = replace(no_plan, attendance=AttendanceFigures(
        possible_sessions=380, present_sessions=190, authorised_absences=100,
        unauthorised_absences=90))
    a = assessed(severe)
    [consultation] = [x for x in alerts_for(a) if x.reason is AlertReason.CONSULTATION_NEEDED]
    assert ("Attendance is 50.0% (190 of 380 possible sessions), so the pupil is severely "
            "absent") in consultation.why
    [warning] = [w for w in a.warnings if w.code == "severe_absence_no_plan"]
    assert warning.text.startswith("Attendance is 50.0% (190 of 380 possible sessions), so")


def test_the_readiness_evidence_reads_the_figure_with_its_sessions() -> None:
    """The attendance record step's evidence gives the figure with its sessions and period."""
    c = case_296_of_380()
    r = readiness(c, load_profile(c.profile or DEFAULT_PROFILE), TODAY)
    [step] = [s for s in r.steps if s.code == "attendance_record"]
    assert step.evidence.startswith(f"Attendance {FIGURE}, 60 unauthorised absences, from "
                                    "3 September 2025 to 17 July 2026.")


def test_figures_without_a_period_read_the_same_in_the_readiness_evidence() -> None:
    """Without their period the figures are still given with their sessions."""
    c = replace(case_296_of_380(), attendance=figures(296, 380, unauthorised=60))
    r = readiness(c, load_profile(c.profile or DEFAULT_PROFILE), TODAY)
    [step] = [s for s in r.steps if s.code == "attendance_record"]
    assert step.evidence == (f"Attendance figures of {FIGURE} are recorded without the "
                             "period they cover.")


def test_the_advice_reads_the_figure_with_its_sessions() -> None:
    """A letter of concern's next step gives the figure with its sessions and the tier."""
    c = built_case(stage=Stage.MONITORING, attendance=figures(296, 380, unauthorised=60))
    a = assess(c, load_profile("national-2024"), dt.date(2026, 3, 10))
    [step] = [s for s in a.next_steps if s.code == "letter_of_concern"]
    assert step.text.startswith(f"Attendance is {FIGURE}, Tier 3 (79-51%).")


def test_the_bundle_summary_and_attendance_record_read_the_figure() -> None:
    """The evidence bundle's case summary and attendance totals give the figure in full."""
    d = docx.Document()
    c = case_296_of_380()
    bundle_sections.summary(d, c, None, [])
    bundle_sections.attendance(d, c, None)
    paragraphs = [p.text for p in d.paragraphs]
    assert f"Attendance: {FIGURE}, 3 September 2025 to 17 July 2026" in paragraphs
    totals = d.tables[-1].rows[1].cells
    assert [cell.text for cell in totals] == ["380", "296", "24", "60", FIGURE]


def write_case(tmp_path: Path) -> Path:
    raw = json.loads((EXAMPLES / EXAMPLE).read_text(encoding="utf-8"))
    raw["attendance"] = LAST_YEAR
    raw.pop("$schema", None)
    path = tmp_path / "case.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


def test_casework_assess_text_reads_the_figure_with_its_sessions(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`casework assess` prints the figure with its sessions on the Attendance line."""
    assert main(["assess", "--input", str(write_case(tmp_path)), "--today",
                 TODAY.isoformat()]) == 0
    out = capsys.readouterr().out
    assert f"\nAttendance: {FIGURE}\n" in out


def test_casework_assess_json_keeps_numbers_and_adds_the_shown_figure(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The JSON keeps its numbers for machines, with the figure as a person reads it beside."""
    assert main(["assess", "--input", str(write_case(tmp_path)), "--format", "json",
                 "--today", TODAY.isoformat()]) == 0
    attendance = json.loads(capsys.readouterr().out)["attendance"]
    assert attendance["attendance_percent"] == 77.8
    assert (attendance["present_sessions"], attendance["possible_sessions"]) == (296, 380)
    assert attendance["shown"] == FIGURE

"""What staff see in the lists, worked out from the formatting files: the tier pill agrees
with the rules' tier bands, the status icon and its hover text, the overdue review date, the
Cases form's header (case reference, initials, tier) and the fields shown only when they
apply; and `casework provision --site-script` writes a valid site script."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from function_app.cli import main
from function_app.domain import load_profile
from function_app.domain.attendance import display_percent, tier_for

from .formatter_eval import evaluate
from .test_formatting import FORMATTING, SCRIPT, SITE_SCRIPT_URL, _errors

pytestmark = pytest.mark.unit

BANDS = load_profile("national-2024").tier_bands
PILL = FORMATTING["Cases"]["columns"]["PresentSessions"]["children"][0]
DAY_MS = 86_400_000


@pytest.mark.parametrize(("present", "possible"), [
    (50, 50), (93, 100), (186, 200), (185, 200), (80, 100), (79, 100), (51, 100), (50, 100),
    (0, 100), (157, 190)])
def test_the_tier_pill_shows_the_rules_tier_and_percentage(present: int, possible: int) -> None:
    """The pill says "Tier N · P%" exactly as the rules work the tier out, in the tier's
    colour, with white text only on the red of tier 4 (severe absence)."""
    fields = {"PresentSessions": float(present), "PossibleSessions": float(possible)}
    percent = Fraction(present * 100, possible)
    band = tier_for(percent, BANDS)
    assert evaluate(PILL["txtContent"], fields) == f"Tier {band.tier} · {display_percent(percent)}"
    colours = {evaluate(PILL["style"]["background-color"], {
        "PresentSessions": float(p), "PossibleSessions": 100.0}) for p in (100, 85, 60, 10)}
    assert len(colours) == 4  # one colour per tier
    white = evaluate(PILL["style"]["color"], fields) == "#ffffff"
    assert white == (band.tier == 4)


def test_a_case_without_figures_says_so() -> None:
    """No possible sessions yet: the pill says "No figures" and its hover says what to fill."""
    fields = {"PresentSessions": 0.0, "PossibleSessions": 0.0}
    assert evaluate(PILL["txtContent"], fields) == "No figures"
    assert "not filled in" in evaluate(PILL["attributes"]["title"], fields)


@pytest.mark.parametrize(("status", "icon"), [("Pending", "Clock"), ("Generated", "CheckMark"),
                                              ("Needs attention", "Warning"),
                                              ("Failed", "ErrorBadge")])
def test_each_generation_status_has_its_icon_and_the_message_on_hover(status: str,
                                                                       icon: str) -> None:
    """Each status shows its own icon, and hovering shows the casework app's message."""
    formatter = FORMATTING["Meetings"]["columns"]["GenerationStatus"]
    fields = {"@currentField": status, "GenerationMessage": "Date: 2027-01-04 is in the future"}
    assert evaluate(formatter["children"][0]["attributes"]["iconName"], fields) == icon
    card = formatter["customCardProps"]
    assert card["openOnEvent"] == "hover"
    assert evaluate(card["formatter"]["txtContent"], fields) == fields["GenerationMessage"]


@pytest.mark.parametrize(("days_ago", "status", "red"), [
    (1, "Held", True), (0, "Held", False), (-3, "Held", False), (5, "Cancelled", False),
    (5, "Did not go ahead", False)])
def test_a_review_date_is_red_once_it_has_passed(days_ago: int, status: str, red: bool) -> None:
    """The review date turns red and bold the day after it passes, unless the meeting was
    cancelled or did not go ahead."""
    formatter = FORMATTING["Meetings"]["columns"]["ReviewDate"]
    now = 1_800_000_000_000.0
    fields = {"@currentField": now - days_ago * DAY_MS - 1000, "@now": now,
              "MeetingStatus": status}
    assert ("ms-fontColor-red" in evaluate(formatter["attributes"]["class"], fields)) == red


def _header_texts(node: Any, fields: dict[str, Any]) -> list[str]:
    texts = [evaluate(node["txtContent"], fields)] if "txtContent" in node else []
    for child in node.get("children", []):
        texts += _header_texts(child, fields)
    return texts


def test_the_cases_form_header_shows_reference_initials_and_tier_not_names() -> None:
    """The Cases form's header reads the case reference, the pupil's initials, the stage and
    the tier pill, and never the pupil's name."""
    form = FORMATTING["Cases"]["form"]
    fields = {"Title": "ATT-2026-0042", "PupilForename": "jordan", "PupilSurname": "Ellis",
              "Stage": "Notice to Improve", "PresentSessions": 120.0, "PossibleSessions": 190.0}
    texts = _header_texts(form["header"], fields)
    assert "Case ATT-2026-0042" in texts
    assert "Pupil JE · Notice to Improve" in texts
    assert "Tier 3 · 63.1%" in texts
    assert not any("jordan" in t.lower() or "Ellis" in t for t in texts)


@pytest.mark.parametrize(("list_name", "field", "fields", "shown"), [
    ("Meetings", "ReasonNotProceeded", {"MeetingStatus": "Did not go ahead"}, True),
    ("Meetings", "ReasonNotProceeded", {"MeetingStatus": "Held"}, False),
    ("Meetings", "ReviewDecision", {"MeetingKind": "AIM review"}, True),
    ("Meetings", "ReviewDecision", {"MeetingKind": "Attendance Improvement Meeting (AIM)"},
     False),
    ("Cases", "ImprovementPeriodWeeks", {"NoticeToImproveIssuedOn": ""}, False),
    ("Cases", "ImprovementPeriodWeeks", {"NoticeToImproveIssuedOn": 1.8e12}, True),
    ("Cases", "EsoConsidered", {"Stage": "Legal consultation"}, True),
    ("Cases", "EsoConsidered", {"Stage": "Letter of concern"}, False),
])
def test_fields_show_on_the_form_only_when_they_apply(list_name: str, field: str,
                                                      fields: dict[str, Any],
                                                      shown: bool) -> None:
    """A "show when" formula gives 'true' exactly when the field applies."""
    formula = FORMATTING[list_name]["form"]["showWhen"][field]
    assert evaluate(formula, fields) == ("true" if shown else "false")


def test_the_cases_form_runs_case_pupil_attendance_school_then_legal() -> None:
    """The Cases form's sections: the case, the pupil, attendance, the school, the Notice to
    Improve and legal intervention, then the casework app's columns."""
    titles = [s["displayname"] for s in FORMATTING["Cases"]["form"]["body"]["sections"]]
    assert titles == ["The case", "The pupil", "Attendance", "The school",
                      "Notice to Improve and legal intervention", "From the casework app"]


def test_provision_site_script_writes_a_valid_script(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """`casework provision --site-script OUT.json` writes the site script, valid against
    Microsoft's schema, without needing a site."""
    out = tmp_path / "script.json"
    assert main(["provision", "--site-script", str(out)]) == 0
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written == SCRIPT
    assert _errors(SITE_SCRIPT_URL, written) == []
    assert str(out) in capsys.readouterr().out


def test_provision_site_script_into_a_missing_folder_says_so(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A folder that does not exist is bad input (exit 2), named in the message."""
    assert main(["provision", "--site-script", str(tmp_path / "nope" / "s.json")]) == 2
    assert "nope" in capsys.readouterr().err

"""What staff see in the lists, worked out from the formatting files: the tier pill agrees
with the rules' tier bands and gives the sessions beside the percentage, the status icon and
its hover text, the overdue review date, the Cases form's header (case reference, initials,
tier) and the fields shown only when they apply; and `casework provision --site-script`
writes a valid site script."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from function_app.cli import main
from function_app.domain import load_profile
from function_app.domain.attendance import (
    absence_flags,
    display_figure,
    display_percent,
    tier_for,
)
from function_app.services.case_lists.list_columns import attendance_summary
from function_app.services.provisioning.list_formatting import view_query

from .formatter_eval import evaluate
from .test_formatting import FORMATTING, SCRIPT, SITE_SCRIPT_URL, _errors

pytestmark = pytest.mark.unit

PROFILE = load_profile("national-2024")
BANDS = PROFILE.tier_bands
PILL = FORMATTING["Cases"]["columns"]["Tier"]["children"][0]
DAY_MS = 86_400_000


def _summary(present: int, possible: int) -> dict[str, Any]:
    """What the casework app writes on the case for these figures
    (services.case_lists.list_columns), as Graph gives it back to a formatter (numbers as
    floats)."""
    percent = Fraction(present * 100, possible)
    flags = absence_flags(percent, PROFILE)
    written = attendance_summary(percent, tier_for(percent, BANDS).tier, flags.severely_absent)
    return {k: float(v) if isinstance(v, int) else v for k, v in written.items()}


def _row(present: int, possible: int) -> dict[str, Any]:
    """The Cases item with the session columns filled in beside what the app writes."""
    return {**_summary(present, possible), "PresentSessions": float(present),
            "PossibleSessions": float(possible)}


def _in_the_list(present: int, possible: int) -> str:
    """The one rule's figure (``display_figure``) in the list's shorter words: "63.1% (240
    of 380 sessions)", "possible" left out to fit a list cell."""
    return display_figure(present, possible).replace(" possible session", " session")


@pytest.mark.parametrize(("present", "possible"), [
    (50, 50), (93, 100), (186, 200), (185, 200), (80, 100), (79, 100), (51, 100), (50, 100),
    (0, 100), (157, 190), (120, 190)])
def test_the_tier_pill_shows_the_rules_tier_and_percentage(present: int, possible: int) -> None:
    """From the columns the app fills in, the pill says "Tier N · P% (X of Y sessions)"
    exactly as the rules work the tier out and the letters print the figure (one decimal,
    "93.0%" too), "Tier N · P%" without the session columns, in the tier's colour, with
    white text only on the red of tier 4."""
    fields = _summary(present, possible)
    percent = Fraction(present * 100, possible)
    band = tier_for(percent, BANDS)
    assert evaluate(PILL["txtContent"], _row(present, possible)) == (
        f"Tier {band.tier} · {_in_the_list(present, possible)}")
    assert evaluate(PILL["txtContent"], fields) == f"Tier {band.tier} · {display_percent(percent)}"
    colours = {evaluate(PILL["style"]["background-color"], _summary(p, 100))
               for p in (100, 85, 60, 10)}
    assert len(colours) == 4  # one colour per tier
    white = evaluate(PILL["style"]["color"], fields) == "#ffffff"
    assert white == (band.tier == 4)


def test_the_pill_hover_says_when_a_pupil_is_severely_absent() -> None:
    """Hovering the pill of a pupil attending half the sessions or fewer says severely
    absent; at 51% it does not."""
    assert "Severely absent" in evaluate(PILL["attributes"]["title"], _summary(50, 100))
    assert "Severely absent" not in evaluate(PILL["attributes"]["title"], _summary(51, 100))


def test_a_case_without_figures_says_so() -> None:
    """Before the app has filled in the tier: the pill says "No figures" and its hover says
    what to fill in."""
    fields = {"Tier": "", "AttendancePercent": "", "SevereAbsence": ""}
    assert evaluate(PILL["txtContent"], fields) == "No figures"
    assert "fill in the session figures" in evaluate(PILL["attributes"]["title"], fields)


def test_a_case_of_240_of_380_sessions_reads_its_sessions_in_the_list() -> None:
    """A Cases row with 240 of 380 sessions reads "Tier 3 · 63.1% (240 of 380 sessions)"."""
    assert evaluate(PILL["txtContent"], _row(240, 380)) == "Tier 3 · 63.1% (240 of 380 sessions)"


@pytest.mark.parametrize(("present", "possible"), [("", ""), ("", 380.0), (240.0, ""),
                                                   (0.0, 0.0)])
def test_blank_session_columns_fall_back_to_the_percentage(present: Any,
                                                           possible: Any) -> None:
    """With a session column blank (the register kept in Attendance Marks) or no possible
    sessions, the pill shows the percentage alone: "Tier 3 · 63.1%"."""
    fields = {**_summary(240, 380), "PresentSessions": present, "PossibleSessions": possible}
    assert evaluate(PILL["txtContent"], fields) == "Tier 3 · 63.1%"


def test_sessions_that_do_not_give_the_percentage_are_not_shown_beside_it() -> None:
    """Session columns the app's percentage was not worked out from (typed after it, or
    beside marks) do not appear beside it: the pill falls back to "Tier 3 · 63.1%"."""
    fields = {**_summary(240, 380), "PresentSessions": 250.0, "PossibleSessions": 380.0}
    assert evaluate(PILL["txtContent"], fields) == "Tier 3 · 63.1%"


def test_one_possible_session_is_a_session() -> None:
    """One possible session reads "(1 of 1 session)", as ``display_figure`` words it."""
    assert evaluate(PILL["txtContent"], _row(1, 1)) == f"Tier 1 · {_in_the_list(1, 1)}"
    assert _in_the_list(1, 1) == "100.0% (1 of 1 session)"


def test_the_pill_gives_the_sessions_for_every_figure_and_fits_a_list_cell() -> None:
    """For every split of a school year's 380 sessions (and of 999), the pill shows the
    sessions the app's percentage comes from, in 40 characters or fewer."""
    for possible in (380, 999):
        for present in range(possible + 1):
            shown = evaluate(PILL["txtContent"], _row(present, possible))
            assert shown.endswith(f" · {_in_the_list(present, possible)}"), shown
            assert len(shown) <= 40, shown


def test_the_form_header_and_the_list_show_the_same_pill() -> None:
    """The Cases form's header pill reads exactly as the Tier column's pill."""
    header = FORMATTING["Cases"]["form"]["header"]["children"][0]["children"][2]
    assert header["txtContent"] == PILL["txtContent"]


def test_severe_absence_rows_are_red_exactly_when_the_app_says_severe() -> None:
    """The Severe absence view's rows are red for the pupils the rules call severely absent
    (50% or lower, DfE 2024), not for one at 51%."""
    view = next(v for v in FORMATTING["Cases"]["views"] if v["name"] == "Severe absence")
    rule = view["formatter"]["additionalRowClass"]
    condition, red, plain = rule["operands"]
    [field, value] = condition["operands"]
    for present in (0, 49, 50, 51, 93):
        severe = _summary(present, 100)["SevereAbsence"] == "Yes"
        shown = red if _summary(present, 100)[field.strip("[$]")] == value else plain
        assert (shown == "sp-field-severity--severeWarning") == severe == (present <= 50)


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
              "Stage": "Notice to Improve", **_row(120, 190)}
    texts = _header_texts(form["header"], fields)
    assert "Case ATT-2026-0042" in texts
    assert "Pupil JE · Notice to Improve" in texts
    assert "Tier 3 · 63.1% (120 of 190 sessions)" in texts
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
    Microsoft's schema, without needing a site: in parts (OUT-1.json, ...) when SharePoint's
    limits need, each named in the output, together the whole script."""
    out = tmp_path / "script.json"
    assert main(["provision", "--site-script", str(out)]) == 0
    files = [out] if out.exists() else sorted(tmp_path.glob("script-*.json"))
    said = capsys.readouterr().out
    actions = []
    for path in files:
        written = json.loads(path.read_text(encoding="utf-8"))
        assert _errors(SITE_SCRIPT_URL, written) == []
        assert str(path) in said
        actions += written["actions"]
    assert actions == SCRIPT["actions"]


def test_provision_site_script_into_a_missing_folder_says_so(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A folder that does not exist is bad input (exit 2), named in the message."""
    assert main(["provision", "--site-script", str(tmp_path / "nope" / "s.json")]) == 2
    assert "nope" in capsys.readouterr().err


def _shown(view: dict[str, Any], items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items a view's CAML <Where> lets through (the Eq, And and Or the views use), in
    the view's order."""
    def passes(node: ET.Element, item: dict[str, Any]) -> bool:
        if node.tag == "Where":
            return passes(node[0], item)
        if node.tag in ("And", "Or"):
            results = [passes(child, item) for child in node]
            return all(results) if node.tag == "And" else any(results)
        assert node.tag == "Eq", f"the test reads no {node.tag}"
        ref, value = node.find("FieldRef"), node.find("Value")
        assert ref is not None and value is not None
        return str(item.get(ref.attrib["Name"], "")) == value.text

    query = ET.fromstring(f"<Query>{view_query(view)}</Query>")
    where = query.find("Where")
    assert where is not None
    shown = [item for item in items if passes(where, item)]
    order = query.find("OrderBy")
    for ref in reversed(list(order) if order is not None else []):
        shown.sort(key=lambda i: i[ref.attrib["Name"]],
                   reverse=ref.attrib.get("Ascending") == "FALSE")
    return shown


def _case(ref: str, school: str, present: int, status: str = "Open") -> dict[str, Any]:
    return {"Title": ref, "PupilSurname": f"Pupil {ref}", "SchoolName": school,
            "CaseStatus": status,
            "UnauthorisedAbsences": float(100 - present), **_summary(present, 100)}


CASES = [_case("A", "Severn Vale Academy", 31), _case("B", "Severn Vale Academy", 50),
         _case("C", "Severn Vale Academy", 51), _case("D", "Kingfisher Primary", 85),
         _case("E", "Kingfisher Primary", 20, status="Closed"),
         _case("F", "Kingfisher Primary", 45)]


def test_the_severe_absence_view_lists_only_open_severely_absent_cases_lowest_first() -> None:
    """"Severe absence" shows the open cases the app marked severely absent (50% or lower),
    the lowest attendance first: not the pupil at 51%, nor a closed case."""
    view = next(v for v in FORMATTING["Cases"]["views"] if v["name"] == "Severe absence")
    assert [c["Title"] for c in _shown(view, CASES)] == ["A", "F", "B"]
    assert "Tier" in view["viewFields"]


def test_the_by_school_and_tier_view_groups_by_school_then_the_apps_tier() -> None:
    """"By school and tier" groups open cases by school, then by the Tier the app fills in
    (which sorts 1 to 4 as a number), the lowest attendance first within a tier."""
    view = next(v for v in FORMATTING["Cases"]["views"] if v["name"] == "By school and tier")
    query = ET.fromstring(f"<Query>{view_query(view)}</Query>")
    groups = query.find("GroupBy")
    assert groups is not None
    assert [g.attrib["Name"] for g in groups] == ["SchoolName", "Tier"]
    shown = _shown(view, CASES)
    grouped = sorted(shown, key=lambda c: (c["SchoolName"], c["Tier"]))
    assert [(c["SchoolName"], c["Tier"], c["Title"]) for c in grouped] == [
        ("Kingfisher Primary", 2.0, "D"), ("Kingfisher Primary", 4.0, "F"),
        ("Severn Vale Academy", 3.0, "C"), ("Severn Vale Academy", 4.0, "A"),
        ("Severn Vale Academy", 4.0, "B")]
    assert "Tier" in view["viewFields"]


def test_the_site_script_makes_the_app_s_attendance_columns() -> None:
    """An admin applying the site script gets Tier (a whole number, 1 to 4), Attendance (%)
    (one decimal, 0 to 100) and Severe absence (Yes or No) on Cases."""
    cases = next(a for a in SCRIPT["actions"] if a.get("listName") == "Cases")
    fields = {}
    for sub in cases["subactions"]:
        if sub["verb"] == "addSPFieldXml":
            field = ET.fromstring(sub["schemaXml"])
            fields[field.attrib["Name"]] = field
    tier, percent, severe = (fields[n] for n in ("Tier", "AttendancePercent", "SevereAbsence"))
    assert (tier.attrib["Type"], tier.attrib["Decimals"], tier.attrib["Min"],
            tier.attrib["Max"]) == ("Number", "0", "1", "4")
    assert (percent.attrib["Type"], percent.attrib["Decimals"]) == ("Number", "1")
    assert [c.text for c in severe.iter("CHOICE")] == ["Yes", "No"]
    assert "do not type" in percent.attrib["Description"]

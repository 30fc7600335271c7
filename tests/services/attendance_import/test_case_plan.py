"""Which cases an import opens and which it updates, decided before anything is written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from function_app.domain import load_profile
from function_app.imports import PupilAssessment, assess_pupils, read_attendance
from function_app.services.attendance_import.import_cases import (
    SchoolDetails,
    plan_cases,
    year_group,
)
from function_app.services.case_lists.case_items import ListItem
from tests.imports import builder

pytestmark = pytest.mark.unit
TODAY = date.fromisoformat(builder.TODAY)
SCHOOL = SchoolDetails(builder.SCHOOL, "secondary")


def assessed(tmp_path: Path) -> list[PupilAssessment]:
    result = read_attendance(builder.detailed_grid_file(tmp_path), today=TODAY)
    return assess_pupils(result.pupils, load_profile("national-2024"))


def case(item_id: str, **fields: object) -> ListItem:
    return ListItem(item_id, {"Title": f"ATT-2026-{int(item_id):04d}", **fields})


def test_a_case_without_a_upn_is_found_by_name_and_date_of_birth(tmp_path: Path) -> None:
    """A case staff opened without the UPN is the pupil's when the school, legal name and
    date of birth agree: its figures are updated, no second case opens."""
    pupils = assessed(tmp_path)
    freya = next(a for a in pupils if a.pupil.upn == "K801200000055")
    typed = case("3", SchoolName=builder.SCHOOL, PupilForename="Freya",
                 PupilSurname="Thompson",
                 PupilDateOfBirth=f"{freya.pupil.date_of_birth}T00:00:00Z")
    plan = plan_cases(pupils, [typed], SCHOOL, TODAY)
    assert [c.item_id for c in plan.to_update] == ["3"]
    assert "K801200000055" not in {c.pupil.upn for c in plan.to_open}
    assert set(plan.to_update[0].fields) <= {
        "PossibleSessions", "PresentSessions", "AuthorisedAbsences", "UnauthorisedAbsences",
        "FiguresFrom", "FiguresTo", "Tier", "AttendancePercent", "SevereAbsence"}


def test_a_case_with_later_figures_is_left_alone(tmp_path: Path) -> None:
    """An older export does not overwrite figures that run to a later day."""
    pupils = assessed(tmp_path)
    later = case("4", Upn="K801200000055", FiguresTo="2026-12-18T00:00:00Z",
                 PossibleSessions=150.0)
    plan = plan_cases(pupils, [later], SCHOOL, TODAY)
    assert plan.later_on_case == 1 and not plan.to_update


def test_a_closed_case_is_never_written_and_its_pupil_is_listed_when_in_need_again(
        tmp_path: Path) -> None:
    """Staff closed the case: the import neither changes that record nor opens a case over
    their decision; a pupil who meets the criteria again is listed for staff to decide, and
    one who does not is simply left alone."""
    pupils = assessed(tmp_path)
    needing = next(a for a in pupils if a.needs_case)
    fine = next(a for a in pupils if not a.needs_case and a.tier is not None)
    closed = [case("7", Upn=needing.pupil.upn, CaseStatus="Closed", PossibleSessions=10.0),
              case("8", Upn=fine.pupil.upn, CaseStatus="Closed", PossibleSessions=10.0)]
    plan = plan_cases(pupils, closed, SCHOOL, TODAY)
    assert [(a.pupil.upn, ref) for a, ref in plan.closed_again] == [
        (needing.pupil.upn, "ATT-2026-0007")]
    assert not {"7", "8"} & {c.item_id for c in plan.to_update}
    assert not {needing.pupil.upn, fine.pupil.upn} & {c.pupil.upn for c in plan.to_open}


def test_new_references_follow_the_highest_of_the_year(tmp_path: Path) -> None:
    """New cases are numbered on from the highest reference of the year, without gaps."""
    plan = plan_cases(assessed(tmp_path), [case("41"), ListItem("2", {"Title": "ATT-2025-0900"})],
                      SCHOOL, TODAY)
    refs = [c.case_ref for c in plan.to_open]
    assert refs == [f"ATT-2026-{n:04d}" for n in range(42, 42 + len(refs))]


@pytest.mark.parametrize(("text", "number"), [("R", 0), ("Reception", 0), ("Y7", 7),
                                              ("Year 10", 10), ("09", 9), ("N2", None)])
def test_year_groups_as_the_list_holds_them(text: str, number: int | None) -> None:
    """Year groups as MIS exports write them become the list's 0 (Reception) to 14."""
    assert year_group(text) == number


def test_a_summary_takes_its_period_from_the_title_rows(tmp_path: Path) -> None:
    """'Attendance 07/09/2026 to 13/11/2026' above a summary's header dates its figures."""
    path = builder.write_table(
        tmp_path / "dated.xlsx", builder.SUMMARY_HEADER, builder.summary_rows(),
        title_rows=[[builder.SCHOOL], ["Attendance 07/09/2026 to 13/11/2026"], []])
    pupil = read_attendance(path).pupils[0]
    assert pupil.figures is not None
    assert (pupil.figures.period_start, pupil.figures.period_end) == (
        date(2026, 9, 7), date(2026, 11, 13))

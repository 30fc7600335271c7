"""Documents state attendance figures as at their own date, with sessions and period
(issue 15, item 1; docs/documents.md, "How figures are shown")."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from typing import Any

import pytest

from function_app.documents.context import Options
from function_app.documents.engine import TemplateSet, produce
from function_app.domain import assess, load_profile
from function_app.domain.errors import InvalidCaseError
from function_app.domain.model import (
    Case,
    MeetingKind,
    MeetingStatus,
    ReviewDecision,
    ReviewOutcome,
    Stage,
    TargetMet,
    Venue,
    VenueKind,
)
from function_app.services.case_files.case_input import case_from_dict
from tests.builders import case, figures, marks, meeting, school, with_code
from tests.documents.test_kinds import SAMPLE, all_text

pytestmark = pytest.mark.unit

TEMPLATES = TemplateSet()
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
SIGNED = school(signatory_name="Priya Shah", signatory_role="Attendance Lead")
# An unauthorised absence every Monday.
AUTUMN = with_code(marks(dt.date(2026, 9, 1), dt.date(2026, 11, 27)), "O",
                   lambda m: m.date.weekday() == 0)
DATE = r"\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|" \
       r"November|December) \d{4}"
PERIOD_END = re.compile(rf"(?:{DATE} to|up to) ({DATE})")
LAST_YEAR_TOTALS = figures(present=319, possible=380, period_start=dt.date(2025, 9, 1),
                           period_end=dt.date(2026, 7, 17))


def texts(kind: str, c: Case, today: dt.date, meeting_id: str | None = None) -> list[str]:
    a = assess(c, load_profile("national-2024"), today)
    return [all_text(d.content) for d in
            produce(TEMPLATES, kind, a, meeting_id, Options(), NOW)]


def reviewed_case(**overrides: Any) -> Case:
    values: dict[str, Any] = {
        "school": SIGNED, "stage": Stage.SUPPORT_REVIEW, "attendance": None, "marks": AUTUMN,
        "meetings": (meeting(id="m1", date=dt.date(2026, 9, 17), target="Attend every Monday"),
                     meeting(id="m2", kind=MeetingKind.REVIEW, date=dt.date(2026, 10, 8),
                             review_outcome=ReviewOutcome(TargetMet.NO,
                                                          ReviewDecision.REVIEW_AGAIN)))}
    return case(**(values | overrides))


def test_296_of_380_reads_with_its_sessions_in_a_letter() -> None:
    """A letter gives 296 of 380 as "77.8% (296 of 380 possible sessions)" with its period."""
    c = case(school=SIGNED, stage=Stage.LETTER_OF_CONCERN, attendance=figures(
        present=296, possible=380, period_start=dt.date(2026, 9, 1),
        period_end=dt.date(2026, 12, 18)))
    text = texts("letter_of_concern", c, dt.date(2026, 12, 18))[0]
    assert ("attendance was 77.8% (296 of 380 possible sessions) from 1 September 2026 to "
            "18 December 2026.") in text
    assert "77.8%\n" not in text and "is 77.8%" not in text


def test_a_letter_in_september_does_not_call_last_years_figure_current() -> None:
    """A letter dated 25 September 2026 gives the 2025-26 figure with its period, as the
    latest recorded, and never calls it current."""
    c = case(school=SIGNED, stage=Stage.LETTER_OF_CONCERN, attendance=figures(
        present=319, possible=380, period_start=dt.date(2025, 9, 1),
        period_end=dt.date(2026, 7, 17)))
    text = texts("letter_of_concern", c, dt.date(2026, 9, 25))[0]
    assert "current" not in text.lower()
    assert "83.9% (319 of 380 possible sessions) from 1 September 2025 to 17 July 2026" in text
    assert "These are the latest figures recorded, for the 2025 to 2026 school year." in text


def test_an_invitation_does_not_say_currently_for_last_years_figure() -> None:
    """The invitation of 25 September 2026 states last year's figure with its period."""
    c = case(school=SIGNED, stage=Stage.SUPPORT_MEETING, attendance=LAST_YEAR_TOTALS,
             meetings=(meeting(id="m0", status=MeetingStatus.PLANNED,
                               date=dt.date(2026, 10, 1), time=dt.time(9, 30),
                               venue=Venue(VenueKind.SCHOOL)),))
    text = texts("support_meeting_invitation", c, dt.date(2026, 9, 25), "m0")[0]
    assert "currently" not in text.lower()
    assert ("attendance was 83.9% (319 of 380 possible sessions) from 1 September 2025 to "
            "17 July 2026. These are the latest figures recorded, for the 2025 to 2026 "
            "school year.") in text


def test_a_meeting_record_made_later_keeps_the_figures_to_the_meeting() -> None:
    """A review record made on the day and again weeks later gives the same figures, from
    the marks up to the meeting date."""
    c = reviewed_case()
    on_the_day = texts("review_meeting_record", c, dt.date(2026, 10, 8), "m2")[0]
    later = texts("review_meeting_record", c, dt.date(2026, 12, 1), "m2")[0]
    assert on_the_day == later
    assert "1 September 2026 to 8 October 2026" in later
    assert "82.1% (46 of 56 possible sessions)" in later


def test_a_review_record_gives_the_review_periods_figures_beside_the_target() -> None:
    """The review shows the target and the attendance since the meeting that set it."""
    text = texts("review_meeting_record", reviewed_case(), dt.date(2026, 12, 1), "m2")[0]
    target = text.index("Its target was: Attend every Monday")
    since = text.index("Attendance since the school attendance meeting on 17 September 2026: "
                       "80.0% (24 of 30 possible sessions), 18 September 2026 to "
                       "8 October 2026.")
    assert 0 < since - target < 100


def test_case_totals_running_past_a_meeting_are_not_given_as_at_it() -> None:
    """Without marks, a record of a meeting held before the totals' period ended says no
    figures up to the meeting are recorded, rather than give later ones."""
    c = reviewed_case(marks=(), attendance=figures(
        present=296, possible=380, period_start=dt.date(2026, 9, 1),
        period_end=dt.date(2026, 11, 27)))
    text = texts("review_meeting_record", c, dt.date(2026, 12, 1), "m2")[0]
    assert "No attendance figures up to 8 October 2026 are recorded." in text
    assert "296 of 380" not in text
    assert "cannot be given here: the register marks for that period are not recorded" in text


def _sample(with_marks: bool) -> Case:
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    c = case_from_dict(data)
    if with_marks:
        c = replace(c, attendance=None, marks=with_code(
            marks(dt.date(2026, 9, 3), dt.date(2026, 11, 20)), "O",
            lambda m: m.date.weekday() == 4))
    return c


@pytest.mark.parametrize("with_marks", [False, True])
def test_no_document_states_a_period_ending_after_its_own_date(with_marks: bool) -> None:
    """Every kind for every meeting of the sample case, with case totals or with marks:
    each period a document states ends no later than its date (the meeting's for a
    record of it, the day it is made otherwise)."""
    c = _sample(with_marks)
    today = dt.date(2026, 11, 22)
    a = assess(c, load_profile(c.profile), today)
    checked = 0
    for kind in (k.kind for k in TEMPLATES.catalogue.kinds):
        for m in (None, *c.meetings):
            try:
                documents = produce(TEMPLATES, kind, a, m.id if m else None, Options(), NOW)
            except (InvalidCaseError, LookupError, ValueError):
                continue
            own_date = min(today, m.date) if m else today
            for d in documents:
                text = all_text(d.content)
                for end in PERIOD_END.findall(text):
                    assert dt.datetime.strptime(end, "%d %B %Y").date() <= own_date, (
                        kind, m.id if m else None, end)
                checked += 1
    assert checked >= 10

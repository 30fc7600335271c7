"""Figures as at a day: one rule for the percentage, always with its sessions and period,
never a period ending after the day they are given on (issue 15, item 1)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from function_app.domain.attendance import (
    Standing,
    display_figure,
    display_percent,
    figure_of,
    figures_as_at,
    percent_tenths,
    tier_for,
)
from function_app.domain.policy import load_profile
from function_app.domain.wording import figures_note, figures_stated
from function_app.services.case_lists.list_columns import attendance_summary
from tests.builders import figures, marks, with_code

pytestmark = pytest.mark.unit

TIERED = load_profile("tiered-support")
AUTUMN = marks(dt.date(2026, 9, 1), dt.date(2026, 12, 18))
LAST_YEAR = figures(present=319, possible=380, period_start=dt.date(2025, 9, 1),
                    period_end=dt.date(2026, 7, 17))


def test_296_of_380_reads_the_same_everywhere() -> None:
    """296 of 380 reads "77.8% (296 of 380 possible sessions)" as a figure, as stated with
    its period, and as the number on the Cases item."""
    f = figures(present=296, possible=380, period_start=dt.date(2026, 9, 1),
                period_end=dt.date(2026, 12, 18))
    assert display_figure(296, 380) == "77.8% (296 of 380 possible sessions)"
    assert figure_of(f) == "77.8% (296 of 380 possible sessions)"
    assert figures_stated(f) == ("77.8% (296 of 380 possible sessions), "
                                 "1 September 2026 to 18 December 2026")
    assert attendance_summary(Fraction(29600, 380), 3, False)["AttendancePercent"] == 77.8


def test_rounding_down_never_lifts_a_pupil_into_a_better_tier() -> None:
    """92.96% shows as 92.9%, in the pupil's own tier: shown as 93.0% it would read as the
    tier above, which the rules do not place the pupil in."""
    real = Fraction("92.96")
    assert display_percent(real) == "92.9%"
    assert percent_tenths(real) == 929
    assert attendance_summary(real, 2, False)["AttendancePercent"] == 92.9
    assert tier_for(Fraction("92.9"), TIERED.tier_bands) == tier_for(real, TIERED.tier_bands)
    assert tier_for(Fraction("93.0"), TIERED.tier_bands).tier < tier_for(
        real, TIERED.tier_bands).tier


def test_one_possible_session_is_singular() -> None:
    """A figure of one session reads as a person writes it."""
    assert display_figure(1, 1) == "100.0% (1 of 1 possible session)"


def test_marks_give_the_figures_up_to_the_day() -> None:
    """With register marks, the figures are counted from the marks up to the day only."""
    at = figures_as_at(None, AUTUMN, dt.date(2026, 10, 8))
    assert at.from_marks and at.standing is Standing.CURRENT
    assert at.figures is not None and at.figures.period_end == dt.date(2026, 10, 8)
    assert at.figures.period_start == dt.date(2026, 9, 1)


def test_marks_win_over_case_totals_that_run_past_the_day() -> None:
    """Case totals to 18 December are not the figures on 8 October; the marks are."""
    totals = figures(present=296, possible=380, period_start=dt.date(2026, 9, 1),
                     period_end=dt.date(2026, 12, 18))
    at = figures_as_at(totals, AUTUMN, dt.date(2026, 10, 8))
    assert at.from_marks and at.figures is not None
    assert at.figures.period_end == dt.date(2026, 10, 8)


def test_case_totals_running_past_the_day_are_not_given() -> None:
    """Without marks, totals whose period ends after the day are not stated as at that day."""
    totals = figures(period_start=dt.date(2026, 9, 1), period_end=dt.date(2026, 12, 18))
    at = figures_as_at(totals, (), dt.date(2026, 10, 8))
    assert at.standing is Standing.NOT_RECORDED and not at.shown
    assert figures_note(at) == "No attendance figures up to 8 October 2026 are recorded."


def test_last_years_figures_are_the_latest_recorded_not_current() -> None:
    """On 25 September 2026, 2025-26 totals are the latest recorded, for that school year."""
    at = figures_as_at(LAST_YEAR, (), dt.date(2026, 9, 25))
    assert at.standing is Standing.EARLIER_YEAR
    assert figures_note(at) == ("These are the latest figures recorded, for the 2025 to 2026 "
                                "school year.")


def test_figures_ending_well_before_the_day_are_the_latest_recorded() -> None:
    """Totals to 18 December given on 20 January are said to be the latest recorded."""
    totals = figures(period_start=dt.date(2026, 9, 1), period_end=dt.date(2026, 12, 18))
    at = figures_as_at(totals, (), dt.date(2027, 1, 20))
    assert at.standing is Standing.LATEST
    assert figures_note(at) == "These are the latest figures recorded."
    assert figures_note(figures_as_at(totals, (), dt.date(2026, 12, 21))) == ""


def test_this_years_marks_are_counted_from_the_start_of_the_school_year() -> None:
    """Marks of an earlier school year are not added to this year's."""
    both = marks(dt.date(2026, 6, 1), dt.date(2026, 7, 17), ("O",)) + AUTUMN
    at = figures_as_at(None, both, dt.date(2026, 10, 8))
    assert at.figures is not None and at.figures.period_start == dt.date(2026, 9, 1)
    assert at.figures.unauthorised_absences == 0


@given(st.dates(min_value=dt.date(2026, 5, 1), max_value=dt.date(2027, 3, 1)),
       st.booleans())
def test_no_period_ends_after_the_day(day: dt.date, with_marks: bool) -> None:
    """Whatever the day, the figures given on it never end after it."""
    register = with_code(marks(dt.date(2026, 6, 1), dt.date(2026, 12, 18)), "O",
                         lambda m: m.date.day % 7 == 0) if with_marks else ()
    totals = figures(period_start=dt.date(2026, 9, 1), period_end=dt.date(2026, 12, 18))
    at = figures_as_at(totals, register, day)
    if at.figures is not None:
        assert at.figures.period_end is not None and at.figures.period_end <= day

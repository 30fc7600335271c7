"""The grid reader's fast paths give exactly what the domain functions give."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from function_app.domain.attendance import figures_from_marks
from function_app.domain.model import Session, SessionMark
from function_app.domain.penalty import penalty_threshold
from function_app.domain.policy import load_profile
from function_app.imports import read_attendance
from function_app.imports.assess import threshold_marks
from tests.imports import builder

pytestmark = pytest.mark.unit

NATIONAL = load_profile("national-2024")
CODES = ["/", "L", "I", "M", "G", "N", "O", "U", "#", "Z", "X", "Q"]


@st.composite
def registers(draw: st.DrawFn) -> list[SessionMark]:
    start = date(2026, 9, 7) + timedelta(days=draw(st.integers(0, 6)))
    days = sorted(set(draw(st.lists(st.integers(0, 200), max_size=120))))
    marks = []
    for offset in days:
        for session in (Session.AM, Session.PM):
            marks.append(SessionMark(start + timedelta(days=offset), session,
                                     draw(st.sampled_from(CODES))))
    return marks


@settings(max_examples=300, deadline=None)
@given(registers())
def test_threshold_on_kept_marks_equals_threshold_on_all(marks: list[SessionMark]) -> None:
    """penalty_threshold on the reduced marks equals penalty_threshold on every mark."""
    kept = threshold_marks(marks, NATIONAL.penalty_threshold.codes)
    assert penalty_threshold(kept, NATIONAL) == penalty_threshold(marks, NATIONAL)


def test_grid_figures_equal_domain_figures(tmp_path: Path) -> None:
    """The grid's counted figures equal figures_from_marks on each pupil's marks, with a
    code and its sub-code (I, I01) and not-possible codes in one row."""
    rows = builder.grid_rows()
    rows[0][5:12] = ["I", "I01", "I02", "X", "#", "", "N"]
    path = builder.write_table(tmp_path / "grid.xlsx", builder.grid_header(), rows)
    result = read_attendance(path, today=date(2026, 11, 13))
    amelia = result.pupils[0].figures
    assert amelia is not None
    assert (amelia.possible_sessions, amelia.authorised_absences) == (97, 3)
    for pupil in result.pupils:
        assert pupil.figures == figures_from_marks(pupil.marks)

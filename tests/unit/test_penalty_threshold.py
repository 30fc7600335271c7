"""The national penalty notice threshold (DfE, Working together to improve school attendance,
2024): 10 sessions of unauthorised absence (codes G, N, O, U) within a rolling 10 school
weeks, not necessarily consecutive, possibly spanning terms and school years. A school week
is any week with at least one school session."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from function_app.domain.codes import KNOWN_CODES
from function_app.domain.model import Session, SessionMark
from function_app.domain.penalty import penalty_threshold
from function_app.domain.policy import known_profiles, load_profile
from tests.builders import holiday, marks, with_code

pytestmark = pytest.mark.unit

NATIONAL = load_profile("national-2024")
COUNTING = frozenset({"G", "N", "O", "U"})
NOT_COUNTING = sorted(KNOWN_CODES - COUNTING)
# Codes that can appear on a day the school is open for the pupil.
SCHOOL_DAY_CODES = sorted(KNOWN_CODES - {"#", "Z"})


@dataclass(frozen=True)
class Week:
    monday: dt.date
    school_week: bool  # at least one school session for the pupil
    marks: tuple[SessionMark, ...]


@st.composite
def registers(draw: st.DrawFn) -> list[Week]:
    """Consecutive calendar weeks: school weeks (some days may be bank holidays or '#'
    closures), holiday weeks with no marks, and whole weeks of planned closure ('#')."""
    first = draw(st.dates(min_value=dt.date(2024, 9, 2), max_value=dt.date(2026, 7, 31)))
    monday = first - dt.timedelta(days=first.weekday())
    weeks = []
    for _ in range(draw(st.integers(min_value=1, max_value=26))):
        kind = draw(st.sampled_from(["school"] * 6 + ["holiday", "closure"]))
        rate = draw(st.sampled_from([0.0, 0.05, 0.2, 0.6]))
        week_marks: list[SessionMark] = []
        if kind == "closure":
            week_marks = [SessionMark(monday + dt.timedelta(days=d), s, "#")
                          for d in range(5) for s in Session]
        elif kind == "school":
            open_days = draw(st.lists(st.integers(0, 4), min_size=1, max_size=5, unique=True))
            for d in range(5):
                day = monday + dt.timedelta(days=d)
                if d not in open_days:
                    if draw(st.booleans()):  # an INSET day, else a bank holiday with no mark
                        week_marks += [SessionMark(day, s, "#") for s in Session]
                    continue
                for s in Session:
                    if draw(st.floats(0, 1)) < rate:
                        code = draw(st.sampled_from(sorted(COUNTING)))
                    else:
                        code = draw(st.sampled_from(SCHOOL_DAY_CODES))
                    week_marks.append(SessionMark(day, s, code))
        weeks.append(Week(monday, kind == "school", tuple(week_marks)))
        monday += dt.timedelta(weeks=1)
    return weeks


@dataclass(frozen=True)
class Expected:
    reached: bool
    sessions: int
    weeks: tuple[Week, ...]


def oracle(weeks: list[Week], sessions: int = 10, span: int = 10) -> Expected | None:
    """Brute force: every run of `span` consecutive school weeks (or all of them if fewer);
    the latest run reaching the threshold, else the latest run."""
    school = [w for w in weeks if w.school_week]
    if not school:
        return None
    size = min(span, len(school))
    runs = []
    for start in range(len(school) - size + 1):
        run = tuple(school[start:start + size])
        count = sum(1 for w in run for m in w.marks if m.code in COUNTING)
        runs.append(Expected(count >= sessions, count, run))
    reaching = [r for r in runs if r.reached]
    return reaching[-1] if reaching else runs[-1]


@settings(max_examples=300)
@given(registers())
def test_threshold_matches_a_brute_force_count(weeks: list[Week]) -> None:
    """The threshold is reached exactly when some 10 consecutive school weeks (holiday and
    closure weeks skipped) hold 10 or more G/N/O/U sessions, and the latest such window is
    the one reported (DfE 2024 national framework)."""
    all_marks = [m for w in weeks for m in w.marks]
    expected = oracle(weeks)
    result = penalty_threshold(all_marks, NATIONAL)
    if expected is None:
        assert result is None or (not result.reached and result.sessions == 0)
        return
    assert result is not None
    assert result.reached == expected.reached
    assert result.sessions == expected.sessions
    assert result.school_weeks == len(expected.weeks)
    first, last = expected.weeks[0].monday, expected.weeks[-1].monday
    assert result.window_start is not None and result.window_end is not None
    assert first <= result.window_start < first + dt.timedelta(days=7)
    assert last <= result.window_end < last + dt.timedelta(days=7)


@given(registers(), st.randoms(use_true_random=False))
def test_order_of_the_marks_does_not_matter(weeks: list[Week], rnd: random.Random) -> None:
    """The register may arrive in any order; the answer is the same."""
    all_marks = [m for w in weeks for m in w.marks]
    shuffled = list(all_marks)
    rnd.shuffle(shuffled)
    assert penalty_threshold(shuffled, NATIONAL) == penalty_threshold(all_marks, NATIONAL)


def autumn(codes: tuple[str, ...] = ("/",)) -> tuple[SessionMark, ...]:
    """Ten school weeks, Mon 1 Sep to Fri 14 Nov 2025, with half term 27-31 Oct (11 weeks)."""
    return marks(dt.date(2025, 9, 1), dt.date(2025, 11, 14), codes,
                 holidays=(holiday(dt.date(2025, 10, 27), dt.date(2025, 10, 31)),))


def test_nine_sessions_do_not_reach_the_threshold() -> None:
    """9 unauthorised sessions in 10 school weeks: a penalty notice need not yet be considered."""
    register = autumn()
    register = with_code(register, "O", lambda m: m in register[:9])
    result = penalty_threshold(register, NATIONAL)
    assert result is not None
    assert (result.reached, result.sessions) == (False, 9)


def test_ten_sessions_reach_the_threshold() -> None:
    """10 unauthorised sessions in 10 school weeks: the threshold is met (DfE 2024)."""
    register = autumn()
    register = with_code(register, "O", lambda m: m in register[:10])
    result = penalty_threshold(register, NATIONAL)
    assert result is not None
    assert (result.reached, result.sessions) == (True, 10)


def test_one_a_week_across_half_term_reaches_the_threshold() -> None:
    """One unauthorised session on each Monday of 10 school weeks, with half term between,
    reaches the threshold: the holiday week is not a school week."""
    register = autumn()
    register = with_code(register, "U", lambda m: m.date.weekday() == 0
                         and m.session is Session.AM)
    result = penalty_threshold(register, NATIONAL)
    assert result is not None
    assert result.reached
    assert result.sessions == 10
    assert result.school_weeks == 10
    assert (result.window_start, result.window_end) == (dt.date(2025, 9, 1),
                                                        dt.date(2025, 11, 14))


def test_ten_sessions_over_eleven_school_weeks_do_not_reach_the_threshold() -> None:
    """5 sessions in the first and 5 in the eleventh school week are never 10 within a rolling
    10 school weeks."""
    register = marks(dt.date(2025, 9, 1), dt.date(2025, 11, 21), ("/",),
                     holidays=(holiday(dt.date(2025, 10, 27), dt.date(2025, 10, 31)),))
    first_week = {dt.date(2025, 9, d) for d in range(1, 6)}
    eleventh_week = {dt.date(2025, 11, d) for d in range(17, 22)}
    register = with_code(register, "G", lambda m: m.session is Session.AM
                         and (m.date in first_week or m.date in eleventh_week))
    result = penalty_threshold(register, NATIONAL)
    assert result is not None
    assert not result.reached
    assert result.sessions == 5


def test_the_window_spans_the_summer_into_a_new_school_year() -> None:
    """DfE 2024's own example: 2 unauthorised sessions in the summer term and 8 in the autumn
    term reach the threshold; the summer holiday is not counted as school weeks."""
    summer = marks(dt.date(2025, 6, 2), dt.date(2025, 7, 18), ("/",))
    summer = with_code(summer, "G", lambda m: m.date == dt.date(2025, 7, 18))  # AM and PM
    autumn_term = marks(dt.date(2025, 9, 3), dt.date(2025, 10, 17), ("/",))
    autumn_term = with_code(autumn_term, "N", lambda m: m.date in {
        dt.date(2025, 9, 3), dt.date(2025, 9, 4), dt.date(2025, 9, 10), dt.date(2025, 9, 11)})
    result = penalty_threshold(summer + autumn_term, NATIONAL)
    assert result is not None
    assert result.reached
    assert result.sessions == 10
    assert result.window_start is not None and result.window_end is not None
    assert result.window_start <= dt.date(2025, 7, 18)
    assert result.window_end >= dt.date(2025, 9, 11)


@pytest.mark.parametrize("code", NOT_COUNTING)
def test_codes_other_than_g_n_o_u_never_count(code: str) -> None:
    """Only G, N, O and U count towards the threshold (DfE 2024); 100 sessions of any other
    code, present, authorised or not possible, count for nothing."""
    register = autumn((code,))
    result = penalty_threshold(register, NATIONAL)
    assert result is None or (not result.reached and result.sessions == 0)


@pytest.mark.parametrize("code", sorted(COUNTING))
def test_each_unauthorised_code_counts(code: str) -> None:
    """Each of G, N, O and U counts towards the threshold (DfE 2024)."""
    register = autumn()
    register = with_code(register, code, lambda m: m in register[:10])
    result = penalty_threshold(register, NATIONAL)
    assert result is not None
    assert (result.reached, result.sessions) == (True, 10)


@pytest.mark.parametrize("profile_name", known_profiles())
def test_every_profile_keeps_the_national_threshold(profile_name: str) -> None:
    """No local profile changes the statutory threshold of 10 sessions in 10 school weeks."""
    rule = load_profile(profile_name).penalty_threshold
    assert (rule.sessions, rule.school_weeks, rule.codes) == (10, 10, COUNTING)


def test_no_marks_gives_no_threshold_check() -> None:
    """Without a register there is nothing to check the threshold against."""
    assert penalty_threshold([], NATIONAL) is None

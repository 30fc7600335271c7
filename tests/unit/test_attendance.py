"""Attendance %, its display, the seed 004 tiers and the DfE absence flags."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from function_app.domain.attendance import (
    absence_flags,
    attendance_percent,
    display_percent,
    tier_for,
)
from function_app.domain.policy import known_profiles, load_profile
from tests.builders import figures

pytestmark = pytest.mark.unit

NATIONAL = load_profile("national-2024")
BANDS = NATIONAL.tier_bands


@st.composite
def present_of_possible(draw: st.DrawFn) -> tuple[int, int]:
    possible = draw(st.integers(min_value=1, max_value=2000))
    present = draw(st.integers(min_value=0, max_value=possible))
    return present, possible


percents = st.fractions(min_value=0, max_value=100, max_denominator=10_000)


def shown(value: Fraction) -> Fraction:
    """The number a user reads, parsed back from the display text."""
    text = display_percent(value)
    assert text.endswith("%")
    return Fraction(text.removesuffix("%"))


@given(present_of_possible())
def test_percent_is_present_over_possible_exactly(pair: tuple[int, int]) -> None:
    """Attendance % is exactly present/possible x 100, with no rounding (domain.md, Monitoring)."""
    present, possible = pair
    percent = attendance_percent(figures(present=present, possible=possible))
    assert isinstance(percent, Fraction)
    assert percent == Fraction(100 * present, possible)
    assert 0 <= percent <= 100


def test_percent_of_a_full_year() -> None:
    """342 present of 380 possible sessions (a full year) is exactly 90%."""
    assert attendance_percent(figures(present=342, possible=380)) == 90


def test_percent_refuses_zero_possible_sessions() -> None:
    """With no possible sessions there is no percentage to show, rather than a made-up one."""
    with pytest.raises(ValueError, match="possible_sessions"):
        attendance_percent(figures(present=0, possible=0))


@given(percents)
def test_display_rounds_down_to_one_decimal(value: Fraction) -> None:
    """The shown figure is the real one cut to one decimal place, never rounded up."""
    number = shown(value)
    assert number * 10 == int(number * 10)
    assert number <= value < number + Fraction(1, 10)


@pytest.mark.parametrize(("value", "text"), [
    (Fraction("92.96"), "92.9%"),
    (Fraction(1859, 20), "92.9%"),  # 92.95
    (Fraction(93), "93.0%"),
    (Fraction(100), "100.0%"),
    (Fraction(0), "0.0%"),
    (Fraction(200, 3), "66.6%"),  # 66.666...
    (Fraction("50.09"), "50.0%"),
])
def test_display_examples(value: Fraction, text: str) -> None:
    """92.96% shows as 92.9% (not 93.0%), 66.67% as 66.6%, whole numbers with '.0'."""
    assert display_percent(value) == text


@pytest.mark.parametrize("profile_name", known_profiles())
@given(value=percents)
def test_display_never_shows_a_better_tier(profile_name: str, value: Fraction) -> None:
    """The tier of the displayed figure is never better than the real tier (seed 004 bands)."""
    bands = load_profile(profile_name).tier_bands
    real = tier_for(value, bands).tier
    displayed = tier_for(shown(value), bands).tier
    assert displayed >= real  # a higher tier number is a worse band
    # The published floors are whole percents, so cutting to a tenth keeps the same band.
    assert displayed == real


@pytest.mark.parametrize("profile_name", known_profiles())
@pytest.mark.parametrize(("percent", "tier"), [
    (Fraction(100), 1),
    (Fraction(93), 1),
    (Fraction("92.99"), 2),
    (Fraction("92.5"), 2),
    (Fraction(92), 2),
    (Fraction(80), 2),
    (Fraction("79.99"), 3),
    (Fraction("79.9"), 3),
    (Fraction(79), 3),
    (Fraction(51), 3),
    (Fraction("50.5"), 4),
    (Fraction(50), 4),
    (Fraction(0), 4),
])
def test_tier_boundaries(profile_name: str, percent: Fraction, tier: int) -> None:
    """Seed 004: Tier 1 100-93%, Tier 2 92-80%, Tier 3 79-51%, Tier 4 50% or lower; a value
    between bands (92.5%, 79.9%, 50.5%) falls in the lower tier."""
    assert tier_for(percent, load_profile(profile_name).tier_bands).tier == tier


@pytest.mark.parametrize(("present", "possible", "tier"), [
    (186, 200, 1),  # 93.0%
    (185, 200, 2),  # 92.5%
    (160, 200, 2),  # 80.0%
    (159, 200, 3),  # 79.5%
    (102, 200, 3),  # 51.0%
    (101, 200, 4),  # 50.5%
    (100, 200, 4),  # 50.0%
])
def test_tier_from_session_figures(present: int, possible: int, tier: int) -> None:
    """The seed 004 tier of real session counts: 185 of 200 (92.5%) is Tier 2, not Tier 1."""
    percent = attendance_percent(figures(present=present, possible=possible))
    assert tier_for(percent, BANDS).tier == tier


@given(present_of_possible(), st.integers(min_value=1, max_value=2000))
def test_more_present_sessions_never_give_a_worse_tier(
        pair: tuple[int, int], extra: int) -> None:
    """Attending more sessions out of the same possible never moves a pupil to a worse tier."""
    present, possible = pair
    better = min(possible, present + extra)
    before = tier_for(attendance_percent(figures(present=present, possible=possible)), BANDS)
    after = tier_for(attendance_percent(figures(present=better, possible=possible)), BANDS)
    assert after.tier <= before.tier


@given(present_of_possible())
def test_persistent_and_severe_flags(pair: tuple[int, int]) -> None:
    """DfE 2024: persistently absent at 10% or more of possible sessions missed, severely
    absent at 50% or more."""
    present, possible = pair
    missed = possible - present
    flags = absence_flags(attendance_percent(figures(present=present, possible=possible)),
                          NATIONAL)
    assert flags.persistently_absent == (10 * missed >= possible)
    assert flags.severely_absent == (2 * missed >= possible)
    if flags.severely_absent:
        assert flags.persistently_absent


@pytest.mark.parametrize(("present", "possible", "persistent", "severe"), [
    (342, 380, True, False),  # exactly 10% missed
    (343, 380, False, False),  # 9.7% missed
    (190, 380, True, True),  # exactly 50% missed
    (191, 380, True, False),  # 49.7% missed
    (0, 380, True, True),
    (380, 380, False, False),
])
def test_flag_boundaries(present: int, possible: int, persistent: bool, severe: bool) -> None:
    """DfE 2024: missing exactly 10% makes a pupil persistently absent; exactly 50%, severely."""
    flags = absence_flags(attendance_percent(figures(present=present, possible=possible)),
                          NATIONAL)
    assert (flags.persistently_absent, flags.severely_absent) == (persistent, severe)

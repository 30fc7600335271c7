"""Penalty notices still allowed: at most 2 to the same parent for the same child in a rolling
3 years; £80 within 21 days or £160 within 28 days, a second one £160 (DfE 2024 national
framework; Education (Penalty Notices) (England) Regulations 2007 as amended in 2024)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from function_app.domain.penalty import Allowance, allowances
from function_app.domain.policy import Profile, load_profile
from tests.builders import carer, notice

pytestmark = pytest.mark.unit

NATIONAL = load_profile("national-2024")
TODAY = dt.date(2026, 3, 10)
FIRST = "£80 if paid within 21 days, £160 if paid within 28 days"


def one(notices: list[dt.date], today: dt.date = TODAY,
        profile: Profile = NATIONAL) -> Allowance:
    [result] = allowances([carer()], [notice(d) for d in notices], profile, today)
    return result


def test_no_notices_yet() -> None:
    """A parent with no notice may receive two; the first is £80 within 21 days, £160 in 28."""
    a = one([])
    assert (a.issued_in_window, a.remaining, a.next_amount, a.available_again_on) == (
        0, 2, FIRST, None)


def test_one_notice_in_the_window() -> None:
    """After one notice within 3 years, one more is allowed, at the flat £160 (DfE 2024)."""
    a = one([dt.date(2025, 1, 15)])
    assert (a.issued_in_window, a.remaining, a.next_amount, a.available_again_on) == (
        1, 1, "£160", None)


def test_two_notices_in_the_window() -> None:
    """After two notices within 3 years no third may be issued until the older one is 3 years
    old; another tool (prosecution, an ESO) is needed meanwhile (DfE 2024)."""
    a = one([dt.date(2024, 5, 1), dt.date(2025, 11, 20)])
    assert (a.issued_in_window, a.remaining, a.next_amount) == (2, 0, "")
    assert a.available_again_on == dt.date(2027, 5, 1)


def test_available_again_on_the_day_it_says() -> None:
    """On the day a further notice is said to be available again, one is; the day before, not."""
    notices = [dt.date(2024, 5, 1), dt.date(2025, 11, 20)]
    assert one(notices, today=dt.date(2027, 4, 30)).remaining == 0
    again = one(notices, today=dt.date(2027, 5, 1))
    assert (again.issued_in_window, again.remaining, again.next_amount) == (1, 1, "£160")


def test_three_notices_wait_for_the_second_oldest() -> None:
    """With three notices in 3 years (e.g. one issued under another authority), a further one
    is available only when two have left the window."""
    a = one([dt.date(2023, 6, 1), dt.date(2024, 6, 1), dt.date(2025, 6, 1)])
    assert (a.issued_in_window, a.remaining) == (3, 0)
    assert a.available_again_on == dt.date(2027, 6, 1)


def test_a_notice_exactly_three_years_old_is_out_of_the_window() -> None:
    """A notice issued 10 March 2023 no longer counts on 10 March 2026; one issued the next day
    still does (a rolling 3 years, DfE 2024)."""
    assert one([dt.date(2023, 3, 10)]).issued_in_window == 0
    assert one([dt.date(2023, 3, 11)]).issued_in_window == 1


def test_notices_to_another_parent_do_not_count() -> None:
    """Notices are per parent, per child: the other parent's notices leave this one's count."""
    results = allowances(
        [carer(), carer(id="c2", first_name="Chris", relationship="Father")],
        [notice(dt.date(2025, 1, 1), "c2"), notice(dt.date(2025, 6, 1), "c2")],
        NATIONAL, TODAY)
    by_id = {a.carer_id: a for a in results}
    assert (by_id["c1"].issued_in_window, by_id["c1"].remaining) == (0, 2)
    assert (by_id["c2"].issued_in_window, by_id["c2"].remaining) == (2, 0)


def test_a_future_notice_does_not_count() -> None:
    """A notice dated after today is not counted as already issued."""
    assert one([TODAY + dt.timedelta(days=1)]).issued_in_window == 0


def test_leap_day_notice_is_available_again_when_it_says() -> None:
    """A notice issued on 29 February 2024: on the date given as 'available again', a further
    notice really is available (the rolling 3 years must agree with itself)."""
    notices = [dt.date(2024, 2, 29), dt.date(2025, 6, 1)]
    again = one(notices, today=dt.date(2027, 1, 1)).available_again_on
    assert again is not None
    assert again in (dt.date(2027, 2, 28), dt.date(2027, 3, 1))
    assert one(notices, today=again).remaining == 1
    assert one(notices, today=again - dt.timedelta(days=1)).remaining == 0


def test_leap_day_today() -> None:
    """Assessed on 29 February 2028, a notice of 1 March 2025 is within 3 years and one of
    28 February 2025 is not."""
    today = dt.date(2028, 2, 29)
    assert one([dt.date(2025, 3, 1)], today=today).issued_in_window == 1
    assert one([dt.date(2025, 2, 28)], today=today).issued_in_window == 0


@given(st.lists(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2026, 3, 10)),
                min_size=2, max_size=4))
@example([dt.date(2024, 2, 29), dt.date(2025, 6, 1)])
def test_available_again_agrees_with_the_count(issued: list[dt.date]) -> None:
    """Whenever no notice may be issued, the date given for 'available again' is the first day
    on which one may."""
    a = one(issued)
    if a.remaining:
        assert a.available_again_on is None
        return
    again = a.available_again_on
    assert again is not None and again > TODAY
    assert one(issued, today=again).remaining >= 1
    assert one(issued, today=again - dt.timedelta(days=1)).remaining == 0


def test_devon_still_applies_the_national_limit() -> None:
    """Devon's 2023 'max 2 per year' wording (seed 003) is superseded: one notice in each of two
    school years still uses up the national 2 in a rolling 3 years."""
    devon = load_profile("devon-2023")
    a = one([dt.date(2024, 10, 1), dt.date(2025, 10, 1)], profile=devon)
    assert (a.issued_in_window, a.remaining, a.next_amount) == (2, 0, "")
    assert a.available_again_on == dt.date(2027, 10, 1)

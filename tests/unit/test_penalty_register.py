"""The LA's penalty notice register (issue 19 points 1, 3 and 4).

Sources: the Education (Penalty Notices) (England) Regulations 2007 as amended by the
Education (Penalty Notices) (England) (Amendment) Regulations 2024 (SI 2024/210); DfE,
Working together to improve school attendance (2024), national framework for penalty notices;
Education Act 1996 s444, s576; /work/shared/domain.md, "Penalty notices: the national
framework process".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from function_app.domain.calendar import SchoolCalendar
from function_app.domain.model import Carer, NoticeToImprove
from function_app.domain.penalty_register import (
    NoticeState,
    Payment,
    RegisteredNotice,
    RequestReason,
    ServedBy,
    check_payment_row,
    child_key,
    decide_issue,
    parent_key,
    periods,
    standing,
    working_days_after,
)
from function_app.domain.penalty_requests import OpenRequest, Request, check_request
from function_app.domain.policy import load_profile
from tests.builders import carer, marks, pupil, with_code

pytestmark = pytest.mark.unit

NATIONAL = load_profile("national-2024")
CHILD = pupil(upn="A123456789012")
MUM = carer()
DAD = carer(id="c2", first_name="Sam", relationship="Father")
POSTED = dt.date(2026, 3, 6)  # a Friday: received on Tuesday 10 March


def notice(number: str = "PN-1", issued_on: dt.date = POSTED, who: Carer = MUM,
           school: str = "Severn Vale Academy", **overrides: object) -> RegisteredNotice:
    values: dict[str, object] = {
        "number": number, "child": child_key(CHILD), "parent": parent_key(who),
        "school": school, "issued_on": issued_on, "served_by": ServedBy.POST,
        "sent_on": issued_on}
    return RegisteredNotice(**(values | overrides))  # type: ignore[arg-type]


# 1. The amount and the limit ------------------------------------------------------------


def test_first_notice_is_80_within_21_days_or_160_within_28() -> None:
    """Regulation 4 as amended 2024: £80 within 21 days of receipt, else £160 within 28."""
    decision = decide_issue(CHILD, MUM, [], NATIONAL, dt.date(2026, 3, 6))
    assert (decision.allowed, decision.second) == (True, False)
    assert decision.amount == "£80 if paid within 21 days, £160 if paid within 28 days"


def test_second_within_3_years_at_another_school_is_160_flat() -> None:
    """Regulation 4 as amended 2024; DfE 2024 framework: a second notice to the same parent for
    the same child within 3 years is £160, no reduced rate. The count follows the child (the
    same UPN) to the new school (issue 19: a child who moves keeps their history)."""
    first = notice(issued_on=dt.date(2024, 10, 1), school="Severn Vale Academy")
    decision = decide_issue(CHILD, MUM, [first], NATIONAL, dt.date(2026, 3, 6))
    assert (decision.allowed, decision.second, decision.amount) == (
        True, True, "£160 if paid within 28 days")
    # A different child, or the other parent, has a history of their own.
    assert not decide_issue(pupil(upn="B9"), MUM, [first], NATIONAL, POSTED).second
    assert not decide_issue(CHILD, DAD, [first], NATIONAL, POSTED).second


def test_third_within_3_years_is_refused_naming_the_tool() -> None:
    """The 2024 amendment regulations: no third notice where two were issued to the parent for
    the child in the 3 years ending on the day; DfE 2024 framework: another tool instead,
    prosecution (Education Act 1996 s444) or an Education Supervision Order."""
    two = [notice("PN-1", dt.date(2024, 10, 1), school="Severn Vale Academy"),
           notice("PN-7", dt.date(2025, 11, 3), school="Cotswold School")]
    decision = decide_issue(CHILD, MUM, two, NATIONAL, dt.date(2026, 3, 6))
    assert not decision.allowed
    assert "s444" in decision.message and "Education Supervision Order" in decision.message
    # Both counted, across schools; by number and date, not naming the other schools (the
    # school that asked is told this).
    assert "PN-1 on 1 October 2024; PN-7 on 3 November 2025" in decision.message
    assert "Severn Vale" not in decision.message and "Cotswold" not in decision.message
    assert decision.available_again_on == dt.date(2027, 10, 1)
    assert "from 1 October 2027" in decision.message
    assert decide_issue(CHILD, MUM, two, NATIONAL, dt.date(2027, 10, 1)).allowed


def test_withdrawn_notice_does_not_count() -> None:
    """DfE 2024 framework: a withdrawn notice does not count towards the limit (and the
    Regulations, regulation 20, keep it on the record with its grounds)."""
    withdrawn = notice("PN-1", dt.date(2025, 1, 6), withdrawn_on=dt.date(2025, 1, 20),
                       withdrawn_because="issued to the wrong parent")
    second = notice("PN-2", dt.date(2025, 6, 2))
    decision = decide_issue(CHILD, MUM, [withdrawn, second], NATIONAL, dt.date(2026, 3, 6))
    assert (decision.allowed, decision.second) == (True, True)
    only = decide_issue(CHILD, MUM, [withdrawn], NATIONAL, dt.date(2026, 3, 6))
    assert (only.allowed, only.second) == (True, False)


# 2. The register's clock ----------------------------------------------------------------


def test_posted_notice_is_received_on_the_second_working_day() -> None:
    """Service by post: received on the second working day after posting (Interpretation Act
    1978 s7; LA codes of conduct). "21 days beginning with the date on which the notice is
    received" (regulation 4) counts that day as day 1. Working days are Monday to Friday."""
    assert working_days_after(dt.date(2026, 3, 6), 2) == dt.date(2026, 3, 10)
    p = periods(notice(), NATIONAL)
    assert (p.received, p.reduced_until, p.full_until) == (
        dt.date(2026, 3, 10), dt.date(2026, 3, 30), dt.date(2026, 4, 6))
    by_hand = periods(notice(served_by=ServedBy.HAND), NATIONAL)
    assert by_hand.received == POSTED


def test_notice_moves_on_by_itself_at_21_and_28_days() -> None:
    """Regulations 4 and 5: £80 to day 21, £160 to day 28; unpaid after that, the LA considers
    prosecution for the absence under Education Act 1996 s444 (domain.md)."""
    n = notice()
    day21, day22 = standing(n, NATIONAL, dt.date(2026, 3, 30)), standing(
        n, NATIONAL, dt.date(2026, 3, 31))
    assert (day21.state, day21.due, day21.due_by) == (
        NoticeState.ISSUED, Decimal(80), dt.date(2026, 3, 30))
    assert day21.text == "Issued: £80 due by 30 March 2026, then £160 by 6 April 2026."
    assert (day22.state, day22.due, day22.due_by) == (
        NoticeState.ISSUED, Decimal(160), dt.date(2026, 4, 6))
    assert standing(n, NATIONAL, dt.date(2026, 4, 6)).state is NoticeState.ISSUED
    unpaid = standing(n, NATIONAL, dt.date(2026, 4, 7))
    assert unpaid.state is NoticeState.UNPAID
    assert "Consider prosecution" in unpaid.text and "s444" in unpaid.text


def test_paid_at_80_or_at_160() -> None:
    """Regulation 4: paid within 21 days at £80; after that, £160 within 28 days."""
    early = notice(payments=(Payment(dt.date(2026, 3, 20), Decimal(80)),))
    s = standing(early, NATIONAL, dt.date(2026, 5, 1))
    assert (s.state, s.text) == (NoticeState.PAID_REDUCED, "Paid at £80 on 20 March 2026.")
    assert standing(early, NATIONAL, dt.date(2026, 3, 19)).state is NoticeState.ISSUED
    late = notice(payments=(Payment(dt.date(2026, 4, 2), Decimal(160)),))
    assert standing(late, NATIONAL, dt.date(2026, 5, 1)).state is NoticeState.PAID_FULL
    short = notice(payments=(Payment(dt.date(2026, 4, 2), Decimal(80)),))
    assert standing(short, NATIONAL, dt.date(2026, 5, 1)).state is NoticeState.UNPAID


def test_second_notice_has_no_reduced_amount() -> None:
    """Regulation 4 as amended 2024: a second notice within 3 years is £160 from day 1."""
    n = notice(second=True)
    s = standing(n, NATIONAL, dt.date(2026, 3, 11))
    assert (s.due, s.due_by, s.periods.reduced_until) == (
        Decimal(160), dt.date(2026, 4, 6), None)


def test_withdrawn_notice_stands_withdrawn() -> None:
    """The Regulations, regulation 20: the record says whether and why a notice was
    withdrawn; the framework: it then does not count."""
    n = notice(withdrawn_on=dt.date(2026, 3, 12), withdrawn_because="sent to the wrong address")
    assert standing(n, NATIONAL, dt.date(2026, 3, 11)).state is NoticeState.ISSUED
    s = standing(n, NATIONAL, dt.date(2026, 4, 30))
    assert s.state is NoticeState.WITHDRAWN and "wrong address" in s.text


# 3. A school's request ------------------------------------------------------------------

LAST_ABSENCE = dt.date(2026, 3, 6)
ABSENT = with_code(marks(dt.date(2026, 1, 12), LAST_ABSENCE), "O",
                   lambda m: m.date >= dt.date(2026, 3, 2))  # 10 sessions, 2-6 March
CALENDAR = SchoolCalendar()


def request(**overrides: object) -> Request:
    values: dict[str, object] = {
        "number": "R-1", "school": "Cotswold School", "pupil": CHILD, "parents": (MUM, DAD),
        "requested_on": dt.date(2026, 3, 12), "reason": RequestReason.OTHER,
        "last_absence": LAST_ABSENCE, "marks": ABSENT,
        "notice_to_improve": NoticeToImprove(dt.date(2026, 1, 19), 3),
        "support_offered": ("Attendance support meeting, 14 January 2026",)}
    return Request(**(values | overrides))  # type: ignore[arg-type]


def codes(req: Request, register: list[RegisteredNotice] | None = None,
          open_requests: tuple[OpenRequest, ...] = ()) -> list[str]:
    return [p.code for p in check_request(req, register or [], open_requests, NATIONAL,
                                          CALENDAR)]


def test_a_complete_request_passes() -> None:
    """DfE 2024 framework: the threshold met, a Notice to Improve served and its period over,
    support offered, each parent named: nothing to put right."""
    assert codes(request()) == []


def test_threshold_not_met() -> None:
    """DfE 2024 framework: 10 unauthorised sessions within a rolling 10 school weeks."""
    few = with_code(ABSENT, "/", lambda m: m.date == dt.date(2026, 3, 6))
    [problem] = check_request(request(marks=few), [], (), NATIONAL, CALENDAR)
    assert problem.code == "threshold_not_met"
    assert "the most in any 8 school weeks is 8 (12 January 2026 to 6 March 2026)" in (
        problem.message)  # the marks cover 8 school weeks
    assert "Attendance Marks" in problem.message


def test_notice_to_improve_missing_or_its_period_not_over() -> None:
    """DfE 2024 framework: a Notice to Improve with a 3-6 week improvement period comes first."""
    [missing] = check_request(request(notice_to_improve=None), [], (), NATIONAL, CALENDAR)
    assert missing.code == "no_notice_to_improve"
    assert "Notice to Improve issued on" in missing.message
    early = request(notice_to_improve=NoticeToImprove(dt.date(2026, 3, 2), 3))
    [problem] = check_request(early, [], (), NATIONAL, CALENDAR)
    assert problem.code == "improvement_period_not_over"
    assert "end on 22 March 2026" in problem.message
    assert "from 23 March 2026" in problem.message


def test_term_time_holiday_needs_no_notice_to_improve_nor_support() -> None:
    """DfE 2024 framework: support first, unless it is not appropriate, e.g. a term-time
    holiday; then a penalty notice may be issued without a Notice to Improve."""
    holiday = with_code(ABSENT, "G", lambda m: m.code == "O")
    assert codes(request(marks=holiday, reason=RequestReason.TERM_TIME_HOLIDAY,
                         notice_to_improve=None, support_offered=())) == []
    assert codes(request(notice_to_improve=None,
                         no_notice_to_improve_because="support offered was refused")) == []


def test_no_support_offered() -> None:
    """DfE 2024 framework: a notice follows support that did not work or was not taken up."""
    assert codes(request(support_offered=())) == ["no_support_offered"]


def test_each_parent_named_and_a_parent_in_law() -> None:
    """Education Act 1996 s576: a parent has parental responsibility or care (Carer.is_parent);
    one notice per parent per child (DfE 2024), served at the parent's address (s572)."""
    assert codes(request(parents=())) == ["no_parent_named"]
    gran = carer(id="c3", first_name="Ann", relationship="Grandmother",
                 parental_responsibility=False)
    assert codes(request(parents=(MUM, gran))) == ["not_a_parent"]
    assert codes(request(parents=(replace(gran, has_care=True),))) == []
    assert codes(request(parents=(replace(DAD, address=""),))) == ["no_address"]
    assert codes(request(parents=(replace(DAD, last_name=" "),))) == ["parent_not_named"]


def test_request_after_the_las_deadline() -> None:
    """Profile rule penalty_notice_request_within_school_days (national default 10, an LA
    figure: the framework leaves it to the LA's code of conduct, regulation 14)."""
    assert codes(request(requested_on=dt.date(2026, 3, 20))) == []  # the 10th school day
    [late] = check_request(request(requested_on=dt.date(2026, 3, 23)), [], (), NATIONAL,
                           CALENDAR)
    assert late.code == "request_late"
    assert "11 school days after the last absence on 6 March 2026" in late.message
    assert "by 20 March 2026" in late.message
    assert codes(request(last_absence=None)) == ["no_last_absence"]
    no_deadline = replace(NATIONAL, penalty_notice_request_within_school_days=None)
    assert check_request(request(requested_on=dt.date(2026, 6, 1)), [], (), no_deadline,
                         CALENDAR) == []


def test_duplicate_of_an_open_request() -> None:
    """The Regulations, regulation 14: the LA's code of conduct avoids duplicate notices."""
    other = OpenRequest("R-0", "Severn Vale Academy", child_key(CHILD),
                        frozenset({parent_key(DAD)}), dt.date(2026, 3, 9))
    [dup] = check_request(request(), [], (other,), NATIONAL, CALENDAR)
    assert dup.code == "duplicate_request" and "R-0 from Severn Vale Academy" in dup.message
    assert codes(request(), open_requests=(replace(other, child="someone else"),)) == []


def test_the_schools_check_leaves_the_limit_to_the_la() -> None:
    """The 2024 amendment regulations: no third notice in 3 years, counted across schools by
    the LA when it decides (decide_issue, below), never by the school's check: a school is
    not shown notices issued through another school. The request itself passes."""
    two = [notice("PN-1", dt.date(2024, 10, 1)), notice("PN-7", dt.date(2025, 11, 3))]
    assert check_request(request(), two, (), NATIONAL, CALENDAR) == []
    decided = decide_issue(CHILD, MUM, two, NATIONAL, dt.date(2026, 3, 16))
    assert not decided.allowed
    assert "Dana Ellis" in decided.message and "s444" in decided.message


# 4. The payment file --------------------------------------------------------------------

REGISTER = [notice("PN-1"), notice("PN-2", withdrawn_on=dt.date(2026, 3, 16)),
            notice("PN-3", second=True)]


def row(number: str, amount: str, paid_on: str) -> list[str]:
    return [p.message for p in check_payment_row(
        4, {"Notice number": number, "Amount": amount, "Date paid": paid_on}, REGISTER,
        NATIONAL)]


def test_a_good_payment_row() -> None:
    """Regulation 4: £80 paid within 21 days of receipt; regulation 20 records it."""
    assert row("PN-1", "£80.00", "20/03/2026") == []
    assert row("pn-1", "160", "2026-04-06") == []
    assert row("PN-3", "160", "2026-03-11") == []


def test_payment_for_an_unknown_notice() -> None:
    """Issue 19, bad input: a payment for an unknown notice number, named by row and column."""
    assert row("PN-99", "80", "20/03/2026") == [
        "Row 4, column 'Notice number': no notice PN-99 is on the register. Check the number "
        "against the notice, or record the notice first."]


def test_payment_after_the_notice_was_withdrawn() -> None:
    """The Regulations, regulation 20: a withdrawn notice is recorded as such; a payment after
    it cannot settle it."""
    [message] = row("PN-2", "80", "17/03/2026")
    assert message.startswith("Row 4, column 'Date paid': notice PN-2 was withdrawn on "
                              "16 March 2026")


def test_amount_not_the_amount_due_that_day() -> None:
    """Regulation 4 as amended 2024: £80 only within 21 days of receipt (to 30 March 2026);
    a second notice has no reduced amount."""
    [late_80] = row("PN-1", "80", "31/03/2026")
    assert late_80.startswith("Row 4, column 'Amount': £80 was paid for notice PN-1 on "
                              "31 March 2026, but £160 was due that day")
    assert "ended on 30 March 2026" in late_80
    [second] = row("PN-3", "80", "11/03/2026")
    assert "a second notice has no reduced amount" in second
    [over] = row("PN-1", "160", "20/03/2026")
    assert "but £80 was due that day" in over


def test_payment_after_28_days_and_unreadable_cells() -> None:
    """Regulation 5: 28 days to pay; a late payment does not discharge the notice."""
    [late] = row("PN-1", "160", "07/04/2026")
    assert late.startswith("Row 4, column 'Date paid': 7 April 2026 is after the days to pay")
    assert row("", "eighty", "31/02/2026") == [
        "Row 4, column 'Notice number': no notice number. Give it as printed on the notice.",
        "Row 4, column 'Date paid': '31/02/2026' is not a date; give it as 2026-03-03 or "
        "03/03/2026.",
        "Row 4, column 'Amount': 'eighty' is not an amount in pounds, such as 80 or 160.00."]


def test_profile_rules_cite_their_sources() -> None:
    """Every rule is data with its source (docs/policy-profiles.md)."""
    for name in ("penalty_notice_payment_days", "penalty_notice_received_after_working_days",
                 "penalty_notice_request_within_school_days"):
        assert NATIONAL.source(name)
    assert NATIONAL.penalty_notice_payment_days == (21, 28)
    assert NATIONAL.penalty_notice_received_after == {"post": 2, "hand": 0, "email": 0}

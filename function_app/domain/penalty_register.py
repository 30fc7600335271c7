"""The LA's penalty notice register: the amount and the limit, each notice's state on a
day, a school's request checks and the payment file's rows (issue 19).

Sources: the Education (Penalty Notices) (England) Regulations 2007 as amended by the 2024
amendment regulations (SI 2024/210): reg 4 amounts, reg 5 the 28 days, the limit of 2 in 3
years, reg 9 withdrawal, reg 14 no duplicates, reg 20 the record; DfE, Working together to
improve school attendance (2024), national framework for penalty notices; Education Act 1996
s576 (who is a parent). The profile's rules cite each in full (docs/policy-profiles.md).
Counted per parent per child across schools (``child_key``: the UPN stays with a pupil who
moves school). Working days are Monday to Friday only: the product has no source of
England's bank holidays, so a notice posted just before one counts as received a day early.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from .model import Carer, PenaltyNotice, Pupil
from .penalty import allowance_for, years_before
from .policy import Profile
from .wording import day as say_day

REGULATIONS = ("The Education (Penalty Notices) (England) Regulations 2007 as amended by the "
               "Education (Penalty Notices) (England) (Amendment) Regulations 2024")
FRAMEWORK = ("DfE, Working together to improve school attendance (2024), national framework "
             "for penalty notices")
OTHER_TOOL = ("prosecution for the absence under Education Act 1996 s444(1) or s444(1A), or an "
              "Education Supervision Order (Children Act 1989 s36), which the framework asks "
              "the LA to consider before prosecution")


class ServedBy(enum.StrEnum):
    POST = "post"
    HAND = "hand"
    EMAIL = "email"


class NoticeState(enum.StrEnum):
    """Where a notice stands on a day (the Regulations, regulation 20: the LA's record)."""
    ISSUED = "issued"
    PAID_REDUCED = "paid_reduced"  # paid at £80 within 21 days
    PAID_FULL = "paid_full"  # paid at £160 within 28 days
    UNPAID = "unpaid"  # unpaid after 28 days: consider prosecution
    WITHDRAWN = "withdrawn"


class RequestReason(enum.StrEnum):
    """The reasons the DfE return counts; a term-time holiday needs no Notice to Improve."""
    TERM_TIME_HOLIDAY = "term_time_holiday"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Payment:
    paid_on: date
    amount: Decimal  # for a discharged notice: the amount that settled it


@dataclass(frozen=True, slots=True)
class RegisteredNotice:
    """One notice on the LA's register: to one parent (``parent_key``) for one child
    (``child_key``), issued at one school; ``second`` is the amount decided at issue."""
    number: str
    child: str
    parent: str
    school: str
    issued_on: date
    served_by: ServedBy
    sent_on: date  # posted, emailed or handed over
    second: bool = False
    withdrawn_on: date | None = None
    withdrawn_because: str = ""
    payments: tuple[Payment, ...] = ()

    def withdrawn_by(self, day: date) -> bool:
        return self.withdrawn_on is not None and self.withdrawn_on <= day


@dataclass(frozen=True, slots=True)
class Problem:
    code: str  # a check that failed; the message says what is missing and where
    message: str
    where: str
    source: str = ""


def child_key(pupil: Pupil) -> str:
    """The same child at any school: the UPN, which stays with a pupil from school to school,
    else the legal name and date of birth."""
    return pupil.upn.strip().upper() or " ".join(
        f"{pupil.forename} {pupil.surname} {pupil.date_of_birth.isoformat()}".casefold().split())


def parent_key(carer: Carer) -> str:
    """The same parent on another school's case: their full name, compared without case or
    extra spaces (with ``child_key`` it picks out one parent of one child)."""
    return " ".join(carer.full_name.casefold().split())


@dataclass(frozen=True, slots=True)
class IssueDecision:
    allowed: bool
    second: bool
    amount: str  # what the notice will say
    message: str
    available_again_on: date | None
    source: str


def decide_issue(pupil: Pupil, carer: Carer, register: Iterable[RegisteredNotice],
                 profile: Profile, day: date) -> IssueDecision:
    """May a notice go to this parent for this child on ``day``, at what amount? Counts the
    notices at every school in the rolling years ending on ``day`` (``allowance_for``); one
    withdrawn by then does not count. At the limit: refused, naming the tool to use."""
    child, parent = child_key(pupil), parent_key(carer)
    mine = [n for n in register if n.child == child and n.parent == parent]
    allowance = allowance_for(
        parent, [PenaltyNotice(n.parent, n.issued_on, n.withdrawn_by(day)) for n in mine],
        profile, day)
    source, amounts = f"{REGULATIONS}; {FRAMEWORK}", profile.penalty_amounts
    (reduced, full), years = (profile.penalty_notice_payment_days,
                              profile.penalty_notice_rolling_years)
    if allowance.remaining == 0:
        counted = sorted((n for n in mine if not n.withdrawn_by(day) and years_before(
            day, years) < n.issued_on <= day), key=lambda n: n.issued_on)
        # By number and date, not school: the school that asked is told this, and is not
        # shown which other school a notice was issued through.
        issued = "; ".join(f"{n.number} on {say_day(n.issued_on)}" for n in counted)
        again = allowance.available_again_on
        return IssueDecision(
            False, False, "",
            f"No penalty notice can be issued to {carer.full_name} for {pupil.forename} "
            f"{pupil.surname}: {allowance.issued_in_window} were issued to them for this child "
            f"in the {years} years ending {say_day(day)} ({issued}), and the limit is "
            f"{profile.penalty_notice_limit}. Consider another tool instead: {OTHER_TOOL}."
            + (f" A notice could be issued again from {say_day(again)}." if again else ""),
            again, source)
    if allowance.issued_in_window:
        return IssueDecision(
            True, True, f"£{amounts['second']} if paid within {full} days",
            f"A second notice within {years} years: £{amounts['second']} within {full} days, "
            "with no reduced amount.", None, source)
    return IssueDecision(
        True, False,
        f"£{amounts['first_paid_within_21_days']} if paid within {reduced} days, "
        f"£{amounts['first_paid_within_28_days']} if paid within {full} days",
        f"A first notice in {years} years.", None, source)


def working_days_after(day: date, count: int) -> date:
    """The ``count``-th working day (Monday to Friday) after ``day``."""
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


@dataclass(frozen=True, slots=True)
class Periods:
    received: date  # day 1 of the periods to pay
    reduced_until: date | None  # the last day to pay the reduced amount (none for a second)
    full_until: date  # the last day to pay at all


def periods(notice: RegisteredNotice, profile: Profile) -> Periods:
    """The days to pay from the day the notice is received (by post: the second working day
    after posting); "21 days beginning with" that day (reg 4) counts it as the first."""
    after = profile.penalty_notice_received_after[notice.served_by.value]
    received = working_days_after(notice.sent_on, after)
    reduced, full = profile.penalty_notice_payment_days
    return Periods(received, None if notice.second else received + timedelta(days=reduced - 1),
                   received + timedelta(days=full - 1))


def amount_due(notice: RegisteredNotice, profile: Profile, day: date) -> Decimal | None:
    """What discharges the notice if paid on ``day``; None once the days to pay are over."""
    p = periods(notice, profile)
    key = ("second" if notice.second else "first_paid_within_21_days"
           if p.reduced_until is not None and day <= p.reduced_until
           else "first_paid_within_28_days")
    return None if day > p.full_until else Decimal(profile.penalty_amounts[key])


@dataclass(frozen=True, slots=True)
class Standing:
    state: NoticeState
    text: str  # in plain words, for the register and the officer's card
    due: Decimal | None  # what is due on the day, while unpaid and within the days to pay
    due_by: date | None
    periods: Periods


def paid(notice: RegisteredNotice, profile: Profile, day: date) -> Payment | None:
    """The payment that discharged the notice by ``day``: the first by which the payments so
    far reach the amount due on its day, within the days to pay."""
    total = Decimal(0)
    for payment in sorted(notice.payments, key=lambda p: p.paid_on):
        if payment.paid_on > day or notice.withdrawn_by(payment.paid_on):
            break
        total += payment.amount
        due = amount_due(notice, profile, payment.paid_on)
        if due is not None and total >= due:
            return Payment(payment.paid_on, due)
    return None


def standing(notice: RegisteredNotice, profile: Profile, day: date) -> Standing:
    """The notice on ``day``: it moves on by itself at the end of the 21 and 28 days."""
    p = periods(notice, profile)
    if notice.withdrawn_on is not None and notice.withdrawn_by(day):
        why = f": {notice.withdrawn_because}" if notice.withdrawn_because else ""
        return Standing(NoticeState.WITHDRAWN, f"Withdrawn on {say_day(notice.withdrawn_on)}"
                        f"{why}. It does not count towards the limit.", None, None, p)
    if settled := paid(notice, profile, day):
        reduced = (not notice.second and p.reduced_until is not None
                   and settled.paid_on <= p.reduced_until)
        state = NoticeState.PAID_REDUCED if reduced else NoticeState.PAID_FULL
        return Standing(state, f"Paid at {money(settled.amount)} on "
                        f"{say_day(settled.paid_on)}.", None, None, p)
    due = amount_due(notice, profile, day)
    if due is None:
        return Standing(
            NoticeState.UNPAID,
            f"Unpaid: the days to pay ended on {say_day(p.full_until)}. Consider prosecution "
            "for the absence under Education Act 1996 s444 (not for the unpaid penalty); if "
            "the LA does not prosecute, it withdraws the notice (regulation 9).", None, None, p)
    due_by = p.reduced_until if p.reduced_until and day <= p.reduced_until else p.full_until
    text = f"Issued: {money(due)} due by {say_day(due_by)}"
    if due_by != p.full_until:
        full = Decimal(profile.penalty_amounts["first_paid_within_28_days"])
        text += f", then {money(full)} by {say_day(p.full_until)}"
    return Standing(NoticeState.ISSUED, text + ".", due, due_by, p)


def money(amount: Decimal) -> str:
    """£80 or £80.50."""
    return f"£{amount:,.0f}" if amount == amount.to_integral_value() else f"£{amount:,.2f}"


# Where each fact is put right: the request's and the case's columns, as staff see them.
@dataclass(frozen=True, slots=True)
class PaymentColumns:
    number: str = "Notice number"  # the LA's payment file (CSV) columns, by heading
    amount: str = "Amount"
    paid_on: str = "Date paid"


def check_payment_row(row: int, values: Mapping[str, str],
                      register: Sequence[RegisteredNotice], profile: Profile,
                      columns: PaymentColumns = PaymentColumns()) -> list[Problem]:
    """The problems with one row of the payment file (``row`` as a spreadsheet numbers it);
    an empty list: the payment may be recorded (regulation 20: payments and their dates)."""
    source = f"{REGULATIONS}, regulations 4, 5 and 20"

    def at(column: str, message: str, code: str) -> Problem:
        return Problem(code, f"Row {row}, column '{column}': {message}",
                       f"row {row}, column '{column}'", source)

    number = values.get(columns.number, "").strip()
    paid_on = payment_date(values.get(columns.paid_on, ""))
    amount = payment_amount(values.get(columns.amount, ""))
    notice = next((n for n in register if n.number.strip().upper() == number.upper()), None)
    problems = [at(column, message, code) for failed, column, message, code in (
        (not number, columns.number, "no notice number. Give it as printed on the notice.",
         "no_number"),
        (paid_on is None, columns.paid_on, f"{values.get(columns.paid_on, '')!r} is not a "
         "date; give it as 2026-03-03 or 03/03/2026.", "bad_date"),
        (amount is None, columns.amount, f"{values.get(columns.amount, '')!r} is not an "
         "amount in pounds, such as 80 or 160.00.", "bad_amount"),
        (bool(number) and notice is None, columns.number, f"no notice {number} is on the "
         "register. Check the number against the notice, or record the notice first.",
         "unknown")) if failed]
    if problems or notice is None or paid_on is None or amount is None:
        return problems
    return [at(*p) for p in _payment(notice, paid_on, amount, profile, columns)]


def _payment(notice: RegisteredNotice, paid_on: date, amount: Decimal, profile: Profile,
             columns: PaymentColumns) -> list[tuple[str, str, str]]:
    n, when = notice.number, say_day(paid_on)
    if notice.withdrawn_on is not None and notice.withdrawn_on <= paid_on:
        return [(columns.paid_on, f"notice {n} was withdrawn on "
                 f"{say_day(notice.withdrawn_on)}, before this payment of {money(amount)} on "
                 f"{when}. Refund it rather than record it.", "withdrawn")]
    if earlier := paid(notice, profile, paid_on - timedelta(days=1)):
        return [(columns.number, f"notice {n} was already paid on {say_day(earlier.paid_on)}"
                 f". Check whether this row repeats that payment; refund it if not.",
                 "already_paid")]
    p, due = periods(notice, profile), amount_due(notice, profile, paid_on)
    if due is None:
        return [(columns.paid_on, f"{when} is after the days to pay notice {n} ended on "
                 f"{say_day(p.full_until)}; a late payment does not settle it. Refund it and "
                 "consider prosecution for the absence, or withdraw the notice.", "late")]
    if amount != due:
        why = (f"the {profile.penalty_notice_payment_days[0]} days for the reduced amount "
               f"ended on {say_day(p.reduced_until)}" if p.reduced_until and paid_on >
               p.reduced_until else "a second notice has no reduced amount" if notice.second
               else f"it was within the {profile.penalty_notice_payment_days[0]} days for the "
               "reduced amount")
        return [(columns.amount, f"{money(amount)} was paid for notice {n} on {when}, but "
                 f"{money(due)} was due that day ({why}). Check the amount; a part payment "
                 "does not settle the notice.", "wrong_amount")]
    return []


def payment_date(text: str) -> date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        with suppress(ValueError):
            return datetime.strptime(text.strip(), fmt).date()
    return None


def payment_amount(text: str) -> Decimal | None:
    with suppress(InvalidOperation):
        value = Decimal(re.sub(r"[£,\s]", "", text))
        return value if value.is_finite() and value > 0 else None
    return None

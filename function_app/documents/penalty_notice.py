"""Render the LA's penalty notice: one notice, to one parent, for one child (issue 19).

The facts come from the register (``domain.penalty_register``): the caller decides whether
a notice may be issued and whether it is a second (``decide_issue``), and the days to pay
from the day it is received (``periods``); ``payment_terms`` turns a registered notice and
the profile into the amounts and dates printed. The template, templates/penalty-notice.docx,
is built by templates/builder/penalty_notice.py, whose docstring sets out what the
Regulations require a notice to contain (SOURCE below) and where each is on the page.

Rendering is the renderer's: docxtpl's tags in a sandbox with autoescape, so a name typed
with & or < reads as typed; a missing value is an error, never a gap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from function_app.domain.penalty_register import (
    FRAMEWORK,
    REGULATIONS,
    RegisteredNotice,
    RequestReason,
    money,
    periods,
)
from function_app.domain.policy import Profile

from .catalogue import SHIPPED_TEMPLATES
from .formatting import long_date
from .logo import Logo
from .renderer import CompiledTemplate, DocumentProperties

TEMPLATE = SHIPPED_TEMPLATES / "penalty-notice.docx"
TITLE = "Penalty notice for failing to secure regular school attendance"
SOURCE = (f"{REGULATIONS} (SI 2007/1867 and SI 2024/210): regulation 3, what a notice "
          "contains; regulations 4 and 5, the amounts and the days to pay, beginning with "
          "the day the notice is received; regulations 8 and 9, withdrawal. Education Act "
          f"1996 s444(1) (the offence) and s444A (the notice). {FRAMEWORK}.")


@dataclass(frozen=True, slots=True)
class PaymentTerms:
    """The amounts and the last days to pay, as the register decides them: a first notice
    has a reduced amount and its last day; a second has neither."""
    received_on: date  # day 1 of the days to pay
    full_amount: Decimal
    full_by: date
    full_days: int
    reduced_amount: Decimal | None = None
    reduced_by: date | None = None
    reduced_days: int | None = None

    @property
    def second(self) -> bool:
        return self.reduced_amount is None


def payment_terms(notice: RegisteredNotice, profile: Profile) -> PaymentTerms:
    """The terms of a registered notice, from the profile's amounts and days (the register's
    ``periods``: counted from the day it is received)."""
    p, amounts = periods(notice, profile), profile.penalty_amounts
    reduced_days, full_days = profile.penalty_notice_payment_days
    if notice.second:
        return PaymentTerms(p.received, Decimal(amounts["second"]), p.full_until, full_days)
    return PaymentTerms(p.received, Decimal(amounts["first_paid_within_28_days"]),
                        p.full_until, full_days,
                        Decimal(amounts["first_paid_within_21_days"]), p.reduced_until,
                        reduced_days)


@dataclass(frozen=True, slots=True)
class PenaltyNoticeFacts:
    """Everything one notice says (regulation 3's heads, in the builder's docstring)."""
    number: str
    issued_on: date
    parent_name: str
    parent_address: Sequence[str]  # the postal address's lines, for the window
    child_name: str
    child_date_of_birth: date
    child_address: Sequence[str]
    school: str
    absence_from: date
    absence_to: date
    sessions_missed: int
    reason: RequestReason
    terms: PaymentTerms
    how_to_pay: str  # the LA's own words: the methods of payment and where to pay
    authority_name: str
    authority_address: Sequence[str]
    officer_name: str
    officer_role: str
    authority_phone: str = ""
    authority_email: str = ""
    school_address: Sequence[str] = ()

    def __post_init__(self) -> None:
        problems = [what for failed, what in (
            (not self.number.strip(), "the notice number"),
            (not self.parent_name.strip(), "the parent's name"),
            (not _lines(self.parent_address), "the parent's postal address"),
            (not self.child_name.strip(), "the child's name"),
            (not _lines(self.child_address), "the child's address"),
            (not self.school.strip(), "the school"),
            (not self.how_to_pay.strip(), "how to pay"),
            (not self.authority_name.strip(), "the authority's name"),
            (not _lines(self.authority_address), "the authority's address"),
            (not self.officer_name.strip(), "the issuing officer's name"),
            (not self.officer_role.strip(), "the issuing officer's role"),
            (self.absence_to < self.absence_from,
             "an absence period that ends after it begins"),
            (self.sessions_missed < 1, "the sessions missed"),
            (self.terms.received_on < self.issued_on,
             "a day of receipt on or after the date of issue"),
            ((self.terms.reduced_amount is None) != (self.terms.reduced_by is None)
             or (self.terms.reduced_by is None) != (self.terms.reduced_days is None),
             "a reduced amount with its last day and days, or none of them"),
        ) if failed]
        if problems:
            raise ValueError(f"penalty notice {self.number or '(no number)'} needs "
                             + "; ".join(problems))


def context(facts: PenaltyNoticeFacts, marking: str = "") -> dict[str, Any]:
    """What templates/penalty-notice.docx may use: text, lists and booleans only."""
    t = facts.terms
    parent_lines = _lines(facts.parent_address)
    authority = {"name": facts.authority_name,
                 "address_lines": _lines(facts.authority_address),
                 "address": ", ".join(_lines(facts.authority_address)),
                 "phone": facts.authority_phone.strip(),
                 "email": facts.authority_email.strip()}
    return {
        "marking": marking,
        "logo": None,
        "today": long_date(facts.issued_on),
        # The address block is the house style's, which names the recipient ``carer``.
        "carer": {"full_name": facts.parent_name, "address_lines": parent_lines,
                  "email": ""},
        "parent": {"full_name": facts.parent_name, "address": ", ".join(parent_lines)},
        "child": {"full_name": facts.child_name,
                  "date_of_birth": long_date(facts.child_date_of_birth),
                  "address": ", ".join(_lines(facts.child_address)),
                  "school": facts.school,
                  "school_address": ", ".join(_lines(facts.school_address))},
        "absence": {"first_day": long_date(facts.absence_from),
                    "last_day": long_date(facts.absence_to),
                    "sessions": facts.sessions_missed,
                    "holiday": facts.reason is RequestReason.TERM_TIME_HOLIDAY},
        "notice": {"number": facts.number, "issued_on": long_date(facts.issued_on),
                   "received_on": long_date(t.received_on), "second": t.second,
                   "full_amount": money(t.full_amount), "full_by": long_date(t.full_by),
                   "full_days": t.full_days,
                   "reduced_amount": money(t.reduced_amount) if t.reduced_amount else "",
                   "reduced_by": long_date(t.reduced_by),
                   "reduced_days": t.reduced_days or ""},
        "authority": authority,
        # For the renderer's logo description ("Logo of ..."): the issuer, not a school.
        "school": {"name": facts.authority_name},
        "officer": {"name": facts.officer_name, "role": facts.officer_role},
        "how_to_pay": facts.how_to_pay.strip(),
    }


def render_penalty_notice(facts: PenaltyNoticeFacts, *, marking: str = "",
                          logo: Logo | None = None, template: Path | None = None,
                          now: datetime | None = None) -> bytes:
    """The notice as a .docx: ``template`` is an LA's own copy of penalty-notice.docx, else
    the shipped one; ``now`` is when it was made (the document's properties)."""
    properties = DocumentProperties(title=TITLE, subject=facts.number,
                                    created=now or datetime.now(UTC),
                                    author=facts.authority_name)
    path = template or TEMPLATE
    compiled = _compiled(path, path.stat().st_mtime_ns)
    return compiled.render(context(facts, marking), properties, logo)


@cache
def _compiled(path: Path, modified: int) -> CompiledTemplate:
    """Compiled once per file and version: an LA's copy edited in Word is read again."""
    return CompiledTemplate(path, path.name)


def _lines(lines: Sequence[str]) -> list[str]:
    return [" ".join(line.split()) for line in lines if line.strip()]

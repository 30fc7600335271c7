"""The Penalty Notice Register list's items (``sharepoint_schema/la-site/
penalty-notice-register.json``) as the domain's ``RegisteredNotice``, and back.

One item a notice: its number in Title, the child and parent as the limit counts them
(``child_key``, ``parent_key``), the school, the dates it was issued and sent and how it was
served, whether it was a second notice, the payment (PaidOn, AmountPaid), the withdrawal
(WithdrawnOn, WithdrawnBecause) and where it stands (State, StateNote). The register holds
one payment a notice: the one that settled it (the Education (Penalty Notices) (England)
Regulations 2007, regulation 20: the LA records payments and their dates).

An item that cannot be read (no date it was sent, a served-by the domain does not know, a
paid-on date with no amount) is said by its notice number and the column to mend, and left
as it is: the register never moves a notice on from facts it could not read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from function_app.adapters.graph.errors import GraphError
from function_app.adapters.graph.records import ListInfo, ListItem
from function_app.domain.errors import CaseworkError
from function_app.domain.penalty_register import (
    NoticeState,
    Payment,
    RegisteredNotice,
    ServedBy,
    Standing,
)

from .register_columns import REGISTER

REGISTER_LIST = REGISTER  # the list's name (register_columns)
Query = tuple[str, str, Sequence[str]]  # (list id, column, values): GraphClient.read_items

# The State column's choices, as the LA's officers read them.
STATE_LABELS: dict[NoticeState, str] = {
    NoticeState.ISSUED: "Issued",
    NoticeState.PAID_REDUCED: "Paid within 21 days",
    NoticeState.PAID_FULL: "Paid within 28 days",
    NoticeState.UNPAID: "Unpaid: consider prosecution",
    NoticeState.WITHDRAWN: "Withdrawn",
}
PROSECUTION = "Prosecution"  # set by an officer: the register leaves the notice alone
SERVED_BY_LABELS: dict[ServedBy, str] = {
    ServedBy.POST: "Post", ServedBy.EMAIL: "Email", ServedBy.HAND: "Hand"}
_SERVED_BY = {label.casefold(): way for way, label in SERVED_BY_LABELS.items()}

# How the officers know each column (the schema's display names), for messages.
COLUMN_NAMES = {
    "Title": "Notice number", "Child": "Child", "Parent": "Parent", "School": "School",
    "IssuedOn": "Issued on", "ServedBy": "Served by", "SentOn": "Sent on",
    "Second": "Second within 3 years", "State": "State", "PaidOn": "Paid on",
    "AmountPaid": "Amount paid (£)", "WithdrawnOn": "Withdrawn on",
    "WithdrawnBecause": "Why withdrawn", "Prosecuted": "Prosecution started",
}


class RegisterMissing(CaseworkError):
    """The LA site has no Penalty Notice Register list."""


class RegisterGraph(Protocol):
    """What the register needs of Graph (GraphClient)."""

    async def lists(self) -> dict[str, ListInfo]: ...
    async def all_items(self, list_id: str) -> list[ListItem]: ...
    async def read_items(self, queries: Sequence[Query]) -> list[list[ListItem]]: ...
    async def update_fields_batch(self, list_id: str, updates: Mapping[str, dict[str, Any]]
                                  ) -> dict[str, dict[str, Any] | GraphError]: ...


@dataclass(frozen=True, slots=True)
class Entry:
    """One register item, read: the notice, and what the item says now."""

    item_id: str
    notice: RegisteredNotice
    state: str  # the State column's label, '' when empty
    note: str  # StateNote
    prosecuted: bool  # "Prosecution started" ticked, or State "Prosecution"
    item_url: str = ""  # the register item's own page (names no one)
    evidence_url: str = ""  # the LA's copy of the evidence the request carried, if any

    @property
    def payment(self) -> Payment | None:
        return self.notice.payments[0] if self.notice.payments else None


@dataclass(frozen=True, slots=True)
class Unreadable:
    item_id: str
    number: str
    message: str  # names the notice and the column to mend


async def register_list_id(graph: RegisterGraph) -> str:
    lists = await graph.lists()
    if REGISTER_LIST not in lists:
        raise RegisterMissing(
            f"The LA site has no {REGISTER_LIST!r} list. Provision the LA site's lists "
            "(casework tenant provision with the LA site) before recording payments.")
    return lists[REGISTER_LIST].id


def read_entry(item: ListItem) -> Entry | Unreadable:
    """The item as the domain's notice, or what stops it being read."""
    f = item.fields
    number = _text(f.get("Title"))
    problems: list[str] = []

    def problem(column: str, what: str) -> None:
        problems.append(f"'{COLUMN_NAMES[column]}' {what}")

    issued_on, sent_on = day_of(f.get("IssuedOn")), day_of(f.get("SentOn"))
    withdrawn_on, paid_on = day_of(f.get("WithdrawnOn")), day_of(f.get("PaidOn"))
    served = _SERVED_BY.get(_text(f.get("ServedBy")).casefold())
    amount = _amount(f.get("AmountPaid"))
    if not number:
        problem("Title", "is empty: give the number printed on the notice")
    if issued_on is None:
        problem("IssuedOn", f"is {_show(f.get('IssuedOn'))}, not a date")
    if sent_on is None:
        problem("SentOn", f"is {_show(f.get('SentOn'))}, not a date: the days to pay "
                "count from it")
    if served is None:
        problem("ServedBy", f"is {_show(f.get('ServedBy'))}: choose Post, Email or Hand")
    if f.get("WithdrawnOn") not in (None, "") and withdrawn_on is None:
        problem("WithdrawnOn", f"is {_show(f.get('WithdrawnOn'))}, not a date")
    if (paid_on is None) != (amount is None) or (
            f.get("PaidOn") not in (None, "") and paid_on is None):
        problem("PaidOn" if paid_on is None else "AmountPaid",
                "is missing or unreadable: give both the day paid and the amount, or "
                "neither")
    state = _text(f.get("State"))
    if state == STATE_LABELS[NoticeState.WITHDRAWN] and withdrawn_on is None:
        problem("WithdrawnOn", "is empty but State says Withdrawn: give the day it was "
                "withdrawn (regulation 9)")
    if problems or issued_on is None or sent_on is None or served is None:
        return Unreadable(item.id, number, f"Notice {number or f'in item {item.id}'}: "
                          + "; ".join(problems) + ". Left as it is.")
    payments = (Payment(paid_on, amount),) if paid_on is not None and amount else ()
    notice = RegisteredNotice(
        number=number, child=_text(f.get("Child")), parent=_text(f.get("Parent")),
        school=_text(f.get("School")), issued_on=issued_on, served_by=served,
        sent_on=sent_on, second=f.get("Second") is True, withdrawn_on=withdrawn_on,
        withdrawn_because=_text(f.get("WithdrawnBecause")), payments=payments)
    return Entry(item.id, notice, state, _text(f.get("StateNote")),
                 f.get("Prosecuted") is True or state == PROSECUTION, item.web_url,
                 link_in(f.get("Evidence")))


def link_in(text: object) -> str:
    """The address in an Evidence column ('what it holds' then its link), or ''."""
    last = str(text or "").strip().splitlines()[-1:] or [""]
    return last[0] if last[0].startswith(("https://", "http://")) else ""


def notice_fields(notice: RegisteredNotice, now: Standing, amount: str = "",
                  parent_name: str = "") -> dict[str, Any]:
    """A new register item's fields for ``notice`` standing as ``now``."""
    fields: dict[str, Any] = {
        "Title": notice.number, "Child": notice.child, "Parent": notice.parent,
        "School": notice.school, "IssuedOn": instant(notice.issued_on),
        "ServedBy": SERVED_BY_LABELS[notice.served_by], "SentOn": instant(notice.sent_on),
        "Second": notice.second, **state_fields(now)}
    if amount:
        fields["Amount"] = amount
    if parent_name:
        fields["ParentName"] = parent_name
    if notice.withdrawn_on is not None:
        fields |= {"WithdrawnOn": instant(notice.withdrawn_on),
                   "WithdrawnBecause": notice.withdrawn_because}
    if notice.payments:
        fields |= payment_fields(notice.payments[0])
    return fields


def state_fields(now: Standing) -> dict[str, Any]:
    return {"State": STATE_LABELS[now.state], "StateNote": now.text}


def payment_fields(payment: Payment) -> dict[str, Any]:
    return {"PaidOn": instant(payment.paid_on), "AmountPaid": float(payment.amount)}


def changed(entry: Entry, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The fields that differ from what the item holds (a write that changes nothing is
    not sent)."""
    held: dict[str, Any] = {"State": entry.state, "StateNote": entry.note}
    if entry.payment is not None:
        held |= payment_fields(entry.payment)
    return {k: v for k, v in fields.items() if held.get(k) != v}


def instant(day: date) -> str:
    """A dateOnly column's value: the day's midnight, as the dev tenant and Graph take it."""
    return f"{day.isoformat()}T00:00:00Z"


def day_of(raw: object) -> date | None:
    """The day a dateOnly value stands for: the nearest midnight (a British summer date
    arrives as 23:00 the day before, in UTC)."""
    text = raw.strip() if isinstance(raw, str) else ""
    try:
        if "T" not in text:
            return date.fromisoformat(text) if text else None
        return (datetime.fromisoformat(text.replace("Z", "+00:00"))
                + timedelta(hours=12)).date()
    except ValueError:
        return None


def _amount(raw: object) -> Decimal | None:
    if raw is None or raw == "" or isinstance(raw, bool):
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        return None
    return value.quantize(Decimal("0.01")) if value.is_finite() and value > 0 else None


def _text(raw: object) -> str:
    return raw.strip() if isinstance(raw, str) else ""


def _show(value: object) -> str:
    if value is None or value == "":
        return "empty"
    text = f'"{value}"' if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def case_folder(school: str, case_ref: str) -> str:
    """Where a case's notices and the evidence its requests carried are filed in the LA's
    Penalty Notices library: one folder per school, one per case (names no pupil)."""
    return f"{school}/{case_ref or 'no case'}"

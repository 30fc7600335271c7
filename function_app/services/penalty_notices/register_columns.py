"""The LA site's penalty notice lists, as the app reads them (sharepoint_schema/la-site/:
penalty-notice-requests.json, penalty-notice-register.json)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from function_app.adapters.graph.records import ListItem
from function_app.domain.penalty_register import Payment, RegisteredNotice, ServedBy

REQUESTS = "Penalty Notice Requests"
REGISTER = "Penalty Notice Register"
# The Decision column's choices: the officer's, and the request's state before it.
WAITING, ISSUE, REFUSE, ASK_FOR_MORE = ("Waiting for a decision", "Issue", "Refuse",
                                        "Ask for more")
OPEN_DECISIONS = (WAITING, ASK_FOR_MORE)  # a request the LA has not finished with
SERVED_BY = {"Post": ServedBy.POST, "Email": ServedBy.EMAIL, "Hand": ServedBy.HAND}


def notice_from_item(item: ListItem) -> RegisteredNotice:
    """A register item as the domain's notice (what the limit and the clock count)."""
    f = item.fields
    issued = _date(f.get("IssuedOn")) or date.min
    paid_on, amount = _date(f.get("PaidOn")), f.get("AmountPaid")
    payments: tuple[Payment, ...] = ()
    if paid_on is not None and isinstance(amount, int | float):
        payments = (Payment(paid_on, Decimal(str(amount))),)
    return RegisteredNotice(
        number=str(f.get("Title") or ""), child=str(f.get("Child") or ""),
        parent=str(f.get("Parent") or ""), school=str(f.get("School") or ""),
        issued_on=issued, served_by=SERVED_BY.get(str(f.get("ServedBy") or ""), ServedBy.POST),
        sent_on=_date(f.get("SentOn")) or issued, second=f.get("Second") is True,
        withdrawn_on=_date(f.get("WithdrawnOn")),
        withdrawn_because=str(f.get("WithdrawnBecause") or ""), payments=payments)


def _date(raw: Any) -> date | None:
    try:
        return date.fromisoformat(str(raw or "")[:10])
    except ValueError:
        return None

"""What the register says of a request before the officer decides (issue 19, point 2).

The school's check does not count the limit of notices (a school is not shown notices
issued through another); the LA's run does, when the officer chooses Issue. So that the
officer decides knowing it, each new request waiting for a decision gets its "On the
register" column: for each parent named, a first notice (£80 within 21 days, £160 within
28), a second within 3 years (£160, no reduction), or none at the limit, naming the tool to
consider instead (``penalty_register.decide_issue``, the 2024 amendment regulations and the
DfE framework). Counted on the day it is written, which it says; the decision itself counts
again on the day of issue.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from function_app.domain.model import Pupil
from function_app.domain.penalty_register import decide_issue
from function_app.domain.policy import Profile
from function_app.domain.wording import day as say_day

from .register_items import Entry, Unreadable
from .request_parents import Parent

COLUMN = "RegisterCheck"  # the Requests list's "On the register"


def register_view(pupil: Pupil, parents: Sequence[Parent],
                  entries: Sequence[Entry | Unreadable], profile: Profile, today: date) -> str:
    """The column's text: one line per parent, after the day it was counted."""
    unreadable = [e for e in entries if isinstance(e, Unreadable)]
    if unreadable:
        return (f"On {say_day(today)} the register has a notice for this child it cannot "
                "read, so the limit cannot be counted: "
                + "; ".join(e.message for e in unreadable)
                + " Mend it before choosing Issue.")
    notices = [e.notice for e in entries if isinstance(e, Entry)]
    if not parents:
        return "The request names no parent: a notice goes to a parent named on it."
    lines = [f"If you choose Issue, as the register stands on {say_day(today)} (notices for "
             "this child at every school):"]
    years = profile.penalty_notice_rolling_years
    for n, parent in enumerate(parents, start=1):
        decided = decide_issue(pupil, parent.carer(n), notices, profile, today)
        if not decided.allowed:
            lines.append(f"- {decided.message}")
        elif decided.second:
            lines.append(f"- {parent.name}: a second notice within {years} years, "
                         f"{decided.amount}.")
        else:
            lines.append(f"- {parent.name}: a first notice, {decided.amount}.")
    return "\n".join(lines)

"""`casework report penalty-notices`: the LA's penalty notice figures per term and school,
as a workbook a person reads and a CSV for the DfE's return (issue 19, point 5).

Pure functions over plain rows (the ``fields`` of the LA site's Penalty Notice Requests and
Penalty Notice Register items, as Graph gives them), and ``read_rows``, a thin reader.

Each notice is counted in the term it was issued in, and its outcome is where it stands on
the report's day, worked out by the domain (``paid`` and ``periods`` of
function_app.domain.penalty_register) from the dates and amounts on the register; the
register's own State column is shown beside it, and a difference is flagged to check.
Requests are counted in the term they were made in. Terms: autumn from 1 August (the school
year's start, as ``school_year_start`` counts it) to 31 December, spring from 1 January to
Easter Sunday, summer from Easter Monday to 31 July. The DfE CSV's field list is our reading
of DfE's published statistics (docs/penalty-notices.md says which page, and why).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from function_app.domain.attendance import school_year_start
from function_app.domain.penalty_register import (
    NoticeState,
    Payment,
    RegisteredNotice,
    RequestReason,
    ServedBy,
    paid,
    periods,
    standing,
)
from function_app.domain.policy import Profile
from function_app.domain.wording import day as say_day
from function_app.services.penalty_notices.register_columns import REGISTER, REQUESTS
from function_app.services.penalty_notices.register_items import STATE_LABELS

REQUESTS_LIST, REGISTER_LIST = REQUESTS, REGISTER  # register_columns
REASON_NAMES = {RequestReason.TERM_TIME_HOLIDAY: "Term-time holiday",
                RequestReason.OTHER: "Other unauthorised absence"}
NO_SCHOOL = "(no school recorded)"


# -- terms ---------------------------------------------------------------------------


def easter_sunday(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    return date(year, month, (h + l_ - 7 * m + 114) % 31 + 1)


@dataclass(frozen=True, slots=True, order=True)
class Term:
    start_year: int  # the school year 2025 to 2026 starts in 2025
    number: int  # 1 autumn, 2 spring, 3 summer

    @property
    def name(self) -> str:
        season = ("Autumn", "Spring", "Summer")[self.number - 1]
        return f"{season} {self.start_year if self.number == 1 else self.start_year + 1}"

    @property
    def school_year(self) -> str:
        return f"{self.start_year} to {self.start_year + 1}"


def term_of(day: date) -> Term:
    """The term a day falls in: autumn 1 August to 31 December, spring 1 January to Easter
    Sunday, summer from Easter Monday to 31 July."""
    start = school_year_start(day).year
    if day.month >= 8:
        return Term(start, 1)
    return Term(start, 2 if day <= easter_sunday(day.year) else 3)


# -- rows ----------------------------------------------------------------------------


def _date(value: Any) -> date | None:
    """A Graph dateOnly value ("2026-03-03T00:00:00Z") or an ISO date; None if empty."""
    if isinstance(value, date):
        return value
    text = str(value or "").strip()[:10]
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _reason(value: Any) -> RequestReason:
    return (RequestReason.TERM_TIME_HOLIDAY if str(value or "").strip().lower()
            == "term-time holiday" else RequestReason.OTHER)


def _school(value: Any) -> str:
    return str(value or "").strip() or NO_SCHOOL


# What each notice's outcome is called, in the workbook and here.
PAID_21, PAID_28 = "Paid within 21 days", "Paid in 22 to 28 days"
WITHDRAWN, PROSECUTED = "Withdrawn", "Prosecuted"
UNPAID, OPEN = "Unpaid, not (yet) prosecuted", "Still within the days to pay"
# The register's State for each of the domain's states (a second notice paid within 21
# days is "Paid within 28 days" there: it was paid at the full amount).
REGISTER_SAYS = STATE_LABELS


@dataclass(frozen=True, slots=True)
class NoticeOutcome:
    number: str
    school: str
    reason: RequestReason
    term: Term
    issued_on: date
    second: bool
    outcome: str  # one of PAID_21 ... OPEN
    register_state: str  # the register's State column, as it is
    expected_state: str  # what State would say, from the dates and amounts

    @property
    def differs(self) -> bool:
        """The register's State says something else (it may not have moved on yet, or a
        payment or withdrawal was recorded in State without its date or amount)."""
        return bool(self.register_state) and self.register_state != self.expected_state


def notice_outcome(row: Mapping[str, Any], profile: Profile, today: date) -> NoticeOutcome | None:
    """One register row on ``today``; None when it has no issue date to place it in a term."""
    issued_on = _date(row.get("IssuedOn"))
    if issued_on is None:
        return None
    paid_on, amount = _date(row.get("PaidOn")), row.get("AmountPaid")
    payments: tuple[Payment, ...] = ()
    if paid_on is not None and amount not in (None, ""):
        try:
            payments = (Payment(paid_on, Decimal(str(amount))),)
        except InvalidOperation:
            payments = ()
    served = str(row.get("ServedBy") or "Post").strip().lower()
    notice = RegisteredNotice(
        number=str(row.get("Title") or ""), child="", parent="", school=_school(row.get("School")),
        issued_on=issued_on,
        served_by=ServedBy(served) if served in ServedBy._value2member_map_ else ServedBy.POST,
        sent_on=_date(row.get("SentOn")) or issued_on, second=bool(row.get("Second")),
        withdrawn_on=_date(row.get("WithdrawnOn")), payments=payments)
    state = standing(notice, profile, today).state
    register_state = str(row.get("State") or "")
    prosecuted = bool(row.get("Prosecuted")) or register_state == "Prosecution"
    if state is NoticeState.WITHDRAWN:
        outcome = WITHDRAWN
    elif state in (NoticeState.PAID_REDUCED, NoticeState.PAID_FULL):
        settled = paid(notice, profile, today)
        reduced_days = profile.penalty_notice_payment_days[0]
        by_21 = periods(notice, profile).received + timedelta(days=reduced_days - 1)
        outcome = PAID_21 if settled is not None and settled.paid_on <= by_21 else PAID_28
    elif prosecuted:
        outcome = PROSECUTED
    else:
        outcome = UNPAID if state is NoticeState.UNPAID else OPEN
    expected = "Prosecution" if outcome == PROSECUTED else REGISTER_SAYS[state]
    return NoticeOutcome(notice.number, notice.school, _reason(row.get("Reason")),
                         term_of(issued_on), issued_on, notice.second, outcome, register_state,
                         expected)


# -- figures -------------------------------------------------------------------------


@dataclass
class Figures:
    """One line of the report: requests made and notices issued in a term (and their
    outcomes on the report's day). The headings are the workbook's."""
    requested: int = 0
    refused: int = 0
    waiting: int = 0
    asked_for_more: int = 0
    issued: int = 0
    second: int = 0
    paid_21: int = 0
    paid_22_28: int = 0
    withdrawn: int = 0
    unpaid: int = 0
    prosecuted: int = 0
    open: int = 0

    def add(self, other: Figures) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


HEADINGS = {"requested": "Requests made", "refused": "Requests refused",
            "waiting": "Requests waiting for a decision",
            "asked_for_more": "Requests: more asked for", "issued": "Notices issued",
            "second": "Of which second notices", "paid_21": PAID_21,
            "paid_22_28": PAID_28, "withdrawn": WITHDRAWN, "unpaid": UNPAID,
            "prosecuted": PROSECUTED, "open": OPEN}
_OUTCOME_FIELD = {PAID_21: "paid_21", PAID_28: "paid_22_28", WITHDRAWN: "withdrawn",
                  UNPAID: "unpaid", PROSECUTED: "prosecuted", OPEN: "open"}
_DECISION_FIELD = {"Refuse": "refused", "Ask for more": "asked_for_more",
                   "Waiting for a decision": "waiting", "": "waiting"}

Key = tuple[Term, str, RequestReason]  # term, school, reason


@dataclass
class Report:
    today: date
    lines: dict[Key, Figures] = field(default_factory=dict)
    notices: list[NoticeOutcome] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # rows without a date, say which

    def line(self, key: Key) -> Figures:
        return self.lines.setdefault(key, Figures())

    def total(self, keep: Any = lambda key: True) -> Figures:
        out = Figures()
        for key, figures in self.lines.items():
            if keep(key):
                out.add(figures)
        return out

    @property
    def terms(self) -> list[Term]:
        return sorted({key[0] for key in self.lines})

    @property
    def to_check(self) -> list[NoticeOutcome]:
        return [n for n in self.notices if n.differs]


def build_report(requests: Iterable[Mapping[str, Any]], register: Iterable[Mapping[str, Any]],
                 profile: Profile, today: date) -> Report:
    """The figures per term, school and reason from the two lists' rows."""
    report = Report(today)
    for row in requests:
        made = _date(row.get("RequestedOn")) or _date(row.get("Created"))
        if made is None:
            report.left_out.append(f"Request {row.get('Title') or '(no number)'}: no date "
                                   "it was made, so no term to count it in.")
            continue
        figures = report.line((term_of(made), _school(row.get("School")),
                               _reason(row.get("Reason"))))
        figures.requested += 1
        decision = _DECISION_FIELD.get(str(row.get("Decision") or ""))
        if decision:
            setattr(figures, decision, getattr(figures, decision) + 1)
    for row in register:
        notice = notice_outcome(row, profile, today)
        if notice is None:
            report.left_out.append(f"Notice {row.get('Title') or '(no number)'}: no date of "
                                   "issue, so no term to count it in.")
            continue
        report.notices.append(notice)
        figures = report.line((notice.term, notice.school, notice.reason))
        figures.issued += 1
        figures.second += notice.second
        name = _OUTCOME_FIELD[notice.outcome]
        setattr(figures, name, getattr(figures, name) + 1)
    report.notices.sort(key=lambda n: (n.issued_on, n.number))
    return report


# -- the DfE return ------------------------------------------------------------------

# Our reading: the penalty-notice variables of DfE's published "Parental responsibility
# measures" statistics (explore-education-statistics.service.gov.uk), which are built from
# the LA returns. DfE's own specification of the LA return was not found; see the docs.
DFE_FIELDS = ("time_period", "time_identifier", "geographic_level", "new_la_code", "la_name",
              "pn_issued", "reason_pn_hols", "reason_pn_late", "reason_pn_other", "pn_paid",
              "pn_paid_21", "pn_paid_22_28", "pn_withdrawn", "pn_prosecuted_non_payment",
              "pn_unresolved")
UNAVAILABLE = "x"  # DfE's convention in those statistics for a figure not available

DFE_NOTE = """\
Penalty notices: the figures for the DfE's return ({made})

What this is. {csv_name} holds one line for each school year of notices on the register,
for the whole local authority. Its columns are our reading of what DfE collects: the
penalty notice variables of DfE's published statistics "Parental responsibility measures"
(explore-education-statistics.service.gov.uk; the column names as in that data set's
2018/19 data guidance), which DfE builds from local authorities' returns. We could not
find DfE's own specification of the return (its field list and codes), so check the
headings against the collection's current guidance before you copy the figures in.

How each figure is counted (notices issued in the school year, 1 August to 31 July, and
where each stood on {made}):
  pn_issued                  notices issued
  reason_pn_hols             of which for a term-time holiday
  reason_pn_late             x: the register does not record lateness apart from other
                             unauthorised absence; those notices are in reason_pn_other
  reason_pn_other            of which for other unauthorised absence
  pn_paid                    paid within 28 days of receipt (pn_paid_21 + pn_paid_22_28)
  pn_paid_21                 paid within 21 days of receipt (a second notice, at the full
                             amount, is counted here too if paid within 21 days)
  pn_paid_22_28              paid in the 22nd to 28th day
  pn_withdrawn               withdrawn
  pn_prosecuted_non_payment  unpaid, and the register says a prosecution was started
  pn_unresolved              neither paid, withdrawn nor prosecuted yet: still within the
                             days to pay, or unpaid and waiting for the LA's decision
  new_la_code, la_name       as given with --la-code and --la-name (empty if not given)
DfE also publishes the reasons notices were withdrawn; the register keeps those in words
(Why withdrawn), so they are not counted here.
"""


def dfe_rows(report: Report, la_code: str = "", la_name: str = "") -> list[dict[str, str]]:
    """One row per school year, in DFE_FIELDS order."""
    years = sorted({n.term.start_year for n in report.notices})
    rows = []
    for year in years:
        mine = [n for n in report.notices if n.term.start_year == year]
        outcomes = Counter(n.outcome for n in mine)
        count = outcomes.__getitem__
        holiday = sum(n.reason is RequestReason.TERM_TIME_HOLIDAY for n in mine)
        values: list[object] = [
            f"{year}{(year + 1) % 100:02d}", "Academic year", "Local authority", la_code,
            la_name, len(mine), holiday, UNAVAILABLE, len(mine) - holiday,
            count(PAID_21) + count(PAID_28), count(PAID_21), count(PAID_28),
            count(WITHDRAWN), count(PROSECUTED), count(UNPAID) + count(OPEN)]
        rows.append(dict(zip(DFE_FIELDS, map(str, values), strict=True)))
    return rows


def dfe_csv(report: Report, la_code: str = "", la_name: str = "") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, DFE_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(dfe_rows(report, la_code, la_name))
    return out.getvalue().encode("utf-8")


def dfe_note(report: Report, csv_name: str) -> bytes:
    return DFE_NOTE.format(made=say_day(report.today), csv_name=csv_name).encode("utf-8")


# -- reading the lists ---------------------------------------------------------------


class ListsReader(Protocol):
    async def lists(self) -> Mapping[str, Any]: ...

    async def all_items(self, list_id: str) -> Sequence[Any]: ...


class ListMissing(LookupError):
    pass


async def read_rows(graph: ListsReader) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The requests' and the register's rows (each item's fields) from the LA site."""
    found = await graph.lists()
    missing = [name for name in (REQUESTS_LIST, REGISTER_LIST) if name not in found]
    if missing:
        raise ListMissing(" and ".join(missing))
    requests = await graph.all_items(found[REQUESTS_LIST].id)
    register = await graph.all_items(found[REGISTER_LIST].id)
    return ([dict(i.fields) for i in requests if not getattr(i, "deleted", False)],
            [dict(i.fields) for i in register if not getattr(i, "deleted", False)])


def summary_lines(report: Report) -> list[str]:
    """What the command prints: the terms' totals in plain words."""
    lines = []
    for term in report.terms:
        t = report.total(lambda key, term=term: key[0] == term)
        lines.append(f"  {term.name}: {t.requested} requested, {t.issued} issued, "
                     f"{t.paid_21 + t.paid_22_28} paid, {t.withdrawn} withdrawn, "
                     f"{t.prosecuted} prosecuted, {t.unpaid} unpaid, {t.open} still to pay")
    return lines


# -- the workbook --------------------------------------------------------------------


def workbook(report: Report) -> bytes:
    """The figures as a person reads them: by term, by term and school, the notices, and
    what the figures mean."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    bold = Font(bold=True)
    heads = list(HEADINGS.values())

    def table(sheet: Any, first: list[str], rows: list[tuple[list[str], Figures]],
              total: Figures) -> None:
        sheet.append(first + heads)
        for cell in sheet[sheet.max_row]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for labels, figures in rows:
            sheet.append(labels + [getattr(figures, f) for f in HEADINGS])
        sheet.append(["Total"] + [""] * (len(first) - 1) + [getattr(total, f) for f in HEADINGS])
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        sheet.freeze_panes = sheet.cell(row=2, column=len(first) + 1)
        for i in range(1, len(first) + len(heads) + 1):
            letter = sheet.cell(row=1, column=i).column_letter
            sheet.column_dimensions[letter].width = 28 if i <= len(first) else 14

    terms = book.active
    terms.title = "By term"
    table(terms, ["Term", "Reason"],
          [([term.name, REASON_NAMES[reason]],
            report.total(lambda k, t=term, r=reason: k[0] == t and k[2] == r))
           for term in report.terms for reason in RequestReason
           if any(k[0] == term and k[2] == reason for k in report.lines)],
          report.total())
    schools = book.create_sheet("By term and school")
    table(schools, ["Term", "School", "Reason"],
          [([k[0].name, k[1], REASON_NAMES[k[2]]], report.lines[k])
           for k in sorted(report.lines, key=lambda k: (k[0], k[1].casefold(), k[2].value))],
          report.total())
    notices = book.create_sheet("Notices")
    notices.append(["Notice number", "School", "Term", "Reason", "Issued on", "Second notice",
                    "Where it stands", "The register's State", "To check"])
    for cell in notices[1]:
        cell.font = bold
    for n in report.notices:
        notices.append([n.number, n.school, n.term.name, REASON_NAMES[n.reason],
                        say_day(n.issued_on), "Yes" if n.second else "No", n.outcome,
                        n.register_state, "The State differs: check the dates and amount "
                        "paid on the register" if n.differs else ""])
    notices.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHI", (16, 28, 14, 26, 18, 10, 28, 28, 40), strict=True):
        notices.column_dimensions[letter].width = width
    about = book.create_sheet("About these figures")
    about.column_dimensions["A"].width = 110
    for line in about_lines(report):
        about.append([line])
        about.cell(row=about.max_row, column=1).alignment = Alignment(wrap_text=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def about_lines(report: Report) -> list[str]:
    lines = [
        f"Penalty notice figures, made on {say_day(report.today)} from the LA site's "
        f"{REQUESTS_LIST} and {REGISTER_LIST} lists.",
        "Requests are counted in the term they were made in; notices in the term they were "
        "issued in, with where each stood on the day these figures were made.",
        "Terms: autumn 1 August to 31 December, spring 1 January to Easter Sunday, summer "
        "Easter Monday to 31 July.",
        "Paid within 21 days: paid in full within 21 days of the day the notice was received "
        "(by post, the second working day after posting). Paid in 22 to 28 days: paid in full "
        "after that but within 28 days. A payment after 28 days does not settle a notice.",
        "Unpaid, not (yet) prosecuted: the 28 days are over and the register does not say a "
        "prosecution was started; the LA either prosecutes for the absence or withdraws the "
        "notice.",
        "Requests waiting for a decision include those with no decision recorded.",
    ]
    if report.to_check:
        lines.append("Notices whose State on the register differs from where the dates and "
                     f"amounts paid put them: {len(report.to_check)}. The Notices sheet marks "
                     "them; check the dates and amounts on the register.")
    lines += [f"Not counted: {why}" for why in report.left_out]
    return lines

"""The LA's payment file (CSV) recorded on the Penalty Notice Register (issue 19 point 4):
``casework import payments FILE.csv``.

Each row is checked by the domain (``penalty_register.check_payment_row``: an unknown notice
number, an unreadable date or amount, a payment after the notice was withdrawn or after the
days to pay, an amount that is not the one due that day); a row with a problem is said by its
row and column and nothing is written for it, and the other rows go on. A good row writes the
notice's PaidOn, AmountPaid, State and StateNote (the Education (Penalty Notices) (England)
Regulations 2007, regulation 20: the LA records payments and their dates).

Exactly once: a row whose payment the register already holds (the same day and amount) is
said as already recorded and not written again, so importing the same file twice changes
nothing; a row for a notice that already holds another payment is a problem, not an
overwrite. Rows of one file are taken in order, so a payment repeated in the file is
recorded once.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from function_app.adapters.graph.errors import GraphError
from function_app.domain.errors import CaseworkError
from function_app.domain.penalty_register import (
    REGULATIONS,
    Payment,
    PaymentColumns,
    Problem,
    check_payment_row,
    money,
    payment_amount,
    payment_date,
    standing,
)
from function_app.domain.policy import Profile
from function_app.domain.wording import counted
from function_app.domain.wording import day as say_day

from .register_items import (
    PROSECUTION,
    STATE_LABELS,
    Entry,
    RegisterGraph,
    Unreadable,
    changed,
    payment_fields,
    read_entry,
    register_list_id,
    state_fields,
)

SOURCE = f"{REGULATIONS}, regulations 4, 5 and 20"
COLUMNS = PaymentColumns()  # the LA's payment file's headings


class PaymentFileError(CaseworkError):
    """The payment file cannot be read at all: missing, not a CSV, or without a column."""


@dataclass(frozen=True, slots=True)
class Recorded:
    row: int
    number: str
    school: str
    paid_on: date
    amount: str  # £80
    state: str  # the State label written (or held)
    item_id: str = ""


@dataclass
class PaymentsReport:
    source: str
    today: date
    dry_run: bool
    rows: int = 0
    recorded: list[Recorded] = field(default_factory=list)  # written (or, dry, would be)
    already: list[Recorded] = field(default_factory=list)  # the register holds it already
    problems: list[Problem] = field(default_factory=list)  # rows not recorded, and why
    failed: list[tuple[Recorded, str]] = field(default_factory=list)  # Graph refused

    @property
    def rows_with_problems(self) -> int:
        return len({p.where.split(",")[0] for p in self.problems})

    def to_text(self) -> str:
        """What was done, in plain British English."""
        verb = "Would record" if self.dry_run else "Recorded"
        lines = [f"Read {self.source}: {counted(self.rows, 'payment row')}."]
        if self.recorded:
            lines.append(f"{verb} {counted(len(self.recorded), 'payment')}:")
            lines += [f"  Row {r.row}: {r.number} ({r.school or 'no school'}), {r.amount} "
                      f"paid on {say_day(r.paid_on)}: now {r.state}." for r in self.recorded]
        if self.already:
            lines.append(f"Already on the register, not written again "
                         f"({counted(len(self.already), 'payment')}):")
            lines += [f"  Row {r.row}: {r.number}, {r.amount} paid on {say_day(r.paid_on)}."
                      for r in self.already]
        if self.problems:
            rows = self.rows_with_problems
            lines.append(f"Not recorded, {counted(rows, 'row')} with a problem "
                         "(nothing was written for them):")
            lines += [f"  {p.message}" for p in self.problems]
        lines += [f"  NOT written: row {r.row}, {r.number}: {why}" for r, why in self.failed]
        done = len(self.recorded) - len(self.failed)
        bad = self.rows_with_problems
        lines.append(
            f"{'Dry run: nothing was written. ' if self.dry_run else ''}"
            f"{verb} {done}, already recorded {len(self.already)}, with a problem {bad}"
            f"{f', not written {len(self.failed)}' if self.failed else ''}.")
        return "\n".join(lines) + "\n"


def read_payment_file(path: Path, columns: PaymentColumns = COLUMNS
                      ) -> list[tuple[int, dict[str, str]]]:
    """Each row with a value (numbered as a spreadsheet numbers it: the headings are row 1),
    its cells by the columns' headings. UTF-8 (with or without a byte order mark), else
    Windows-1252 as Excel saves a CSV with a £ in it."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PaymentFileError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    records = list(csv.reader(io.StringIO(text, newline="")))
    if not records:
        raise PaymentFileError(f"{path}: the file is empty; expected a heading row with "
                               f"the columns {_wanted(columns)}.")
    headings = [h.strip() for h in records[0]]
    by_name = {h.casefold(): n for n, h in enumerate(headings) if h}
    wanted = (columns.number, columns.amount, columns.paid_on)
    missing = [c for c in wanted if c.casefold() not in by_name]
    if missing:
        raise PaymentFileError(
            f"{path}, row 1: no column {' or '.join(repr(m) for m in missing)}. The "
            f"headings read were {', '.join(repr(h) for h in headings) or 'none'}; the "
            f"payment file needs the columns {_wanted(columns)}.")
    rows: list[tuple[int, dict[str, str]]] = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        rows.append((number, {c: _cell(record, by_name[c.casefold()]) for c in wanted}))
    return rows


async def import_payments(graph: RegisterGraph, path: Path, profile: Profile, today: date,
                          *, dry_run: bool = False,
                          columns: PaymentColumns = COLUMNS) -> PaymentsReport:
    """Record the file's payments on the register (or, ``dry_run``, say what would be)."""
    rows = read_payment_file(path, columns)
    list_id = await register_list_id(graph)
    numbers = {v[columns.number].strip() for _, v in rows if v[columns.number].strip()}
    asked = sorted(numbers | {n.upper() for n in numbers})
    items = (await graph.read_items([(list_id, "Title", asked)]))[0] if asked else []
    entries: dict[str, Entry] = {}
    unreadable: dict[str, Unreadable] = {}
    for item in items:
        read = read_entry(item)
        if isinstance(read, Entry):
            entries[read.notice.number.strip().upper()] = read
        elif read.number:
            unreadable[read.number.strip().upper()] = read
    report = PaymentsReport(path.name, today, dry_run, rows=len(rows))
    updates: dict[str, dict[str, object]] = {}
    for row, values in rows:
        key = values[columns.number].strip().upper()
        if key in unreadable and key not in entries:
            report.problems.append(_problem(row, columns.number, (
                f"the register's item for notice {unreadable[key].number} cannot be read: "
                f"{unreadable[key].message} Mend it, then import this row again."), "item"))
            continue
        entry = entries.get(key)
        outcome = _one_row(row, values, entry, list(entries.values()), profile, today,
                           columns)
        if isinstance(outcome, list):
            report.problems += outcome
            continue
        assert entry is not None
        recorded, fields, after = outcome
        if not fields:
            report.already.append(recorded)
            continue
        entries[key] = after
        updates.setdefault(entry.item_id, {}).update(fields)
        report.recorded.append(recorded)
    if updates and not dry_run:
        results = await graph.update_fields_batch(list_id, updates)
        for r in report.recorded:
            answer = results.get(r.item_id)
            if isinstance(answer, GraphError) or answer is None:
                report.failed.append((r, str(answer or "no answer from Graph")))
    return report


def _one_row(row: int, values: dict[str, str], entry: Entry | None, register: list[Entry],
             profile: Profile, today: date, columns: PaymentColumns
             ) -> list[Problem] | tuple[Recorded, dict[str, object], Entry]:
    """The row's problems; or what to record, the fields to write (none: already
    recorded) and the entry as it will then be."""
    paid_on = payment_date(values[columns.paid_on])
    amount = payment_amount(values[columns.amount])
    if entry is not None and paid_on is not None and amount is not None and (
            entry.payment is not None and entry.payment.paid_on == paid_on
            and entry.payment.amount == amount):
        return (Recorded(row, entry.notice.number, entry.notice.school, paid_on,
                         money(amount), entry.state, entry.item_id), {}, entry)
    problems = check_payment_row(row, values, [e.notice for e in register], profile, columns)
    if problems:
        return problems
    assert entry is not None and paid_on is not None and amount is not None
    notice = entry.notice
    if paid_on > today:
        return [_problem(row, columns.paid_on, (
            f"{say_day(paid_on)} is after today ({say_day(today)}); a payment file lists "
            "payments already received. Check the date."), "future")]
    if entry.payment is not None:
        held = entry.payment
        return [_problem(row, columns.paid_on, (
            f"notice {notice.number} already has a payment recorded: {money(held.amount)} "
            f"on {say_day(held.paid_on)}. The register keeps the payment that settled the "
            "notice; check whether this row repeats it, and refund it if not."),
            "already_recorded")]
    paid = replace(notice, payments=(Payment(paid_on, amount),))
    now = standing(paid, profile, today)
    fields: dict[str, object] = payment_fields(paid.payments[0])
    if not entry.prosecuted:  # a notice taken to prosecution keeps its State
        fields |= state_fields(now)
    after = replace(entry, notice=paid, state=str(fields.get("State", entry.state)),
                    note=str(fields.get("StateNote", entry.note)))
    label = STATE_LABELS[now.state] if not entry.prosecuted else (entry.state or PROSECUTION)
    return (Recorded(row, notice.number, notice.school, paid_on, money(amount), label,
                     entry.item_id), changed(entry, fields), after)


def _problem(row: int, column: str, message: str, code: str) -> Problem:
    return Problem(code, f"Row {row}, column '{column}': {message}",
                   f"row {row}, column '{column}'", SOURCE)


def _wanted(columns: PaymentColumns) -> str:
    return ", ".join(repr(c) for c in (columns.number, columns.amount, columns.paid_on))


def _cell(record: list[str], index: int) -> str:
    return record[index].strip() if index < len(record) else ""

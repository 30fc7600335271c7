"""`casework report penalty-notices`: the LA's figures per term and school from the lists'
rows, the workbook a person reads, and the CSV for the DfE's return (issue 19, point 5)."""

from __future__ import annotations

import csv
import io
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from function_app.adapters.libreoffice import soffice
from function_app.domain import DEFAULT_PROFILE, load_profile
from function_app.domain.penalty_register import RequestReason
from function_app.services.penalty_notices.report import (
    DFE_FIELDS,
    OPEN,
    PAID_21,
    PAID_28,
    PROSECUTED,
    UNPAID,
    WITHDRAWN,
    Term,
    build_report,
    dfe_csv,
    dfe_note,
    term_of,
    workbook,
)

TODAY = date(2026, 6, 15)
DOCS = Path(__file__).resolve().parents[3] / "docs" / "penalty-notices.md"
HOLIDAY, OTHER = "Term-time holiday", "Other unauthorised absence"
AUTUMN, SPRING, SUMMER = Term(2025, 1), Term(2025, 2), Term(2025, 3)


def on(day: str) -> str:
    return f"{day}T00:00:00Z"  # as Graph gives a dateOnly column


def notice(number: str, school: str, reason: str, issued: str, **more: Any) -> dict[str, Any]:
    return {"Title": number, "School": school, "Reason": reason, "IssuedOn": on(issued),
            "ServedBy": "Email", "SentOn": on(issued), "State": "Issued", **more}


def request(number: str, school: str, reason: str, made: str, decision: str) -> dict[str, Any]:
    return {"Title": number, "School": school, "Reason": reason, "RequestedOn": on(made),
            "Decision": decision}


REGISTER = [
    notice("PN-1", "Oak Primary", HOLIDAY, "2025-10-01", PaidOn=on("2025-10-10"),
           AmountPaid=80.0, State="Paid within 21 days"),
    notice("PN-2", "Oak Primary", HOLIDAY, "2025-10-01", PaidOn=on("2025-10-25"),
           AmountPaid=160.0, State="Paid within 28 days"),
    notice("PN-3", "Oak Primary", OTHER, "2025-11-03", Second=True, PaidOn=on("2025-11-10"),
           AmountPaid=160.0, State="Paid within 28 days"),
    notice("PN-4", "Elm Academy", OTHER, "2025-11-03", WithdrawnOn=on("2025-11-20"),
           WithdrawnBecause="Served at the wrong address", State="Withdrawn"),
    notice("PN-5", "Elm Academy", HOLIDAY, "2025-12-01", Prosecuted=True, State="Prosecution"),
    notice("PN-6", "Elm Academy", HOLIDAY, "2025-12-01"),  # State never moved on
    notice("PN-7", "Oak Primary", HOLIDAY, "2026-04-02", State="Unpaid: consider prosecution"),
    notice("PN-8", "Oak Primary", OTHER, "2026-06-10"),
    {"Title": "PN-9", "School": "Oak Primary", "Reason": HOLIDAY, "State": "Issued"},
]
REQUESTS = [
    request("R-1", "Oak Primary", HOLIDAY, "2025-09-20", "Issue"),
    request("R-2", "Oak Primary", HOLIDAY, "2025-09-22", "Refuse"),
    request("R-3", "Elm Academy", OTHER, "2025-10-15", "Waiting for a decision"),
    request("R-4", "Elm Academy", OTHER, "2025-10-16", "Ask for more"),
    request("R-5", "Oak Primary", HOLIDAY, "2026-03-30", "Issue"),
    request("R-6", "Oak Primary", HOLIDAY, "2026-04-06", "Issue"),
]


@pytest.fixture
def report() -> Any:
    return build_report(REQUESTS, REGISTER, load_profile(DEFAULT_PROFILE), TODAY)


def test_terms_run_autumn_to_easter_to_summer() -> None:
    assert term_of(date(2025, 8, 20)) == AUTUMN  # the school year starts on 1 August
    assert term_of(date(2025, 12, 31)) == AUTUMN
    assert term_of(date(2026, 1, 1)) == SPRING
    assert term_of(date(2026, 4, 5)) == SPRING  # Easter Sunday 2026
    assert term_of(date(2026, 4, 6)) == SUMMER
    assert term_of(date(2026, 7, 31)) == SUMMER
    assert term_of(date(2027, 3, 28)) == Term(2026, 2)  # Easter Sunday 2027
    assert term_of(date(2027, 3, 29)) == Term(2026, 3)
    assert [AUTUMN.name, SPRING.name, SUMMER.name] == ["Autumn 2025", "Spring 2026",
                                                        "Summer 2026"]


def test_each_notice_is_counted_where_it_stands(report: Any) -> None:
    outcomes = {n.number: n.outcome for n in report.notices}
    assert outcomes == {"PN-1": PAID_21, "PN-2": PAID_28, "PN-3": PAID_21, "PN-4": WITHDRAWN,
                        "PN-5": PROSECUTED, "PN-6": UNPAID, "PN-7": UNPAID, "PN-8": OPEN}
    # a second notice paid at £160 within 21 days counts as paid within 21 days, though the
    # register rightly says "Paid within 28 days" (the full amount); PN-6's State is stale
    assert [n.number for n in report.to_check] == ["PN-6"]
    assert {n.number: n.expected_state for n in report.to_check} == {
        "PN-6": "Unpaid: consider prosecution"}
    assert report.left_out == ["Notice PN-9: no date of issue, so no term to count it in."]


def test_figures_per_term_school_and_reason(report: Any) -> None:
    oak_holiday = report.lines[(AUTUMN, "Oak Primary", RequestReason.TERM_TIME_HOLIDAY)]
    assert (oak_holiday.requested, oak_holiday.refused, oak_holiday.issued,
            oak_holiday.paid_21, oak_holiday.paid_22_28) == (2, 1, 2, 1, 1)
    oak_other = report.lines[(AUTUMN, "Oak Primary", RequestReason.OTHER)]
    assert (oak_other.requested, oak_other.issued, oak_other.second, oak_other.paid_21) == \
        (0, 1, 1, 1)
    elm_other = report.lines[(AUTUMN, "Elm Academy", RequestReason.OTHER)]
    assert (elm_other.requested, elm_other.waiting, elm_other.asked_for_more,
            elm_other.issued, elm_other.withdrawn) == (2, 1, 1, 1, 1)
    elm_holiday = report.lines[(AUTUMN, "Elm Academy", RequestReason.TERM_TIME_HOLIDAY)]
    assert (elm_holiday.issued, elm_holiday.prosecuted, elm_holiday.unpaid) == (2, 1, 1)
    spring = report.lines[(SPRING, "Oak Primary", RequestReason.TERM_TIME_HOLIDAY)]
    assert (spring.requested, spring.issued, spring.unpaid) == (1, 1, 1)
    assert report.lines[(SUMMER, "Oak Primary", RequestReason.TERM_TIME_HOLIDAY)].requested == 1
    assert report.lines[(SUMMER, "Oak Primary", RequestReason.OTHER)].open == 1
    assert report.terms == [AUTUMN, SPRING, SUMMER]
    total = report.total()
    assert (total.requested, total.issued) == (6, 8)


def test_the_workbook_reads_with_headings_and_totals(report: Any) -> None:
    book = load_workbook(io.BytesIO(workbook(report)))
    assert book.sheetnames == ["By term", "By term and school", "Notices",
                               "About these figures"]
    sheet = book["By term and school"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    head = rows[0]
    assert head[:3] == ["Term", "School", "Reason"]
    for heading in ("Requests made", "Requests refused", "Notices issued",
                    "Paid within 21 days", "Paid in 22 to 28 days", "Withdrawn", "Prosecuted"):
        assert heading in head
    assert rows[1][:3] == ["Autumn 2025", "Elm Academy", "Other unauthorised absence"]
    assert rows[-1][0] == "Total"
    assert rows[-1][head.index("Notices issued")] == 8
    assert rows[-1][head.index("Requests made")] == 6
    assert rows[-1][head.index("Paid within 21 days")] == 2
    by_term = [[c.value for c in row] for row in book["By term"].iter_rows()]
    assert by_term[1][:2] == ["Autumn 2025", "Term-time holiday"]
    assert by_term[-1][0] == "Total"
    notices = [[c.value for c in row] for row in book["Notices"].iter_rows()]
    assert notices[1][:5] == ["PN-1", "Oak Primary", "Autumn 2025", "Term-time holiday",
                              "1 October 2025"]
    flagged = [row[0] for row in notices[1:] if row[8]]
    assert flagged == ["PN-6"]
    about = " ".join(str(r[0].value) for r in book["About these figures"].iter_rows())
    assert "15 June 2026" in about and "Not counted: Notice PN-9" in about


def test_the_dfe_csv_has_the_documented_fields_and_the_years_figures(report: Any) -> None:
    text = dfe_csv(report, "E10000014", "Hampshire").decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    header = text.splitlines()[0]
    assert header == ",".join(DFE_FIELDS)
    assert f"```\n{header}\n```" in DOCS.read_text(encoding="utf-8")
    assert rows == [{
        "time_period": "202526", "time_identifier": "Academic year",
        "geographic_level": "Local authority", "new_la_code": "E10000014",
        "la_name": "Hampshire", "pn_issued": "8", "reason_pn_hols": "5",
        "reason_pn_late": "x", "reason_pn_other": "3", "pn_paid": "3", "pn_paid_21": "2",
        "pn_paid_22_28": "1", "pn_withdrawn": "1", "pn_prosecuted_non_payment": "1",
        "pn_unresolved": "3"}]


def test_the_note_says_plainly_the_field_list_is_our_reading(report: Any) -> None:
    note = " ".join(dfe_note(report, "return.csv").decode("utf-8").split())
    assert "could not find DfE's own" in note
    assert "Parental responsibility measures" in note
    for name in DFE_FIELDS[5:]:
        assert name in note


def test_no_rows_give_an_empty_return_with_its_header() -> None:
    empty = build_report([], [], load_profile(DEFAULT_PROFILE), TODAY)
    assert dfe_csv(empty).decode("utf-8").splitlines() == [",".join(DFE_FIELDS)]
    book = load_workbook(io.BytesIO(workbook(empty)))
    assert book["By term"]["A2"].value == "Total"


@pytest.mark.libreoffice
def test_the_workbook_converts_to_pdf(report: Any, tmp_path: Path, libreoffice: None) -> None:
    source = tmp_path / "Penalty notices.xlsx"
    source.write_bytes(workbook(report))
    binary = soffice()
    assert binary is not None
    subprocess.run([str(binary), "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "Penalty notices.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")

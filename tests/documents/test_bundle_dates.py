"""Issue 15: each document in the bundle is dated by its own date (the date written on a
letter, not its meeting's), an earlier version of a document remade for the same event is
listed as superseded rather than exhibited, the cover says plainly NOT READY, and the
attendance record gives the register session by session."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document

from function_app.documents.bundle import Bundle, Source, compose_docx, index_of, readable
from function_app.documents.case_folder import source_of, written_date
from function_app.documents.catalogue import SHIPPED_TEMPLATES, load_catalogue
from function_app.domain.model import Session, SessionMark
from function_app.domain.policy import load_profile
from function_app.domain.readiness import readiness
from tests.builders import TODAY, case

pytestmark = pytest.mark.unit
CATALOGUE = load_catalogue(SHIPPED_TEMPLATES)


def letter(on: str, *, in_table: bool = False) -> bytes:
    doc = Document()
    lines = ["Dana Ellis", "4 Mill Lane", "Anytown", on, "Our reference: ATT-2026-0001"]
    if in_table:
        cell = doc.add_table(rows=1, cols=1).rows[0].cells[0]
        cell.text = lines[0]
        for line in lines[1:]:
            cell.add_paragraph(line)
    else:
        for line in lines:
            doc.add_paragraph(line)
    doc.add_paragraph("Dear Dana Ellis,")
    doc.add_paragraph("The meeting is on 23 September 2026.")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def plan() -> bytes:
    doc = Document()
    doc.add_heading("Attendance Improvement Meeting plan", 1)
    doc.add_table(rows=1, cols=2).rows[0].cells[1].text = "9 April 2012"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_a_letter_is_dated_by_the_date_written_on_it() -> None:
    """The warning of prosecution written on 11 September for the meeting of 23 September
    is dated 11 September, in a table or not; a plan has no date line (a date of birth in
    its table is not its date) and takes its meeting's date from its name."""
    assert written_date(letter("11 September 2026")) == dt.date(2026, 9, 11)
    assert written_date(letter("11 September 2026", in_table=True)) == dt.date(2026, 9, 11)
    assert written_date(plan()) is None
    warning = source_of("2026-09-23 AIM invitation and warning - Dana Ellis.docx",
                        letter("11 September 2026"), dt.date(2026, 12, 5), CATALOGUE)
    assert warning.date == dt.date(2026, 9, 11) and warning.letter
    made = source_of("2026-09-23 AIM plan.docx", plan(), dt.date(2026, 12, 5), CATALOGUE)
    assert made.date == dt.date(2026, 9, 23) and not made.letter


def test_the_date_written_wins_over_generated_at_and_the_upload_day() -> None:
    """GeneratedAt says when the file was made (a demo run, a remake), not the letter's
    date: the index gives the date written on the letter."""
    warning = source_of("2026-09-23 AIM invitation and warning - Dana Ellis.docx",
                        letter("11 September 2026"), dt.date(2026, 12, 5), CATALOGUE,
                        columns={"DocumentKind": "aim_invitation", "MeetingId": "1",
                                 "CarerId": "c1", "GeneratedAt": "2026-12-05T00:03:23Z"})
    (entry,) = index_of([warning])
    assert entry.date == dt.date(2026, 9, 11)


def test_only_the_latest_version_of_a_remade_document_is_an_exhibit() -> None:
    """The invitation made for a meeting and made again when it moved (same kind, meeting
    and parent) is one exhibit, the latest; the earlier is listed as superseded by it. A
    letter to the other parent, or for no meeting, is never taken for a version."""
    def invitation(name: str, on: str, carer: str, made: str, meeting: str = "m1") -> Source:
        return source_of(name, letter(on), dt.date(2026, 12, 5), CATALOGUE,
                         columns={"DocumentKind": "aim_invitation", "MeetingId": meeting,
                                  "CarerId": carer, "GeneratedAt": made})
    first = invitation("2026-11-18 AIM invitation and warning - Dana Ellis.docx",
                       "4 November 2026", "c1", "2026-11-04T09:00:00Z")
    second = invitation("2026-12-02 AIM invitation and warning - Dana Ellis.docx",
                        "20 November 2026", "c1", "2026-11-20T09:00:00Z")
    other = invitation("2026-12-02 AIM invitation and warning - Sam Ellis.docx",
                       "20 November 2026", "c2", "2026-11-20T09:00:00Z")
    entries = index_of([second, first, other])
    exhibits = [e for e in entries if not e.superseded]
    (old,) = [e for e in entries if e.superseded]
    assert [e.file_name for e in exhibits] == [second.name, other.name]
    assert old.file_name == first.name and old.superseded_by == 1 and not old.included
    texts = [p.text for p in Document(io.BytesIO(compose_docx(Bundle(
        case(), (second, first, other), TODAY)))).paragraphs]
    assert "Superseded versions (not exhibits)" in texts


def test_the_cover_says_not_ready_with_the_gaps() -> None:
    """When readiness finds a gap, the cover's first line says NOT READY and names it."""
    c = case()
    ready = readiness(c, load_profile("national-2024"), TODAY)
    assert not ready.ready
    doc = Document(io.BytesIO(compose_docx(Bundle(c, (), TODAY, readiness=ready))))
    first = doc.paragraphs[1].text
    gaps = [s.title for s in ready.missing if s.required]
    assert first.startswith("NOT READY: ") and all(g in first for g in gaps)


def test_the_register_is_given_session_by_session_with_the_key() -> None:
    """With marks recorded, the attendance record has the register: a row per week, the
    code of each morning and afternoon; the codes table above is its key."""
    monday = dt.date(2026, 1, 5)
    marks = tuple(SessionMark(monday + dt.timedelta(days=d), s, "O" if d == 2 else "/")
                  for d in range(5) for s in (Session.AM, Session.PM))
    doc = Document(io.BytesIO(compose_docx(Bundle(case(marks=marks), (), TODAY))))
    grid = next(t for t in doc.tables if t.rows[0].cells[0].text == "Week of")
    assert [c.text for c in grid.rows[0].cells][1:3] == ["Mon AM", "Mon PM"]
    assert [c.text for c in grid.rows[1].cells] == ["05 Jan 2026", "/", "/", "/", "/", "O",
                                                    "O", "/", "/", "/", "/"]
    codes = next(t for t in doc.tables if t.rows[0].cells[0].text == "Code")
    assert {r.cells[0].text for r in codes.rows[1:]} == {"/", "O"}


def test_an_uploaded_pdf_is_its_own_copy() -> None:
    """A PDF staff uploaded is exhibited as it is: its PDF is the file itself."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    scan = readable(Source("Scan.pdf", "Scan.pdf", TODAY, out.getvalue(), generated=False))
    assert scan.pdf == scan.content and scan.pdf_pages == 1

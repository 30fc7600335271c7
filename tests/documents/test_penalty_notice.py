"""The LA's penalty notice (issue 19, point 3): one notice per parent per child, holding what
the Education (Penalty Notices) (England) Regulations 2007, regulation 3, require, with the
amounts and days the register decides (SI 2024/210: £80 within 21 days or £160 within 28; a
second notice within 3 years £160 within 28 days, no reduced amount)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document

from function_app.adapters.libreoffice import soffice
from function_app.documents.penalty_notice import (
    PaymentTerms,
    PenaltyNoticeFacts,
    payment_terms,
    render_penalty_notice,
)
from function_app.domain import load_profile
from function_app.domain.penalty_register import RegisteredNotice, RequestReason, ServedBy

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
PROFILE = load_profile("national-2024")

# Posted on Tuesday 3 March 2026: received on the second working day, Thursday 5 March;
# 21 days beginning with that day end on 25 March, 28 days on 1 April.
REGISTERED = RegisteredNotice("PN-2026-0042", "child", "parent", "Newtown Primary School",
                              date(2026, 3, 3), ServedBy.POST, date(2026, 3, 3))
FIRST = PenaltyNoticeFacts(
    number="PN-2026-0042", issued_on=date(2026, 3, 3),
    parent_name="Samantha Morgan-Whitfield",
    parent_address=("Flat 3, Orchard House", "1 Oak Street", "Newtown", "NT1 3CD"),
    child_name="Riley Morgan-Whitfield", child_date_of_birth=date(2015, 6, 9),
    child_address=("1 Oak Street", "Newtown", "NT1 3CD"), school="Newtown Primary School",
    absence_from=date(2026, 2, 2), absence_to=date(2026, 2, 13), sessions_missed=10,
    reason=RequestReason.TERM_TIME_HOLIDAY, terms=payment_terms(REGISTERED, PROFILE),
    how_to_pay="Online at www.newshire.gov.uk/penalty, or by card on 01234 567000.",
    authority_name="Newshire County Council",
    authority_address=("Attendance Legal Team", "County Hall", "Newtown", "NT1 1AA"),
    officer_name="Jo Bloggs", officer_role="Education Welfare Officer",
    authority_phone="01234 567890", authority_email="attendance@newshire.gov.uk")
SECOND = replace(FIRST, number="PN-2026-0043", reason=RequestReason.OTHER,
                 terms=payment_terms(replace(REGISTERED, second=True), PROFILE))

pytestmark = pytest.mark.unit


def text_of(data: bytes) -> str:
    """Every paragraph of the body, its tables, headers and footers, one to a line."""
    doc = Document(io.BytesIO(data))
    section = doc.sections[0]
    containers = [doc, section.first_page_header, section.header, section.footer,
                  section.first_page_footer]
    lines: list[str] = []

    def walk(container: object) -> None:
        for p in container.paragraphs:  # type: ignore[attr-defined]
            lines.append(p.text)
        for table in container.tables:  # type: ignore[attr-defined]
            for row in table.rows:
                for cell in row.cells:
                    walk(cell)

    for c in containers:
        walk(c)
    return "\n".join(lines)


def flat(data: bytes) -> str:
    return " ".join(text_of(data).split())


def test_the_terms_come_from_the_register() -> None:
    assert FIRST.terms == PaymentTerms(date(2026, 3, 5), Decimal(160), date(2026, 4, 1), 28,
                                       Decimal(80), date(2026, 3, 25), 21)
    assert SECOND.terms == PaymentTerms(date(2026, 3, 5), Decimal(160), date(2026, 4, 1), 28)
    assert SECOND.terms.second and not FIRST.terms.second


@pytest.mark.parametrize("facts", [FIRST, SECOND], ids=["first", "second"])
def test_each_required_element_is_there(facts: PenaltyNoticeFacts) -> None:
    text = flat(render_penalty_notice(facts, now=NOW))
    for required in (
        "Samantha Morgan-Whitfield",  # (a) the parent's name and address
        "Flat 3, Orchard House", "NT1 3CD",
        "Riley Morgan-Whitfield, born 9 June 2015, of 1 Oak Street, Newtown, NT1 3CD",  # (b)
        "Newtown Primary School",
        "Jo Bloggs, Education Welfare Officer, an officer authorised by Newshire County "
        "Council to issue penalty notices",  # (c)
        "From 2 February 2026 to 13 February 2026", "Date of issue 3 March 2026",  # (d)
        "Newshire County Council, Attendance Legal Team, County Hall, Newtown, NT1 1AA",  # (f)
        "Online at www.newshire.gov.uk/penalty, or by card on 01234 567000.",  # (g)
        "you can no longer be convicted of the offence",  # (i)
        "will decide whether to prosecute you in the magistrates’ court",  # (j)
        "ought not to have been issued",  # (k)
        "section 444(1)", "section 444A", "Education Act 1996",  # the offence, the power
        f"Notice number: {facts.number}", f"Penalty notice {facts.number}",
        "10 sessions", "We have counted them from 5 March 2026",
        "£160", "by 1 April 2026 (within 28 days)",
    ):
        assert required in text, required


def test_a_first_notice_has_the_reduced_amount() -> None:
    text = flat(render_penalty_notice(FIRST, now=NOW))
    assert "£80 if paid by 25 March 2026 (within 21 days)" in text
    assert "£160 if paid after 25 March 2026 and by 1 April 2026 (within 28 days)" in text
    assert "leave in term time (a holiday) that the school did not authorise" in text
    assert "second penalty notice" not in text


def test_a_second_notice_has_no_reduced_amount() -> None:
    text = flat(render_penalty_notice(SECOND, now=NOW))
    assert "second penalty notice issued to you for Riley Morgan-Whitfield within three " \
           "years, so the penalty is £160, with no reduced amount" in text
    assert "£160 if paid by 1 April 2026 (within 28 days)" in text
    assert "£80" not in text and "21 days" not in text and "25 March" not in text
    assert "holiday" not in text


@pytest.mark.parametrize("facts", [FIRST, SECOND], ids=["first", "second"])
def test_no_template_tags_are_left(facts: PenaltyNoticeFacts) -> None:
    text = text_of(render_penalty_notice(facts, marking="OFFICIAL-SENSITIVE", now=NOW))
    assert not re.search(r"\{\{|\}\}|\{%|%\}|\{#", text)
    assert "OFFICIAL-SENSITIVE" in text


def test_names_read_as_typed() -> None:
    typed = replace(FIRST, parent_name="Smith & Co <note> {{ 7*7 }}",
                    child_name="Zoë O'Brien-Ní Bhriain & <Jay>",
                    school="St Mary & St John's <Primary>")
    text = text_of(render_penalty_notice(typed, now=NOW))
    assert "Smith & Co <note> {{ 7*7 }}" in text
    assert "Zoë O'Brien-Ní Bhriain & <Jay>, born 9 June 2015" in text
    assert "St Mary & St John's <Primary>" in text
    assert "49" not in text and "&amp;" not in text and "&lt;" not in text


def test_facts_that_would_make_a_defective_notice_are_refused() -> None:
    with pytest.raises(ValueError, match="the parent's postal address"):
        replace(FIRST, parent_address=("  ",))
    with pytest.raises(ValueError, match="a reduced amount with its last day"):
        replace(FIRST, terms=replace(FIRST.terms, reduced_by=None))
    with pytest.raises(ValueError, match="ends after it begins"):
        replace(FIRST, absence_to=date(2026, 1, 1))


def test_the_template_is_what_the_builder_builds(tmp_path: Path) -> None:
    """As test_template_builder does for the catalogue's templates, in a fresh Python (its
    docstring says why)."""
    script = ("import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
              "import build_templates; build_templates.build_penalty_notice(Path(sys.argv[2]))")
    done = subprocess.run([sys.executable, "-c", script, str(TEMPLATES), str(tmp_path)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "penalty-notice.docx").read_bytes() == \
        (TEMPLATES / "penalty-notice.docx").read_bytes()


def test_a_catalogue_entry_if_any_is_a_report_not_a_case_kind() -> None:
    catalogue = json.loads((TEMPLATES / "catalogue.json").read_text(encoding="utf-8"))
    assert all(k["file"] != "penalty-notice.docx" for k in catalogue["kinds"])


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
@pytest.mark.parametrize("facts", [FIRST, SECOND], ids=["first", "second"])
def test_it_prints_on_one_or_two_pages(facts: PenaltyNoticeFacts, tmp_path: Path) -> None:
    from pypdf import PdfReader

    long = replace(facts, how_to_pay="\n".join([facts.how_to_pay] * 4),
                   authority_address=(*facts.authority_address, "Newshire"))
    source = tmp_path / "notice.docx"
    source.write_bytes(render_penalty_notice(long, marking="OFFICIAL-SENSITIVE", now=NOW))
    program = soffice()
    assert program is not None
    subprocess.run([program, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(source)], capture_output=True, timeout=180, check=True)
    pages = PdfReader(tmp_path / "notice.pdf").pages
    assert 1 <= len(pages) <= 2
    assert "Riley Morgan-Whitfield" in " ".join(p.extract_text() for p in pages)

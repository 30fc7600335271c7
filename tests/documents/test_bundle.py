"""The evidence bundle as Word (seed 000: the evidence collated for the Request to Initiate
Legal Proceedings; seed 004: compile the plans and documents as evidence): a cover, an index
with each exhibit's SHA-256, the chronology and the exhibits in date order; documents staff
uploaded are exhibited by file name and date; missing or unreadable ones are listed."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import struct
import zlib
from dataclasses import replace
from pathlib import Path

import pytest
from docx import Document

from function_app.documents.bundle import (
    Bundle,
    ComposedBundle,
    Source,
    build_bundle,
    compose_docx,
    index_of,
    readable,
)
from function_app.documents.case_folder import (
    letters_as_contacts,
    missing_sources,
    read_name,
    source_of,
)
from function_app.documents.catalogue import SHIPPED_TEMPLATES, load_catalogue
from function_app.domain.model import Case, ContactMode, Quote
from function_app.domain.policy import load_profile
from function_app.domain.readiness import readiness
from tests.builders import TODAY, aim, carer, case, interaction, marks, meeting

pytestmark = pytest.mark.unit
CATALOGUE = load_catalogue(SHIPPED_TEMPLATES)


def docx_bytes(title: str, body: str) -> bytes:
    doc = Document()
    doc.add_heading(title, 1)
    doc.add_paragraph(body)
    doc.add_paragraph("First action", style="List Number")
    table = doc.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Target"
    table.rows[0].cells[1].text = "No further unauthorised absence"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def png_bytes(width: int = 40, height: int = 60) -> bytes:
    """A small grey PNG, as a phone photo of a letter would be (only much smaller)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0,
                                                             0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def source(name: str, title: str, on: dt.date, body: str) -> Source:
    return readable(Source(name, title, on, docx_bytes(title, body)))


@pytest.fixture
def sources() -> list[Source]:
    # Given out of date order on purpose.
    return [
        source("2026-01-06 AIM plan.docx", "AIM plan", dt.date(2026, 1, 6), "Body of the plan."),
        source("2025-12-01 Letter of concern - Dana Ellis.docx", "Letter of concern - Dana Ellis",
               dt.date(2025, 12, 1), "Body of the letter of concern."),
        source("2026-01-28 Notice to Improve - Dana Ellis.docx", "Notice to Improve - Dana Ellis",
               dt.date(2026, 1, 28), "Body of the notice."),
    ]


def the_case() -> Case:
    return case(
        meetings=(meeting(date=dt.date(2026, 1, 6),
                          pupil_voice=(Quote("pupil", "Mornings are hard."),)),),
        interactions=(interaction(date=dt.date(2025, 12, 1), mode=ContactMode.LETTER,
                                  summary="Letter of concern sent", carer_ids=("c1",)),))


def opened(content: bytes) -> tuple[list[str], list[list[list[str]]]]:
    doc = Document(io.BytesIO(content))
    tables = [[[c.text for c in r.cells] for r in t.rows] for t in doc.tables]
    return [p.text for p in doc.paragraphs], tables


def table_headed(tables: list[list[list[str]]], first: str) -> list[list[str]]:
    return next(t for t in tables if t[0][0] == first)


def test_exhibits_are_numbered_in_date_order_and_left_to_the_pdf(
        sources: list[Source]) -> None:
    """The index numbers the exhibits by their own dates; their text is not restyled into
    the Word document, which says the exhibits are the filed documents in the PDF bundle."""
    texts, tables = opened(compose_docx(Bundle(case(), tuple(sources), TODAY)))
    rows = table_headed(tables, "Exhibit")[1:]
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("1", "Letter of concern - Dana Ellis", "1 December 2025"),
        ("2", "AIM plan", "6 January 2026"),
        ("3", "Notice to Improve - Dana Ellis", "28 January 2026")]
    assert "Body of the plan." not in texts
    assert any(t.startswith("The exhibits follow in the PDF bundle") for t in texts)


def test_every_sha256_in_the_index_matches_its_source(tmp_path: Path,
                                                      sources: list[Source]) -> None:
    """The index gives each exhibit's SHA-256, and each matches the file it came from."""
    for s in sources:
        assert s.content is not None
        (tmp_path / s.name).write_bytes(s.content)
    out = tmp_path / "bundle" / "bundle.docx"
    from_disk = [Source.from_path(tmp_path / s.name, s.title, s.date) for s in sources]
    entries = build_bundle(case(), from_disk, out, prepared_on=TODAY)
    _, tables = opened(out.read_bytes())
    rows = table_headed(tables, "Exhibit")[1:]
    assert len(rows) == len(sources) == len(entries)
    for _number, _title, _date, name, digest, _page in rows:
        assert digest == hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
    assert [r[0] for r in rows] == ["1", "2", "3"]
    assert [e.sha256 for e in index_of(from_disk)] == [r[4] for r in rows]


def test_the_cover_names_the_case_school_pupil_parents_preparer_and_date(
        sources: list[Source]) -> None:
    """The cover gives the case reference, school, pupil, parents, who prepared it and when."""
    c = case(carers=(carer(), carer(id="c2", first_name="Sam", last_name="Ellis",
                                    relationship="Father")))
    texts, _ = opened(compose_docx(Bundle(c, tuple(sources), dt.date(2026, 3, 3),
                                          "Fiona Lacey, Attendance Lead")))
    cover = "\n".join(texts[:12])
    assert "Case reference: ATT-2026-0001" in cover
    assert f"School: {c.school.name}" in cover
    assert "Dana Ellis (Mother), Sam Ellis (Father)" in cover
    assert "Prepared by: Fiona Lacey, Attendance Lead" in cover
    assert "Date: 3 March 2026" in cover


def test_the_chronology_gives_date_time_mode_who_summary_and_quotes(
        sources: list[Source]) -> None:
    """Seed 000: every interaction with its date, time and mode, who, and the pupil's and
    parents' words as direct quotes."""
    _, tables = opened(compose_docx(Bundle(the_case(), tuple(sources), TODAY)))
    chron = table_headed(tables, "Date")
    assert chron[0] == ["Date", "Time", "Mode", "Who", "Summary", "Direct quotes", "Exhibit"]
    letter, held = chron[1], next(r for r in chron if r[2] == "meeting")
    assert letter[0] == "1 December 2025" and letter[2] == "letter"
    assert "Dana Ellis" in letter[3] and letter[4] == "Letter of concern sent"
    assert held[0] == "6 January 2026"
    assert "Mornings are hard." in held[5] and "Jordan Ellis" in held[5]
    exhibits = [r[6] for r in chron[1:] if r[6]]
    assert exhibits == ["Exhibit 1", "Exhibit 2", "Exhibit 3"]


@pytest.mark.parametrize(("sending", "says"), [
    ("Draft: approve to send", "(not sent: its Sending column says \u201cDraft: approve to "
                               "send\u201d)"),
    ("In the print pack", "(in a print pack; not yet recorded as posted)"),
    ("Sent", "")])
def test_the_chronology_says_when_a_letter_in_the_folder_was_never_sent(
        sources: list[Source], sending: str, says: str) -> None:
    """Issue 18: a letter the app sends is filed as a draft; the chronology must not show a
    draft, or a letter waiting in a print pack, as if the family had it."""
    marked = [replace(s, sending=sending, letter=True, carer="c1")
              if s.name.startswith("2026-01-28 Notice") else s for s in sources]
    _, tables = opened(compose_docx(Bundle(the_case(), tuple(marked), TODAY)))
    (row,) = [r for r in table_headed(tables, "Date") if "Notice to Improve" in r[4]]
    assert row[4] == f"Letter: Notice to Improve - Dana Ellis {says}".rstrip()


def test_the_attendance_record_gives_the_totals_for_the_period(sources: list[Source]) -> None:
    """The attendance record: possible, present and absent sessions and the percentage."""
    c = case()
    assert c.attendance is not None
    _, tables = opened(compose_docx(Bundle(c, tuple(sources), TODAY,
                                           profile=load_profile("national-2024"))))
    totals = table_headed(tables, "Possible sessions")
    assert totals[1][:4] == [str(c.attendance.possible_sessions),
                             str(c.attendance.present_sessions),
                             str(c.attendance.authorised_absences),
                             str(c.attendance.unauthorised_absences)]


def test_the_codes_table_says_what_each_code_records(sources: list[Source]) -> None:
    """A court reads "O" as nothing: each code in the period (ten sessions, O twice) is set
    out with what it records (DfE code table, 2024), how it counts and its sessions."""
    c = case(marks=marks(dt.date(2026, 1, 5), dt.date(2026, 1, 9), ("/", "\\", "O", "I")))
    _, tables = opened(compose_docx(Bundle(c, tuple(sources), TODAY,
                                           profile=load_profile("national-2024"))))
    rows = {r[0]: r[1:] for r in table_headed(tables, "Code")[1:]}
    assert set(rows) == {"/", "\\", "O", "I"}
    assert rows["O"] == ["Absent in other or unknown circumstances", "unauthorised absence", "2"]
    assert rows["I"][0] == "Illness (not a medical or dental appointment)"


def test_the_readiness_steps_and_the_referral_form_come_first(sources: list[Source]) -> None:
    """With a readiness report, each step is listed with whether it was found; the prefilled
    form comes before the case summary and the exhibits."""
    c = case()
    form = docx_bytes("Request to Initiate Legal Proceedings", "The form's body.")
    texts, tables = opened(compose_docx(Bundle(
        c, tuple(sources), TODAY, readiness=readiness(c, load_profile("national-2024"), TODAY),
        referral_form=form)))
    steps = table_headed(tables, "Step")
    assert "Education Supervision Order considered" in [r[0] for r in steps]
    assert texts.index("Request to Initiate Legal Proceedings") < texts.index("Case summary") \
        < texts.index("Chronology") < texts.index("Exhibits")
    assert texts[1].startswith("NOT READY: ")


def test_a_missing_or_unreadable_document_is_listed_not_skipped(
        tmp_path: Path, sources: list[Source]) -> None:
    """A file gone from the folder and one that is not what its name says are both in the
    index, marked missing with the reason, and in no exhibit; the others are all there."""
    gone = Source.from_path(tmp_path / "2026-02-01 AIM plan.docx", "AIM plan",
                            dt.date(2026, 2, 1))
    broken = readable(Source("Scan.docx", "Scan.docx", dt.date(2026, 2, 2), b"not a zip",
                             generated=False))
    texts, tables = opened(compose_docx(Bundle(case(), (*sources, gone, broken), TODAY)))
    rows = {r[3].split(":")[0].split(" (")[0]: r for r in table_headed(tables, "Exhibit")[1:]}
    assert rows["2026-02-01 AIM plan.docx"][5] == "Missing"
    assert "not in the case folder" in rows["2026-02-01 AIM plan.docx"][3]
    assert rows["Scan.docx"][5] == "Missing" and "unreadable" in rows["Scan.docx"][3]
    assert "2 missing or unreadable" in "\n".join(texts[:12])


def test_an_uploaded_image_and_docx_are_exhibits_by_file_name_and_date() -> None:
    """A photo of a letter and a Word file staff put in the folder are exhibited under their
    file names, dated by the date in the name, else the day they were uploaded."""
    photo = source_of("Letter from Mrs Ellis.png", png_bytes(), dt.date(2026, 2, 3), CATALOGUE)
    note = source_of("2026-01-20 Note of home visit.docx", docx_bytes("Visit", "Nobody in."),
                     dt.date(2026, 2, 3), CATALOGUE)
    assert (photo.title, photo.date, photo.generated) == ("Letter from Mrs Ellis.png",
                                                          dt.date(2026, 2, 3), False)
    assert (note.date, note.generated) == (dt.date(2026, 1, 20), False)
    _, tables = opened(compose_docx(Bundle(case(), (photo, note), TODAY)))
    rows = [r[:4] for r in table_headed(tables, "Exhibit")[1:]]
    assert rows == [
        ["1", "2026-01-20 Note of home visit.docx", "20 January 2026",
         "2026-01-20 Note of home visit.docx (uploaded by staff)"],
        ["2", "Letter from Mrs Ellis.png", "3 February 2026",
         "Letter from Mrs Ellis.png (uploaded by staff)"]]


def test_a_file_the_bundle_cannot_show_is_listed_as_unreadable() -> None:
    """A spreadsheet in the folder is not silently dropped: it is listed with what to do."""
    sheet = source_of("Register.xlsx", b"PK...", dt.date(2026, 2, 3), CATALOGUE)
    assert sheet.content is None and "save it as PDF or Word" in sheet.problem


def test_generated_names_give_kind_date_and_parent() -> None:
    """The processor's file names ("{date} {what} - {parent}.docx") say what each is."""
    named = read_name("2026-09-23 AIM invitation and warning - Dana Kerr.docx", CATALOGUE)
    assert named.kind is not None and named.kind.kind == "aim_invitation"
    assert (named.day, named.title, named.carer) == (
        dt.date(2026, 9, 23), "AIM invitation and warning - Dana Kerr", "Dana Kerr")
    assert read_name("2026-09-23 Scan.pdf", CATALOGUE).kind is None


def test_the_documents_a_meeting_should_have_made_are_missing_when_absent() -> None:
    """A held AIM makes a plan and a covering letter per parent: the folder lacking them
    lists them as missing."""
    c = case(meetings=(aim(True, True, id="m1", date=dt.date(2026, 2, 4)),))
    missing = {s.name for s in missing_sources(c, CATALOGUE, ["2026-02-04 AIM plan.docx"])}
    assert missing == {"2026-02-04 Covering letter with the plan - Dana Ellis.docx"}


def test_filed_letters_count_as_the_letters_readiness_looks_for() -> None:
    """A warning letter the product filed for a parent evidences the warning of prosecution
    to that parent (seeds 000, 001), as a logged letter would."""
    c = case()
    letter = source_of("2026-02-04 AIM invitation and warning - Dana Ellis.docx",
                       docx_bytes("AIM", "Warning."), dt.date(2026, 2, 5), CATALOGUE)
    (contact,) = letters_as_contacts(c, [letter], CATALOGUE)
    assert contact.carer_ids == ("c1",) and contact.mode is ContactMode.LETTER
    assert "prosecution" in contact.summary.lower() and contact.date == dt.date(2026, 2, 4)


@pytest.mark.parametrize("sending", ["Draft: approve to send", "Not sent: see the note",
                                     "In the print pack", "Sent"])
def test_a_letter_the_app_sends_is_evidence_only_through_its_own_contact(
        sending: str) -> None:
    """Issue 18: a letter the app sends writes its contact when it goes; a draft, or one
    not sent, was never received, so the folder does not count it as a letter sent."""
    letter = source_of("2026-02-04 AIM invitation and warning - Dana Ellis.docx",
                       docx_bytes("AIM", "Warning."), dt.date(2026, 2, 5), CATALOGUE, "",
                       {"DocumentKind": "aim_invitation", "CarerId": "c1",
                        "SendStatus": sending})
    assert letters_as_contacts(case(), [letter], CATALOGUE) == ()


def test_a_word_bundle_filed_without_its_pdf_gives_no_page_and_says_why(
        tmp_path: Path, sources: list[Source]) -> None:
    """Without a PDF the index cannot know the pages: each included exhibit's page is "-"
    (never the placeholder, never a guess), a missing one still reads "Missing", and the note
    above the index says why; composing with pages again gives the usual note back."""
    gone = Source.from_path(tmp_path / "2026-02-01 AIM plan.docx", "AIM plan",
                            dt.date(2026, 2, 1))
    composed = ComposedBundle(Bundle(case(), (*sources, gone), TODAY))
    texts, tables = opened(composed.docx_without_pdf("converting needs LibreOffice"))
    pages = [r[5] for r in table_headed(tables, "Exhibit")[1:]]
    assert pages == ["-", "-", "-", "Missing"]
    (note,) = [t for t in texts if t.startswith("Each exhibit's SHA-256")]
    assert "The PDF bundle was not made (converting needs LibreOffice)" in note
    assert "Page column gives no page" in note
    assert any(t.startswith("MISSING FROM THIS BUNDLE: the exhibits.") for t in texts)
    texts, tables = opened(composed.docx({1: 7, 2: 9, 3: 12}))
    assert [r[5] for r in table_headed(tables, "Exhibit")[1:]] == ["7", "9", "12", "Missing"]
    (note,) = [t for t in texts if t.startswith("Each exhibit's SHA-256")]
    assert "Pages are the pages of the PDF bundle" in note

"""Every document kind, rendered from real cases, reads as the guidance requires."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from function_app.documents.context import Options
from function_app.documents.engine import TemplateSet, produce
from function_app.domain import assess, load_profile
from function_app.domain.assessment import Assessment
from function_app.services.case_files.case_input import case_from_dict

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "templates" / "sample-case.json"
TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
TEMPLATES = TemplateSet()
KINDS = [k.kind for k in TEMPLATES.catalogue.kinds]

pytestmark = pytest.mark.unit


def sample(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))
    data.update(changes)
    return data


def assessed(data: dict[str, Any]) -> Assessment:
    case = case_from_dict(data)
    return assess(case, load_profile(case.profile), TODAY)


def all_text(content: bytes) -> str:
    """Body paragraphs, table cells, headers and footers, as a reader sees them."""
    doc = Document(io.BytesIO(content))
    parts = []
    for block in doc.iter_inner_content():  # in document order
        if hasattr(block, "rows"):
            parts += [cell.text for row in block.rows for cell in row.cells]
        else:
            parts.append(block.text)
    for section in doc.sections:
        parts += [p.text for p in section.header.paragraphs]
        parts += [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def render(kind: str, data: dict[str, Any] | None = None, meeting: str | None = None,
           marking: str = "") -> list[Any]:
    return produce(TEMPLATES, kind, assessed(data or sample()), meeting, Options(marking), NOW)


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_and_opens_without_none(kind: str) -> None:
    """Each kind renders from the sample case, opens in python-docx, never prints 'None'
    and has no heading left without content."""
    for document in render(kind):
        doc = Document(io.BytesIO(document.content))
        text = all_text(document.content)
        assert "None" not in text.split()
        headings = [p for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
        assert headings, "a document without a heading cannot be navigated"
        for p in doc.paragraphs:
            if p.style.name.startswith("Heading"):
                assert p.text.strip(), f"empty heading in {kind}"


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_page_numbers(kind: str) -> None:
    """Every document numbers its pages in the footer with Word's PAGE field."""
    [document, *_] = render(kind)
    with zipfile.ZipFile(io.BytesIO(document.content)) as z:
        footers = [z.read(n).decode() for n in z.namelist() if re.match(r"word/footer\d*\.xml", n)]
    assert any("PAGE" in f for f in footers)


def test_letters_go_to_each_parent_by_first_and_last_name() -> None:
    """Seed 000: one letter to each parent with parental responsibility, by first and last
    name; a carer without it gets none."""
    data = sample()
    data["carers"].append({"id": "c3", "first_name": "Pat", "last_name": "Lee",
                           "relationship": "Grandmother", "parental_responsibility": False,
                           "address": "3 Ash Row"})
    documents = render("letter_of_concern", data)
    assert [d.recipient for d in documents] == ["Sam Morgan", "Jo Taylor"]
    for d in documents:
        text = all_text(d.content)
        assert f"Dear {d.recipient}" in text
        assert d.recipient in d.file_name
    assert "Pat Lee" not in all_text(documents[0].content)


def test_aim_invitation_says_everything_the_guidance_requires() -> None:
    """Seeds 000 and 001: the invitation warns of prosecution, gives date, time and venue,
    offers home or a neutral venue, invites them to say if they cannot come, and says the
    meeting goes ahead in their absence unless rearranged."""
    text = all_text(render("aim_invitation", meeting="m3")[0].content).lower()
    assert "risk of prosecution" in text
    assert "2 december 2026" in text and "2pm" in text and "newtown family centre" in text
    assert "home" in text and "neutral" in text
    assert "cannot" in text or "can't" in text or "not suit" in text
    assert "go ahead" in text and "absence" in text


def test_aim_plan_holds_the_seed_001_sections() -> None:
    """Seed 001: attendees' names and roles in full, reasons, interventions ticked and
    dated, what the young person, parents and school agree to, target and review date."""
    text = all_text(render("aim_plan", meeting="m4")[0].content)
    for expected in ("Priya Shah", "Attendance Lead", "Anxiety", "Peer mentor", "\u2713",
                     "8 October 2026", "Meet the peer mentor on Tuesdays",
                     "Contact the school by 9am on any day of absence",
                     "Make a referral to the school nurse", "No further unauthorised absence",
                     "18 November 2026", "I want to do my GCSE art."):
        assert expected in text, expected


def test_support_record_has_every_seed_002_section_in_order() -> None:
    """Seed 002: siblings, Early Help, child's view, attendance, interventions, SEN support,
    present situation, other issues, aim, action plan, review date, in the template's order."""
    text = all_text(render("support_meeting_record", meeting="m1")[0].content)
    order = ["Rae Morgan", "Early Help family support", "I feel sick on Monday mornings.",
             "Anxiety about lessons", "Daily check-in with the attendance lead",
             "SEN support: extra time in tests.", "Lex likes art and football.",
             "Transport after the move.", "No further unauthorised absence",
             "Go to the check-in at 8.40 each morning", "8 October 2026"]
    positions = [text.find(item) for item in order]
    assert all(p >= 0 for p in positions), dict(zip(order, positions, strict=True))
    assert positions == sorted(positions)


def test_review_record_states_target_and_decision() -> None:
    """Seed 002: the review record says whether the target was met and what was decided."""
    text = all_text(render("review_meeting_record", meeting="m2")[0].content)
    assert "Check-ins went well; attendance did not improve." in text
    assert "No" in text and "Escalate" in text


@pytest.mark.parametrize(("meeting", "attended"), [("m2", True), ("m4", False)])
def test_cover_letter_fits_whether_the_parent_came(meeting: str, attended: bool) -> None:
    """Seed 001: a parent who did not attend is told the meeting went ahead without them,
    gets the plan and the review date; one who came is thanked."""
    [letter, *_] = render("plan_cover_letter", meeting=meeting)
    text = all_text(letter.content).lower()
    assert ("in your absence" in text or "without you" in text) is not attended
    assert "review" in text


def test_notice_to_improve_has_what_the_dfe_requires() -> None:
    """DfE 2024: the notice gives the attendance record, the support offered, a warning of
    a penalty notice or prosecution, and the improvement period with what is sufficient."""
    text = all_text(render("notice_to_improve")[0].content)
    assert "70.0%" in text and "84" in text and "120" in text
    assert "Daily check-in with the attendance lead" in text
    assert "penalty notice" in text.lower() and "prosecution" in text.lower()
    assert "4 weeks" in text and "20 November 2026" in text and "18 December 2026" in text
    assert "No unauthorised absence in the four weeks." in text


def test_legal_referral_uses_the_profiles_form_and_a_chronology() -> None:
    """Seed 000: the Request to Initiate Legal Proceedings, with the contacts and meetings
    in date order; seed 004's LAs call it a Legal Interventions Referral."""
    text = all_text(render("legal_referral")[0].content)
    assert "Request to Initiate Legal Proceedings" in text
    assert text.find("Called about three days' absence.") < text.find("Letter of concern sent")
    tiered = all_text(render("legal_referral", sample(profile="tiered-support"))[0].content)
    assert "Legal Interventions Referral" in tiered


def test_protective_marking_appears_only_when_set() -> None:
    """The OFFICIAL-SENSITIVE line is printed when the setting is given, and leaves no
    trace otherwise."""
    marked = all_text(render("aim_plan", meeting="m4", marking="OFFICIAL-SENSITIVE")[0].content)
    plain = all_text(render("aim_plan", meeting="m4")[0].content)
    assert "OFFICIAL-SENSITIVE" in marked
    assert "OFFICIAL" not in plain


def test_optional_sections_vanish_and_form_sections_say_none_was_recorded() -> None:
    """Without a pupil's voice its section disappears; the sections seed 001's form always
    has say plainly that nothing was recorded; no table keeps a blank row."""
    data = sample()
    m4 = next(m for m in data["meetings"] if m["id"] == "m4")
    for key in ("pupil_voice", "reasons_for_absence", "interventions"):
        m4.pop(key, None)
    content = render("aim_plan", data, meeting="m4")[0].content
    doc = Document(io.BytesIO(content))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert not any("views" in h.lower() or "voice" in h.lower() for h in headings)
    text = all_text(content)
    assert "No reasons for absence were recorded." in text
    assert "No interventions were recorded" in text
    for table in doc.tables:
        for row in table.rows:
            assert any(cell.text.strip() for cell in row.cells), "a blank table row"

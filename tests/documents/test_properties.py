"""What File > Info and a screen reader say about a generated document."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn

from function_app.documents.context import Options, build_context
from function_app.documents.engine import TemplateSet, choose_meeting
from function_app.documents.logo import Logo
from function_app.documents.renderer import CompiledTemplate, DocumentProperties
from function_app.domain import assess, load_profile
from function_app.services.case_files.case_input import case_from_dict
from tests.documents.test_logo import png

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "templates" / "sample-case.json"
TEMPLATES = TemplateSet()
NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
SCHOOL = "St Mary & St John's <CE> Primary"

pytestmark = pytest.mark.unit


def template(lang: str = "en-US") -> bytes:
    """A template as an LA might save it from Word: US English, the school in its header."""
    doc = Document()
    doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(
        qn("w:rPr")).find(qn("w:lang")).set(qn("w:val"), lang)
    doc.sections[0].header.paragraphs[0].text = "{{ logo }}{{ school.name }}"
    doc.add_paragraph("Dear parent")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def rendered(school: str = SCHOOL, logo: Logo | None = None) -> Any:
    compiled = CompiledTemplate(template(), "la-letter.docx")
    content = compiled.render({"school": {"name": school}, "logo": None},
                              DocumentProperties("Letter of concern", "CASE-1", NOW), logo)
    return Document(io.BytesIO(content))


def test_the_school_is_the_author_and_the_date_made_is_created() -> None:
    """Per issue 15 item 8 (domain.md's letters come from the school), File > Info names the
    school as author, not "python-docx", and gives the day the document was made."""
    props = rendered().core_properties
    assert props.author == SCHOOL
    modified_by = props._element.find(
        "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
        "lastModifiedBy")
    assert modified_by is not None and modified_by.text == SCHOOL
    assert props.created == NOW and props.modified == props.created
    assert (props.title, props.subject) == ("Letter of concern", "CASE-1")


def test_the_language_is_british_english() -> None:
    """Per domain.md (letters to parents in England), the document and its styles' default
    language are en-GB, even from a template saved in US English."""
    doc = rendered()
    assert doc.core_properties.language == "en-GB"
    lang = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(
        qn("w:rPr")).find(qn("w:lang"))
    assert lang.get(qn("w:val")) == "en-GB"


def test_the_logo_is_described_as_the_schools() -> None:
    """Per issue 15 item 8, a screen reader reads the logo as "Logo of <school>", whatever
    characters the school's name holds."""
    doc = rendered(logo=Logo(png(120, 60), "png", 120, 60))
    header = doc.sections[0].header._element
    described = [e.get("descr") for e in header.iter(
        "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")]
    assert described == [f"Logo of {SCHOOL}"]


def test_without_a_school_name_the_author_is_the_app() -> None:
    """A context without a school's name still gives an author, never python-docx's."""
    props = rendered(school="").core_properties
    assert props.author == "Attendance Casework"


def test_every_shipped_kind_is_british_and_by_the_school() -> None:
    """Per domain.md, every shipped kind rendered from the sample case names the school as
    author, is in en-GB and was created when made."""
    case = case_from_dict(json.loads(SAMPLE.read_text(encoding="utf-8")))
    a = assess(case, load_profile(case.profile), NOW.date())
    for kind in TEMPLATES.catalogue.kinds:
        fitting = [m for m in case.meetings_by_date() if m.kind.value in kind.meeting_kinds]
        meeting = choose_meeting(kind, case, None) or (fitting[-1] if fitting else None)
        context = build_context(a, meeting, case.carers[0] if kind.per_carer else None,
                                Options())
        content = TEMPLATES.template(kind).render(
            context, DocumentProperties(kind.title, case.case_ref, NOW))
        props = Document(io.BytesIO(content)).core_properties
        assert props.author == case.school.name, kind.kind
        assert props.language == "en-GB", kind.kind
        assert props.created == NOW, kind.kind

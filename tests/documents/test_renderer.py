"""The renderer: typed text comes back exactly, and templates cannot misbehave."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from docx import Document

from function_app.documents.errors import RenderError, TemplateProblemError
from function_app.documents.hostile import corpus
from function_app.documents.renderer import CompiledTemplate, DocumentProperties
from function_app.documents.xml_text import clean

pytestmark = pytest.mark.unit
PROPS = DocumentProperties("Title", "CASE-1", datetime(2026, 11, 22, tzinfo=UTC))


def make_template(*paragraphs: str, heading: str = "Plan for {{ name }}") -> bytes:
    doc = Document()
    doc.add_heading(heading, 1)
    for text in paragraphs:
        doc.add_paragraph(text)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def texts(docx: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(docx)).paragraphs]


def test_every_hostile_string_comes_back_exactly() -> None:
    """All 200+ hostile strings appear in the document exactly as typed, apart from the
    documented forbidden-character rule."""
    template = CompiledTemplate(make_template("{{ quote }}"), "quote.docx")
    strings = corpus()
    assert len(strings) >= 200
    for text in strings:
        out = texts(template.render({"name": "A", "quote": text}, PROPS))
        assert out[1] == clean(text), repr(text[:60])


def test_jinja_in_typed_text_is_not_run() -> None:
    """A parent's '{{ 7*7 }}' is printed as typed, not evaluated to 49."""
    template = CompiledTemplate(make_template("{{ quote }}"), "quote.docx")
    out = texts(template.render({"name": "A", "quote": "{{ 7*7 }}"}, PROPS))
    assert out[1] == "{{ 7*7 }}"


def test_optional_paragraph_disappears_when_empty() -> None:
    """A {%p if %} section leaves no paragraph behind, and never prints None."""
    template = CompiledTemplate(
        make_template("{%p if note %}", "Note: {{ note }}", "{%p endif %}", "End"), "t.docx")
    assert texts(template.render({"name": "A", "note": None}, PROPS)) == ["Plan for A", "End"]
    assert texts(template.render({"name": "A", "note": "x"}, PROPS)) == \
        ["Plan for A", "Note: x", "End"]


def test_a_missing_variable_is_an_error_not_a_gap() -> None:
    """A context without a name the template uses is refused, naming the name."""
    template = CompiledTemplate(make_template("{{ quote }}"), "quote.docx")
    with pytest.raises(RenderError, match="quote"):
        template.render({"name": "A"}, PROPS)


def test_a_template_reaching_outside_the_sandbox_is_refused() -> None:
    """A template that reaches for Python internals is refused with a clear message."""
    template = CompiledTemplate(
        make_template("{{ name.__class__.__mro__[1].__subclasses__() }}"), "evil.docx")
    with pytest.raises(TemplateProblemError, match="sandbox"):
        template.render({"name": "A"}, PROPS)


def test_a_broken_tag_names_the_file_and_the_tag() -> None:
    """An unclosed {% if %} is reported with the template's file name and the tag text."""
    with pytest.raises(TemplateProblemError) as caught:
        CompiledTemplate(make_template("{% if name %}never closed"), "broken.docx")
    assert "broken.docx" in str(caught.value)
    assert "never closed" in str(caught.value) or "if name" in str(caught.value)


def test_output_that_would_not_open_is_never_produced() -> None:
    """A template whose tags would cut Word's XML in half is refused, not written."""
    template = CompiledTemplate(
        make_template("{%p if name %}", "text {% endif %} more"), "unbalanced.docx")
    with pytest.raises(RenderError, match="not be valid XML"):
        template.render({"name": ""}, PROPS)


def test_literal_braces_written_in_a_template_print_as_braces() -> None:
    """A template author's {_{ prints {{, while a parent's typed {_{ stays as typed."""
    template = CompiledTemplate(make_template("Type {_{ here }_}: {{ quote }}"), "b.docx")
    out = texts(template.render({"name": "A", "quote": "{_{ mine }_}"}, PROPS))
    assert out[1] == "Type {{ here }}: {_{ mine }_}"


def test_not_a_word_file_is_named(tmp_path: Path) -> None:
    """A file that is not a .docx is reported as such, by name."""
    bad = tmp_path / "notes.docx"
    bad.write_text("hello")
    with pytest.raises(TemplateProblemError, match=r"notes\.docx.*not a Word document"):
        CompiledTemplate(bad, bad.name)


def test_document_properties_carry_title_and_case_reference_only() -> None:
    """The file's properties hold the title and case reference, and no child's name."""
    template = CompiledTemplate(make_template("x"), "t.docx")
    doc = Document(io.BytesIO(template.render({"name": "Jordan"}, PROPS)))
    assert doc.core_properties.title == "Title"
    assert doc.core_properties.subject == "CASE-1"
    assert "Jordan" not in (doc.core_properties.title + doc.core_properties.subject)


def test_compiling_once_serves_many_documents() -> None:
    """One compiled template renders different contexts without mixing them."""
    template = CompiledTemplate(make_template("{{ quote }}"), "quote.docx")
    first = template.render({"name": "A", "quote": "one"}, PROPS)
    second = template.render({"name": "B", "quote": "two"}, PROPS)
    assert texts(first) == ["Plan for A", "one"]
    assert texts(second) == ["Plan for B", "two"]

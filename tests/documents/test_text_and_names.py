"""Typed text, dates and file names as they appear in documents and case folders."""

from __future__ import annotations

from datetime import date, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from function_app.documents.formatting import clock, lines, long_date
from function_app.documents.naming import check_path, safe_name
from function_app.documents.xml_text import as_run_text, clean

pytestmark = pytest.mark.unit


def test_dates_read_as_the_guidance_writes_them() -> None:
    """Dates in letters read like 3 March 2026, and an absent date prints nothing, not None."""
    assert long_date(date(2026, 3, 3)) == "3 March 2026"
    assert long_date(None) == ""


@pytest.mark.parametrize(("t", "text"), [
    (time(9, 30), "9:30am"), (time(14, 0), "2pm"), (time(12, 0), "12 noon"),
    (time(0, 15), "12:15am"), (time(12, 45), "12:45pm"), (None, ""),
])
def test_times_read_like_a_letter(t: time | None, text: str) -> None:
    """Times read like 9:30am and 2pm, never 09:30 or 14:00."""
    assert clock(t) == text


def test_an_address_typed_on_lines_keeps_its_lines() -> None:
    """An address typed with line breaks or commas becomes its lines, blanks dropped."""
    assert lines("4 Mill Lane\n\nStroud\nGL5 1AA") == ["4 Mill Lane", "Stroud", "GL5 1AA"]
    assert lines("4 Mill Lane, Stroud") == ["4 Mill Lane", "Stroud"]


def test_xml_specials_are_escaped_not_lost() -> None:
    """'Smith & Co <note>' is escaped as character data, so nothing is dropped."""
    assert str(as_run_text("Smith & Co <note>")) == "Smith &amp; Co &lt;note&gt;"


def test_line_breaks_and_tabs_become_words_own() -> None:
    """A typed line break becomes a Word line break and a tab a Word tab, in the same run."""
    out = str(as_run_text("one\ntwo\tthree"))
    assert "<w:br/>" in out and "<w:tab/>" in out
    assert out.startswith("one</w:t>")


def test_forbidden_characters_follow_the_documented_rule() -> None:
    """Control characters XML forbids are removed; CR LF, CR, VT and FF are line breaks."""
    assert clean("a\x00b\x07c\x1bd") == "abcd"
    assert clean("a\r\nb\rc\x0bd\x0ce") == "a\nb\nc\nd\ne"
    assert clean("lone \ud800 surrogate \ufffe") == "lone  surrogate "


def test_none_prints_as_nothing() -> None:
    """A value that is not there prints as nothing, never as 'None'."""
    assert str(as_run_text(None)) == ""


@given(st.text())
def test_cleaned_text_is_always_valid_xml_character_data(text: str) -> None:
    """Whatever is typed, the cleaned text holds only characters XML 1.0 allows."""
    for ch in clean(text):
        code = ord(ch)
        assert code in (0x9, 0xA) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD \
            or code >= 0x10000


@pytest.mark.parametrize("name", [
    'Plan: "Jordan" <draft>?.docx', "  .hidden name. ", "CON", "con.docx", "a/b\\c|d*e",
    "desktop.ini", "_vti_history", "x" * 300 + ".docx",
])
def test_file_names_are_ones_sharepoint_accepts(name: str) -> None:
    """A file name never has " * : < > ? / \\ |, edge spaces or dots, or a reserved name."""
    out = safe_name(name)
    assert not set('"*:<>?/\\|') & set(out)
    assert out == out.strip(" .") and out
    assert out.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL"}
    assert out.lower() != "desktop.ini" and "_vti_" not in out
    assert len(out) <= 120


def test_a_long_name_keeps_its_extension() -> None:
    """A name cut to fit keeps its .docx ending, so it still opens in Word."""
    assert safe_name("x" * 300 + ".docx").endswith(".docx")


def test_accented_and_apostrophe_names_are_kept() -> None:
    """Names such as O'Brien and Zoë are kept as typed."""
    assert safe_name("2026-09-23 AIM plan - Siobhán O'Brien.docx") == \
        "2026-09-23 AIM plan - Siobhán O'Brien.docx"


def test_a_path_over_sharepoints_limit_is_refused() -> None:
    """A path longer than 400 characters is refused with the length in the message."""
    with pytest.raises(ValueError, match="401"):
        check_path("a" * 401)

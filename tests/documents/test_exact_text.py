"""What a person types comes back from every document exactly as typed.

Every hostile string (function_app/documents/hostile.py) is put into every free-text field
of a full case, in turn, and every kind is rendered for every meeting it applies to. Each
value is wrapped in numbered markers, so the test finds every place a value is printed
and compares it with what was typed (after the documented forbidden-character rule).
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from function_app.documents.context import Options
from function_app.documents.engine import TemplateSet, produce
from function_app.documents.hostile import corpus
from function_app.documents.xml_text import clean
from function_app.domain import assess, load_profile
from function_app.services.case_files.case_input import case_from_dict

SAMPLE = Path(__file__).resolve().parents[2] / "templates" / "sample-case.json"
TEMPLATES = TemplateSet()
NOW = datetime(2026, 11, 22, tzinfo=UTC)

# Identifiers, dates, choices and structured values (an address is split into its lines)
# are not free text.
NOT_FREE_TEXT = {"$schema", "$comment", "case_ref", "profile", "stage", "status", "id",
                 "carer_id", "carer_ids", "kind", "date", "time", "date_of_birth", "urn",
                 "upn", "phase", "session", "code", "mode", "party", "preferred_contact",
                 "preferred_language", "address", "email", "phone", "start", "end",
                 "issued_on", "offered_on", "completed_on", "review_date", "target_met",
                 "decision", "period_start", "period_end", "speaker"}
MARK = re.compile(r"\[\[#(\d+)\]\](.*?)\[\[/\1\]\]", re.DOTALL)

pytestmark = pytest.mark.unit


def free_text_leaves(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in NOT_FREE_TEXT:
                yield from free_text_leaves(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from free_text_leaves(value, (*path, i))
    elif isinstance(node, str):
        yield path


def put(data: Any, path: tuple[Any, ...], value: str) -> None:
    for step in path[:-1]:
        data = data[step]
    data[path[-1]] = value


def reader_text(content: bytes) -> str:
    """The text of every part a reader sees, as python-docx reads runs, breaks and tabs."""
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        parts = [z.read(n).decode("utf-8") for n in z.namelist()
                 if re.match(r"word/(document|header\d*|footer\d*)\.xml$", n)]
    marks = {"<w:br/>": "\n", "<w:tab/>": "\t", "</w:p>": "\n"}
    out = []
    for xml in parts:
        for m in re.finditer(r"<w:t(?: [^>]*)?>([^<]*)</w:t>|<w:br/>|<w:tab/>|</w:p>", xml):
            out.append(html.unescape(m.group(1)) if m.group(1) is not None
                       else marks[m.group(0)])
    return "".join(out)


def documents_for(data: dict[str, Any]) -> Iterator[bytes]:
    case = case_from_dict(data)
    a = assess(case, load_profile(case.profile), date(2026, 11, 22))
    for kind in TEMPLATES.catalogue.kinds:
        meetings = [m.id for m in case.meetings if m.kind.value in kind.meeting_kinds
                    and (not kind.meeting_statuses or m.status.value in kind.meeting_statuses)]
        for meeting in meetings or [None]:
            for document in produce(TEMPLATES, kind.kind, a, meeting, Options("MARK"), NOW):
                yield document.content


def test_the_fast_reader_agrees_with_python_docx() -> None:
    """The text extraction used below reads a document as python-docx does."""
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    content = next(documents_for(data))
    doc = Document(io.BytesIO(content))
    for p in doc.paragraphs:
        assert p.text in reader_text(content)


def test_every_hostile_string_survives_every_free_text_field() -> None:
    """All 200+ hostile strings, each in every free-text field in turn, appear in the
    documents exactly as typed, and every field is printed by at least one document."""
    base = json.loads(SAMPLE.read_text(encoding="utf-8"))
    leaves = list(free_text_leaves(base))
    strings = corpus()
    assert len(strings) >= 200 and len(leaves) >= 60
    seen_fields: set[int] = set()
    for turn in range(len(strings)):
        data = json.loads(json.dumps(base))
        typed = {}
        for i, path in enumerate(leaves):
            value = strings[(i + turn) % len(strings)]
            typed[i] = value
            put(data, path, f"[[#{i}]]{value}[[/{i}]]")
        for content in documents_for(data):
            for m in MARK.finditer(reader_text(content)):
                i = int(m.group(1))
                seen_fields.add(i)
                assert m.group(2) == clean(typed[i]), (
                    f"{'.'.join(map(str, leaves[i]))} came back changed: "
                    f"{typed[i][:60]!r} -> {m.group(2)[:60]!r}")
    unseen = [".".join(map(str, leaves[i])) for i in range(len(leaves)) if i not in seen_fields]
    assert not unseen, f"fields no document prints: {unseen}"

"""Invitations to review meetings and letters for rearranged meetings (seed 002; seeds 000
and 001 for the AIM), made one per parent and dated the day they are made."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from function_app.documents.context import Options
from function_app.documents.engine import TemplateSet, produce
from function_app.domain import assess, load_profile
from function_app.domain.errors import InvalidCaseError
from function_app.domain.model import Case
from function_app.services.case_files.case_input import case_from_dict

SAMPLE = Path(__file__).resolve().parents[2] / "templates" / "sample-case.json"
TODAY = date(2026, 11, 23)  # a Monday
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TEMPLATES = TemplateSet()

pytestmark = pytest.mark.unit


def case_with(*meetings: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))
    data["meetings"] = list(meetings)
    return data


def support_held(day: str) -> dict[str, Any]:
    """The sample's held school attendance meeting (target "No further unauthorised
    absence"), moved to day, without its typed review date."""
    m: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))["meetings"][1]
    return {k: v for k, v in (m | {"date": day}).items() if k != "review_date"}


def planned(kind: str, day: str, meeting_id: str = "p1") -> dict[str, Any]:
    return {"id": meeting_id, "kind": kind, "status": "planned", "date": day, "time": "14:00",
            "venue": {"kind": "school"},
            "attendees": [{"name": "Priya Shah", "role": "Attendance Lead", "party": "school",
                           "present": False}]}


def make(kind: str, data: dict[str, Any], meeting: str = "p1",
         rearranged: bool = False) -> list[Any]:
    case: Case = case_from_dict(data)
    if rearranged:
        case = replace(case, meetings=tuple(replace(m, rearranged=m.id == meeting)
                                            for m in case.meetings))
    a = assess(case, load_profile(case.profile), TODAY)
    return produce(TEMPLATES, kind, a, meeting, Options(), NOW)


def text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def test_review_invitation_is_made_one_per_parent_with_what_the_review_is_for() -> None:
    """Seed 002: each parent is invited by letter to the review, which looks at the plan
    agreed at the last meeting and whether its target was met; date, time, place, an offer
    to rearrange and reasonable adjustments, as the other invitations give."""
    data = case_with(support_held("2026-11-05"), planned("review", "2026-11-26"))
    documents = make("review_meeting_invitation", data)
    parents = [c for c in data["carers"] if c.get("parental_responsibility")]
    assert len(documents) == len(parents) >= 2
    assert {d.recipient for d in documents} == {f"{c['first_name']} {c['last_name']}"
                                                for c in parents}
    for d in documents:
        words = text(d.content)
        assert "Thursday 26 November 2026" in words and "2pm" in words
        assert "school attendance meeting on 5 November 2026" in words
        assert "plan we agreed last time" in words
        assert "attendance target" in words and "No further unauthorised absence" in words
        assert "does not suit you" in words and "another time" in words
        assert "your own home, or somewhere neutral" in words
        assert "may go ahead even if you are not able to come" in words
        assert d.file_name.startswith("2026-11-26 Review meeting invitation - ")


def test_a_review_meeting_marked_rearranged_gets_the_rearranged_letter_only() -> None:
    """Seeds 000-002: changed arrangements are confirmed in writing; the ordinary invitation
    is not sent again for a rearranged meeting."""
    data = case_with(support_held("2026-11-05"), planned("review", "2026-12-02"))
    assert make("review_meeting_invitation", data, rearranged=True) == []
    [first, *_] = make("meeting_rearranged", data, rearranged=True)
    words = text(first.content)
    assert "has been rearranged" in words and "Wednesday 2 December 2026" in words
    assert "replace those in our earlier letter" in words
    assert make("meeting_rearranged", data) == []  # not marked: the invitation instead


def test_a_rearranged_aim_says_so_without_repeating_the_warning_word_for_word() -> None:
    """Seeds 000 and 001: the rearranged AIM's letter gives the new date and one sentence that
    the earlier warning stands, not the warning of prosecution again."""
    data = case_with(planned("aim", "2026-12-03"))
    words = text(make("meeting_rearranged", data, rearranged=True)[0].content)
    original = text(make("aim_invitation", data)[0].content)
    assert "has been rearranged" in words and "Thursday 3 December 2026" in words
    assert "The warning in our earlier letter still stands." in words
    assert "section 444" in original and "section 444" not in words
    assert "I must warn you that you may be at risk of prosecution" in original
    assert "I must warn you" not in words
    assert "will go ahead at the new time" in words


def test_a_rearranged_meeting_needs_five_school_days_notice() -> None:
    """Five school days after the letter's date (the catalogue's reasoned choice: post takes
    2-3 working days and parents need time to arrange or ask to rearrange): sooner is refused
    naming "Date"; the fifth school day is accepted."""
    soon = case_with(planned("support", "2026-11-27"))  # Friday: 4 school days
    with pytest.raises(InvalidCaseError) as refused:
        make("meeting_rearranged", soon, rearranged=True)
    [problem] = refused.value.problems
    assert problem.message.startswith('"Date" is 27 November 2026, too soon')
    assert "on or after 30 November 2026" in problem.message
    assert make("meeting_rearranged", case_with(planned("support", "2026-11-30")),
                rearranged=True)


def test_new_kinds_open_in_python_docx() -> None:
    """Both new kinds render to files python-docx opens."""
    data = case_with(support_held("2026-11-05"), planned("review", "2026-11-30"))
    for d in (make("review_meeting_invitation", data)
              + make("meeting_rearranged", data, rearranged=True)):
        assert Document(io.BytesIO(d.content)).paragraphs


def test_asking_for_the_other_letter_says_which_one_the_meeting_gets() -> None:
    """Without --meeting, an invitation asked for when the only planned meeting is marked
    rearranged says that meeting gets the rearranged letter; the rearranged letter asked for
    when none is marked says to tick "Rearranged"."""
    data = case_with(planned("support", "2026-12-02"))
    case: Case = case_from_dict(data)
    moved = replace(case, meetings=tuple(replace(m, rearranged=True) for m in case.meetings))
    for c, kind, words in ((moved, "support_meeting_invitation", "not made for a meeting "
                            'marked "Rearranged" (p1)'),
                           (case, "meeting_rearranged", 'Tick "Rearranged" on the meeting')):
        with pytest.raises(InvalidCaseError) as refused:
            produce(TEMPLATES, kind, assess(c, load_profile(c.profile), TODAY), None,
                    Options(), NOW)
        [problem] = refused.value.problems
        assert problem.path == "meetings" and words in problem.message

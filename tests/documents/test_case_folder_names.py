"""The case folder read for the evidence bundle when two parents share a full name: the
letters the product names "... - Chris Jones (12 Elm Road).docx" are what the folder should
hold (not reported missing), and each is evidence of contact with its own parent."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from docx import Document as WordDocument

from function_app.documents.bundle import Source
from function_app.documents.case_folder import (
    expected,
    letters_as_contacts,
    missing_sources,
    read_name,
    source_of,
)
from function_app.documents.context import Options
from function_app.documents.engine import Document, TemplateSet, produce
from function_app.domain import DEFAULT_PROFILE, assess, load_profile
from function_app.domain.model import Case
from function_app.domain.readiness import readiness
from function_app.services.case_files.case_input import case_from_dict

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "aim-review-no-engagement.json"
TEMPLATES = TemplateSet()
CATALOGUE = TEMPLATES.catalogue
TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
ELM, MILL = "12 Elm Road\nStroud\nGL5 1AA", "4 Mill Lane, Stroud"
COVER = "2026-09-23 Covering letter with the plan - "

pytestmark = pytest.mark.unit


def parent(cid: str, address: str, first: str = "Chris", last: str = "Jones") -> dict[str, Any]:
    out: dict[str, Any] = {"id": cid, "first_name": first, "last_name": last,
                           "relationship": "Parent", "parental_responsibility": True}
    if address:
        out["address"] = address
    else:
        out["email"] = f"{cid}@example.org"
    return out


def case_of(*carers: dict[str, Any]) -> Case:
    """The AIM and its review (both held, each making a plan), with these carers."""
    data: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["carers"] = list(carers)
    return case_from_dict(data)


def two_chris_joneses() -> Case:
    return case_of(parent("c1", ELM), parent("c2", MILL))


def made(case: Case) -> list[Document]:
    """Every document the held AIM and its review make: a plan each, a covering letter each
    to each parent."""
    a = assess(case, load_profile(case.profile or DEFAULT_PROFILE), TODAY)
    return [d for m in ("m1", "m2") for kind in ("aim_plan", "plan_cover_letter")
            for d in produce(TEMPLATES, kind, a, m, Options(), NOW)]


def filed(docs: list[Document]) -> list[Source]:
    return [source_of(d.file_name, d.content, TODAY, CATALOGUE) for d in docs]


def letter(name: str) -> Source:
    """A readable letter in the folder by this name."""
    out = io.BytesIO()
    WordDocument().save(out)
    return source_of(name, out.getvalue(), date(2026, 9, 24), CATALOGUE)


def test_what_the_folder_should_hold_is_what_produce_names() -> None:
    """The expected names are the names produce() gave, an address added to each Chris
    Jones's letter: filing everything made leaves nothing missing."""
    case = two_chris_joneses()
    docs = made(case)
    assert [name for name, _, _ in expected(case, CATALOGUE)] == [d.file_name for d in docs]
    assert f"{COVER}Chris Jones (12 Elm Road).docx" in {d.file_name for d in docs}
    assert missing_sources(case, CATALOGUE, [d.file_name for d in docs]) == []


def test_a_missing_letter_to_one_of_two_same_named_parents_is_named() -> None:
    """Without the second Chris Jones's covering letter, that letter, and only that one, is
    listed missing, by the name produce() gives it."""
    case = two_chris_joneses()
    names = [d.file_name for d in made(case)]
    gone = f"{COVER}Chris Jones (4 Mill Lane).docx"
    (missing,) = missing_sources(case, CATALOGUE, [n for n in names if n != gone])
    assert missing.name == gone and missing.problem.startswith("missing")
    assert missing.title == "Covering letter with the plan - Chris Jones (4 Mill Lane)"


def test_numbered_letters_are_expected_when_the_addresses_do_not_tell_them_apart() -> None:
    """Two Chris Joneses at one address: their letters are parent 1 and parent 2, and those
    are the names expected."""
    case = case_of(parent("c1", ELM), parent("c2", "12 Elm Road\nStroud"))
    expected_names = [name for name, _, _ in expected(case, CATALOGUE)]
    assert f"{COVER}Chris Jones (parent 2).docx" in expected_names
    assert expected_names == [d.file_name for d in made(case)]


def test_a_label_is_read_as_the_parent_the_name_gives() -> None:
    """A letter named with a label is still the kind's letter, to the parent so labelled."""
    named = read_name(f"{COVER}Chris Jones (12 Elm Road).docx", CATALOGUE)
    assert named.kind is not None and named.kind.kind == "plan_cover_letter"
    assert (named.day, named.carer) == (date(2026, 9, 23), "Chris Jones (12 Elm Road)")


def test_each_filed_letter_is_contact_with_its_own_parent() -> None:
    """Each Chris Jones's covering letters count as the plan sent to that Chris Jones, dated
    as the letters are (the day they were made, here the case's today), so readiness finds
    every plan sent to every parent."""
    case = two_chris_joneses()
    sources = filed(made(case))
    contacts = letters_as_contacts(case, sources, CATALOGUE)
    day = TODAY.isoformat()
    assert sorted((c.date.isoformat(), c.carer_ids) for c in contacts) == [
        (day, ("c1",)), (day, ("c1",)), (day, ("c2",)), (day, ("c2",))]
    profile = load_profile(case.profile or DEFAULT_PROFILE)
    before = readiness(case, profile, TODAY).step("plans_sent")
    evidenced = replace(case, interactions=case.interactions + contacts)
    after = readiness(evidenced, profile, TODAY).step("plans_sent")
    assert not before.found and after.found, after.evidence


def test_one_parents_letters_are_not_the_others() -> None:
    """Only the first Chris Jones's letters in the folder: the second is still shown as not
    sent the plan."""
    case = two_chris_joneses()
    docs = [d for d in made(case) if d.carer_id != "c2"]
    contacts = letters_as_contacts(case, filed(docs), CATALOGUE)
    assert {c.carer_ids for c in contacts} == {("c1",)}
    evidenced = replace(case, interactions=case.interactions + contacts)
    step = readiness(evidenced, load_profile(case.profile or DEFAULT_PROFILE), TODAY).step(
        "plans_sent")
    assert not step.found


def test_a_label_from_before_the_case_changed_still_finds_its_parent() -> None:
    """Letters named when the case stood otherwise are read by their label: the first line
    of the address (letter case and spacing aside) or the parent's number among those of the
    name."""
    # A third Chris Jones with no postal address numbers them all now; the addresses filed
    # still say which.
    case = case_of(parent("c1", ELM), parent("c2", MILL), parent("c3", ""))
    by_address = [letter(f"{COVER}Chris Jones (4 Mill Lane).docx"),
                  letter(f"{COVER}chris  JONES (12 elm road).docx")]
    assert [c.carer_ids for c in letters_as_contacts(case, by_address, CATALOGUE)] == [
        ("c2",), ("c1",)]
    # Numbered when they shared an address; the addresses now differ.
    case = two_chris_joneses()
    numbered = [letter(f"{COVER}Chris Jones (parent 2).docx")]
    assert [c.carer_ids for c in letters_as_contacts(case, numbered, CATALOGUE)] == [("c2",)]


def test_a_name_two_parents_share_with_nothing_to_tell_which_is_neither() -> None:
    """A letter to plain "Chris Jones", or to an address or number neither has, is not
    counted for either Chris Jones; a parent with a name of their own is matched by it."""
    case = case_of(parent("c1", ELM), parent("c2", MILL), parent("c3", "1 High St", "Dana"))
    unclear = [letter(f"{COVER}Chris Jones.docx"),
               letter(f"{COVER}Chris Jones (parent 5).docx"),
               letter(f"{COVER}Chris Jones (9 Oak Street).docx")]
    assert letters_as_contacts(case, unclear, CATALOGUE) == ()
    (dana,) = letters_as_contacts(case, [letter(f"{COVER}Dana Jones.docx")], CATALOGUE)
    assert dana.carer_ids == ("c3",)


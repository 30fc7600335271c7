"""Every letter gets a file name of its own, and every case folder a path SharePoint accepts."""

from __future__ import annotations

import json
import string
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from function_app.documents.context import Options
from function_app.documents.engine import Document, TemplateSet, produce
from function_app.documents.naming import MAX_FILE_NAME, MAX_PATH, case_folder, safe_name, units
from function_app.domain import DEFAULT_PROFILE, assess, load_profile
from function_app.services.case_files.case_input import case_from_dict

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE = EXAMPLES / "notice-to-improve-running-year-11.json"
TEMPLATES = TemplateSet()
TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
PATTERN = "{school}/{case_ref} {surname}, {forename}"
PREFIX = "/sites/attendance/Case Files"
NOTICE = "2026-11-22 Notice to Improve - "

pytestmark = pytest.mark.unit


def carer(cid: str, first: str, last: str, address: str = "", **more: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": cid, "first_name": first, "last_name": last,
                           "relationship": "Parent", "parental_responsibility": True, **more}
    if address:
        out["address"] = address
    else:
        out.setdefault("email", f"{cid}@example.org")
    return out


def notices(carers: list[dict[str, Any]], **changes: Any) -> list[Document]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["carers"] = carers
    data.update(changes)
    case = case_from_dict(data)
    a = assess(case, load_profile(case.profile or DEFAULT_PROFILE), TODAY)
    return produce(TEMPLATES, "notice_to_improve", a, None, Options(), NOW)


def folder(**values: str) -> str:
    given_values = {"school": "Brookfield Community School", "case_ref": "ATT-2026-0116",
                    "surname": "Murphy", "forename": "Jade", **values}
    return case_folder(PATTERN, prefix=PREFIX, **given_values)


def test_two_parents_of_the_same_name_at_different_addresses_each_get_their_own_letter() -> None:
    """Two parents both called Chris Jones get a letter each, named by their address's first
    line."""
    docs = notices([carer("c1", "Chris", "Jones", "12 Elm Road\nStroud\nGL5 1AA"),
                    carer("c2", "chris ", "JONES", "4 Mill Lane, Stroud")])
    assert [d.file_name for d in docs] == [f"{NOTICE}Chris Jones (12 Elm Road).docx",
                                           f"{NOTICE}chris JONES (4 Mill Lane).docx"]
    assert [d.carer_id for d in docs] == ["c1", "c2"]


def test_parents_of_the_same_name_and_address_are_numbered_in_the_order_recorded() -> None:
    """Two Chris Joneses at the same address, or with no postal address, are parent 1 and 2."""
    for second in ("12 elm road\nStroud", ""):
        docs = notices([carer("c1", "Chris", "Jones", "12 Elm Road\nStroud"),
                        carer("c2", "Chris", "Jones", second)])
        assert [d.file_name for d in docs] == [f"{NOTICE}Chris Jones (parent 1).docx",
                                               f"{NOTICE}Chris Jones (parent 2).docx"]


def test_a_parent_with_a_name_of_their_own_keeps_the_usual_file_name() -> None:
    """A parent whose name no one else in the case shares gets the same file name as before."""
    docs = notices([carer("c1", "Chris", "Jones", "12 Elm Road"),
                    carer("c2", "Dana", "Jones", "12 Elm Road")])
    assert [d.file_name for d in docs] == [f"{NOTICE}Chris Jones.docx",
                                           f"{NOTICE}Dana Jones.docx"]


def test_a_slash_in_a_surname_does_not_make_another_folder() -> None:
    """A surname typed as "Smith/Jones" stays in the one case folder, as "Smith-Jones"."""
    assert folder(surname="Smith/Jones", forename="Al\\ex") == \
        "Brookfield Community School/ATT-2026-0116 Smith-Jones, Al-ex"


def test_a_leading_tilde_is_removed() -> None:
    """No file or folder name begins with "~", which SharePoint and OneDrive refuse."""
    assert folder(school="~$Brookfield") == "$Brookfield/ATT-2026-0116 Murphy, Jade"
    assert folder(school="~~~").split("/")[0] == "school"
    assert safe_name("~$2026-11-22 AIM plan.docx") == "$2026-11-22 AIM plan.docx"


def test_a_school_called_forms_is_not_the_reserved_forms_folder() -> None:
    """A school named "Forms" gets a folder SharePoint allows at the library's root."""
    root = folder(school="Forms").split("/")[0]
    assert root.casefold() != "forms" and root.startswith("Forms")
    assert folder(school="Forms", case_ref="forms").split("/")[1].startswith("forms")


def test_an_emoji_case_reference_and_a_very_long_surname_still_fit_sharepoints_limit() -> None:
    """A 70-emoji case reference and 300-character surnames give a path within 400, with the
    date, the kind, the school and the case reference whole."""
    ref, surname = "\U0001f600" * 70, "Featherstonehaugh" * 18
    docs = notices([carer("c1", "Christopher", surname, "12 Elm Road")], case_ref=ref)
    name = docs[0].file_name
    assert name.startswith(f"{NOTICE}Christopher Feather") and name.endswith(".docx")
    assert units(name) <= MAX_FILE_NAME
    case = folder(case_ref=ref, surname=surname)
    path = f"{PREFIX}/{case}/{name}"
    assert units(path) <= MAX_PATH
    assert case.startswith(f"Brookfield Community School/{ref} Feather")
    assert case.endswith(", Jade")


def test_a_folder_that_cannot_fit_is_refused_with_a_plain_message() -> None:
    """A school name so long that no shortening of the pupil's name fits is refused, saying why."""
    with pytest.raises(ValueError, match="shorten the school name"):
        folder(school="x" * 300)


ANY = st.text()


@given(school=st.text(max_size=50), case_ref=st.text(max_size=50), surname=ANY, forename=ANY)
def test_any_typed_values_give_one_folder_level_per_pattern_level(
        school: str, case_ref: str, surname: str, forename: str) -> None:
    """Whatever is typed, the case folder has the pattern's levels, each a name SharePoint
    accepts."""
    path = case_folder(PATTERN, school=school, case_ref=case_ref, surname=surname,
                       forename=forename, prefix=PREFIX)
    segments = path.split("/")
    assert len(segments) == len(PATTERN.split("/"))
    for segment in segments:
        assert segment and not segment.startswith("~")
        assert safe_name(segment, MAX_PATH) == segment
    assert segments[0].casefold() != "forms"
    assert units(f"{PREFIX}/{path}/") + MAX_FILE_NAME <= MAX_PATH


@given(st.text(alphabet=string.printable + "~_ .\U0001f600\u0301", max_size=300))
def test_a_safe_name_is_already_safe(name: str) -> None:
    """A name made safe is left as it is when made safe again, so folders match on each run."""
    once = safe_name(name)
    assert safe_name(once) == once and not once.startswith("~") and units(once) <= 120

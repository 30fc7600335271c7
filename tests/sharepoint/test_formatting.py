"""The formatting, views, form and validation in sharepoint_schema/formatting/ are valid
SharePoint JSON, name only fields their lists have, and the site script built from them is a
valid site script."""

from __future__ import annotations

import argparse
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from function_app.cli import site_script as cli_site_script
from function_app.services.provisioning.list_formatting import (
    FORMATTING_DIR,
    load_formatting,
    view_query,
)
from function_app.services.provisioning.list_schema import load_lists
from function_app.services.provisioning.site_script import (
    MAX_ACTIONS,
    MAX_CHARACTERS,
    in_parts,
    script_text,
    site_script,
)

pytestmark = pytest.mark.unit

SCHEMAS = Path(__file__).resolve().parents[1] / "fixtures" / "schemas"
SP_V2 = "https://developer.microsoft.com/json-schemas/sp/v2/"
SITE_SCRIPT_URL = ("https://developer.microsoft.com/json-schemas/sp/"
                   "site-design-script-actions.schema.json")
LOCAL = {
    f"{SP_V2}column-formatting.schema.json": "column-formatting.schema.json",
    f"{SP_V2}row-formatting.schema.json": "row-formatting.schema.json",
    f"{SP_V2}view-formatting.schema.json": "view-formatting.schema.json",
    f"{SP_V2}tile-formatting.schema.json": "tile-formatting.schema.json",
    SITE_SCRIPT_URL: "site-design-script-actions.schema.json",
}
# Fields SharePoint gives every list, which views and formatters may use.
SHAREPOINT_FIELDS = {"ID", "Author", "Editor", "Created", "Modified", "LinkTitle",
                     "LinkTitleNoMenu", "Attachments"}
FIELD_IN_EXPRESSION = re.compile(r"\[\$([A-Za-z_][A-Za-z0-9_]*)")
COLUMN_IN_FORMULA = re.compile(r"\[([^\]$]+)\]")
QUOTED = re.compile(r"\[\$([A-Za-z0-9_]+)\]\s*[!=]=\s*'([^']*)'")

LISTS = load_lists()
BY_NAME = {lst["displayName"]: lst for lst in LISTS}
FORMATTING = load_formatting(LISTS)


def _schema(url: str) -> dict[str, Any]:
    """The local copy of a schema. row-formatting's $refs end in "#definitions/expression",
    which is not a JSON pointer (it lacks the leading slash) and which `referencing` refuses;
    the slash is put back in memory only, so the file stays byte-identical to its source."""
    text = (SCHEMAS / LOCAL[url]).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text.replace('.json#definitions/', '.json#/definitions/'))
    return schema


REGISTRY: Registry[Any] = Registry().with_resources(
    (url, Resource.from_contents(_schema(url), default_specification=DRAFT4)) for url in LOCAL)


def _validator(url: str) -> Draft4Validator:
    return Draft4Validator(_schema(url), registry=REGISTRY)


def _errors(url: str, instance: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in _validator(url).iter_errors(instance)]


def _names(list_name: str) -> set[str]:
    return {c["name"] for c in BY_NAME[list_name]["columns"]} | SHAREPOINT_FIELDS


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _choices(list_name: str, field: str) -> list[str] | None:
    column = next(c for c in BY_NAME[list_name]["columns"] if c["name"] == field)
    choices: list[str] | None = column.get("choice", {}).get("choices")
    return choices


COLUMN_FORMATTERS = [(name, field, formatter) for name, entry in FORMATTING.items()
                     for field, formatter in entry["columns"].items()]
VIEWS = [(name, view) for name, entry in FORMATTING.items() for view in entry["views"]]
FORMS = [(name, entry["form"]) for name, entry in FORMATTING.items() if entry["form"]]


def test_every_formatting_file_is_used() -> None:
    """Each JSON file under sharepoint_schema/formatting/ is named by the index or a view."""
    index = json.loads((FORMATTING_DIR / "index.json").read_text(encoding="utf-8"))
    named = {p for p in _strings(index) if p.endswith(".json")}
    for path in list(named):
        view = json.loads((FORMATTING_DIR / path).read_text(encoding="utf-8"))
        if isinstance(view.get("formatter"), str):
            named.add(str(Path(path).parent / view["formatter"]))
    on_disk = {str(p.relative_to(FORMATTING_DIR)) for p in FORMATTING_DIR.rglob("*.json")}
    assert on_disk - {"index.json"} == named


def test_the_brief_s_formatting_and_views_are_all_there() -> None:
    """Cases has the attendance pill and four views, Meetings the overdue review date, the
    reviews-due view and a form, and every list with GenerationStatus has its icon."""
    assert "Tier" in FORMATTING["Cases"]["columns"]
    assert "ReviewDate" in FORMATTING["Meetings"]["columns"]
    assert {v["name"] for _, v in VIEWS} == {
        "My open cases", "Reviews due this week", "Severe absence", "By school and tier",
        "Awaiting consultation"}
    assert FORMATTING["Meetings"]["form"] is not None
    for name, lst in BY_NAME.items():
        if any(c["name"] == "GenerationStatus" for c in lst["columns"]):
            assert "GenerationStatus" in FORMATTING[name]["columns"], name


@pytest.mark.parametrize(("list_name", "field", "formatter"), COLUMN_FORMATTERS,
                         ids=[f"{n}.{f}" for n, f, _ in COLUMN_FORMATTERS])
def test_column_formatting_validates_against_microsofts_schema(
        list_name: str, field: str, formatter: dict[str, Any]) -> None:
    """A column formatter is valid against the v2 column-formatting schema."""
    assert formatter["$schema"] == f"{SP_V2}column-formatting.schema.json"
    assert _errors(f"{SP_V2}column-formatting.schema.json", formatter) == []


@pytest.mark.parametrize(("list_name", "field", "formatter"), COLUMN_FORMATTERS,
                         ids=[f"{n}.{f}" for n, f, _ in COLUMN_FORMATTERS])
def test_column_formatting_names_fields_of_its_list(
        list_name: str, field: str, formatter: dict[str, Any]) -> None:
    """A column formatter is on a column of its list and reads only fields that list has."""
    assert field in _names(list_name)
    used = {m for s in _strings(formatter) for m in FIELD_IN_EXPRESSION.findall(s)}
    assert used <= _names(list_name), used - _names(list_name)


@pytest.mark.parametrize(("list_name", "view"), VIEWS, ids=[v["name"] for _, v in VIEWS])
def test_a_view_names_fields_of_its_list(list_name: str, view: dict[str, Any]) -> None:
    """A view's fields, filter, sort and grouping name only fields its list has."""
    assert view["list"] == list_name
    names = _names(list_name)
    query = ET.fromstring(f"<Query>{view_query(view)}</Query>")
    in_query = {ref.attrib["Name"] for ref in query.iter("FieldRef")}
    assert set(view["viewFields"]) | in_query <= names, (set(view["viewFields"]) | in_query) - names
    assert query.find("Where") is not None
    assert isinstance(view["rowLimit"], int) and view["rowLimit"] > 0


@pytest.mark.parametrize(("list_name", "view"), VIEWS, ids=[v["name"] for _, v in VIEWS])
def test_a_view_filters_choices_by_values_the_column_offers(
        list_name: str, view: dict[str, Any]) -> None:
    """A CAML comparison with a choice column uses one of that column's choices."""
    query = ET.fromstring(f"<Query>{view['where']}</Query>")
    for comparison in query.iter():
        ref, value = comparison.find("FieldRef"), comparison.find("Value")
        if ref is None or value is None or value.attrib.get("Type") != "Choice":
            continue
        assert value.text in (_choices(list_name, ref.attrib["Name"]) or []), value.text


VIEW_FORMATTERS = [(name, view) for name, view in VIEWS if view["formatter"]]


@pytest.mark.parametrize(("list_name", "view"), VIEW_FORMATTERS,
                         ids=[v["name"] for _, v in VIEW_FORMATTERS])
def test_view_formatting_validates_against_microsofts_schema(
        list_name: str, view: dict[str, Any]) -> None:
    """A view's row formatter is valid against the v2 view- and row-formatting schemas and
    reads only fields its list has."""
    formatter = view["formatter"]
    assert _errors(f"{SP_V2}view-formatting.schema.json", formatter) == []
    assert _errors(f"{SP_V2}row-formatting.schema.json", formatter) == []
    used = {m for s in _strings(formatter) for m in FIELD_IN_EXPRESSION.findall(s)}
    assert used <= _names(list_name)


def test_the_schemas_refuse_what_sharepoint_would_refuse() -> None:
    """The local schemas, with their URLs mapped, do reject a bad formatter (so passing means
    something)."""
    assert _errors(f"{SP_V2}column-formatting.schema.json", {"elmType": "marquee"})
    assert _errors(f"{SP_V2}view-formatting.schema.json", {"additionalRowClass": 3})


@pytest.mark.parametrize(("list_name", "form"), FORMS, ids=[n for n, _ in FORMS])
def test_the_form_has_the_documented_shape(list_name: str, form: dict[str, Any]) -> None:
    """A form has a header and footer that are valid column formatters and a body of named
    sections, each listing display names of its list's columns, none twice."""
    assert set(form) == {"list", "header", "body", "footer", "showWhen"}
    for part in ("header", "footer"):
        assert _errors(f"{SP_V2}column-formatting.schema.json", form[part]) == [], part
    assert set(form["body"]) == {"sections"}
    display = {c["displayName"] for c in BY_NAME[list_name]["columns"]}
    seen: list[str] = []
    for section in form["body"]["sections"]:
        assert set(section) == {"displayname", "fields"}
        assert section["displayname"] and section["fields"]
        seen += section["fields"]
    assert set(seen) <= display, set(seen) - display
    assert len(seen) == len(set(seen))
    used = {m for s in _strings([form["header"], form["footer"]])
            for m in FIELD_IN_EXPRESSION.findall(s)}
    assert used <= _names(list_name)


def test_the_meetings_form_follows_the_templates_order() -> None:
    """The Meetings form's sections run: the meeting, attendance, reasons and barriers,
    interventions, target and review."""
    titles = [s["displayname"].lower() for s in FORMATTING["Meetings"]["form"]["body"]["sections"]]
    order = ["meeting", "attendance", "reasons and barriers", "interventions",
             "target and review"]
    positions = [next(i for i, t in enumerate(titles) if word in t) for word in order]
    assert positions == sorted(positions)


def test_the_reason_a_meeting_did_not_go_ahead_shows_only_then() -> None:
    """ReasonNotProceeded shows only when MeetingStatus is Did not go ahead; every show-when
    names fields of Meetings and compares choices with values they offer."""
    show = FORMATTING["Meetings"]["form"]["showWhen"]
    assert show["ReasonNotProceeded"] == (
        "=if([$MeetingStatus] == 'Did not go ahead', 'true', 'false')")
    for field, formula in show.items():
        assert field in _names("Meetings")
        assert formula.startswith("=")
        for name, value in QUOTED.findall(formula):
            assert name in _names("Meetings")
            assert value in (_choices("Meetings", name) or []), (name, value)


@pytest.mark.parametrize(("list_name", "words"), [
    ("Meetings", ("[Review date]>[Date]",)),
    ("Cases", ("[Present sessions]<=[Possible sessions]",
               "[Authorised absences]+[Unauthorised absences]<=[Possible sessions]")),
])
def test_list_validation_checks_dates_and_attendance(list_name: str,
                                                     words: tuple[str, ...]) -> None:
    """The review date must follow the meeting date, and attendance must stay between 0% and
    100%, each with a plain message, naming columns by their display names."""
    validation = FORMATTING[list_name]["validation"]
    assert validation["formula"].startswith("=")
    for word in words:
        assert word in validation["formula"]
    assert validation["message"].endswith(".") and "[" not in validation["message"]
    display = {c["displayName"] for c in BY_NAME[list_name]["columns"]}
    assert set(COLUMN_IN_FORMULA.findall(validation["formula"])) <= display


SCRIPT = site_script(LISTS, FORMATTING)


def test_the_site_script_validates_against_the_site_script_schema() -> None:
    """The site script built from the lists and formatting is valid against the schema."""
    assert _errors(SITE_SCRIPT_URL, SCRIPT) == []


def test_the_site_script_creates_each_list_after_the_lists_it_looks_up() -> None:
    """Every list is created once, and a lookup's target list is created before it."""
    order = [a["listName"] for a in SCRIPT["actions"]]
    assert sorted(order) == sorted(BY_NAME)
    for action in SCRIPT["actions"]:
        for sub in action["subactions"]:
            if sub["verb"] == "addSPLookupFieldXml":
                assert order.index(sub["targetListName"]) < order.index(action["listName"])


def test_the_site_script_carries_every_column_view_and_formatter() -> None:
    """Each list's columns (but the built-in Title), views, formatters and form are in it."""
    for action in SCRIPT["actions"]:
        lst, entry = BY_NAME[action["listName"]], FORMATTING[action["listName"]]
        subs = action["subactions"]
        fields = {ET.fromstring(s["schemaXml"]).attrib["Name"] for s in subs
                  if s["verb"] in ("addSPFieldXml", "addSPLookupFieldXml")}
        assert fields == {c["name"] for c in lst["columns"]} - {"Title"}
        views = {s["name"] for s in subs if s["verb"] == "addSPView"}
        assert views == {v["name"] for v in entry["views"]}
        formatted = {s["fieldDisplayName"] for s in subs
                     if s["verb"] == "setSPFieldCustomFormatter"}
        display = {c["name"]: c["displayName"] for c in lst["columns"]}
        assert formatted == {display[f] for f in entry["columns"]}
        assert any(s["verb"] == "setClientFormCustomFormatter" for s in subs) == bool(
            entry["form"])


def test_the_cli_writes_the_site_script_in_parts_sharepoint_accepts(tmp_path: Path) -> None:
    """casework site-script --out writes the script of site_script(), in as many files as
    SharePoint's limits need (300 actions, 100,000 characters each, compact JSON), each
    valid, the lists in their order."""
    parser = argparse.ArgumentParser()
    cli_site_script.add_parser(parser.add_subparsers(dest="command"))
    out = tmp_path / "site-script.json"
    args = parser.parse_args(["site-script", "--out", str(out)])
    assert cli_site_script.command(args) == 0
    files = [out] if out.exists() else sorted(tmp_path.glob("site-script-*.json"))
    assert files
    actions = []
    for path in files:
        text = path.read_text(encoding="utf-8").rstrip("\n")
        assert len(text) <= MAX_CHARACTERS
        part = json.loads(text)
        assert sum(1 + len(a["subactions"]) for a in part["actions"]) <= MAX_ACTIONS
        assert _errors(SITE_SCRIPT_URL, part) == []
        actions += part["actions"]
    assert actions == SCRIPT["actions"]


def test_a_script_too_big_for_one_comes_in_parts_each_within_the_limit() -> None:
    """With a lower limit the same lists split into several scripts, none over it, together
    the whole script in order."""
    small = len(script_text(SCRIPT)) // 3
    parts = in_parts(SCRIPT, max_characters=small)
    assert len(parts) >= 3
    assert all(len(script_text(p)) <= small for p in parts)
    assert [a for p in parts for a in p["actions"]] == SCRIPT["actions"]

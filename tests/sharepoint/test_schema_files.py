"""The list definitions in sharepoint_schema/ are valid Graph bodies and agree with the
domain and with what list_mapping reads."""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Iterable
from typing import Any

import pytest

from function_app.domain.model import (
    AgreedActions,
    CaseStatus,
    ContactMode,
    LettersBy,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Party,
    Phase,
    ReviewDecision,
    Session,
    Stage,
    TargetMet,
    VenueKind,
)
from function_app.domain.policy import known_profiles
from function_app.services.case_lists.list_columns import (
    LISTS,
    WRITE_BACK_COLUMNS,
    Choices,
    GenerationStatus,
    Reader,
)
from function_app.services.provisioning.list_schema import SCHEMA_DIR, load_lists
from function_app.services.provisioning.provisioning_plan import (
    BUILT_IN_COLUMNS,
    PLACEHOLDER,
    TYPE_FACETS,
    type_facet,
)

pytestmark = pytest.mark.unit

LISTS_ON_DISK = load_lists()
BY_NAME = {lst["displayName"]: lst for lst in LISTS_ON_DISK}
COMMON_KEYS = {"name", "displayName", "description", "required", "enforceUniqueValues",
               "indexed"}
INTERNAL_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]{0,31}")
# Fields SharePoint already has on every list or library; a column of ours must not take one.
RESERVED = {"ID", "GUID", "ContentType", "Created", "Modified", "Author", "Editor",
            "Attachments", "Edit", "LinkTitle", "LinkTitleNoMenu", "DocIcon", "FileRef",
            "FileLeafRef", "Name", "Order"}
FACET_KEYS = {
    "text": {"allowMultipleLines", "appendChangesToExistingText", "linesForEditing",
             "maxLength", "textType"},
    "number": {"decimalPlaces", "displayAs", "minimum", "maximum"},
    "boolean": set(),
    "dateTime": {"displayAs", "format"},
    "choice": {"allowTextEntry", "choices", "displayAs"},
    "lookup": {"listId", "columnName", "allowMultipleValues"},
}

from function_app.domain.penalty_register import RequestReason  # noqa: E402
from function_app.services.delivery.letter_status import (  # noqa: E402
    APPROVED_BY,
    NOTE,
    SENT_ON,
    STATUS,
    SendStatus,
)

YES_NO = (True, False)
# The source of truth for each choice column's values: a domain enum or the domain's data.
CHOICE_VALUES: dict[tuple[str, str], Iterable[Any]] = {
    ("Cases", "Stage"): Stage,
    ("Cases", "CaseStatus"): CaseStatus,
    ("Cases", "PolicyProfile"): known_profiles(),
    ("Cases", "SchoolPhase"): Phase,
    ("Cases", "SevereAbsence"): YES_NO,
    ("Cases", "PenaltyNoticeReason"): RequestReason,
    ("Carers", "ParentalResponsibility"): YES_NO,
    ("Carers", "PreferredContact"): ContactMode,
    ("Carers", "LettersBy"): LettersBy,
    ("Meetings", "MeetingKind"): MeetingKind,
    ("Meetings", "MeetingStatus"): MeetingStatus,
    ("Meetings", "VenueKind"): VenueKind,
    ("Meetings", "TargetMet"): TargetMet,
    ("Meetings", "ReviewDecision"): ReviewDecision,
    ("Meeting Attendees", "AttendeeParty"): Party,
    ("Meeting Attendees", "Present"): YES_NO,
    ("Agreed Actions", "ActionParty"): [f.name for f in dataclasses.fields(AgreedActions)],
    ("Interventions", "TakenUp"): YES_NO,
    ("Voice", "VoiceOf"): [f.name for f in dataclasses.fields(Meeting)
                           if f.name.endswith("_voice")],
    ("Contacts", "ContactMode"): ContactMode,
    ("Attendance Marks", "Session"): Session,
}


def columns() -> list[tuple[str, dict[str, Any]]]:
    return [(lst["displayName"], c) for lst in LISTS_ON_DISK for c in lst["columns"]]


def column_id(param: tuple[str, dict[str, Any]]) -> str:
    return f"{param[0]}.{param[1].get('name')}"


def values_of(source: Iterable[Any]) -> set[str]:
    return {m.value if isinstance(m, enum.Enum) else str(m) for m in source}


def test_there_is_one_file_per_list_and_the_case_files_library() -> None:
    """Every list the mapping reads has a file, and so does the Case Files library."""
    assert {spec.title for spec in LISTS} | {"Case Files"} == set(BY_NAME)
    assert len(BY_NAME) == len(list(SCHEMA_DIR.glob("*.json")))


@pytest.mark.parametrize("lst", LISTS_ON_DISK, ids=lambda lst: lst["displayName"])
def test_each_list_is_a_graph_list_body(lst: dict[str, Any]) -> None:
    """A list file has Graph's list keys and no others: displayName, description, list, columns."""
    assert set(lst) == {"displayName", "description", "list", "columns"}
    assert lst["list"] == {"template": "genericList"} or \
        lst["list"] == {"template": "documentLibrary"}
    assert lst["description"].strip()


@pytest.mark.parametrize(("list_name", "column"), columns(), ids=[column_id(p) for p in columns()])
def test_each_column_is_a_graph_column_definition(list_name: str, column: dict[str, Any]) -> None:
    """A column has the common keys, a valid internal name, a description, and one type facet."""
    facets = [key for key in column if key in TYPE_FACETS]
    assert len(facets) == 1, f"{list_name}.{column.get('name')} has facets {facets}"
    facet = facets[0]
    assert set(column) == COMMON_KEYS | {facet}
    assert facet in FACET_KEYS, f"{facet} columns are not used by this schema"
    assert set(column[facet]) <= FACET_KEYS[facet]
    assert INTERNAL_NAME.fullmatch(column["name"]), column["name"]
    assert column["name"] not in RESERVED
    assert column["displayName"].strip() and column["description"].strip()
    for flag in ("required", "enforceUniqueValues", "indexed"):
        assert isinstance(column[flag], bool)
    if column["enforceUniqueValues"]:
        assert column["indexed"], "SharePoint enforces unique values only on indexed columns"


@pytest.mark.parametrize(("list_name", "column"), columns(), ids=[column_id(p) for p in columns()])
def test_each_type_facet_is_filled_in_as_graph_expects(list_name: str,
                                                       column: dict[str, Any]) -> None:
    """Text is plain with lines to edit when multi-line; choices are a drop-down with no typing;
    dates say dateOnly or dateTime; numbers have a known decimal setting."""
    facet = type_facet(column)
    body = column[facet] if facet else {}
    if facet == "text":
        assert body["textType"] == "plain"
        assert (body["linesForEditing"] > 0) == body["allowMultipleLines"]
        assert isinstance(body["maxLength"], int) and body["maxLength"] > 0
    elif facet == "choice":
        assert body["displayAs"] == "dropDownMenu" and body["allowTextEntry"] is False
        assert body["choices"] and len(set(body["choices"])) == len(body["choices"])
    elif facet == "dateTime":
        assert body["format"] in ("dateOnly", "dateTime")
    elif facet == "number":
        assert body["decimalPlaces"] in ("automatic", "none", "one", "two", "three", "four",
                                         "five")


@pytest.mark.parametrize("lst", LISTS_ON_DISK, ids=lambda lst: lst["displayName"])
def test_names_are_unique_within_a_list(lst: dict[str, Any]) -> None:
    """No two columns of a list share an internal name or a display name, in any case."""
    names = [c["name"].casefold() for c in lst["columns"]]
    shown = [c["displayName"].casefold() for c in lst["columns"]]
    assert len(set(names)) == len(names)
    assert len(set(shown)) == len(shown)


@pytest.mark.parametrize(("list_name", "column"),
                         [p for p in columns() if "lookup" in p[1]],
                         ids=[column_id(p) for p in columns() if "lookup" in p[1]])
def test_lookups_name_lists_that_exist(list_name: str, column: dict[str, Any]) -> None:
    """A lookup's listId is a {{list:Name}} placeholder for a list in the schema, shown by a
    column that list has."""
    match = PLACEHOLDER.fullmatch(column["lookup"]["listId"])
    assert match, column["lookup"]["listId"]
    target = BY_NAME[match[1]]
    assert column["lookup"]["columnName"] in {c["name"] for c in target["columns"]}


def test_only_generic_lists_declare_built_in_columns() -> None:
    """Title is declared (to be named) only on generic lists, which all have it."""
    for lst in LISTS_ON_DISK:
        declared = {c["name"] for c in lst["columns"]} & set(BUILT_IN_COLUMNS)
        generic = lst["list"]["template"] == "genericList"
        assert declared == (set(BUILT_IN_COLUMNS) if generic else set()), lst["displayName"]


@pytest.mark.parametrize("lst", [lst for lst in LISTS_ON_DISK
                                 if lst["list"]["template"] == "genericList"],
                         ids=lambda lst: lst["displayName"])
def test_every_list_has_the_write_back_columns(lst: dict[str, Any]) -> None:
    """GenerationStatus (the processor's statuses), GenerationMessage and GeneratedDocuments
    (plain multi-line text) and LastProcessedVersion (one line) are on every list."""
    by_name = {c["name"]: c for c in lst["columns"]}
    assert set(WRITE_BACK_COLUMNS) <= set(by_name)
    assert by_name["GenerationStatus"]["choice"]["choices"] == [s.value for s in GenerationStatus]
    for name in ("GenerationMessage", "GeneratedDocuments"):
        assert by_name[name]["text"]["allowMultipleLines"] is True
    assert by_name["LastProcessedVersion"]["text"]["allowMultipleLines"] is False


def test_the_case_files_library_has_its_columns() -> None:
    """Case Files is a document library with CaseRef, DocumentKind, MeetingId, CarerId (so
    two parents' letters are told apart), SourceVersion and GeneratedAt (a date and time),
    and the sending columns of issue 18: Sending (indexed: each sweep finds the letters to
    send by it), its note, who approved and when it was sent."""
    library = BY_NAME["Case Files"]
    by_name = {c["name"]: c for c in library["columns"]}
    assert library["list"]["template"] == "documentLibrary"
    assert set(by_name) == {"CaseRef", "DocumentKind", "MeetingId", "CarerId", "SourceVersion",
                            "GeneratedAt", STATUS, NOTE, APPROVED_BY, SENT_ON}
    assert by_name["GeneratedAt"]["dateTime"]["format"] == "dateTime"
    assert by_name[SENT_ON]["dateTime"]["format"] == "dateTime"
    assert by_name["CaseRef"]["indexed"] and by_name[STATUS]["indexed"]


@pytest.mark.parametrize(("list_name", "column"),
                         [p for p in columns() if "choice" in p[1]],
                         ids=[column_id(p) for p in columns() if "choice" in p[1]])
def test_choices_stand_for_exactly_the_domains_values(list_name: str,
                                                      column: dict[str, Any]) -> None:
    """Each choice column offers one label per value of the domain enum it stands for, no more."""
    choices = column["choice"]["choices"]
    if column["name"] == "GenerationStatus":
        assert choices == [s.value for s in GenerationStatus]
        return
    if (list_name, column["name"]) == ("Case Files", STATUS):
        assert choices == [s.value for s in SendStatus]
        return
    source = CHOICE_VALUES[(list_name, column["name"])]
    read = next(s for s in LISTS if s.title == list_name).column(column["name"]).read
    if source is YES_NO:
        assert read is Reader.YES_NO and choices == ["Yes", "No"]
        return
    assert isinstance(read, Choices)
    assert list(read.labels) == choices
    assert set(read.values) == values_of(source)
    assert len(read.values) == len(set(read.values))


@pytest.mark.parametrize("spec", LISTS, ids=lambda spec: spec.title)
def test_the_mapping_reads_the_columns_the_schema_defines(spec: Any) -> None:
    """Every column list_mapping reads is in the schema with the same display name and a
    type that fits how it is read; every column of the schema is known to the mapping."""
    on_disk = {c["name"]: c for c in BY_NAME[spec.title]["columns"]}
    fits = {Reader.TEXT: "text", Reader.LINES: "text", Reader.TIME: "text",
            Reader.WHOLE: "number", Reader.DATE: "dateTime", Reader.BOOL: "boolean",
            Reader.NOT: "boolean", Reader.YES_NO: "choice", Reader.LOOKUP: "lookup",
            Reader.LOOKUPS: "lookup", Reader.NUMBER: "number"}
    for column in spec.columns:
        definition = on_disk[column.name]
        assert definition["displayName"] == column.title
        facet = "choice" if isinstance(column.read, Choices) else fits[column.read]
        assert type_facet(definition) == facet, column.name
        if column.read is Reader.LINES:
            assert definition["text"]["allowMultipleLines"]
        if column.read is Reader.WHOLE:
            assert definition["number"]["decimalPlaces"] == "none"
        if column.read is Reader.NUMBER:
            assert definition["number"]["decimalPlaces"] != "none"
        if column.read is Reader.DATE:
            assert definition["dateTime"]["format"] == "dateOnly"
        if column.read in (Reader.LOOKUP, Reader.LOOKUPS):
            many = definition["lookup"].get("allowMultipleValues", False)
            assert many == (column.read is Reader.LOOKUPS)
    assert set(on_disk) - set(WRITE_BACK_COLUMNS) == {c.name for c in spec.columns}

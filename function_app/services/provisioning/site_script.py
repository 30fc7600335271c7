"""A SharePoint site script equivalent to the lists in ``sharepoint_schema/`` and their
formatting in ``sharepoint_schema/formatting/``.

The script creates each list (``createSPList``) in dependency order, with its title and
description, its columns as field XML (``addSPFieldXml``; lookups ``addSPLookupFieldXml``),
its views (``addSPView``), its column formatters (``setSPFieldCustomFormatter``) and its form
(``setClientFormCustomFormatter``). Site scripts cannot set what follows, so it is left out
and has to be set by hand or by provisioning: the built-in Title column's display name,
description and required flag; list validation formulas; a form field's "show when" formula.
"""

from __future__ import annotations

import json
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

from .list_formatting import view_query
from .provisioning_plan import BUILT_IN_COLUMNS, PLACEHOLDER, creation_order, type_facet

SCHEMA_URL = "https://developer.microsoft.com/json-schemas/sp/site-design-script-actions.schema.json"
LIST_TEMPLATE = {"genericList": 100, "documentLibrary": 101}
# Graph's numberColumn decimalPlaces as field XML's Decimals ("automatic": no attribute).
DECIMALS = {"none": "0", "one": "1", "two": "2", "three": "3", "four": "4", "fiveOrMore": "5"}
# A fixed namespace so that field ids are the same every time: the script can be run again.
FIELD_ID_NAMESPACE = uuid.UUID("5d0e5c8e-6f2b-4f55-9a55-3f7c0a1d2b44")


def site_script(lists: Sequence[Mapping[str, Any]],
                formatting: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The site script (``{"$schema", "actions"}``) that creates the lists as the data says."""
    actions = [_create_list(lst, formatting.get(lst["displayName"], {}))
               for lst in creation_order(lists)]
    return {"$schema": SCHEMA_URL, "actions": actions}


# SharePoint takes a site script of at most 300 actions (subactions counted) and 100,000
# characters (learn.microsoft.com/sharepoint/dev/declarative-customization/site-design-
# overview, "Site script limits"); a bigger one is refused.
MAX_ACTIONS = 300
MAX_CHARACTERS = 100_000


def script_text(script: Mapping[str, Any]) -> str:
    """The script as SharePoint is given it: compact JSON (whitespace counts to the limit)."""
    return json.dumps(script, ensure_ascii=False, separators=(",", ":"))


def in_parts(script: Mapping[str, Any], max_characters: int = MAX_CHARACTERS,
             max_actions: int = MAX_ACTIONS) -> list[dict[str, Any]]:
    """The script split, in order, into as few scripts as SharePoint's limits allow, each
    list whole; run them one after the other (a list is still created after those it looks
    up). ValueError when one list alone is over a limit."""
    parts: list[dict[str, Any]] = []
    current: list[dict[str, Any]] = []

    def fits(actions: list[dict[str, Any]]) -> bool:
        count = sum(1 + len(a.get("subactions", [])) for a in actions)
        text = script_text({"$schema": script["$schema"], "actions": actions})
        return count <= max_actions and len(text) <= max_characters

    for action in script["actions"]:
        if fits([*current, action]):
            current.append(action)
            continue
        if not current:
            raise ValueError(f"the list {action.get('listName')!r} alone is over SharePoint's "
                             "site script limits")
        parts.append({"$schema": script["$schema"], "actions": current})
        current = [action]
        if not fits(current):
            raise ValueError(f"the list {action.get('listName')!r} alone is over SharePoint's "
                             "site script limits")
    if current:
        parts.append({"$schema": script["$schema"], "actions": current})
    return parts


def field_id(list_name: str, column_name: str) -> str:
    """A stable field id for a list's column, so that running the script again is harmless."""
    return "{" + str(uuid.uuid5(FIELD_ID_NAMESPACE, f"{list_name}/{column_name}")) + "}"


def _create_list(lst: Mapping[str, Any], formatting: Mapping[str, Any]) -> dict[str, Any]:
    name = str(lst["displayName"])
    template = str(lst.get("list", {}).get("template", "genericList"))
    subactions: list[dict[str, Any]] = [
        {"verb": "setTitle", "title": name},
        {"verb": "setDescription", "description": str(lst.get("description", ""))},
    ]
    display_names = {}
    for column in lst["columns"]:
        display_names[column["name"]] = column["displayName"]
        if template == "genericList" and column["name"] in BUILT_IN_COLUMNS:
            continue  # the list already has it; see the module's docstring
        subactions.append(_field_action(name, column))
    for field, formatter in formatting.get("columns", {}).items():
        subactions.append({"verb": "setSPFieldCustomFormatter",
                           "fieldDisplayName": display_names[field],
                           "formatterJSON": formatter})
    for view in formatting.get("views", []):
        subactions.append(_view_action(view))
    form = formatting.get("form")
    if form:
        subactions.append({"verb": "setClientFormCustomFormatter",
                           "clientFormCustomFormatter": form_parts(form)})
    return {"verb": "createSPList", "listName": name,
            "templateType": LIST_TEMPLATE[template], "subactions": subactions}


def _view_action(view: Mapping[str, Any]) -> dict[str, Any]:
    action: dict[str, Any] = {
        "verb": "addSPView",
        "name": str(view["name"]),
        "viewFields": list(view["viewFields"]),
        "query": view_query(view),
        "rowLimit": int(view.get("rowLimit", 30)),
        "isPaged": True,
        "makeDefault": False,
        "replaceViewFields": True,
    }
    if view.get("formatter"):
        action["formatterJSON"] = view["formatter"]
    return action


def form_parts(form: Mapping[str, Any]) -> dict[str, str]:
    """SharePoint keeps each part of a form's formatting as a JSON string."""
    parts = {"headerJSONFormatter": "header", "bodyJSONFormatter": "body",
             "footerJSONFormatter": "footer"}
    return {key: json.dumps(form[part], ensure_ascii=False) if form.get(part) else ""
            for key, part in parts.items()}


def _field_action(list_name: str, column: Mapping[str, Any]) -> dict[str, Any]:
    facet = type_facet(column)
    settings: Mapping[str, Any] = column.get(facet, {}) if facet else {}
    attributes = {
        "ID": field_id(list_name, column["name"]),
        "Name": column["name"],
        "StaticName": column["name"],
        "DisplayName": column["displayName"],
        "Description": column.get("description", ""),
        "Required": _bool(column.get("required", False)),
        "EnforceUniqueValues": _bool(column.get("enforceUniqueValues", False)),
        "Indexed": _bool(column.get("indexed", False)),
    }
    field = ET.Element("Field")
    if facet == "text" and settings.get("allowMultipleLines"):
        attributes |= {"Type": "Note", "NumLines": str(settings.get("linesForEditing") or 6),
                       "RichText": _bool(settings.get("textType") == "richText"),
                       "AppendOnly": _bool(settings.get("appendChangesToExistingText", False))}
    elif facet == "text":
        attributes |= {"Type": "Text", "MaxLength": str(settings.get("maxLength", 255))}
    elif facet == "number":
        attributes["Type"] = "Number"
        decimals = DECIMALS.get(str(settings.get("decimalPlaces", "automatic")))
        if decimals is not None:
            attributes["Decimals"] = decimals
        for key, attribute in (("minimum", "Min"), ("maximum", "Max")):
            if key in settings:
                attributes[attribute] = str(settings[key])
    elif facet == "boolean":
        attributes["Type"] = "Boolean"
        ET.SubElement(field, "Default").text = "0"
    elif facet == "dateTime":
        attributes |= {"Type": "DateTime",
                       "Format": "DateOnly" if settings.get("format") == "dateOnly"
                       else "DateTime"}
    elif facet == "choice":
        attributes |= {"Type": "Choice", "Format": "Dropdown",
                       "FillInChoice": _bool(settings.get("allowTextEntry", False))}
        choices = ET.SubElement(field, "CHOICES")
        for choice in settings.get("choices", []):
            ET.SubElement(choices, "CHOICE").text = str(choice)
    elif facet == "lookup":
        many = bool(settings.get("allowMultipleValues"))
        attributes |= {"Type": "LookupMulti" if many else "Lookup",
                       "ShowField": str(settings.get("columnName", "Title"))}
        if many:
            attributes["Mult"] = "TRUE"
        field.attrib.update(attributes)
        target = PLACEHOLDER.fullmatch(str(settings.get("listId", "")))
        if target is None:
            raise ValueError(f"The lookup {list_name}.{column['name']} names no list.")
        return {"verb": "addSPLookupFieldXml", "schemaXml": _xml(field),
                "targetListName": target.group(1)}
    else:
        raise ValueError(f"The column {list_name}.{column['name']} has a type ({facet}) "
                         "the site script does not write.")
    field.attrib.update(attributes)
    return {"verb": "addSPFieldXml", "schemaXml": _xml(field)}


def _bool(value: object) -> str:
    return "TRUE" if value else "FALSE"


def _xml(element: ET.Element) -> str:
    return ET.tostring(element, encoding="unicode", short_empty_elements=True)

"""Column definitions and the checking of field values written to list items.

SharePoint is strict about what a list item's fields may hold; the dev tenant is too, so an
adapter bug (a misspelt column, a number sent as text, a lookup written by name) fails here
with a readable 400 rather than in the customer's tenant.
"""

from __future__ import annotations

import math
import re
from typing import Any

from .errors import bad_request, conflict
from .util import new_guid, parse_iso

TYPE_FACETS: dict[str, dict[str, Any]] = {
    "text": {
        "allowMultipleLines": False,
        "appendChangesToExistingText": False,
        "linesForEditing": 0,
        "maxLength": 255,
        "textType": "plain",  # textColumn resource: plain or richText
    },
    "number": {
        "decimalPlaces": "automatic",
        "displayAs": "number",
        "maximum": 1.7976931348623157e308,
        "minimum": -1.7976931348623157e308,
    },
    "currency": {"locale": "en-gb"},
    "boolean": {},
    "dateTime": {"displayAs": "default", "format": "dateTime"},
    "choice": {"allowTextEntry": False, "choices": [], "displayAs": "dropDownMenu"},
    "lookup": {
        "allowMultipleValues": False,
        "allowUnlimitedLength": False,
        "columnName": "Title",
        "listId": "",
    },
    "personOrGroup": {
        "allowMultipleSelection": False,
        "chooseFromType": "peopleOnly",
        "displayAs": "nameWithPresence",
    },
    "hyperlinkOrPicture": {"isPicture": False},
}

# Fields SharePoint computes itself; a write to any of them is refused.
COMPUTED_FIELDS = frozenset(
    {
        "id",
        "ID",
        "ContentType",
        "Created",
        "Modified",
        "Author",
        "Editor",
        "AuthorLookupId",
        "EditorLookupId",
        "AppAuthorLookupId",
        "AppEditorLookupId",
        "_UIVersionString",
        "Attachments",
        "Edit",
        "LinkTitle",
        "LinkTitleNoMenu",
        "ItemChildCount",
        "FolderChildCount",
        "DocIcon",
        "FileSizeDisplay",
        "LinkFilename",
        "LinkFilenameNoMenu",
        "_CheckinComment",
        "_ComplianceFlags",
        "_ComplianceTag",
        "_ComplianceTagWrittenTime",
        "_ComplianceTagUserId",
    }
)

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _definition(name: str, facet: str, **extra: Any) -> dict[str, Any]:
    settings = dict(TYPE_FACETS[facet])
    settings.update(extra.pop("settings", {}))
    return {
        "columnGroup": extra.pop("columnGroup", "Custom Columns"),
        "description": extra.pop("description", ""),
        "displayName": extra.pop("displayName", name),
        "enforceUniqueValues": extra.pop("enforceUniqueValues", False),
        "hidden": extra.pop("hidden", False),
        "id": extra.pop("id", new_guid()),
        "indexed": extra.pop("indexed", False),
        "name": name,
        "readOnly": extra.pop("readOnly", False),
        "required": extra.pop("required", False),
        facet: settings,
        **extra,
    }


def system_columns(template: str) -> list[dict[str, Any]]:
    """The columns a new list has before any are added (a subset of SharePoint's).

    Created By and Modified By (Author, Editor) are left out: Graph's documented list
    example creates a column named "Author", and their values appear in fields as
    AuthorLookupId and EditorLookupId all the same.
    """
    base = "_Hidden"
    columns: list[dict[str, Any]] = []
    if template == "documentLibrary":
        columns.append(_definition("FileLeafRef", "text", displayName="Name", required=True))
    columns.append(_definition("Title", "text"))
    columns += [
        _definition(
            "ContentType", "text", displayName="Content Type", readOnly=True, columnGroup=base
        ),
        _definition("Modified", "dateTime", readOnly=True, indexed=True, columnGroup=base),
        _definition("Created", "dateTime", readOnly=True, indexed=True, columnGroup=base),
        _definition(
            "_UIVersionString", "text", displayName="Version", readOnly=True, columnGroup=base
        ),
    ]
    if template != "documentLibrary":
        columns.append(_definition("Attachments", "boolean", readOnly=True, columnGroup=base))
    return columns


def column_from_request(
    body: dict[str, Any], existing: list[dict[str, Any]], list_ids: set[str]
) -> dict[str, Any]:
    """A complete columnDefinition from a POST body; 400 or 409 when it cannot be made."""
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise bad_request("A column needs a 'name'.")
    if not _NAME.match(name):
        raise bad_request(
            f"The column name '{name}' is not valid: use letters, digits and underscores "
            "(SharePoint would encode anything else, e.g. spaces as _x0020_)."
        )
    if any(c["name"].casefold() == name.casefold() for c in existing):
        raise conflict(f"A field or property with the name '{name}' already exists.")
    facets = [f for f in TYPE_FACETS if f in body]
    if len(facets) != 1:
        raise bad_request(
            f"The column '{name}' needs exactly one type ({', '.join(TYPE_FACETS)}); "
            f"got {facets or 'none'}."
        )
    facet = facets[0]
    settings = body[facet] if isinstance(body[facet], dict) else {}
    unknown = set(settings) - set(TYPE_FACETS[facet]) - {"@odata.type"}
    if unknown:
        raise bad_request(f"Unknown {facet} settings for column '{name}': {sorted(unknown)}.")
    if facet == "choice":
        choices = settings.get("choices", [])
        if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
            raise bad_request(f"The choices of column '{name}' must be a list of strings.")
    if facet == "lookup" and settings.get("listId") not in list_ids:
        raise bad_request(
            f"The lookup column '{name}' must name the id of a list on this site in listId."
        )
    flags: dict[str, Any] = {}
    for flag in ("required", "indexed", "hidden", "enforceUniqueValues"):
        if flag in body:
            if not isinstance(body[flag], bool):
                raise bad_request(f"'{flag}' of column '{name}' must be true or false.")
            flags[flag] = body[flag]
    extra: dict[str, Any] = {
        "settings": {k: v for k, v in settings.items() if k != "@odata.type"},
        **flags,
    }
    for text in ("displayName", "description", "columnGroup"):
        if isinstance(body.get(text), str):
            extra[text] = body[text]
    if isinstance(body.get("defaultValue"), dict):
        extra["defaultValue"] = body["defaultValue"]
    if isinstance(body.get("validation"), dict):  # columnValidation: checked on item writes
        extra["validation"] = body["validation"]
    return _definition(name, facet, **extra)


def facet_of(column: dict[str, Any]) -> str:
    return next(f for f in TYPE_FACETS if f in column)


def _check_value(column: dict[str, Any], key: str, value: Any) -> Any:
    facet = facet_of(column)
    settings: dict[str, Any] = column[facet]
    if facet in ("text", "hyperlinkOrPicture"):
        if not isinstance(value, str):
            raise bad_request(f"Field '{key}' takes text; got {type(value).__name__}.")
        limit = None if settings.get("allowMultipleLines") else settings.get("maxLength", 255)
        if limit is not None and len(value) > int(limit):
            raise bad_request(f"The value of field '{key}' is longer than {limit} characters.")
        return value
    if facet in ("number", "currency"):
        number = value
        if isinstance(value, str):
            try:
                number = float(value) if any(ch in value for ch in ".eE") else int(value)
            except ValueError:
                number = None
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise bad_request(f"Field '{key}' takes a number; got {value!r}.")
        if isinstance(number, float) and not math.isfinite(number):
            raise bad_request(f"Field '{key}' takes a finite number.")
        low, high = settings.get("minimum"), settings.get("maximum")
        if (low is not None and number < low) or (high is not None and number > high):
            raise bad_request(f"The value of field '{key}' is outside {low}..{high}.")
        return number
    if facet == "boolean":
        if not isinstance(value, bool):
            raise bad_request(f"Field '{key}' takes true or false; got {value!r}.")
        return value
    if facet == "dateTime":
        if not isinstance(value, str):
            raise bad_request(f"Field '{key}' takes an ISO 8601 date and time; got {value!r}.")
        try:
            moment = parse_iso(value if "T" in value else value + "T00:00:00Z")
        except ValueError as exc:
            raise bad_request(f"Field '{key}' takes an ISO 8601 date and time: {exc}") from exc
        if settings.get("format") == "dateOnly":
            return moment.strftime("%Y-%m-%dT00:00:00Z")
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if facet == "choice":
        if not isinstance(value, str):
            raise bad_request(f"Field '{key}' takes one of its choices; got {value!r}.")
        if not settings.get("allowTextEntry") and value not in settings.get("choices", []):
            raise bad_request(
                f"'{value}' is not one of the choices of field '{key}': "
                f"{settings.get('choices', [])}."
            )
        return value
    # lookup and personOrGroup are written by id, as "<Name>LookupId".
    many = settings.get("allowMultipleValues") or settings.get("allowMultipleSelection")
    values = value if isinstance(value, list) and many else [value]
    ids = []
    for one in values:
        if isinstance(one, bool) or not (
            isinstance(one, int) or (isinstance(one, str) and one.isdigit())
        ):
            raise bad_request(f"Field '{key}' takes a lookup id (an integer); got {one!r}.")
        ids.append(str(one))
    return ids if isinstance(value, list) else ids[0]


def check_fields(
    columns: list[dict[str, Any]], values: dict[str, Any], *, creating: bool
) -> dict[str, Any]:
    """The stored form of field values written by a client: {name: value, or None to clear}."""
    by_name = {c["name"]: c for c in columns}
    folded = {c["name"].casefold(): c["name"] for c in columns}
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key.startswith("@") or key.endswith("@odata.type"):
            continue  # annotations a client echoes back (e.g. @odata.etag)
        base = key[: -len("LookupId")] if key.endswith("LookupId") else key
        column = by_name.get(key) or (by_name.get(base) if base != key else None)
        if (column is None and key in COMPUTED_FIELDS) or (column and column.get("readOnly")):
            raise bad_request(f"Field '{key}' is read-only.")
        if column is None:
            hint = folded.get(key.casefold())
            extra = f" Did you mean '{hint}'?" if hint else ""
            raise bad_request(f"Field '{key}' is not recognized.{extra}")
        if key == "FileLeafRef":
            raise bad_request(
                "Renaming a file through FileLeafRef is not supported by the dev tenant."
            )
        facet = facet_of(column)
        by_id = facet in ("lookup", "personOrGroup")
        if by_id and key == base:
            raise bad_request(
                f"Field '{key}' is a {facet} column: write its id as '{key}LookupId'."
            )
        if not by_id and key != base:
            raise bad_request(f"Field '{key}' is not recognized.")
        if value is None or value == "":
            if column.get("required"):
                raise bad_request(f"Field '{base}' is required.")
            out[key] = None
            continue
        out[key] = _check_value(column, key, value)
    if creating:
        for column in columns:
            name = column["name"]
            if column.get("readOnly") or name == "FileLeafRef":
                continue
            key = name + "LookupId" if facet_of(column) in ("lookup", "personOrGroup") else name
            if key not in out and isinstance(column.get("defaultValue"), dict):
                default = column["defaultValue"].get("value")
                if facet_of(column) == "boolean" and isinstance(default, str):
                    default = default.strip().lower() in ("1", "true", "yes")
                if default not in (None, ""):
                    out[key] = _check_value(column, key, default)
            if column.get("required") and out.get(key) is None:
                raise bad_request(f"Field '{name}' is required.")
    return out

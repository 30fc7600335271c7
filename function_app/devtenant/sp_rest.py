"""SharePoint REST's view of a list: fields, views, content types and list settings.

Graph v1.0 has no views, formatters, forms or validation formulas, so provisioning sets them
through SharePoint REST (``/_api/web/lists/GetByTitle('..')/...``). This module is the dev
tenant's model of those objects; ``routes_sp_rest`` parses the URLs and shapes the JSON.

- **Fields** are the list's Graph columns (``InternalName`` = column ``name``, ``Title`` =
  ``displayName``) plus the computed fields every list has (ID, LinkTitle, Author, ...), with
  the REST-only settings (CustomFormatter, ClientValidationFormula, ValidationFormula, ...)
  kept beside them.
- **Views**: every list starts with "All Items"; more are added and changed over REST.
- **Content types**: each list has its own "Item" (or "Document") content type, whose
  ``ClientFormCustomFormatter`` holds the list form's header, body and footer.
- **List settings**: ``ValidationFormula`` and ``ValidationMessage``.

Errors carry SharePoint's own codes and messages (``SpRestError``), as on
https://learn.microsoft.com/sharepoint/dev/sp-add-ins/complete-basic-operations-using-sharepoint-rest-endpoints
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from .backend import Backend
from .store import ListRow, Site
from .util import name_guid

ARGUMENT = "-2147024809, System.ArgumentException"
NO_LIST = "-1, System.ArgumentException"
BAD_QUERY = "-1, Microsoft.SharePoint.Client.InvalidClientQueryException"
DENIED = "-2147024891, System.UnauthorizedAccessException"


class SpRestError(Exception):
    """A SharePoint REST failure: HTTP status, SharePoint's error code, its message."""

    def __init__(self, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message
        self.headers = dict(headers or {})


def no_property(name: str, type_name: str) -> SpRestError:
    return SpRestError(400, BAD_QUERY,
                       f"The property '{name}' does not exist on type '{type_name}'. Make sure "
                       "to only use property names that are defined by the type.")


# -- lists -----------------------------------------------------------------------------------

LIST_WRITABLE = ("ValidationFormula", "ValidationMessage", "Description")
_REFERENCE = re.compile(r"\[([^\]$]+)\]")


def find_list(b: Backend, site: Site, title: str) -> ListRow:
    lst = b.store.find_list(site.id, title)
    if lst is None:
        raise SpRestError(404, NO_LIST, f"List '{title}' does not exist at site with URL "
                                        f"'https://{site.hostname}{site.path}'.")
    return lst


def list_entity(b: Backend, site: Site, lst: ListRow) -> dict[str, Any]:
    settings = b.store.sp_object(lst.id, "list", "") or {}
    return {
        "Id": lst.id, "Title": lst.display_name, "Description": lst.description,
        "BaseTemplate": 101 if lst.is_library else 100, "BaseType": 1 if lst.is_library else 0,
        "ContentTypesEnabled": False, "Hidden": False, "Created": lst.created,
        "LastItemModifiedDate": lst.modified,
        "ItemCount": len(b.store.items(lst.id, 0)),
        "EntityTypeName": re.sub(r"[^A-Za-z0-9]", "_x0020_", lst.name) + (
            "" if lst.is_library else "List"),
        "ParentWebUrl": site.path,
        "ValidationFormula": settings.get("ValidationFormula", ""),
        "ValidationMessage": settings.get("ValidationMessage", ""),
    }


def update_list(b: Backend, lst: ListRow, body: dict[str, Any]) -> None:
    settings = b.store.sp_object(lst.id, "list", "") or {}
    for key, value in body.items():
        if key not in LIST_WRITABLE:
            raise no_property(key, "SP.List")
        settings[key] = "" if value is None else str(value)
    formula = settings.get("ValidationFormula", "")
    if formula:
        titles = {f["Title"] for f in fields(b, lst)}
        unknown = [name for name in _REFERENCE.findall(formula) if name not in titles]
        if not formula.startswith("=") or unknown:
            raise SpRestError(400, ARGUMENT, "The formula contains a syntax error or is not "
                                             "supported." + (f" (no column {unknown[0]!r})"
                                                             if unknown else ""))
    with b.store.transaction():
        b.store.put_sp_object(lst.id, "list", "", settings)


# -- fields ----------------------------------------------------------------------------------

FIELD_WRITABLE = ("CustomFormatter", "ClientValidationFormula", "ClientValidationMessage",
                  "ValidationFormula", "ValidationMessage")
_TYPES = {"text": "Text", "number": "Number", "boolean": "Boolean", "dateTime": "DateTime",
          "choice": "Choice", "lookup": "Lookup", "personOrGroup": "User",
          "calculated": "Calculated", "currency": "Currency",
          "hyperlinkOrPicture": "URL"}
# Fields every list has that Graph's columns do not show (all read-only).
_COMPUTED = (("ID", "ID", "Counter"), ("Author", "Created By", "User"),
             ("Editor", "Modified By", "User"), ("LinkTitle", "Title", "Computed"),
             ("LinkTitleNoMenu", "Title", "Computed"), ("Edit", "Edit", "Computed"),
             ("DocIcon", "Type", "Computed"), ("LinkFilename", "Name", "Computed"),
             ("LinkFilenameNoMenu", "Name", "Computed"))


def _type_of(column: dict[str, Any]) -> str:
    for facet, name in _TYPES.items():
        if column.get(facet) is not None:
            if facet == "text" and column[facet].get("allowMultipleLines"):
                return "Note"
            if facet == "lookup" and column[facet].get("allowMultipleValues"):
                return "LookupMulti"
            return name
    return "Text"


def fields(b: Backend, lst: ListRow) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for column in b.store.columns(lst.id):
        field_id = column.get("id") or name_guid("field", column["name"])
        out.append(_field(lst, column["name"], field_id,
                          column.get("displayName", column["name"]), _type_of(column),
                          bool(column.get("hidden")), bool(column.get("readOnly")),
                          bool(column.get("required")), str(column.get("description", ""))))
    for name, title, kind in _COMPUTED:
        if name.startswith("LinkFilename") and not lst.is_library:
            continue
        out.append(_field(lst, name, name_guid("field", name), title, kind, False, True, False, ""))
    settings = {s["InternalName"].casefold(): s for s in b.store.sp_objects(lst.id, "field")}
    for field in out:
        stored = settings.get(field["InternalName"].casefold(), {})
        field.update({k: v for k, v in stored.items() if k in FIELD_WRITABLE})
    return out


def _field(lst: ListRow, name: str, field_id: str, title: str, kind: str, hidden: bool,
           read_only: bool, required: bool, description: str) -> dict[str, Any]:
    return {"Id": field_id, "InternalName": name, "StaticName": name, "EntityPropertyName": name,
            "Title": title, "TypeAsString": kind, "Hidden": hidden, "ReadOnlyField": read_only,
            "Required": required, "Description": description, "CustomFormatter": None,
            "ClientValidationFormula": None, "ClientValidationMessage": None,
            "ValidationFormula": None, "ValidationMessage": None, "Scope": lst.name}


def find_field(b: Backend, lst: ListRow, key: str) -> dict[str, Any]:
    """A field by internal name or title, as getbyinternalnameortitle finds it."""
    folded = key.casefold()
    for field in fields(b, lst):
        if folded in (field["InternalName"].casefold(), field["Title"].casefold()):
            return field
    raise SpRestError(404, ARGUMENT, f"Column '{key}' does not exist. It may have been deleted "
                                     "by another user.")


def update_field(b: Backend, lst: ListRow, key: str, body: dict[str, Any]) -> None:
    field = find_field(b, lst, key)
    stored = b.store.sp_object(lst.id, "field", field["InternalName"]) or {
        "InternalName": field["InternalName"]}
    for name, value in body.items():
        if name not in FIELD_WRITABLE:
            raise no_property(name, "SP.Field")
        if value is not None and not isinstance(value, str):
            raise SpRestError(400, BAD_QUERY, f"An unexpected value was found for '{name}': "
                                              "a string was expected.")
        stored[name] = value or None
    with b.store.transaction():
        b.store.put_sp_object(lst.id, "field", field["InternalName"], stored)


def delete_field(b: Backend, lst: ListRow, key: str) -> None:
    field = find_field(b, lst, key)
    if field["ReadOnlyField"] or field["InternalName"] in ("Title", "FileLeafRef"):
        raise SpRestError(400, ARGUMENT, "You cannot delete a hidden column.")
    name = field["InternalName"]
    with b.store.transaction():
        b.store.delete_column(lst.id, name)
        b.store.delete_sp_object(lst.id, "field", name)
        for view in b.store.sp_objects(lst.id, "view"):  # views stop showing it
            if name in view["ViewFields"]:
                shown = [n for n in view["ViewFields"] if n != name]
                b.store.put_sp_object(lst.id, "view", view["Id"], {**view, "ViewFields": shown})


# -- views -----------------------------------------------------------------------------------

VIEW_WRITABLE = ("Title", "ViewQuery", "RowLimit", "Paged", "PersonalView", "DefaultView",
                 "Hidden", "CustomFormatter")


def views(b: Backend, site: Site, lst: ListRow) -> list[dict[str, Any]]:
    found = b.store.sp_objects(lst.id, "view")
    if not found:  # every list has "All Items" from its creation
        fields_ = ["DocIcon", "LinkFilename", "Modified", "Editor"] if lst.is_library \
            else ["LinkTitle"]
        default = _new_view(site, lst, name_guid("view", lst.id), "All Items", fields_)
        default["DefaultView"] = True
        with b.store.transaction():
            b.store.put_sp_object(lst.id, "view", default["Id"], default)
        found = [default]
    return found


def _new_view(site: Site, lst: ListRow, view_id: str, title: str,
              view_fields: list[str]) -> dict[str, Any]:
    folder = "Forms" if lst.is_library else f"Lists/{lst.name}"
    page = re.sub(r"[^A-Za-z0-9]", "", title) or "View"
    return {"Id": view_id, "Title": title, "ViewQuery": "", "RowLimit": 30, "Paged": True,
            "PersonalView": False, "DefaultView": False, "Hidden": False,
            "CustomFormatter": "", "ViewType": "HTML", "ViewFields": view_fields,
            "ServerRelativeUrl": f"{site.path}/{folder}/{page}.aspx"}


def find_view(b: Backend, site: Site, lst: ListRow, *, view_id: str = "",
              title: str = "") -> dict[str, Any]:
    for view in views(b, site, lst):
        if (view_id and view["Id"].casefold() == view_id.strip("{}").casefold()) or \
                (title and view["Title"].casefold() == title.casefold()):
            return view
    raise SpRestError(404, ARGUMENT, "The specified view is invalid." if view_id else
                      f"The view '{title}' does not exist in the list.")


def create_view(b: Backend, site: Site, lst: ListRow, body: dict[str, Any]) -> dict[str, Any]:
    title = body.get("Title")
    if not isinstance(title, str) or not title.strip():
        raise SpRestError(400, ARGUMENT, "A view needs a Title.")
    if any(v["Title"].casefold() == title.casefold() for v in views(b, site, lst)):
        raise SpRestError(400, ARGUMENT, f"A view named '{title}' already exists in this list.")
    view = _new_view(site, lst, name_guid("view", f"{lst.id}/{title}"), title, ["LinkTitle"])
    return _save_view(b, lst, view, {k: v for k, v in body.items() if k != "Title"})


def update_view(b: Backend, lst: ListRow, view: dict[str, Any], body: dict[str, Any]) -> None:
    _save_view(b, lst, dict(view), body)


def _save_view(b: Backend, lst: ListRow, view: dict[str, Any],
               body: dict[str, Any]) -> dict[str, Any]:
    for key, value in body.items():
        if key not in VIEW_WRITABLE:
            raise no_property(key, "SP.View")
        if key == "ViewQuery" and value:
            try:
                ET.fromstring(f"<Query>{value}</Query>")
            except ET.ParseError as exc:
                raise SpRestError(400, ARGUMENT, f"The ViewQuery is not valid CAML: {exc}.") \
                    from None
        if key == "RowLimit" and (not isinstance(value, int) or value < 1):
            raise SpRestError(400, ARGUMENT, "RowLimit must be a whole number above 0.")
        view[key] = value
    with b.store.transaction():
        if view.get("DefaultView"):
            for other in b.store.sp_objects(lst.id, "view"):
                if other["Id"] != view["Id"] and other.get("DefaultView"):
                    b.store.put_sp_object(lst.id, "view", other["Id"],
                                          {**other, "DefaultView": False})
        b.store.put_sp_object(lst.id, "view", view["Id"], view)
    return view


def delete_view(b: Backend, lst: ListRow, view: dict[str, Any]) -> None:
    if view.get("DefaultView"):
        raise SpRestError(400, ARGUMENT, "The default view of a list cannot be deleted.")
    with b.store.transaction():
        b.store.delete_sp_object(lst.id, "view", view["Id"])


def set_view_fields(b: Backend, lst: ListRow, view: dict[str, Any],
                    names: list[str]) -> None:
    known = {f["InternalName"].casefold(): f["InternalName"] for f in fields(b, lst)}
    resolved = []
    for name in names:
        if name.casefold() not in known:
            raise SpRestError(404, ARGUMENT, f"Column '{name}' does not exist. It may have "
                                             "been deleted by another user.")
        resolved.append(known[name.casefold()])
    with b.store.transaction():
        b.store.put_sp_object(lst.id, "view", view["Id"], {**view, "ViewFields": resolved})


def view_fields_entity(view: dict[str, Any]) -> dict[str, Any]:
    refs = "".join(f'<FieldRef Name="{name}" />' for name in view["ViewFields"])
    return {"Items": list(view["ViewFields"]), "SchemaXml": f"<ViewFields>{refs}</ViewFields>"}


# -- content types ---------------------------------------------------------------------------

CONTENT_TYPE_WRITABLE = ("ClientFormCustomFormatter", "Description")


def content_types(b: Backend, lst: ListRow) -> list[dict[str, Any]]:
    suffix = lst.id.replace("-", "").upper()
    kinds = [("0x0101", "Document", "Create a new document.")] if lst.is_library else \
        [("0x0100", "Item", "Create a new list item.")]
    kinds.append(("0x012000", "Folder", "Create a new folder."))
    out = []
    for prefix, name, description in kinds:
        string_id = prefix + suffix
        stored = b.store.sp_object(lst.id, "contenttype", string_id) or {}
        out.append({"StringId": string_id, "Id": {"StringValue": string_id}, "Name": name,
                    "Description": stored.get("Description", description),
                    "Group": "List Content Types", "Hidden": False, "ReadOnly": False,
                    "Sealed": False, "Scope": lst.name,
                    "ClientFormCustomFormatter": stored.get("ClientFormCustomFormatter", "")})
    return out


def find_content_type(b: Backend, lst: ListRow, string_id: str) -> dict[str, Any]:
    for content_type in content_types(b, lst):
        if content_type["StringId"].casefold() == string_id.casefold():
            return content_type
    raise SpRestError(404, ARGUMENT, "The content type was not found in the list.")


def update_content_type(b: Backend, lst: ListRow, content_type: dict[str, Any],
                        body: dict[str, Any]) -> None:
    stored = b.store.sp_object(lst.id, "contenttype", content_type["StringId"]) or {}
    for key, value in body.items():
        if key not in CONTENT_TYPE_WRITABLE:
            raise no_property(key, "SP.ContentType")
        if key == "ClientFormCustomFormatter" and value:
            try:
                parsed = json.loads(value) if isinstance(value, str) else None
            except ValueError:
                parsed = None
            if not isinstance(parsed, dict):
                raise SpRestError(400, ARGUMENT, "ClientFormCustomFormatter must be a JSON "
                                                 "object, sent as a string.")
        stored[key] = value or ""
    with b.store.transaction():
        b.store.put_sp_object(lst.id, "contenttype", content_type["StringId"], stored)

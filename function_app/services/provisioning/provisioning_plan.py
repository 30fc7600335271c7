"""What to do to a SharePoint site so that it has our lists and columns. Pure: no Graph calls.

Given the desired lists (``sharepoint_schema/*.json``, see its README) and what the site has
(the body of ``GET /sites/{site-id}/lists?$expand=columns``), the plan says which lists to
create, which built-in columns to name, which columns to add, and which differences to
report. It never deletes, and never changes what exists: a column whose type or choices
differ, or a column we do not know, is reported for a person to decide. Carrying out the
plan and planning again gives nothing to do.

Carrying it out, in this order:

1. ``create_lists``: POST each body to ``/sites/{site-id}/lists``, in the order given (a
   list comes after the lists its lookups point to), first replacing the lookup
   placeholders with ``resolve_lookups(body, ids)``, where ``ids`` starts as ``list_ids``
   and gains each created list's id.
2. ``name_columns``: PATCH each built-in column (Title) found by name in its list.
3. ``add_columns``: POST each column, placeholders resolved, to ``/lists/{list-id}/columns``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from function_app.domain.errors import CaseworkError

# The columnDefinition properties that say what kind of column it is; a column has one.
TYPE_FACETS = ("boolean", "calculated", "choice", "contentApprovalStatus", "currency",
               "dateTime", "geolocation", "hyperlinkOrPicture", "lookup", "number",
               "personOrGroup", "term", "text", "thumbnail")

# Columns every generic list already has: the schema names them, provisioning never adds them.
BUILT_IN_COLUMNS = ("Title",)
SHAREPOINT_DEFAULT_TITLE = "Title"

# Columns SharePoint puts on lists and libraries itself; never reported as unknown.
SHAREPOINT_COLUMNS = frozenset({
    "ID", "Title", "ContentType", "Created", "Modified", "Author", "Editor", "Attachments",
    "Edit", "LinkTitle", "LinkTitleNoMenu", "DocIcon", "ItemChildCount", "FolderChildCount",
    "AppAuthor", "AppEditor", "ComplianceAssetId", "FileLeafRef", "LinkFilename",
    "LinkFilenameNoMenu", "FileSizeDisplay", "CheckoutUser", "LinkCheckedOutTitle",
    "ParentVersionString", "ParentLeafName", "SelectTitle", "Name", "MediaServiceImageTags",
})

PLACEHOLDER = re.compile(r"\{\{list:([^{}]+)\}\}")


class ProvisioningError(CaseworkError):
    """The desired lists cannot be planned or resolved (a lookup to a list that is not there)."""


@dataclass(frozen=True, slots=True)
class CreateList:
    list_name: str
    body: dict[str, Any]  # lookups still name their lists as {{list:<displayName>}}


@dataclass(frozen=True, slots=True)
class NameColumn:
    """Give a built-in column that is still as SharePoint made it our name and description."""

    list_name: str
    column_name: str
    changes: dict[str, Any]  # the PATCH body


@dataclass(frozen=True, slots=True)
class AddColumn:
    list_name: str
    column: dict[str, Any]  # the POST body; lookups still name their lists


@dataclass(frozen=True, slots=True)
class Difference:
    """Something on the site that is not as the schema says; reported, never changed."""

    list_name: str
    column_name: str  # "" for the list itself
    message: str

    def __str__(self) -> str:
        where = f'{self.list_name}, column "{self.column_name}"' if self.column_name \
            else self.list_name
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class ProvisioningPlan:
    create_lists: tuple[CreateList, ...]
    name_columns: tuple[NameColumn, ...]
    add_columns: tuple[AddColumn, ...]
    differences: tuple[Difference, ...]
    list_ids: dict[str, str]  # display name -> id of each desired list that already exists

    @property
    def nothing_to_do(self) -> bool:
        return not (self.create_lists or self.name_columns or self.add_columns)


def plan_provisioning(desired: Sequence[Mapping[str, Any]],
                      existing: Mapping[str, Any] | Sequence[Mapping[str, Any]]
                      ) -> ProvisioningPlan:
    """The steps that make the site have every desired list and column, and what differs."""
    found = {lst.get("displayName", ""): lst for lst in _lists(existing)}
    ordered = creation_order(desired)
    ids = {name: str(found[name]["id"]) for name in (d["displayName"] for d in ordered)
           if name in found}
    creates: list[CreateList] = []
    names: list[NameColumn] = []
    adds: list[AddColumn] = []
    differences: list[Difference] = []
    for want in ordered:
        title = want["displayName"]
        have = found.get(title)
        if have is None:
            creates.append(CreateList(title, _creation_body(want)))
            names += [NameColumn(title, c["name"], _naming(c)) for c in want["columns"]
                      if c["name"] in BUILT_IN_COLUMNS]
            continue
        if _template(have) != _template(want):
            differences.append(Difference(title, "", f"is a {_template(have)} here; the schema "
                                                     f"wants a {_template(want)}"))
        columns = {c.get("name", ""): c for c in have.get("columns", [])}
        for column in want["columns"]:
            name = column["name"]
            there = columns.get(name)
            if there is None:
                adds.append(AddColumn(title, copy.deepcopy(column)))
                continue
            if name in BUILT_IN_COLUMNS and \
                    there.get("displayName") == SHAREPOINT_DEFAULT_TITLE != column["displayName"]:
                names.append(NameColumn(title, name, _naming(column)))
            differences += [Difference(title, name, m) for m in _differences(column, there, ids)]
        known = {c["name"] for c in want["columns"]}
        differences += [
            Difference(title, name, f'("{c.get("displayName", name)}") is not in the schema; '
                                    "it is left as it is")
            for name, c in columns.items() if name not in known and not _sharepoints_own(c)]
    return ProvisioningPlan(tuple(creates), tuple(names), tuple(adds), tuple(differences), ids)


def creation_order(desired: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The desired lists, each after the lists its lookups point to (else in the given order)."""
    names = {d["displayName"] for d in desired}
    needs = {d["displayName"]: lookup_targets(d) - {d["displayName"]} for d in desired}
    for name, targets in needs.items():
        if targets - names:
            missing = ", ".join(sorted(targets - names))
            raise ProvisioningError(f"{name} has a lookup to {missing}, which is not a list "
                                    "in the schema")
    done: list[Mapping[str, Any]] = []
    waiting = list(desired)
    while waiting:
        ready = next((d for d in waiting
                      if needs[d["displayName"]] <= {x["displayName"] for x in done}), None)
        if ready is None:
            cycle = ", ".join(d["displayName"] for d in waiting)
            raise ProvisioningError(f"these lists look each other up in a circle: {cycle}")
        done.append(ready)
        waiting.remove(ready)
    return done


def lookup_targets(list_definition: Mapping[str, Any]) -> set[str]:
    """The display names of the lists a list's lookup columns point to."""
    return {match[1] for column in list_definition.get("columns", [])
            for match in [PLACEHOLDER.fullmatch(str(column.get("lookup", {}).get("listId", "")))]
            if match}


def resolve_lookups(body: Mapping[str, Any], list_ids: Mapping[str, str]) -> dict[str, Any]:
    """A copy of a list or column body with each {{list:Name}} replaced by that list's id."""

    def resolved(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: resolved(v) for k, v in value.items()}
        if isinstance(value, list):
            return [resolved(v) for v in value]
        match = PLACEHOLDER.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            return value
        if match[1] not in list_ids:
            raise ProvisioningError(f"there is no id yet for the list {match[1]!r}")
        return list_ids[match[1]]

    out: dict[str, Any] = resolved(body)
    return out


def type_facet(column: Mapping[str, Any]) -> str | None:
    """The one type facet of a column ("text", "choice", ...); None if it has none."""
    return next((f for f in TYPE_FACETS if column.get(f) is not None), None)


def _lists(existing: Mapping[str, Any] | Sequence[Mapping[str, Any]]
           ) -> Sequence[Mapping[str, Any]]:
    if isinstance(existing, Mapping):
        value: Sequence[Mapping[str, Any]] = existing.get("value", [])
        return value
    return existing


def _template(lst: Mapping[str, Any]) -> str:
    return str((lst.get("list") or {}).get("template", "genericList"))


def _creation_body(want: Mapping[str, Any]) -> dict[str, Any]:
    body = copy.deepcopy(dict(want))
    body["columns"] = [c for c in body.get("columns", []) if c["name"] not in BUILT_IN_COLUMNS]
    return body


def _naming(column: Mapping[str, Any]) -> dict[str, Any]:
    """What a built-in column takes from the schema: everything but its name and type."""
    return {k: copy.deepcopy(v) for k, v in column.items()
            if k != "name" and k not in TYPE_FACETS}


def _sharepoints_own(column: Mapping[str, Any]) -> bool:
    name = str(column.get("name", ""))
    return (bool(column.get("hidden")) or bool(column.get("readOnly"))
            or name in SHAREPOINT_COLUMNS or name.startswith("_"))


def _differences(want: Mapping[str, Any], have: Mapping[str, Any],
                 ids: Mapping[str, str]) -> list[str]:
    """How an existing column differs from the schema's in type or choices."""
    kind, there = type_facet(want), type_facet(have)
    if kind != there:
        return [f"is a {there or 'special'} column here; the schema wants {kind}"]
    assert kind is not None
    ours, theirs = want[kind], have[kind]
    if kind == "text" and bool(ours.get("allowMultipleLines")) != \
            bool(theirs.get("allowMultipleLines")):
        lines = "several lines" if ours.get("allowMultipleLines") else "one line"
        return [f"the schema wants {lines} of text"]
    if kind == "dateTime" and ours.get("format") != theirs.get("format"):
        return [f"holds {theirs.get('format')} here; the schema wants {ours.get('format')}"]
    if kind == "choice":
        missing = [c for c in ours.get("choices", []) if c not in theirs.get("choices", [])]
        extra = [c for c in theirs.get("choices", []) if c not in ours.get("choices", [])]
        if missing or extra:
            parts = ([f"missing {_quoted(missing)}"] if missing else []) + \
                    ([f"has {_quoted(extra)}, which the schema does not"] if extra else [])
            return ["choices differ: " + "; ".join(parts)]
    if kind == "lookup":
        out = []
        target = PLACEHOLDER.fullmatch(str(ours.get("listId", "")))
        wanted = target[1] if target else str(ours.get("listId"))
        wanted_id = ids.get(wanted) if target else wanted
        if wanted_id is not None and _guid(theirs.get("listId")) != _guid(wanted_id):
            out.append(f"looks up another list; the schema wants {wanted}")
        if ours.get("columnName") != theirs.get("columnName"):
            out.append(f"shows {theirs.get('columnName')}; the schema wants "
                       f"{ours.get('columnName')}")
        if bool(ours.get("allowMultipleValues")) != bool(theirs.get("allowMultipleValues")):
            out.append("the schema wants " + ("several values" if ours.get("allowMultipleValues")
                                              else "one value"))
        return out
    return []


def _guid(value: object) -> str:
    return str(value or "").strip("{}").casefold()


def _quoted(values: Sequence[str]) -> str:
    return ", ".join(f'"{v}"' for v in values)

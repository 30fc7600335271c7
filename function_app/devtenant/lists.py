"""Lists, columns and list items: creation, field updates with versions and eTags, deletes.

Every change to an item is appended to its list's change log (read by delta) and, once the
transaction has committed, reported to the change hook (which sends notifications).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from .columns import check_fields, column_from_request, facet_of, system_columns
from .errors import GraphError, bad_request, conflict
from .identity import Identity
from .names import check_name
from .store import ItemRow, ListRow, Site, Store
from .util import iso, new_guid, now
from .validation import check_item

# What SharePoint answers when an item fails its list's or a column's validation formula.
# Documented: the exception is SPListDataValidationException, error code -2130575163 (a
# field's formula), -2130575162 (the list's) or -2130575161 (both) (ListItem.Update,
# https://learn.microsoft.com/previous-versions/office/sharepoint-server/ee536748(v=office.15)).
# Seen from SharePoint REST: HTTP 500 with {"odata.error": {"code": "-2130575162,
# Microsoft.SharePoint.SPListDataValidationException", "message": {"lang": "en-US", "value":
# "List data validation failed."}}} (pnp/pnpjs#1770, SharePoint/sp-dev-docs#4938,
# SharePoint/PnP-JS-Core#328; field formulas give the same text, pnp/powershell#1746): the
# ValidationMessage is not in it. Graph v1.0 documents no answer for this; the dev tenant
# answers 400 invalidRequest with SharePoint's own text, "List data validation failed.",
# and no ValidationMessage either (docs/dev-tenant.md, "Known differences").
VALIDATION_FAILED = "List data validation failed."

# What Graph answers when an item create or fields update would give a column that enforces
# unique values (columnDefinition.enforceUniqueValues) a value another item of the list
# holds: 400 invalidRequest, "One or more fields with unique constraints already has the
# provided value." Graph v1.0 documents no answer for this; that status, code and text are
# what clients of Graph match on: n8n's SharePoint node (n8n-io/n8n, packages/nodes-base/
# nodes/Microsoft/SharePoint/helpers/utils.ts, item create: code invalidRequest with that
# exact message) and UK Export Finance's estore-api (UK-Export-Finance/estore-api,
# src/modules/graph/known-errors.ts and its tests: GraphError(400, that message), code
# invalidRequest); Graph's driveItem copy says the same text (msgraph-sdk-dotnet#790).
# SharePoint itself says "The list item could not be added or updated because duplicate
# values were found in one or more fields in the list." (SPDuplicateValuesFoundException;
# SharePoint REST answers it with 500, pnp/pnpcore#1280; SOAP 0x810200bf,
# jasonrollins/shareplum#41). Values compare case-insensitively, as SharePoint compares
# them ("hello world" and "Hello World" are the same: "Enforcing Uniqueness in Column
# Values", https://learn.microsoft.com/previous-versions/office/developer/sharepoint-2010/
# ee536168(v=office.14)); a blank value is not compared (an assumption: not documented).
# Nothing is written when the write is refused.
UNIQUE_REFUSED = "One or more fields with unique constraints already has the provided value."

TEMPLATES = ("genericList", "documentLibrary")


def etag_matches(header: str, etag: str) -> bool:
    """If-Match as clients send it: the eTag (quoted or not, W/ or not), a list, or "*".

    SharePoint eTags contain a comma ("{GUID},3"), so a list is split on its quotes.
    """

    def bare(value: str) -> str:
        value = value.strip()
        value = value[2:] if value.startswith("W/") else value
        return value.strip('"').upper()

    if header.strip() == "*":
        return True
    candidates = re.findall(r'(?:W/)?"[^"]*"', header) or [header]
    return any(bare(candidate) == bare(etag) for candidate in candidates)


class Lists:
    def __init__(self, store: Store, on_change: Callable[[str], None]) -> None:
        self._store = store
        self._on_change = on_change

    # -- lists and columns -------------------------------------------------------------------

    def create_list(self, site: Site, body: dict[str, Any], who: Identity) -> ListRow:
        title = body.get("displayName")
        if not isinstance(title, str) or not title.strip():
            raise bad_request("A list needs a 'displayName'.")
        given = body.get("list")
        facet: dict[str, Any] = given if isinstance(given, dict) else {}
        template = facet.get("template", "genericList")
        if template not in TEMPLATES:
            raise bad_request(
                f"The dev tenant makes lists from {TEMPLATES}; got template {template!r}."
            )
        if template == "documentLibrary":
            check_name(title)  # it names the library's folder on disk too
        if self._store.find_list(site.id, title) is not None:
            raise conflict(
                f"A list, survey, discussion board, or document library with the "
                f"specified title '{title}' already exists in this Web site."
            )
        columns = system_columns(template)
        requested = body.get("columns", [])
        if not isinstance(requested, list):
            raise bad_request("'columns' must be a list of column definitions.")
        list_ids = {lst.id for lst in self._store.lists(site.id)}
        for column in requested:
            if not isinstance(column, dict):
                raise bad_request("Each column must be a JSON object.")
            columns.append(column_from_request(column, columns, list_ids))
        when = iso(now())
        row = ListRow(
            id=new_guid(),
            site_id=site.id,
            name=str(body.get("name") or title),
            display_name=title,
            description=str(body.get("description") or ""),
            template=template,
            root_unique_id=new_guid(),
            created=when,
            modified=when,
            created_by=who.identity_set(),
            modified_by=who.identity_set(),
        )
        with self._store.transaction():
            self._store.add_list(row)
            for column in columns:
                self._store.add_column(row.id, column)
        return row

    def add_column(self, site: Site, lst: ListRow, body: dict[str, Any]) -> dict[str, Any]:
        list_ids = {other.id for other in self._store.lists(site.id)}
        column = column_from_request(body, self._store.columns(lst.id), list_ids)
        with self._store.transaction():
            self._store.add_column(lst.id, column)
        return column

    def update_column(self, lst: ListRow, column_id: str, changes: dict[str, Any]
                      ) -> dict[str, Any] | None:
        """PATCH a column: its display name, description and other settings; not its name
        or its type. None if there is no such column."""
        column = next((c for c in self._store.columns(lst.id)
                       if column_id in (c.get("id"), c.get("name"))), None)
        if column is None:
            return None
        updated = {**column, **{k: v for k, v in changes.items() if k not in ("id", "name")}}
        with self._store.transaction():
            self._store.replace_column(lst.id, updated)
        return updated

    # -- items -------------------------------------------------------------------------------

    def create_item(
        self,
        lst: ListRow,
        values: dict[str, Any],
        who: Identity,
        *,
        content_type: str = "Item",
        system: dict[str, Any] | None = None,
    ) -> ItemRow:
        """A new item; system values (a file's name, say) bypass the checks clients get."""
        columns = self._store.columns(lst.id)
        checked = check_fields(columns, values, creating=system is None)
        if system is None:
            self._validate(lst, columns, {k: v for k, v in checked.items() if v is not None})
        self._check_unique(lst, columns, checked, None)
        when = iso(now())
        user_id = self._store.user_lookup_id(who)
        with self._store.transaction():
            item = ItemRow(
                list_id=lst.id,
                id=self._store.take_item_id(lst.id),
                unique_id=new_guid(),
                version=1,
                content_type=content_type,
                fields={**(system or {}), **{k: v for k, v in checked.items() if v is not None}},
                created=when,
                modified=when,
                created_by=who.identity_set(),
                modified_by=who.identity_set(),
                author_id=user_id,
                editor_id=user_id,
            )
            self._store.put_item(item)
            self._record(lst, item.id, "upsert", content_type)
        return item

    def update_fields(
        self,
        lst: ListRow,
        item: ItemRow,
        values: dict[str, Any],
        who: Identity,
        *,
        if_match: str | None = None,
        system: dict[str, Any] | None = None,
    ) -> ItemRow:
        """Set field values (None clears one); the version goes up by one."""
        if if_match is not None and not etag_matches(if_match, item.etag):
            raise GraphError(
                412,
                "preconditionFailed",
                f"The request ETag value '{if_match}' does not match the object's ETag value "
                f"'{item.etag}'.",
            )
        columns = self._store.columns(lst.id)
        checked = check_fields(columns, values, creating=False)
        fields = dict(item.fields)
        for key, value in {**checked, **(system or {})}.items():
            if value is None:
                fields.pop(key, None)
            else:
                fields[key] = value
        if checked:  # a client's write: the whole item, as it would be, must pass
            self._validate(lst, columns, fields)
        self._check_unique(lst, columns, checked, item.id)
        with self._store.transaction():
            updated = replace(
                item,
                version=item.version + 1,
                fields=fields,
                modified=iso(now()),
                modified_by=who.identity_set(),
                editor_id=self._store.user_lookup_id(who),
            )
            self._store.put_item(updated)
            self._record(lst, item.id, "upsert", item.content_type)
        return updated

    def delete_item(
        self, lst: ListRow, item: ItemRow, who: Identity, *, if_match: str | None = None
    ) -> None:
        if if_match is not None and not etag_matches(if_match, item.etag):
            raise GraphError(
                412,
                "preconditionFailed",
                f"The request ETag value '{if_match}' does not match the object's ETag value "
                f"'{item.etag}'.",
            )
        with self._store.transaction():
            self._store.delete_item(lst.id, item.id)
            self._record(lst, item.id, "delete", item.content_type)
            self._store.touch_list(lst.id, iso(now()), who)

    def _validate(self, lst: ListRow, columns: list[dict[str, Any]],
                  fields: dict[str, Any]) -> None:
        """Refuse (400, nothing written) an item that fails a column's or the list's
        validation formula, as SharePoint does."""
        settings = self._store.sp_object(lst.id, "list", "") or {}
        formula = str(settings.get("ValidationFormula") or "")
        list_rule = (formula, str(settings.get("ValidationMessage") or "")) if formula else None
        column_rules: dict[str, tuple[str, str]] = {}
        for column in columns:
            rule = column.get("validation")
            if isinstance(rule, dict) and rule.get("formula"):
                descriptions = rule.get("descriptions") or [{}]
                message = str(descriptions[0].get("name", "")) if descriptions else ""
                column_rules[column["name"]] = (str(rule["formula"]), message)
        for field in self._store.sp_objects(lst.id, "field"):
            if field.get("ValidationFormula"):
                column_rules[field["InternalName"]] = (str(field["ValidationFormula"]),
                                                       str(field.get("ValidationMessage") or ""))
        if not list_rule and not column_rules:
            return
        failures = check_item(columns, fields, list_rule, column_rules)
        if failures:
            raise GraphError(400, "invalidRequest", VALIDATION_FAILED)

    def _check_unique(self, lst: ListRow, columns: list[dict[str, Any]],
                      written: dict[str, Any], item_id: int | None) -> None:
        """Refuse (400, nothing written) a value written to a column that enforces unique
        values when another item of the list holds the same value (UNIQUE_REFUSED)."""
        wanted: list[tuple[str, Any]] = []
        for column in columns:
            if not column.get("enforceUniqueValues"):
                continue
            by_id = facet_of(column) in ("lookup", "personOrGroup")
            key = column["name"] + ("LookupId" if by_id else "")
            value = written.get(key)
            if value is not None and value != "":
                wanted.append((key, _unique_key(value)))
        if not wanted:
            return
        for other in self._store.items(lst.id, 0):
            if other.id == item_id:
                continue
            for key, value in wanted:
                held = other.fields.get(key)
                if held is not None and held != "" and _unique_key(held) == value:
                    raise GraphError(400, "invalidRequest", UNIQUE_REFUSED)

    def _record(self, lst: ListRow, item_id: int, kind: str, content_type: str) -> None:
        self._store.record_change(lst.id, item_id, kind, content_type, time.time())
        list_id = lst.id
        self._store.after_commit(lambda: self._on_change(list_id))


def _unique_key(value: Any) -> Any:
    """A value as a unique column compares it: text case-insensitively, lists as sets."""
    if isinstance(value, str):
        return value.casefold()
    if isinstance(value, list):
        return tuple(sorted(str(v).casefold() for v in value))
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    return value

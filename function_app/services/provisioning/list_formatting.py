"""Read the lists' formatting, views, form and list validation from
``sharepoint_schema/formatting/`` (see its ``index.json`` and ``sharepoint_schema/README.md``).

The result is plain data, one entry per list displayName::

    {"Cases": {"columns": {"PresentSessions": {...formatter JSON...}},
               "views": [{"name": ..., "viewFields": [...], "where": "<Where>...</Where>",
                          "orderBy": [...], "groupBy": [...], "rowLimit": 30,
                          "formatter": {...} or None}],
               "form": None or {"header": ..., "body": ..., "footer": ..., "showWhen": ...},
               "validation": None or {"formula": ..., "message": ...}}}

``everyList`` columns are applied to every list that has the column.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from .list_schema import SCHEMA_DIR

FORMATTING_DIR = SCHEMA_DIR / "formatting"
INDEX = "index.json"


def _read(folder: Path, relative: str) -> Any:
    return json.loads((folder / relative).read_text(encoding="utf-8"))


def load_formatting(lists: Sequence[Mapping[str, Any]],
                    folder: Path = FORMATTING_DIR) -> dict[str, dict[str, Any]]:
    """Each list's column formatters, views, form and validation, with files read in."""
    index: dict[str, Any] = _read(folder, INDEX)
    every: Mapping[str, str] = index.get("everyList", {}).get("columns", {})
    per_list: Mapping[str, Mapping[str, Any]] = index.get("lists", {})
    unknown = set(per_list) - {lst["displayName"] for lst in lists}
    if unknown:
        raise ValueError(f"{INDEX} names lists that sharepoint_schema/ does not define: "
                         f"{sorted(unknown)}")
    result: dict[str, dict[str, Any]] = {}
    for lst in lists:
        name = lst["displayName"]
        entry = per_list.get(name, {})
        names = {column["name"] for column in lst["columns"]}
        columns = {field: _read(folder, path) for field, path in every.items() if field in names}
        columns.update({field: _read(folder, path)
                        for field, path in entry.get("columns", {}).items()})
        views = []
        for path in entry.get("views", []):
            view: dict[str, Any] = _read(folder, path)
            if view.get("formatter"):
                view["formatter"] = _read(folder, str(Path(path).parent / view["formatter"]))
            views.append(view)
        form = _read(folder, entry["form"]) if entry.get("form") else None
        result[name] = {"columns": columns, "views": views, "form": form,
                        "validation": entry.get("validation")}
    return result


def view_query(view: Mapping[str, Any]) -> str:
    """The view's CAML query: its Where, then OrderBy and GroupBy built from the data."""
    query = str(view.get("where") or "")
    order = view.get("orderBy") or []
    if order:
        refs = "".join(f"<FieldRef Name={quoteattr(o['field'])} "
                       f"Ascending=\"{'TRUE' if o.get('ascending', True) else 'FALSE'}\"/>"
                       for o in order)
        query += f"<OrderBy>{refs}</OrderBy>"
    groups = view.get("groupBy") or []
    if groups:
        collapse = "TRUE" if any(g.get("collapse") for g in groups) else "FALSE"
        refs = "".join(f"<FieldRef Name={quoteattr(g['field'])}/>" for g in groups)
        query += f"<GroupBy Collapse=\"{collapse}\">{refs}</GroupBy>"
    return query

"""Recognising the app's own writes by what an item holds, not only by who wrote it.

Writing a status back to an item is a change like any other, and must not be processed
again (design.md, "No loops"). Graph's ``lastModifiedBy.application`` says who wrote last;
but SharePoint may report an app's write with ``user`` "SharePoint App" beside it and
without the application's id. So each time the app writes to an item, it keeps a digest of
the item's casework columns as it left them: every column of the list's schema but the
status columns it writes. A change not attributed to this app whose digest is the same
changed nothing a person typed, and is the app's own; a different digest is a person's.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import cache
from typing import Any

from function_app.adapters.graph.records import ListItem
from function_app.services.case_lists import list_columns as lc
from function_app.services.ports import StateStore

SCOPE = "content-seen"  # "List/id" -> the digest of the item's casework columns
# The app's status columns, and the figures it keeps on a meeting: a change to these alone
# is the app's own. (The tier columns are the app's too, but a value someone types over them
# must be put right, so they count, with what the app wrote applied when it remembers.)
APP_COLUMNS = frozenset((*lc.WRITE_BACK_COLUMNS, "LegalReadiness", *lc.MEETING_FIGURES_COLUMNS,
                         *lc.SENDING_COLUMNS))


@cache
def _typed_columns(list_name: str) -> frozenset[str]:
    spec = next((s for s in lc.LISTS if s.title == list_name), None)
    names = {c.name for c in spec.columns} if spec is not None else set()
    return frozenset(names - APP_COLUMNS)


def digest(list_name: str, fields: Mapping[str, Any]) -> str:
    """The digest of what staff typed in the item: its schema's columns, not the app's."""
    typed = _typed_columns(list_name)
    kept = {k: _same_number(v) for k, v in fields.items()
            if k in typed or (k.endswith("LookupId") and k.removesuffix("LookupId") in typed)}
    text = json.dumps(kept, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _same_number(value: Any) -> Any:
    """Graph may send back a whole number written as 4 as 4.0: one digest for both."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def is_own_write(state: StateStore, list_name: str, item: ListItem) -> bool:
    """True when the change is the app's own: Graph names this app as the last writer, or
    (when SharePoint attributes the write to "SharePoint App" without the app's id) nothing
    staff type has changed since the app last wrote the item."""
    if item.modified_by_app:
        return True
    seen = state.recall(SCOPE, f"{list_name}/{item.id}")
    return bool(seen) and seen == digest(list_name, item.fields)


def remember(state: StateStore, list_name: str, item_id: str,
             fields: Mapping[str, Any]) -> None:
    """After writing to an item read as ``fields`` (with what the app changed applied)."""
    state.remember(SCOPE, f"{list_name}/{item_id}", digest(list_name, fields))

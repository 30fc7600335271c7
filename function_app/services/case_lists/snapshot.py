"""The items of the casework lists a sweep works from, read once per sweep, by case.

A change anywhere (a meeting, one of its attendees, a carer's address) is traced to the
case it belongs to and, where there is one, to the meeting; the whole case is then read
from this snapshot, not item by item from Graph. A sweep's snapshot holds only the cases
its changes belong to (``case_reader``); one of every item of every list (``Snapshot.of``,
``whole``) is read only where every case is wanted (the summary columns' one-off filling,
or a sweep with more changes than reading the cases one by one is worth).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from function_app.adapters.graph.records import ListItem

from . import list_columns as lc
from .case_items import CaseItems
from .case_items import ListItem as MappedItem

CASE_CHILDREN = {  # list title -> the CaseItems field holding its items
    lc.CARERS.title: "carers", lc.SIBLINGS.title: "siblings", lc.MEETINGS.title: "meetings",
    lc.CONTACTS.title: "contacts", lc.PENALTY_NOTICES.title: "penalty_notices",
    lc.MARKS.title: "marks",
}
MEETING_CHILDREN = {
    lc.ATTENDEES.title: "attendees", lc.AGREED_ACTIONS.title: "agreed_actions",
    lc.INTERVENTIONS.title: "interventions", lc.VOICE.title: "voice",
}
CASEWORK_LISTS = (lc.CASES.title, *CASE_CHILDREN, *MEETING_CHILDREN, lc.HOLIDAYS.title)


def lookup(item: ListItem, column: str) -> str:
    value = item.fields.get(f"{column}LookupId")
    return str(value) if value not in (None, "") else ""


@dataclass
class Snapshot:
    items: dict[str, dict[str, ListItem]] = field(default_factory=dict)  # list -> id -> item
    whole: bool = False  # every item of every list, not only some cases'

    @classmethod
    def of(cls, by_list: Mapping[str, Iterable[ListItem]]) -> Snapshot:
        """The snapshot of whole lists."""
        return cls({name: {i.id: i for i in items if not i.deleted}
                    for name, items in by_list.items()}, whole=True)

    def get(self, list_name: str, item_id: str) -> ListItem | None:
        return self.items.get(list_name, {}).get(item_id)

    def case_of(self, list_name: str, item: ListItem) -> str:
        """The Cases item id this item belongs to, or '' if it belongs to none."""
        if list_name == lc.CASES.title:
            return item.id
        if list_name in CASE_CHILDREN:
            return lookup(item, "Case")
        if list_name in MEETING_CHILDREN:
            meeting = self.get(lc.MEETINGS.title, lookup(item, "Meeting"))
            if meeting is not None:
                return lookup(meeting, "Case")
            contact = self.get(lc.CONTACTS.title, lookup(item, "Contact"))
            return lookup(contact, "Case") if contact is not None else ""
        return ""

    def meeting_of(self, list_name: str, item: ListItem) -> str:
        if list_name == lc.MEETINGS.title:
            return item.id
        if list_name in MEETING_CHILDREN:
            return lookup(item, "Meeting")
        return ""

    def case_items(self, case_id: str) -> CaseItems:
        def mapped(items: Iterable[ListItem]) -> Sequence[MappedItem]:
            return tuple(MappedItem(i.id, i.fields) for i in items)

        case = self.get(lc.CASES.title, case_id)
        of_case = {name: [i for i in self.items.get(name, {}).values()
                          if lookup(i, "Case") == case_id] for name in CASE_CHILDREN}
        meeting_ids = {m.id for m in of_case[lc.MEETINGS.title]}
        contact_ids = {c.id for c in of_case[lc.CONTACTS.title]}
        of_meetings = {name: [i for i in self.items.get(name, {}).values()
                              if lookup(i, "Meeting") in meeting_ids
                              or (name == lc.VOICE.title and lookup(i, "Contact") in contact_ids)]
                       for name in MEETING_CHILDREN}
        return CaseItems(
            case=MappedItem(case.id, case.fields) if case else None,
            holidays=mapped(self.items.get(lc.HOLIDAYS.title, {}).values()),
            **{key: mapped(of_case[name]) for name, key in CASE_CHILDREN.items()},
            **{key: mapped(of_meetings[name]) for name, key in MEETING_CHILDREN.items()},
        )

    def source_version(self, meeting_id: str) -> str:
        """What the meeting's documents are made from, as a short digest: the columns staff
        fill in on the meeting and on its attendees, actions, interventions and quotes.
        Our own write-backs change an item's version but not this, so they make nothing."""
        meeting = self.get(lc.MEETINGS.title, meeting_id)
        if meeting is None:
            return ""
        parts = [_typed(lc.MEETINGS.title, meeting)]
        parts += sorted(f"{name}:{i.id}:{_typed(name, i)}" for name in MEETING_CHILDREN
                        for i in self.items.get(name, {}).values()
                        if lookup(i, "Meeting") == meeting_id)
        return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:12]


_SPECS = {spec.title: spec for spec in lc.LISTS}


def _typed(list_name: str, item: ListItem) -> str:
    """The item's values in the columns the schema defines, the app's own left out: the
    write-back columns, and a meeting's figures kept at the meeting (filling them is the
    app's write, and must not make the meeting's documents again)."""
    names = [c.name for c in _SPECS[list_name].columns
             if c.name not in lc.WRITE_BACK_COLUMNS and c.name not in lc.MEETING_FIGURES_COLUMNS
             and c.name not in lc.SENDING_COLUMNS]
    values = {n: item.fields.get(n, item.fields.get(f"{n}LookupId")) for n in names}
    return json.dumps(values, sort_keys=True, default=str)

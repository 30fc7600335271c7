"""One case's items as Microsoft Graph gives them, and a problem found on one of them.

What reading a case from the lists (``list_mapping``) takes and reports, and what the
snapshot of a sweep, writing cases back as items (``list_items``) and the attendance import
hold: the vocabulary every reader and writer of the casework lists shares.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ListItem:
    """One list item: its id and its ``fields`` as Graph returns them."""

    id: str
    fields: Mapping[str, Any]

    @classmethod
    def from_graph(cls, item: Mapping[str, Any]) -> ListItem:
        return cls(str(item["id"]), item.get("fields") or {})


@dataclass(frozen=True, slots=True)
class CaseItems:
    """A Cases item and the items of the other lists that belong to it.

    ``case`` is None when the Cases item an item points to does not exist: each item given
    is then reported as pointing to no case. School Holidays are the site's holidays; those
    whose School is blank or the case's school apply.
    """

    case: ListItem | None
    carers: Sequence[ListItem] = ()
    siblings: Sequence[ListItem] = ()
    meetings: Sequence[ListItem] = ()
    attendees: Sequence[ListItem] = ()
    agreed_actions: Sequence[ListItem] = ()
    interventions: Sequence[ListItem] = ()
    voice: Sequence[ListItem] = ()
    contacts: Sequence[ListItem] = ()
    penalty_notices: Sequence[ListItem] = ()
    marks: Sequence[ListItem] = ()
    holidays: Sequence[ListItem] = ()


@dataclass(frozen=True, slots=True)
class ItemProblem:
    """Something wrong with one item, for its GenerationMessage.

    ``column`` is the display name staff see ("" when it is the item as a whole); ``path``
    is the case-input path the problem was found at, for logs ("" if found before that).
    """

    list_name: str
    item_id: str
    column: str
    message: str
    path: str = ""

    @property
    def line(self) -> str:
        """The problem as one line of the item's GenerationMessage."""
        return f'"{self.column}": {self.message}' if self.column else self.message

    def __str__(self) -> str:
        return f"{self.list_name} item {self.item_id}, {self.line}"


Source = tuple[str, str, str]  # list display name, item id, column display name

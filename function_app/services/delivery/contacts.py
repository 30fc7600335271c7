"""A sent letter's Contacts item: the domain's contact (``delivery.contact_for``) as the
Contacts list's columns (``case_lists.list_columns.CONTACTS``), written once.

The summary ends with the email's reference (the digest in its x-casework-letter header),
so that the item and the message in Sent Items can be matched, and so that a contact whose
create was answered with nothing (the item may be there) is found before another is made:
``find_contact`` reads the case's contacts (by the indexed Case lookup) for that reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from function_app.adapters.graph.records import ListItem
from function_app.domain.model import Interaction
from function_app.services.case_lists.list_columns import CONTACT_MODES

Query = tuple[str, str, Sequence[str]]  # (list id, column, values): GraphClient.read_items
TITLE_LIMIT = 255


class ContactsList(Protocol):
    """What writing a contact needs of Graph (GraphClient)."""

    async def create_item(self, list_id: str, fields: dict[str, Any]) -> ListItem: ...
    async def read_items(self, queries: Sequence[Query]) -> list[list[ListItem]]: ...


class ContactsBatch(Protocol):
    """Writing many contacts at once (GraphClient.create_items_batch)."""

    async def create_items_batch(self, list_id: str, many: Sequence[dict[str, Any]]
                                 ) -> Sequence[ListItem | Exception]: ...


def reference_line(reference: str) -> str:
    return f"Email reference {reference}."


def contact_fields(contact: Interaction, subject: str, case_item_id: str,
                   reference: str) -> dict[str, Any]:
    """The Contacts item's fields for a sent letter's contact (its Case, its carers)."""
    fields: dict[str, Any] = {
        "CaseLookupId": str(case_item_id),
        "Title": subject[:TITLE_LIMIT],
        "ContactDate": f"{contact.date.isoformat()}T00:00:00Z",  # a dateOnly column
        "ContactMode": CONTACT_MODES.label_of(contact.mode),
        "StaffMember": contact.staff_member,
        "Summary": f"{contact.summary} {reference_line(reference)}",
    }
    if contact.time is not None:
        fields["ContactTime"] = contact.time.strftime("%H:%M")
    carers = [int(c) for c in contact.carer_ids if c.isdigit()]
    if carers:
        fields["CarersInvolvedLookupId@odata.type"] = "Collection(Edm.Int32)"
        fields["CarersInvolvedLookupId"] = carers
    return fields


async def find_contact(graph: ContactsList, list_id: str, case_item_id: str,
                       reference: str) -> str:
    """The id of the case's Contacts item that records the email ``reference``, or ''."""
    (items,) = await graph.read_items([(list_id, "CaseLookupId", [str(case_item_id)])])
    line = reference_line(reference)
    for item in items:
        if line in str(item.fields.get("Summary") or ""):
            return item.id
    return ""


async def write_contact(graph: ContactsList, list_id: str, fields: dict[str, Any]) -> str:
    """Create the Contacts item; its id."""
    return (await graph.create_item(list_id, fields)).id

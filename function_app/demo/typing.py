"""Typing the scenario into the lists as a member of staff would: creating items and later
updating them, through Microsoft Graph with the staff member's own token, so the change
processor sees changes made by people, exactly as in a school's tenant. Each school's staff
type into their own school's site, the only site they are members of.

Each step is written in the case-input format; ``items_from_case_input`` turns it into
list items (columns, choice labels, dateOnly instants), and the links between items
(a carer's case, an attendee's meeting) are pointed at the items' real ids here.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from function_app.adapters.graph.errors import ValidationRefusedError
from function_app.adapters.graph.records import ListInfo, ListItem
from function_app.services.attendance_import.import_cases import open_case_once
from function_app.services.case_lists import list_columns as lc
from function_app.services.case_lists.case_items import CaseItems
from function_app.services.case_lists.list_items import CASE_ID, Ids, items_from_case_input

from .scenario import (
    SCHOOLS,
    EnterHolidays,
    EnterMarks,
    EnterMeeting,
    LogContact,
    OpenCase,
    School,
    Step,
    UpdateCase,
)

MEETING_CHILDREN = ("attendees", "agreed_actions", "interventions", "pupil_voice",
                    "parent_voice")
# Lookup columns and the list each points to; CarersInvolved holds several carers.
LOOKUPS = {"Case": lc.CASES.title, "Carer": lc.CARERS.title, "Meeting": lc.MEETINGS.title,
           "Contact": lc.CONTACTS.title, "CarersInvolved": lc.CARERS.title}


class Lists(Protocol):
    """What typing needs of Graph (function_app.adapters.graph.client.GraphClient)."""

    async def create_item(self, list_id: str, fields: dict[str, Any]) -> ListItem: ...
    async def update_fields(self, list_id: str, item_id: str, fields: dict[str, Any],
                            etag: str = "") -> dict[str, Any]: ...
    async def all_items(self, list_id: str) -> list[ListItem]: ...
    async def get_item(self, list_id: str, item_id: str) -> ListItem: ...


@dataclass
class _Typed:
    """One case as typed so far, and the item ids that stand for its parts."""

    school: School
    data: dict[str, Any]  # the case-input fields of the Cases item, and the carers
    item_id: str
    carers: dict[str, str] = field(default_factory=dict)  # carer key -> Carers item id
    meetings: dict[str, str] = field(default_factory=dict)  # meeting key -> item id
    meeting_data: dict[str, dict[str, Any]] = field(default_factory=dict)  # without children


class _Refused(Exception):
    def __init__(self, list_name: str) -> None:
        super().__init__(list_name)
        self.list_name = list_name


class Typist:
    """Types steps into each school's lists: ``staff(school key, name)`` gives the Graph
    client of a member of that school's staff on the school's own site, and ``lists`` holds
    each school's lists (school key -> list title -> ListInfo).

    ``messages`` holds each list's validation message (list title -> message): what the
    form shows a member of staff when SharePoint refuses an item at save. Graph's answer
    says only "List data validation failed.", as SharePoint's does.
    """

    def __init__(self, staff: Callable[[str, str], Lists],
                 lists: Mapping[str, Mapping[str, ListInfo]],
                 messages: Mapping[str, str] | None = None) -> None:
        self.staff = staff
        self.list_ids = {key: {name: info.id for name, info in site.items()}
                         for key, site in lists.items()}
        self.cases: dict[str, _Typed] = {}
        self.messages = dict(messages or {})
        self.refusals: list[str] = []  # what SharePoint said, for the progress lines

    async def type(self, step: Step) -> str:
        """Type one step; returns what it was, for the progress line: "opened", "stage",
        "closed", "figures", "contact", "planned", "held", "did_not_proceed", "holidays", "marks",
        or "refused" when SharePoint refused the item at save (said in ``refusals``)."""
        try:
            if isinstance(step, EnterHolidays):
                return await self._holidays(step)
            if isinstance(step, OpenCase):
                return await self._open(step)
            if isinstance(step, UpdateCase):
                return await self._update(step)
            if isinstance(step, LogContact):
                return await self._contact(step)
            if isinstance(step, EnterMarks):
                return await self._marks(step)
            return await self._meeting(step)
        except _Refused as refused:
            said = self.messages.get(refused.list_name) or "List data validation failed."
            case = getattr(step, "case_ref", "")
            self.refusals.append(f"SharePoint refused the {refused.list_name} item typed "
                                 f"{f'for {case} ' if case else ''}when it was saved: {said}")
            return "refused"

    # -- the steps ---------------------------------------------------------------------

    async def _holidays(self, step: EnterHolidays) -> str:
        items, _ = _items({"school": {"name": "", "holidays": list(step.holidays)},
                           "attendance": {}})
        for key in self.list_ids:  # each school's officer, in the school's own site
            school = SCHOOLS[key]
            for item in items.holidays:
                fields = {k: v for k, v in item.fields.items() if k != "School"}
                await self._create(school, school.officer[0], lc.HOLIDAYS.title, fields)
        return "holidays"

    async def _open(self, step: OpenCase) -> str:
        school = SCHOOLS[step.school]
        data: dict[str, Any] = {
            "case_ref": step.case_ref, "profile": school.profile, "stage": step.stage,
            "status": "open", "school": school.as_input(), "pupil": dict(step.pupil),
            "attendance": dict(step.attendance), "carers": [dict(c) for c in step.carers]}
        if step.siblings:
            data["siblings"] = [dict(s) for s in step.siblings]
        items, ids = _items(data)
        who = school.officer[0]
        case_id = await self._open_case(school, who, _case_fields(data))
        typed = _Typed(school, data, case_id)
        self.cases[step.case_ref] = typed
        real = {("Case", CASE_ID): case_id}
        fake_carers = {fake: key for key, fake in ids.carers.items()}
        for item in items.carers:
            carer_id = await self._create(school, who, lc.CARERS.title,
                                          _linked(item.fields, real))
            typed.carers[fake_carers[item.id]] = carer_id
        for item in items.siblings:
            await self._create(school, who, lc.SIBLINGS.title, _linked(item.fields, real))
        return "opened"

    async def _update(self, step: UpdateCase) -> str:
        typed = self.cases[step.case_ref]
        before = _case_fields(typed.data)
        data = typed.data | copy.deepcopy(dict(step.changes))
        await self._patch(typed.school, typed.school.officer[0], lc.CASES.title, typed.item_id,
                          _changed(before, _case_fields(data)))
        typed.data = data  # only once SharePoint has taken it
        if step.changes.get("status") == "closed":
            return "closed"
        return "stage" if "stage" in step.changes else "figures"

    async def _contact(self, step: LogContact) -> str:
        typed = self.cases[step.case_ref]
        items, ids = _items(typed.data | {"interactions": [dict(step.contact)]})
        who = typed.school.officer[0]
        real = self._real(typed, ids.carers)
        (contact,) = items.contacts
        real[("Contact", contact.id)] = await self._create(typed.school, who, lc.CONTACTS.title,
                                                           _linked(contact.fields, real))
        for quote in items.voice:
            await self._create(typed.school, who, lc.VOICE.title, _linked(quote.fields, real))
        return "contact"

    async def _marks(self, step: EnterMarks) -> str:
        typed = self.cases[step.case_ref]
        attendance = dict(typed.data["attendance"]) | {"marks": [dict(m) for m in step.marks]}
        items, _ = _items(typed.data | {"attendance": attendance})
        real = {("Case", CASE_ID): typed.item_id}
        for mark in items.marks:
            await self._create(typed.school, typed.school.officer[0], lc.MARKS.title,
                               _linked(mark.fields, real))
        return "marks"

    async def _meeting(self, step: EnterMeeting) -> str:
        typed = self.cases[step.case_ref]
        new = step.key not in typed.meetings
        plain = {k: v for k, v in step.fields.items() if k not in MEETING_CHILDREN}
        children = {k: v for k, v in step.fields.items() if k in MEETING_CHILDREN}
        before = typed.meeting_data.get(step.key, {})
        meeting = copy.deepcopy(before | plain)
        items, ids = _items(typed.data | {"meetings": [meeting | {"id": step.key}
                                                      | copy.deepcopy(children)]})
        who = typed.school.officer[0]
        real = self._real(typed, ids.carers)
        fields = dict(items.meetings[0].fields) | {"Title": _meeting_title(meeting)}
        if new:
            typed.meetings[step.key] = await self._create(
                typed.school, who, lc.MEETINGS.title, _linked(fields, real))
        else:
            old = _items(typed.data | {"meetings": [before | {"id": step.key}]})[0]
            old_fields = dict(old.meetings[0].fields) | {"Title": _meeting_title(before)}
            await self._patch(typed.school, who, lc.MEETINGS.title, typed.meetings[step.key],
                              _changed(_linked(old_fields, real), _linked(fields, real)))
        typed.meeting_data[step.key] = meeting
        real[("Meeting", ids.meetings[step.key])] = typed.meetings[step.key]
        for spec, group in ((lc.ATTENDEES, items.attendees),
                            (lc.AGREED_ACTIONS, items.agreed_actions),
                            (lc.INTERVENTIONS, items.interventions), (lc.VOICE, items.voice)):
            for item in group:
                await self._create(typed.school, who, spec.title, _linked(item.fields, real))
        status = str(meeting.get("status", "planned"))
        return status if status in ("held", "did_not_proceed") else "planned"

    # -- Graph -------------------------------------------------------------------------

    def _real(self, typed: _Typed, fake_carers: Mapping[str, str]) -> dict[tuple[str, str], str]:
        """Each item id items_from_case_input made up, and the real item's id."""
        real = {("Case", CASE_ID): typed.item_id}
        for key, fake in fake_carers.items():
            real[("Carer", fake)] = typed.carers[key]
        return real

    def list_id(self, school: School, list_name: str) -> str:
        """The id of a list in the school's own site."""
        return self.list_ids[school.key][list_name]

    async def _create(self, school: School, who: str, list_name: str,
                      fields: dict[str, Any]) -> str:
        try:
            created = await self.staff(school.key, who).create_item(
                self.list_id(school, list_name), fields)
        except ValidationRefusedError:
            raise _Refused(list_name) from None
        return created.id

    async def _open_case(self, school: School, who: str, fields: dict[str, Any]) -> str:
        """The new Cases item's id; a create whose answer was lost is sent again and the
        item it made recognised by its case reference (open_case_once), not typed twice."""
        staff = self.staff(school.key, who)
        list_id = self.list_id(school, lc.CASES.title)

        async def create() -> str:
            return (await staff.create_item(list_id, fields)).id

        async def existing() -> list[ListItem]:
            return await staff.all_items(list_id)

        try:
            return await open_case_once(create, existing, fields)
        except ValidationRefusedError:
            raise _Refused(lc.CASES.title) from None

    async def _patch(self, school: School, who: str, list_name: str, item_id: str,
                     fields: dict[str, Any]) -> None:
        if fields:
            try:
                await self.staff(school.key, who).update_fields(
                    self.list_id(school, list_name), item_id, fields)
            except ValidationRefusedError:
                raise _Refused(list_name) from None


def _items(data: Mapping[str, Any]) -> tuple[CaseItems, Ids]:
    """The list items for a case input, with dates as a site on UTC sends them."""
    return items_from_case_input(data, utc_offset_hours=0)


def _case_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    case = _items(data)[0].case
    assert case is not None
    return dict(case.fields)


def _linked(fields: Mapping[str, Any], real: Mapping[tuple[str, str], str]) -> dict[str, Any]:
    """The fields with every lookup pointed at the real item, as Graph takes it on a write:
    ``<Column>LookupId`` for one item, and a typed collection of ids for several."""
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if name.endswith("LookupId"):
            out[name] = real[(name.removesuffix("LookupId"), str(value))]
        elif name in LOOKUPS and isinstance(value, list):
            out[f"{name}LookupId@odata.type"] = "Collection(Edm.Int32)"
            out[f"{name}LookupId"] = [int(real[("Carer", str(v["LookupId"]))]) for v in value]
        else:
            out[name] = value
    return out


def _changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """The fields a person would change: new values, and cleared ones as None."""
    return {name: after.get(name) for name in {*before, *after}
            if before.get(name) != after.get(name)}


def _meeting_title(meeting: Mapping[str, Any]) -> str:
    """What staff call a meeting when they choose it elsewhere."""
    kind = lc.MEETING_KINDS.label_of(str(meeting["kind"]))
    return f"{kind}, {long_date(date.fromisoformat(str(meeting['date'])))}"


def long_date(day: date) -> str:
    """3 March 2026."""
    return f"{day.day} {day:%B %Y}"

"""Building the case input from one case's list items: each raw Graph value read as its
column says, each lookup followed to the item it points to, and where each part of the case
input came from recorded, so that a problem found later (by the schema, by the domain's
checks, by the documents) can be put on the item and column staff must change.

``list_mapping.map_case`` runs this, then the schema's and the domain's checks.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from .case_items import CaseItems, ItemProblem, ListItem, Source
from .list_columns import (
    AGREED_ACTIONS,
    ATTENDEES,
    CARERS,
    CASES,
    CONTACTS,
    HOLIDAYS,
    INTERVENTIONS,
    MARKS,
    MEETINGS,
    NO,
    PENALTY_NOTICES,
    SIBLINGS,
    VOICE,
    YES,
    Choices,
    Column,
    ListSpec,
    Reader,
)

# Reading raw Graph values ---------------------------------------------------------------


class _Unreadable(Exception):
    """A value that cannot be read; the message says why in plain words."""


def _convert(read: Reader | Choices, raw: object) -> Any:
    """The case-input value of a raw field value; None when it is blank."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(read, Choices):
        value = read.value_of(raw) if isinstance(raw, str) else None
        if value is None:
            raise _Unreadable(f"{_show(raw)} is not one of the choices: {', '.join(read.labels)}")
        return value
    if read in (Reader.TEXT, Reader.LINES, Reader.TIME):
        if not isinstance(raw, str):
            raise _Unreadable(f"expected text, got {_show(raw)}")
        text = raw.replace("\r\n", "\n").replace("\r", "\n").strip()
        if read is Reader.LINES:
            return [line.strip() for line in text.split("\n") if line.strip()] or None
        if read is Reader.TIME:
            clock = re.fullmatch(r"(\d{1,2})[:.](\d{2})", text)
            return f"{int(clock[1]):02d}:{clock[2]}" if clock else text
        return text
    if read is Reader.WHOLE:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise _Unreadable(f"expected a number, got {_show(raw)}")
        return int(raw) if float(raw).is_integer() else raw
    if read is Reader.DATE:
        return _date(raw)
    if read in (Reader.BOOL, Reader.NOT):
        if not isinstance(raw, bool):
            raise _Unreadable(f"expected a tick or no tick, got {_show(raw)}")
        return raw if read is Reader.BOOL else not raw
    if read is Reader.YES_NO:
        if isinstance(raw, bool):
            return raw
        answer = raw.strip().casefold() if isinstance(raw, str) else None
        if answer not in (YES.casefold(), NO.casefold()):
            raise _Unreadable(f"{_show(raw)} is not one of the choices: {YES}, {NO}")
        return answer == YES.casefold()
    raise AssertionError(f"{read} is read with the item's links")


def _date(raw: object) -> str:
    """A dateOnly column's day.

    SharePoint keeps a date as midnight where the site is and Graph sends that instant in
    UTC: 23 September in a British summer arrives as 2026-09-22T23:00:00Z. The day is the
    one whose midnight is nearest, which holds for any site within 12 hours of UTC and
    needs no time zone database.
    """
    text = raw.strip() if isinstance(raw, str) else ""
    try:
        if "T" not in text:
            return date.fromisoformat(text).isoformat()
        return (datetime.fromisoformat(text) + timedelta(hours=12)).date().isoformat()
    except ValueError:
        raise _Unreadable(f"expected a date, got {_show(raw)}") from None


def _show(value: object) -> str:
    text = f'"{value}"' if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _lookup_ids(fields: Mapping[str, Any], name: str) -> list[str]:
    """The item ids a lookup column points to, in either of Graph's shapes."""
    raw = fields.get(f"{name}LookupId")
    if raw is None and isinstance(fields.get(name), list | Mapping):
        raw = fields[name]
    ids = []
    for value in raw if isinstance(raw, list) else [raw]:
        found = value.get("LookupId") if isinstance(value, Mapping) else value
        if isinstance(found, float) and found.is_integer():
            found = int(found)
        if found is not None and str(found).strip() not in ("", "0"):
            ids.append(str(found).strip())
    return ids


def _in_order(items: Iterable[ListItem]) -> list[ListItem]:
    """Items in the order they were added: SharePoint item ids only grow."""
    return sorted(items, key=lambda i: (0, int(i.id), "") if i.id.isdigit() else (1, 0, i.id))


# Building the case input -----------------------------------------------------------------


Quotes = dict[str, list[tuple[str, ListItem]]]  # "Meeting:<id>" -> [(voice, Voice item)]


@dataclass(frozen=True, slots=True)
class _Children:
    """The items of the lists below Meetings (and Contacts), by the item they belong to."""

    attendees: dict[str, list[ListItem]]
    actions: dict[str, list[ListItem]]
    interventions: dict[str, list[ListItem]]
    quotes: Quotes


@dataclass
class CaseInputBuilder:
    """The case input of one case's items, with where each part came from and every
    problem found on the way, item by item."""

    sources: dict[str, Source] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    problems: list[ItemProblem] = field(default_factory=list)

    def case(self, items: CaseItems) -> dict[str, Any]:
        assert items.case is not None
        case = items.case
        self.sources[""] = (CASES.title, case.id, "")
        data: dict[str, Any] = {"school": {}, "pupil": {}, "attendance": {}}
        data |= self.fill(CASES, case, "")
        carers = self.linked(CARERS, items.carers, "Case", {case.id})
        carer_ids = {c.id for c in carers}
        holidays = self.holidays(items.holidays, data["school"].get("name", ""))
        _put_if_any(data["school"], "holidays", holidays)
        marks = [self.fill(MARKS, m, self.at(MARKS, m, f"attendance.marks[{i}]"))
                 for i, m in enumerate(self.linked(MARKS, items.marks, "Case", {case.id}))]
        self.labels["attendance.marks"] = f"the {MARKS.title} list"
        _put_if_any(data["attendance"], "marks", marks)
        people = []
        for i, carer in enumerate(carers):
            path = self.at(CARERS, carer, f"carers[{i}]")
            people.append({"id": carer.id} | self.fill(CARERS, carer, path))
        _put_if_any(data, "carers", people)
        siblings = [self.fill(SIBLINGS, s, self.at(SIBLINGS, s, f"siblings[{i}]"))
                    for i, s in enumerate(self.linked(SIBLINGS, items.siblings, "Case",
                                                      {case.id}))]
        _put_if_any(data, "siblings", siblings)
        meetings = self.linked(MEETINGS, items.meetings, "Case", {case.id})
        contacts = self.linked(CONTACTS, items.contacts, "Case", {case.id})
        meeting_ids = {m.id for m in meetings}
        children = _Children(
            attendees=self.children(ATTENDEES, items.attendees, meeting_ids),
            actions=self.children(AGREED_ACTIONS, items.agreed_actions, meeting_ids),
            interventions=self.children(INTERVENTIONS, items.interventions, meeting_ids),
            quotes=self.voices(items.voice, meeting_ids, {c.id for c in contacts}))
        built = [self.meeting(m, f"meetings[{i}]", children, carer_ids)
                 for i, m in enumerate(meetings)]
        _put_if_any(data, "meetings", built)
        interactions = [self.contact(c, f"interactions[{i}]", carer_ids, children.quotes)
                        for i, c in enumerate(contacts)]
        _put_if_any(data, "interactions", interactions)
        notices = []
        for i, n in enumerate(self.linked(PENALTY_NOTICES, items.penalty_notices, "Case",
                                          {case.id})):
            path = self.at(PENALTY_NOTICES, n, f"penalty_notices[{i}]")
            notice = self.fill(PENALTY_NOTICES, n, path)
            self.carer_link(PENALTY_NOTICES, n, "Carer", f"{path}.carer_id", carer_ids, notice)
            notices.append(notice)
        _put_if_any(data, "penalty_notices", notices)
        return data

    def meeting(self, item: ListItem, path: str, children: _Children,
                carer_ids: set[str]) -> dict[str, Any]:
        self.at(MEETINGS, item, path)
        meeting: dict[str, Any] = {"id": item.id} | self.fill(MEETINGS, item, path)
        attendees = []
        for j, a in enumerate(children.attendees.get(item.id, [])):
            where = self.at(ATTENDEES, a, f"{path}.attendees[{j}]")
            attendee = self.fill(ATTENDEES, a, where)
            self.carer_link(ATTENDEES, a, "Carer", f"{where}.carer_id", carer_ids, attendee)
            attendees.append(attendee)
        _put_if_any(meeting, "attendees", attendees)
        actions: dict[str, list[str]] = {}
        for a in children.actions.get(item.id, []):
            party = self.required(AGREED_ACTIONS, a, AGREED_ACTIONS.column("ActionParty"))
            text = self.required(AGREED_ACTIONS, a, AGREED_ACTIONS.column("Title"))
            if party is None or text is None:
                continue
            where = f"{path}.agreed_actions.{party}[{len(actions.get(party, []))}]"
            self.at(AGREED_ACTIONS, a, where, AGREED_ACTIONS.column("Title"))
            actions.setdefault(party, []).append(text)
        _put_if_any(meeting, "agreed_actions", actions)
        interventions = [
            self.fill(INTERVENTIONS, iv, self.at(INTERVENTIONS, iv, f"{path}.interventions[{j}]"))
            for j, iv in enumerate(children.interventions.get(item.id, []))]
        _put_if_any(meeting, "interventions", interventions)
        for voice, quote_item in children.quotes.get(f"Meeting:{item.id}", []):
            said = meeting.setdefault(voice, [])
            said.append(self.quote(quote_item, f"{path}.{voice}[{len(said)}]", voice, carer_ids))
        return meeting

    def contact(self, item: ListItem, path: str, carer_ids: set[str],
                quotes: Quotes) -> dict[str, Any]:
        self.at(CONTACTS, item, path)
        contact = self.fill(CONTACTS, item, path)
        column = CONTACTS.column("CarersInvolved")
        self.place(f"{path}.carer_ids", CONTACTS, item, column)
        involved = _lookup_ids(item.fields, column.name)
        if any(c not in carer_ids for c in involved):
            self.problem(CONTACTS, item, column,
                         "includes someone who is not one of this case's parents or carers",
                         f"{path}.carer_ids")
        _put_if_any(contact, "carer_ids", [c for c in involved if c in carer_ids])
        said = [self.quote(q, f"{path}.quotes[{k}]", voice, carer_ids)
                for k, (voice, q) in enumerate(quotes.get(f"Contact:{item.id}", []))]
        _put_if_any(contact, "quotes", said)
        return contact

    def voices(self, items: Sequence[ListItem], meeting_ids: set[str],
               contact_ids: set[str]) -> Quotes:
        """Quotes by "Meeting:<id>" or "Contact:<id>", each with the voice it belongs to."""
        out: Quotes = {}
        meeting, contact = VOICE.column("Meeting"), VOICE.column("Contact")
        for item in _in_order(items):
            in_meeting = _lookup_ids(item.fields, meeting.name)[:1]
            in_contact = _lookup_ids(item.fields, contact.name)[:1]
            if in_meeting and in_contact:
                self.problem(VOICE, item, meeting, "choose a meeting or a contact, not both")
            elif not in_meeting and not in_contact:
                self.problem(VOICE, item, meeting,
                             "is empty: choose the meeting or the contact where this was said")
            elif in_meeting and in_meeting[0] not in meeting_ids:
                self.problem(VOICE, item, meeting, "points to no meeting of this case")
            elif in_contact and in_contact[0] not in contact_ids:
                self.problem(VOICE, item, contact, "points to no contact of this case")
            elif (voice := self.required(VOICE, item, VOICE.column("VoiceOf"))) is not None:
                key = f"Meeting:{in_meeting[0]}" if in_meeting else f"Contact:{in_contact[0]}"
                out.setdefault(key, []).append((voice, item))
        return out

    def quote(self, item: ListItem, path: str, voice: str,
              carer_ids: set[str]) -> dict[str, Any]:
        """A quote's speaker: the carer chosen, else the name typed, else the pupil."""
        self.at(VOICE, item, path)
        quote = self.fill(VOICE, item, path)
        carer, typed = VOICE.column("Carer"), VOICE.column("Title")
        self.place(f"{path}.speaker", VOICE, item, typed)
        chosen = _lookup_ids(item.fields, carer.name)[:1]
        name = self.value(VOICE, item, typed, f"{path}.speaker")
        if chosen and chosen[0] not in carer_ids:
            self.problem(VOICE, item, carer, "is not one of this case's parents or carers",
                         f"{path}.speaker")
        elif chosen:
            quote["speaker"] = chosen[0]
        elif name is not None:
            quote["speaker"] = name
        elif voice == "pupil_voice":
            quote["speaker"] = "pupil"
        else:
            self.problem(VOICE, item, carer, "choose who said this, or type their name under "
                                             f'"{typed.title}"', f"{path}.speaker")
        return quote

    def holidays(self, items: Sequence[ListItem], school: str) -> list[dict[str, Any]]:
        """The site's holidays that apply to this school: its own and those for every school."""
        out: list[dict[str, Any]] = []
        for item in _in_order(items):
            applies_to = item.fields.get("School")
            if isinstance(applies_to, str) and applies_to.strip() and \
                    applies_to.strip().casefold() != school.casefold():
                continue
            out.append(self.fill(HOLIDAYS, item,
                                 self.at(HOLIDAYS, item, f"school.holidays[{len(out)}]")))
        return out

    def children(self, spec: ListSpec, items: Iterable[ListItem],
                 meeting_ids: Collection[str]) -> dict[str, list[ListItem]]:
        """A meeting's items of one list, by meeting id, in order."""
        out: dict[str, list[ListItem]] = {}
        for item in self.linked(spec, items, "Meeting", meeting_ids):
            out.setdefault(_lookup_ids(item.fields, "Meeting")[0], []).append(item)
        return out

    def linked(self, spec: ListSpec, items: Iterable[ListItem], lookup: str,
               parents: Collection[str]) -> list[ListItem]:
        """The items whose ``lookup`` points to one of ``parents``; the rest are problems."""
        column = spec.column(lookup)
        noun = lookup.lower()
        kept = []
        for item in _in_order(items):
            found = _lookup_ids(item.fields, lookup)[:1]
            if not found:
                self.problem(spec, item, column, f"is empty: choose the {noun} it belongs to")
            elif found[0] in parents:
                kept.append(item)
            elif lookup == "Case" and not parents:
                self.problem(spec, item, column, f"points to no Cases item (item {found[0]})")
            elif lookup == "Case":
                self.problem(spec, item, column, f"points to another case (Cases item {found[0]})")
            else:
                self.problem(spec, item, column, f"points to no {noun} of this case")
        return kept

    def carer_link(self, spec: ListSpec, item: ListItem, name: str, path: str,
                   carer_ids: set[str], target: dict[str, Any]) -> None:
        column = spec.column(name)
        self.place(path, spec, item, column)
        chosen = _lookup_ids(item.fields, name)[:1]
        if chosen and chosen[0] not in carer_ids:
            self.problem(spec, item, column, "is not one of this case's parents or carers", path)
        elif chosen:
            target["carer_id"] = chosen[0]

    def fill(self, spec: ListSpec, item: ListItem, path: str) -> dict[str, Any]:
        """The item's plain values (not its links) as a case-input object."""
        out: dict[str, Any] = {}
        for column in spec.columns:
            if not column.key or column.read in (Reader.LOOKUP, Reader.LOOKUPS):
                continue
            where = join_path(path, column.key)
            self.place(where, spec, item, column)
            value = self.value(spec, item, column, where)
            if value is not None:
                _put(out, column.key, value)
        return out

    def without_case(self, items: CaseItems) -> None:
        """Report every item as pointing to no case: its Cases item does not exist."""
        for spec, group in ((CARERS, items.carers), (SIBLINGS, items.siblings),
                            (MEETINGS, items.meetings), (CONTACTS, items.contacts),
                            (PENALTY_NOTICES, items.penalty_notices), (MARKS, items.marks)):
            self.linked(spec, group, "Case", ())
        for spec, group in ((ATTENDEES, items.attendees),
                            (AGREED_ACTIONS, items.agreed_actions),
                            (INTERVENTIONS, items.interventions)):
            self.linked(spec, group, "Meeting", ())
        self.voices(items.voice, set(), set())

    def required(self, spec: ListSpec, item: ListItem, column: Column) -> Any:
        """A value the item cannot be placed without; None (and a problem) if it is missing."""
        before = len(self.problems)
        value = self.value(spec, item, column, "")
        if value is None and len(self.problems) == before:
            self.problem(spec, item, column, "must be filled in")
        return value

    def value(self, spec: ListSpec, item: ListItem, column: Column, path: str) -> Any:
        try:
            return _convert(column.read, item.fields.get(column.name))
        except _Unreadable as exc:
            self.problem(spec, item, column, str(exc), path)
            return None

    def at(self, spec: ListSpec, item: ListItem, path: str, column: Column | None = None) -> str:
        """Record that ``path`` is this item (or this column of it); returns the path."""
        self.sources[path] = (spec.title, item.id, column.title if column else "")
        return path

    def place(self, path: str, spec: ListSpec, item: ListItem, column: Column) -> None:
        """Record that ``path`` (and any object it sits in that has no place yet) is this
        column of this item."""
        where: Source = (spec.title, item.id, column.title)
        self.sources[path] = where
        self.labels[path] = f'"{column.title}"'
        parent = parent_path(path)
        while parent and parent not in self.sources and not parent.endswith("]"):
            self.sources[parent] = where
            parent = parent_path(parent)

    def problem(self, spec: ListSpec, item: ListItem, column: Column, message: str,
                path: str = "") -> None:
        self.problems.append(ItemProblem(spec.title, item.id, column.title, message, path))


def join_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def parent_path(path: str) -> str:
    if path.endswith("]"):
        return path[:path.rindex("[")]
    cut = path.rfind(".")
    return path[:cut] if cut >= 0 else ""


def _put_if_any(target: dict[str, Any], key: str, values: Collection[Any]) -> None:
    if values:
        target[key] = values


def _put(target: dict[str, Any], key: str, value: object) -> None:
    *outer, last = key.split(".")
    for part in outer:
        target = target.setdefault(part, {})
    target[last] = value

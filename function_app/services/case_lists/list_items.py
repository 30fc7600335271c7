"""A case input written out as SharePoint list items, the way Graph returns them: the inverse
of ``list_mapping``: used by round-trip tests and by the demo, which types cases into
the lists as staff would.

Item ids start at a different hundred in each list, so that an id read from the wrong list
shows. Dates arrive as SharePoint sends a dateOnly value from a site on British Summer
Time (midnight in London, an hour earlier in UTC) unless ``utc_offset_hours`` says otherwise.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .case_items import CaseItems, ListItem
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
    VOICES,
    YES,
    Choices,
    ListSpec,
    Reader,
)

CASE_ID = "7"


@dataclass
class Ids:
    """Case-input ids and the item ids that stand for them."""

    carers: dict[str, str] = field(default_factory=dict)
    meetings: dict[str, str] = field(default_factory=dict)


@dataclass
class _Writer:
    utc_offset_hours: int
    lists: dict[str, list[ListItem]] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)  # the case-input paths written out

    def add(self, spec: ListSpec, fields: dict[str, Any]) -> str:
        items = self.lists.setdefault(spec.title, [])
        start = 100 * (1 + [s.title for s in _SPECS].index(spec.title))
        item_id = str(start + len(items) + 1)
        items.append(ListItem(item_id, fields))
        return item_id

    def fields(self, spec: ListSpec, obj: Mapping[str, Any], path: str) -> dict[str, Any]:
        """The fields of the columns that hold plain values (not links)."""
        out: dict[str, Any] = {}
        for column in spec.columns:
            if not column.key or column.read in (Reader.LOOKUP, Reader.LOOKUPS):
                continue
            value = _get(obj, column.key)
            if value is not None:
                out[column.name] = self.raw(column.read, value)
                self.used.add(_join(path, column.key))
        return out

    def raw(self, read: Reader | Choices, value: Any) -> Any:
        if isinstance(read, Choices):
            return read.label_of(value)
        if read is Reader.LINES:
            return "\n".join(value)
        if read is Reader.WHOLE:
            return float(value)  # Graph sends number columns as doubles
        if read is Reader.DATE:
            midnight = dt.datetime.fromisoformat(value) - dt.timedelta(hours=self.utc_offset_hours)
            return midnight.strftime("%Y-%m-%dT%H:%M:%SZ")
        if read is Reader.NOT:
            return not value
        if read is Reader.YES_NO:
            return YES if value else NO
        return value


_SPECS = (CASES, CARERS, SIBLINGS, MEETINGS, ATTENDEES, AGREED_ACTIONS, INTERVENTIONS, VOICE,
          CONTACTS, PENALTY_NOTICES, MARKS, HOLIDAYS)


def items_from_case_input(data: Mapping[str, Any],
                          utc_offset_hours: int = 1) -> tuple[CaseItems, Ids]:
    """The list items that hold this case; fails if any field of it has no column."""
    w = _Writer(utc_offset_hours)
    ids = Ids()
    case_fields = w.fields(CASES, data, "")
    case = ListItem(CASE_ID, case_fields)
    school = data["school"]
    for i, h in enumerate(school.get("holidays", [])):
        w.add(HOLIDAYS, w.fields(HOLIDAYS, h, f"school.holidays[{i}]") | {"School": school["name"]})
    for i, m in enumerate(data["attendance"].get("marks", [])):
        w.add(MARKS, w.fields(MARKS, m, f"attendance.marks[{i}]") | _link("Case", CASE_ID))
    for i, c in enumerate(data.get("carers", [])):
        fields = w.fields(CARERS, c, f"carers[{i}]")
        fields["Title"] = f"{c['first_name']} {c['last_name']}"
        ids.carers[c["id"]] = w.add(CARERS, fields | _link("Case", CASE_ID))
        w.used.add(f"carers[{i}].id")
    for i, s in enumerate(data.get("siblings", [])):
        w.add(SIBLINGS, w.fields(SIBLINGS, s, f"siblings[{i}]") | _link("Case", CASE_ID))
    for i, m in enumerate(data.get("meetings", [])):
        _meeting(w, ids, m, f"meetings[{i}]")
    for i, contact in enumerate(data.get("interactions", [])):
        path = f"interactions[{i}]"
        fields = w.fields(CONTACTS, contact, path) | _link("Case", CASE_ID)
        fields["Title"] = contact["summary"][:255]
        if contact.get("carer_ids"):
            fields["CarersInvolved"] = [{"LookupId": int(ids.carers[c]), "LookupValue": c}
                                        for c in contact["carer_ids"]]
            w.used.add(f"{path}.carer_ids")
        contact_id = w.add(CONTACTS, fields)
        for k, q in enumerate(contact.get("quotes", [])):
            voice = "pupil_voice" if q["speaker"] == "pupil" else "parent_voice"
            _quote(w, ids, q, f"{path}.quotes[{k}]", voice, _link("Contact", contact_id))
    for i, n in enumerate(data.get("penalty_notices", [])):
        w.add(PENALTY_NOTICES, w.fields(PENALTY_NOTICES, n, f"penalty_notices[{i}]")
              | _link("Case", CASE_ID) | _link("Carer", ids.carers[n["carer_id"]]))
        w.used.add(f"penalty_notices[{i}].carer_id")
    unwritten = set(_leaves(data, "")) - w.used - {"$schema", "$comment"}
    assert not unwritten, f"no column holds {sorted(unwritten)}"
    lists = w.lists
    return CaseItems(
        case=case,
        carers=tuple(lists.get(CARERS.title, [])),
        siblings=tuple(lists.get(SIBLINGS.title, [])),
        meetings=tuple(lists.get(MEETINGS.title, [])),
        attendees=tuple(lists.get(ATTENDEES.title, [])),
        agreed_actions=tuple(lists.get(AGREED_ACTIONS.title, [])),
        interventions=tuple(lists.get(INTERVENTIONS.title, [])),
        voice=tuple(lists.get(VOICE.title, [])),
        contacts=tuple(lists.get(CONTACTS.title, [])),
        penalty_notices=tuple(lists.get(PENALTY_NOTICES.title, [])),
        marks=tuple(lists.get(MARKS.title, [])),
        holidays=tuple(lists.get(HOLIDAYS.title, [])),
    ), ids


def _meeting(w: _Writer, ids: Ids, m: Mapping[str, Any], path: str) -> None:
    fields = w.fields(MEETINGS, m, path) | _link("Case", CASE_ID)
    fields["Title"] = f"{m['kind']} {m['date']}"
    meeting_id = w.add(MEETINGS, fields)
    ids.meetings[m["id"]] = meeting_id
    w.used.add(f"{path}.id")
    on_meeting = _link("Meeting", meeting_id)
    for j, a in enumerate(m.get("attendees", [])):
        fields = w.fields(ATTENDEES, a, f"{path}.attendees[{j}]") | on_meeting
        if a.get("carer_id"):
            fields |= _link("Carer", ids.carers[a["carer_id"]])
            w.used.add(f"{path}.attendees[{j}].carer_id")
        w.add(ATTENDEES, fields)
    for party, actions in m.get("agreed_actions", {}).items():
        for text in actions:
            label = AGREED_ACTIONS.column("ActionParty").read
            assert isinstance(label, Choices)
            w.add(AGREED_ACTIONS, {"ActionParty": label.label_of(party), "Title": text}
                  | on_meeting)
        w.used.add(f"{path}.agreed_actions.{party}")
    for j, iv in enumerate(m.get("interventions", [])):
        w.add(INTERVENTIONS, w.fields(INTERVENTIONS, iv, f"{path}.interventions[{j}]")
              | on_meeting)
    for voice in VOICES.values:
        for k, q in enumerate(m.get(voice, [])):
            _quote(w, ids, q, f"{path}.{voice}[{k}]", voice, on_meeting)


def _quote(w: _Writer, ids: Ids, q: Mapping[str, Any], path: str, voice: str,
           link: dict[str, Any]) -> None:
    fields = w.fields(VOICE, q, path) | link | {"VoiceOf": VOICES.label_of(voice)}
    speaker = q["speaker"]
    if speaker in ids.carers:
        fields |= _link("Carer", ids.carers[speaker])
    elif not (speaker == "pupil" and voice == "pupil_voice"):
        fields["Title"] = speaker
    w.used.add(f"{path}.speaker")
    w.add(VOICE, fields)


def _link(column: str, item_id: str) -> dict[str, Any]:
    return {f"{column}LookupId": item_id}  # Graph sends a lookup's id as a string


def _get(obj: Mapping[str, Any], key: str) -> Any:
    for part in key.split("."):
        if not isinstance(obj, Mapping) or part not in obj:
            return None
        obj = obj[part]
    return obj


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _leaves(value: Any, path: str) -> Iterator[str]:
    """Every path that holds a value; a list of plain values counts as one."""
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _leaves(inner, _join(path, key))
    elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        for i, inner in enumerate(value):
            yield from _leaves(inner, f"{path}[{i}]")
    else:
        yield path


def renamed(data: Mapping[str, Any], ids: Ids) -> dict[str, Any]:
    """The case input with each carer and meeting id replaced by the item id standing for it."""
    out = copy.deepcopy(dict(data))
    carer = ids.carers
    for c in out.get("carers", []):
        c["id"] = carer[c["id"]]
    for n in out.get("penalty_notices", []):
        n["carer_id"] = carer[n["carer_id"]]
    quotes = []
    for m in out.get("meetings", []):
        m["id"] = ids.meetings[m["id"]]
        for a in m.get("attendees", []):
            if a.get("carer_id"):
                a["carer_id"] = carer[a["carer_id"]]
        quotes += m.get("pupil_voice", []) + m.get("parent_voice", [])
    for i in out.get("interactions", []):
        i["carer_ids"] = [carer[c] for c in i.get("carer_ids", [])]
        quotes += i.get("quotes", [])
    for q in quotes:
        q["speaker"] = carer.get(q["speaker"], q["speaker"])
    return out

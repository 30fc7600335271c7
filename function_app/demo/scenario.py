"""The demo's autumn term: three fictional schools, ten fictional pupils, and what their
staff type into the lists week by week. The term is data, in scenario.json beside this
module; this module reads it into the steps the demo types.

Each school's cases are typed into its own SharePoint site by its own staff (``School.staff``,
the site's only members); the LA's site (``LA_SITE``, its members ``LA_OFFICERS``) holds the
Schools list that names each school and its site.

Every person, school, address and telephone number there is invented (telephone numbers are
in Ofcom's range for drama, 01632 960xxx). Cases, carers and meetings are written in the
case-input format (docs/case-input.md), so each step reads like the bundled examples.

The term walks the ladder in /work/shared/domain.md: letters of concern, support meetings
planned then held, reviews (target met, some improvement, not met), a Notice to Improve,
Attendance Improvement Meetings (both parents present; held in the parents' absence; a
secondary pupil alone; one that did not go ahead because the pupil was absent), and an
escalation to the Inclusion Officer with the legal referral. One meeting is typed wrongly on
purpose to show what staff see when something is amiss: a review date before the meeting,
which SharePoint refuses at save, then, corrected, without the time the invitation needs.

In scenario.json each week has its Monday and either its steps or a note said instead (half
term). Each step names what staff do ("open_case", "update_case", "log_contact",
"enter_meeting", "enter_holidays") and gives the fields of that record below; a "comment"
is for the reader and is not read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from typing import Any

SCENARIO_FILE = "scenario.json"
_TERM: dict[str, Any] = json.loads(
    resources.files("function_app.demo").joinpath(SCENARIO_FILE).read_text("utf-8"))

TERM_START = date.fromisoformat(_TERM["term_start"])
HALF_TERM = (date.fromisoformat(_TERM["half_term"][0]),
             date.fromisoformat(_TERM["half_term"][1]))
HOLIDAYS: tuple[dict[str, str], ...] = tuple(_TERM["holidays"])
LA_SITE: str = _TERM["la"]["site"]  # the LA's own site, with its Schools list
LA_OFFICERS: tuple[tuple[str, str], ...] = tuple(
    (name, role) for name, role in _TERM["la"]["officers"])  # its members: (name, role)


@dataclass(frozen=True, slots=True)
class School:
    key: str
    name: str
    phase: str
    profile: str  # the local authority's rules
    urn: str
    address: str
    phone: str
    email: str
    lead: tuple[str, str]  # who signs the letters (name, role); types the cases in
    officer: tuple[str, str]  # who works with the families
    senior: tuple[str, str]  # the senior leader who can decide timetables

    @property
    def site_path(self) -> str:
        """The school's own site: /sites/ and its name in lower case with hyphens."""
        return "/sites/" + re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")

    @property
    def staff(self) -> tuple[str, ...]:
        """The members of the school's site: its lead, officer and senior leader, once each."""
        return tuple(dict.fromkeys((self.lead[0], self.officer[0], self.senior[0])))

    def as_input(self) -> dict[str, Any]:
        return {"name": self.name, "urn": self.urn, "phase": self.phase,
                "address": self.address, "phone": self.phone, "email": self.email,
                "signatory_name": self.lead[0], "signatory_role": self.lead[1]}


def _school(raw: Mapping[str, Any]) -> School:
    people = {role: (raw[role][0], raw[role][1]) for role in ("lead", "officer", "senior")}
    return School(**{**raw, **people})


SCHOOLS = {s.key: s for s in map(_school, _TERM["schools"])}
HARTWELL, BRACKENFIELD, COLDHARBOUR = (
    SCHOOLS["hartwell"], SCHOOLS["brackenfield"], SCHOOLS["coldharbour"])


# What staff do --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenCase:
    """A new Cases item with its carers (and siblings)."""

    case_ref: str
    school: str  # a key of SCHOOLS
    stage: str
    pupil: Mapping[str, Any]
    carers: tuple[Mapping[str, Any], ...]
    attendance: Mapping[str, Any]
    siblings: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class UpdateCase:
    """New values for the Cases item: stage, status, figures, a Notice to Improve."""

    case_ref: str
    changes: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class LogContact:
    """A Contacts item: a letter, call or visit, with any quotes (Voice items)."""

    case_ref: str
    contact: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class EnterMeeting:
    """A Meetings item: created the first time ``key`` is seen, updated after that; any
    attendees, agreed actions, interventions and quotes are added as their own items."""

    case_ref: str
    key: str
    fields: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class EnterHolidays:
    """The School Holidays list of every school's site, typed by each school's officer."""

    holidays: tuple[Mapping[str, Any], ...] = HOLIDAYS


@dataclass(frozen=True, slots=True)
class EnterMarks:
    """Attendance Marks items for a case: register marks copied from the MIS."""

    case_ref: str
    marks: tuple[Mapping[str, Any], ...]


Step = OpenCase | UpdateCase | LogContact | EnterMeeting | EnterHolidays | EnterMarks

# What each step is called in scenario.json.
STEP_KINDS: dict[str, Callable[..., Step]] = {
    "open_case": OpenCase, "update_case": UpdateCase, "log_contact": LogContact,
    "enter_meeting": EnterMeeting, "enter_holidays": EnterHolidays,
    "enter_marks": EnterMarks}


@dataclass(frozen=True, slots=True)
class Week:
    monday: date
    steps: tuple[Step, ...] = ()
    note: str = ""  # said instead of the steps, e.g. half term

    @property
    def friday(self) -> date:
        """The day the week's changes are processed: letters carry this date."""
        return self.monday + timedelta(days=4)


def _step(raw: Mapping[str, Any]) -> Step:
    """A step as scenario.json gives it: its lists of records (carers, siblings) as tuples."""
    fields = {name: tuple(value) if isinstance(value, list) else value
              for name, value in raw.items() if name not in ("step", "comment")}
    return STEP_KINDS[raw["step"]](**fields)


def _week(raw: Mapping[str, Any]) -> Week:
    return Week(date.fromisoformat(raw["monday"]), tuple(map(_step, raw.get("steps", ()))),
                raw.get("note", ""))


WEEKS: tuple[Week, ...] = tuple(map(_week, _TERM["weeks"]))
LAST_DAY = WEEKS[-1].friday  # 18 December 2026: the end of term


def case_refs() -> list[str]:
    return [s.case_ref for w in WEEKS for s in w.steps if isinstance(s, OpenCase)]


def _case_of(forename: str) -> str:
    """The reference of the case opened for the pupil of this forename."""
    return next(s.case_ref for w in WEEKS for s in w.steps
                if isinstance(s, OpenCase) and s.pupil["forename"] == forename)


# The pupils, by their cases' references ---------------------------------------------------

POPPY, ALFIE, OSCAR, EVIE = map(_case_of, ("Poppy", "Alfie", "Oscar", "Evie"))
RILEY, KEIRA, ELLIE = map(_case_of, ("Riley", "Keira", "Ellie"))
MASON, LILY, NOAH = map(_case_of, ("Mason", "Lily", "Noah"))


# The LA's penalty notices (issue 19): see "penalty_notices" in scenario.json ------------

PENALTY: Mapping[str, Any] = _TERM["penalty_notices"]

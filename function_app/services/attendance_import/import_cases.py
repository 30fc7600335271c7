"""Cases from an attendance import: open a case for each pupil the rules say needs one, and
bring the attendance figures of every pupil who already has a case up to date.

Who needs a case: ``PupilAssessment.needs_case``: Tier 2 and below (seed 004: an APDR form
and the pupil's voice at 92% and below), or severely absent (DfE, *Working together to
improve school attendance* (2024), and seed 003: every severely absent pupil needs an agreed
plan; the profile rule ``severe_absence_needs_plan``).

Which case is the pupil's: the open case with the pupil's UPN (else the latest closed one).
A closed case is a record of work finished: an import never writes to it, and never opens
a new case over a closure staff decided on. A pupil whose case is closed and who meets the
criteria again is listed (``closed_again``) for staff to reopen the case or open a new one.
Where no case has the UPN (or the export gives none), a case at the same school with no UPN
and the same legal forename, surname and date of birth: staff do not always type the UPN,
and the Cases list has no admission-number column to match on instead. The UPN is not
written to such a case: it is a column staff type.

An import writes only the attendance columns (``ATTENDANCE_COLUMNS``) of a case that exists,
and the app's own Tier, AttendancePercent and SevereAbsence worked out from them
(``list_columns.attendance_summary``), and only those that differ; everything else on the
item is what staff typed and is never touched. A case that holds figures to a later day than
the export's is left as it is. A new case opens at the Monitoring stage, Open, for staff to
take on; the change processor does not act on the app's own writes, so nothing is sent to a
family because of an import.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any, Protocol

from function_app.adapters.graph.errors import DuplicateValueError, GraphUnavailableError
from function_app.domain.errors import CaseworkError
from function_app.imports.assess import PupilAssessment
from function_app.imports.model import ImportedPupil
from function_app.services.case_lists import list_columns as lc
from function_app.services.case_lists.case_items import ListItem

ATTENDANCE_COLUMNS = ("PossibleSessions", "PresentSessions", "AuthorisedAbsences",
                      "UnauthorisedAbsences", "FiguresFrom", "FiguresTo")
REFERENCE = re.compile(r"^ATT-(\d{4})-(\d{4,})$")
UPN_LENGTH = 13
# Who a case is for: a Cases item holding the reference we sent and these values (those we
# sent) is the one we created, not another pupil's case that took the reference.
CASE_IDENTITY = ("SchoolName", "PupilForename", "PupilSurname", "Upn")
OPEN_ATTEMPTS = 3


class CasesList(Protocol):
    """The Cases list, as an import needs it (the Graph adapter implements it)."""

    async def cases(self) -> list[ListItem]: ...

    async def open_case(self, fields: dict[str, Any]) -> str:
        """Creates the item; returns its id."""
        ...

    async def update_figures(self, updates: Mapping[str, dict[str, Any]]) -> dict[str, str]:
        """Writes each item's fields (a batch where the site allows); per item id, ''
        when written, else what went wrong."""
        ...


@dataclass(frozen=True, slots=True)
class SchoolDetails:
    """The school an export is from, as a new case records it."""

    name: str
    phase: str = ""  # a domain Phase value: primary, secondary, all_through, special
    urn: str = ""
    profile: str = ""  # a policy profile name


@dataclass(frozen=True, slots=True)
class CaseChange:
    assessment: PupilAssessment
    case_ref: str
    item_id: str  # '' for a case to open
    fields: dict[str, Any]  # to write: every column of a new case, changed figures otherwise

    @property
    def pupil(self) -> ImportedPupil:
        return self.assessment.pupil


@dataclass
class CasePlan:
    """What an import would do to the Cases list."""

    to_open: list[CaseChange] = field(default_factory=list)
    to_update: list[CaseChange] = field(default_factory=list)
    up_to_date: int = 0  # pupils with a case whose figures are already these
    later_on_case: int = 0  # cases holding figures to a later day than the export's
    cannot_open: list[tuple[PupilAssessment, str]] = field(default_factory=list)
    # (pupil, closed case reference): meets the criteria again; staff decide, nothing written
    closed_again: list[tuple[PupilAssessment, str]] = field(default_factory=list)

    @property
    def nothing_to_write(self) -> bool:
        return not self.to_open and not self.to_update


@dataclass
class CasesWritten:
    opened: list[CaseChange] = field(default_factory=list)
    updated: list[CaseChange] = field(default_factory=list)
    failed: list[tuple[CaseChange, str]] = field(default_factory=list)


def plan_cases(assessed: Sequence[PupilAssessment], existing: Iterable[ListItem],
               school: SchoolDetails, today: date) -> CasePlan:
    """Which cases the import opens and which it updates (pure: nothing is written)."""
    cases = list(existing)
    by_upn: dict[str, list[ListItem]] = {}
    for item in cases:
        upn = str(item.fields.get("Upn") or "").strip().upper()
        if upn:
            by_upn.setdefault(upn, []).append(item)
    refs = _reference_maker(cases, today)
    plan = CasePlan()
    for a in assessed:
        pupil = a.pupil
        case = _match(pupil, by_upn, cases, school.name)
        figures = _figure_fields(pupil)
        if figures is not None and a.percent is not None and a.tier is not None:
            figures |= lc.attendance_summary(a.percent, a.tier.tier, a.severely_absent)
        if case is not None and _closed(case):
            if a.needs_case:
                plan.closed_again.append((a, str(case.fields.get("Title") or "")))
            continue
        if case is not None:
            if figures is None:
                continue
            if _later_on_case(case, pupil):
                plan.later_on_case += 1
                continue
            changed = {k: v for k, v in figures.items() if not _same(k, case.fields.get(k), v)}
            if changed:
                plan.to_update.append(CaseChange(a, str(case.fields.get("Title") or ""),
                                                 case.id, changed))
            else:
                plan.up_to_date += 1
        elif a.needs_case:
            fields, reason = _new_case_fields(pupil, school, figures)
            if fields is None:
                plan.cannot_open.append((a, reason))
                continue
            ref = next(refs)
            plan.to_open.append(CaseChange(a, ref, "", {"Title": ref, **fields}))
    return plan


class _Item(Protocol):
    """A list item as either adapter record has it."""

    @property
    def id(self) -> str: ...

    @property
    def fields(self) -> Mapping[str, Any]: ...


async def open_case_once(create: Callable[[], Awaitable[str]],
                         existing: Callable[[], Awaitable[Iterable[_Item]]],
                         fields: Mapping[str, Any], *,
                         pause: Callable[[float], Awaitable[None]] = asyncio.sleep) -> str:
    """Create a Cases item exactly once; its id.

    The Cases list's case reference (Title) enforces unique values (sharepoint_schema/
    cases.json), so a create is safe to send again when its answer never came (the
    connection dropped after Graph took it, or a 500/502): either the first one did not
    land and this one does, or SharePoint refuses this one as a duplicate
    (DuplicateValueError). A refusal is looked up here, by the case reference, among
    ``existing()``: the item that holds the reference and the same pupil (CASE_IDENTITY)
    is the one we made, and its id is returned as if the create had answered. Another
    pupil's case holding the reference (one opened meanwhile) is not ours: the refusal is
    raised. Graph's asking to wait (429, 503, 504: already retried by the adapter, or a
    Retry-After for a later sweep) is raised as it is.
    """
    reference = str(fields.get("Title") or "")
    for attempt in range(OPEN_ATTEMPTS):
        try:
            return await create()
        except DuplicateValueError:
            found = case_by_reference(await existing(), reference)
            if found is None or not _same_pupil(found.fields, fields):
                raise
            return found.id
        except GraphUnavailableError as lost:
            if (lost.status in (429, 503, 504) or lost.retry_after is not None
                    or attempt + 1 == OPEN_ATTEMPTS):
                raise
            await pause(0.2 * 2 ** attempt)
    raise AssertionError("unreachable: the last attempt returns or raises")


def case_by_reference(items: Iterable[_Item], reference: str) -> _Item | None:
    """The item whose case reference (Title) is ``reference``, compared as SharePoint
    compares unique values (case-insensitively); None if there is none."""
    wanted = reference.strip().casefold()
    if not wanted:
        return None
    return next((i for i in items if str(i.fields.get("Title") or "").strip().casefold()
                 == wanted), None)


def _same_pupil(held: Mapping[str, Any], sent: Mapping[str, Any]) -> bool:
    return all(_fold(held.get(k)) == _fold(sent[k]) for k in CASE_IDENTITY if k in sent)


async def write_cases(cases_list: CasesList, plan: CasePlan) -> CasesWritten:
    """Opens the new cases one by one, then updates the figures in batches.

    A case whose create answer was lost is sent again and recognised, not opened twice
    (``open_case_once``)."""
    written = CasesWritten()
    for change in plan.to_open:
        try:
            item_id = await open_case_once(partial(cases_list.open_case, change.fields),
                                           cases_list.cases, change.fields)
        except CaseworkError as exc:  # a refusal of one item stops nothing; said per case
            written.failed.append((change, _reason(exc)))
            continue
        written.opened.append(CaseChange(change.assessment, change.case_ref, item_id,
                                         change.fields))
    if plan.to_update:
        outcome = await cases_list.update_figures({c.item_id: c.fields for c in plan.to_update})
        for change in plan.to_update:
            problem = outcome.get(change.item_id, "")
            if problem:
                written.failed.append((change, problem))
            else:
                written.updated.append(change)
    return written


def _reason(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


# Matching ---------------------------------------------------------------------------------


def _match(pupil: ImportedPupil, by_upn: Mapping[str, list[ListItem]],
           cases: Sequence[ListItem], school: str) -> ListItem | None:
    if pupil.upn and pupil.upn.upper() in by_upn:
        return _best(by_upn[pupil.upn.upper()])
    # A case staff opened without the UPN: the same school, legal name and date of birth.
    same = [c for c in cases
            if not str(c.fields.get("Upn") or "").strip()
            and _fold(c.fields.get("SchoolName")) == _fold(school)
            and _fold(c.fields.get("PupilForename")) == _fold(pupil.legal_forename)
            and _fold(c.fields.get("PupilSurname")) == _fold(pupil.legal_surname)
            and (pupil.date_of_birth is None
                 or _day(c.fields.get("PupilDateOfBirth")) == pupil.date_of_birth)]
    return _best(same)


def _closed(case: ListItem) -> bool:
    return str(case.fields.get("CaseStatus") or "") == lc.CASE_STATUSES.label_of("closed")


def _best(cases: Sequence[ListItem]) -> ListItem | None:
    """The open case, else the one opened last (the highest item id)."""
    open_ = [c for c in cases if not _closed(c)]
    pool = open_ or list(cases)
    return max(pool, key=lambda c: int(c.id) if c.id.isdigit() else 0) if pool else None


def _fold(value: object) -> str:
    return " ".join(str(value or "").split()).casefold()


# The columns ------------------------------------------------------------------------------


def _figure_fields(pupil: ImportedPupil) -> dict[str, Any] | None:
    f = pupil.figures
    if f is None:
        return None
    fields: dict[str, Any] = {
        "PossibleSessions": float(f.possible_sessions),
        "PresentSessions": float(f.present_sessions),
        "AuthorisedAbsences": float(f.authorised_absences),
        "UnauthorisedAbsences": float(f.unauthorised_absences),
    }
    # A summary export without dates leaves the case's own period as it is.
    if f.period_start is not None and f.period_end is not None:
        fields["FiguresFrom"] = _instant(f.period_start)
        fields["FiguresTo"] = _instant(f.period_end)
    return fields


def _later_on_case(case: ListItem, pupil: ImportedPupil) -> bool:
    end = pupil.figures.period_end if pupil.figures else None
    held = _day(case.fields.get("FiguresTo"))
    return end is not None and held is not None and held > end


def _same(column: str, held: object, new: object) -> bool:
    if column in ("FiguresFrom", "FiguresTo"):
        return _day(held) == _day(new)
    if isinstance(new, str):  # SevereAbsence: Yes or No
        return held == new
    try:
        return held is not None and float(str(held)) == float(str(new))
    except ValueError:
        return False


def _instant(day: date) -> str:
    """A dateOnly column's value: the day's midnight, as the dev tenant and Graph take it."""
    return f"{day.isoformat()}T00:00:00Z"


def _day(raw: object) -> date | None:
    """The day a dateOnly value stands for: the nearest midnight (a British summer date
    arrives as 23:00 the day before, in UTC)."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        return None
    try:
        if "T" not in text:
            return date.fromisoformat(text)
        return (datetime.fromisoformat(text.replace("Z", "+00:00"))
                + timedelta(hours=12)).date()
    except ValueError:
        return None


def year_group(text: str) -> int | None:
    """'R', 'Reception', 'Y7', 'Year 7', '07' or '7' as the list's number (0 for Reception)."""
    t = text.strip().lower()
    if t in ("r", "rec", "reception", "yr r", "year r"):
        return 0
    digits = re.sub(r"^(year|yr|y)\s*", "", t)
    if digits.isdigit() and 0 <= int(digits) <= 14:
        return int(digits)
    return None


def _new_case_fields(pupil: ImportedPupil, school: SchoolDetails,
                     figures: dict[str, Any] | None) -> tuple[dict[str, Any] | None, str]:
    """A new case's columns, or None and what the export lacks for one."""
    missing = []
    if not (pupil.legal_forename and pupil.legal_surname):
        missing.append("the pupil's legal forename and surname")
    if pupil.date_of_birth is None:
        missing.append("a date of birth")
    year = year_group(pupil.year_group)
    if year is None:
        missing.append("a year group (Reception or 1 to 14)")
    if not school.name:
        missing.append("the school's name (give --school)")
    if missing:
        return None, f"the export has no {' or '.join(missing)} for this pupil"
    assert pupil.date_of_birth is not None and year is not None
    fields: dict[str, Any] = {
        "Stage": lc.STAGES.label_of("monitoring"),
        "CaseStatus": lc.CASE_STATUSES.label_of("open"),
        "SchoolName": school.name,
        "PupilForename": pupil.legal_forename,
        "PupilSurname": pupil.legal_surname,
        "PupilDateOfBirth": _instant(pupil.date_of_birth),
        "YearGroup": float(year),
    }
    preferred = pupil.preferred_forename
    if preferred and preferred != pupil.legal_forename:
        fields["PupilPreferredName"] = preferred
    if pupil.upn and len(pupil.upn) <= UPN_LENGTH:
        fields["Upn"] = pupil.upn
    if school.phase:
        fields["SchoolPhase"] = lc.PHASES.label_of(school.phase)
    if school.urn:
        fields["SchoolUrn"] = school.urn
    if school.profile and school.profile in dict(lc.PROFILES.pairs):
        fields["PolicyProfile"] = lc.PROFILES.label_of(school.profile)
    return fields | (figures or {}), ""


def _reference_maker(cases: Sequence[ListItem], today: date) -> Iterator[str]:
    """ATT-<year>-<number>, numbered on from the highest reference of that year."""
    highest = 0
    for c in cases:
        found = REFERENCE.match(str(c.fields.get("Title") or ""))
        if found and int(found.group(1)) == today.year:
            highest = max(highest, int(found.group(2)))
    n = highest
    while True:
        n += 1
        yield f"ATT-{today.year}-{n:04d}"

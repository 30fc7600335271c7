"""One attendance import, start to finish: read the export, assess every pupil, compare with
the school's previous import, and open or update cases in the Cases list.

All or nothing: ``read_attendance`` rejects the whole file when any row has a problem, so
nothing reaches the list, unless ``skip_invalid`` (the other pupils are written and each
left-out row is reported with its sheet, row and column).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from function_app.domain.policy import Profile
from function_app.imports import ImportResult, PupilAssessment, assess_pupils, read_attendance
from function_app.imports.mapping import Mapping
from function_app.services.ports import StateStore

from . import import_history
from .import_cases import CasePlan, CasesList, CasesWritten, SchoolDetails, plan_cases, write_cases


@dataclass
class ImportOutcome:
    result: ImportResult
    assessed: list[PupilAssessment]
    school: SchoolDetails
    previous: dict[str, import_history.Previous] = field(default_factory=dict)
    plan: CasePlan | None = None  # None when no site was given
    written: CasesWritten | None = None  # None on a dry run


def school_of(result: ImportResult, given: SchoolDetails) -> SchoolDetails:
    """The school named on the command line, else the export's school column."""
    if given.name:
        return given
    named = next((p.school for p in result.pupils if p.school), "")
    return SchoolDetails(named, given.phase, given.urn, given.profile)


async def import_attendance(path: Path, profile: Profile, today: date, school: SchoolDetails,
                            *, mapping: Mapping | None = None, skip_invalid: bool = False,
                            cases: CasesList | None = None, history: StateStore | None = None,
                            dry_run: bool = False) -> ImportOutcome:
    """Reads and assesses; with ``cases``, plans (and unless ``dry_run`` writes) the cases;
    with ``history``, compares with the previous import (and unless ``dry_run`` keeps this
    one for next time). Raises ImportRejected when the file cannot be imported."""
    result = read_attendance(path, mapping, skip_invalid=skip_invalid, today=today)
    assessed = assess_pupils(result.pupils, profile)
    outcome = ImportOutcome(result, assessed, school_of(result, school))
    key = outcome.school.name or path.stem
    if history is not None:
        outcome.previous = import_history.previous(history, key, assessed, result.source)
    if cases is not None:
        outcome.plan = plan_cases(assessed, await cases.cases(), outcome.school, today)
        if not dry_run:
            outcome.written = await write_cases(cases, outcome.plan)
    if history is not None and not dry_run:
        import_history.remember(history, key, assessed, result.source)
    return outcome

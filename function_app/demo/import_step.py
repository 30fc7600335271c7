"""The demo's attendance imports: at the end of term each school exports its attendance from
its MIS, and the import brings the figures of the cases staff opened up to date and opens a
case for each other pupil the rules say needs one.

Each school's export goes into the Cases list of its own site, never another school's.
The three exports are generated, in the three shapes schools send: Hartwell Green a
per-pupil summary (dated in its title row), Brackenfield a register grid with date of birth,
SEN and FSM, Coldharbour session marks in long form. Each covers the school's demo pupils
(exported with a UPN, which staff did not type on their cases: the import finds those cases
by school, legal name and date of birth) and some classmates, a few of whom are below 93%.
Every name is invented. The marks come from a seeded generator, so every run makes the same
exports; a second run opens nothing and changes no figure.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from function_app import bootstrap
from function_app.adapters.graph.client import GraphClient
from function_app.domain import load_profile
from function_app.domain.attendance import display_percent
from function_app.domain.wording import counted
from function_app.services.attendance_import.import_cases import SchoolDetails
from function_app.services.attendance_import.importer import ImportOutcome, import_attendance
from function_app.services.ports import StateStore

from .scenario import HALF_TERM, LAST_DAY, SCHOOLS, TERM_START, WEEKS, OpenCase, School
from .typing import long_date

CLASSMATES = 24  # pupils per school besides the demo's own
FORENAMES = ("Amara", "Ben", "Chloe", "Dylan", "Esme", "Finley", "Georgia", "Harvey", "Imogen",
             "Jack", "Kiera", "Leo", "Maisie", "Nathan", "Olivia", "Patrick", "Rosie",
             "Samir", "Tilly", "Usman", "Violet", "William", "Yasmin", "Zac")
SURNAMES = ("Ashworth", "Birch", "Cartwright", "Dunmore", "Eastwood", "Fairley", "Gadsby",
            "Holloway", "Ingram", "Jessop", "Kendrick", "Lowther", "Marchant", "Northcott",
            "Oakley", "Pendle", "Quarmby", "Rushton", "Sowerby", "Thackeray", "Underhill",
            "Varley", "Wainwright", "Yeardley")
PRESENT = {"AM": "/", "PM": "\\"}
AUTHORISED = ("I", "I", "I", "M", "C")
UNAUTHORISED = ("O", "O", "G", "N")


@dataclass(frozen=True, slots=True)
class Pupil:
    upn: str
    adno: str
    forename: str
    surname: str
    born: date
    year: int
    reg: str
    absent: float  # share of sessions missed
    unauthorised: float  # share of those absences that are unauthorised
    sen: str = "N"
    fsm: bool = False


def school_days() -> list[date]:
    days, day = [], TERM_START
    while day <= LAST_DAY:
        if day.weekday() < 5 and not HALF_TERM[0] <= day <= HALF_TERM[1]:
            days.append(day)
        day += timedelta(days=1)
    return days


def marks(pupil: Pupil) -> list[tuple[date, str, str]]:
    """The pupil's register for the term: (day, AM or PM, code), the same every run."""
    rng = random.Random(f"{pupil.upn}-marks")
    out = []
    for day in school_days():
        for session in ("AM", "PM"):
            if rng.random() < pupil.absent:
                code = rng.choice(UNAUTHORISED if rng.random() < pupil.unauthorised
                                  else AUTHORISED)
            else:
                code = "L" if rng.random() < 0.02 else PRESENT[session]
            out.append((day, session, code))
    return out


def pupils_of(school: School) -> list[Pupil]:
    rng = random.Random(f"{school.key}-pupils")
    n = list(SCHOOLS).index(school.key) + 1
    years = range(1, 7) if school.phase == "primary" else range(7, 12)
    found: list[Pupil] = []
    for i, step in enumerate(s for w in WEEKS for s in w.steps
                             if isinstance(s, OpenCase) and s.school == school.key):
        p, a = step.pupil, step.attendance
        missed = 1 - a["present_sessions"] / a["possible_sessions"]
        share = a["unauthorised_absences"] / max(1, a["possible_sessions"]
                                                 - a["present_sessions"])
        found.append(Pupil(f"Z99{n}{i:02d}0000{n}{i % 10}0"[:13], f"{n}{i + 1:03d}",
                           p["forename"], p["surname"], date.fromisoformat(p["date_of_birth"]),
                           int(p["year_group"]), f"{p['year_group']}{'AB'[i % 2]}",
                           max(missed, 0.12), share, "NK"[i % 2], i % 3 == 0))
    for i in range(CLASSMATES):
        year = years[i % len(years)]
        absent = (0.13, 0.3, 0.55)[i] if i < 3 and school.phase == "secondary" else (
            0.11 if i < 2 else rng.uniform(0.0, 0.05))
        born = date(2026 - 5 - year, 9, 1) + timedelta(days=rng.randrange(365))
        found.append(Pupil(f"Z99{n}{i + 50:02d}0000{n}{i % 10}1"[:13],
                           f"{n}{i + 101:03d}", FORENAMES[(i + 3 * n) % len(FORENAMES)],
                           SURNAMES[(i * 7 + n) % len(SURNAMES)], born, year,
                           f"{year}{'AB'[i % 2]}", absent, rng.uniform(0.2, 0.7),
                           "NNNKE"[i % 5], rng.random() < 0.25))
    return found


def _counts(pupil: Pupil) -> tuple[int, int, int, int, int]:
    codes = [c for _, _, c in marks(pupil)]
    present = sum(c in ("/", "\\", "L") for c in codes)
    authorised = sum(c in AUTHORISED for c in codes)
    unauthorised = sum(c in UNAUTHORISED for c in codes)
    return len(codes), present, authorised, unauthorised, codes.count("L")


def _write(path: Path, titles: Sequence[Sequence[Any]], header: Sequence[Any],
           rows: Sequence[Sequence[Any]]) -> Path:
    from openpyxl import Workbook

    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Attendance")
    for row in [*titles, header, *rows]:
        sheet.append(list(row))
    book.save(path)
    return path


def summary_export(school: School, folder: Path) -> Path:
    """As SIMS writes a summary: title rows with the dates, then one row per pupil."""
    rows = []
    for p in pupils_of(school):
        possible, present, auth, unauth, late = _counts(p)
        rows.append([p.upn, p.adno, p.surname, p.forename, p.born.strftime("%d/%m/%Y"),
                     p.year, p.reg, p.sen, "Y" if p.fsm else "N", possible, present, auth,
                     unauth, late, round(present / possible, 4)])
    return _write(folder / f"{school.name} {LAST_DAY}.xlsx",
                  [[school.name], [f"Attendance summary {TERM_START:%d/%m/%Y} to "
                                   f"{LAST_DAY:%d/%m/%Y}"], []],
                  ["UPN", "Adno", "Legal Surname", "Legal Forename", "DOB", "Year",
                   "Reg Group", "SEN", "FSM", "Possible Sessions", "Present + AEA",
                   "Authorised", "Unauthorised", "Late", "Attendance %"], rows)


def grid_export(school: School, folder: Path) -> Path:
    """As Arbor writes a register grid: a column per date and session."""
    days = school_days()
    header = ["UPN", "Forename", "Surname", "Date of Birth", "Year", "Reg", "SEN", "FSM",
              *(f"{d:%d/%m/%Y} {s}" for d in days for s in ("AM", "PM"))]
    rows = [[p.upn, p.forename, p.surname, p.born.strftime("%d/%m/%Y"), p.year, p.reg,
             p.sen, "Yes" if p.fsm else "No", *(c for _, _, c in marks(p))]
            for p in pupils_of(school)]
    return _write(folder / f"{school.name} {LAST_DAY}.xlsx",
                  [[f"{school.name}: registers"], []], header, rows)


def marks_export(school: School, folder: Path) -> Path:
    """As Bromcom writes session marks: one row per pupil, date and session."""
    rows = [[p.upn, p.forename, p.surname, p.born.isoformat(), p.year, p.reg, day.isoformat(),
             session, code]
            for p in pupils_of(school) for day, session, code in marks(p)]
    return _write(folder / f"{school.name} {LAST_DAY}.xlsx", [],
                  ["UPN", "Legal Forename", "Legal Surname", "Date of Birth", "Year Group",
                   "Reg Group", "Date", "Session", "Mark"], rows)


EXPORTS: dict[str, Callable[[School, Path], Path]] = {
    "hartwell": summary_export, "brackenfield": grid_export, "coldharbour": marks_export}


def exports(workspace: Path) -> list[tuple[School, Path]]:
    """The term's exports in WORKSPACE/exports, written once."""
    folder = workspace / "exports"
    out = []
    for key, write in EXPORTS.items():
        school = SCHOOLS[key]
        found = sorted(folder.glob(f"{school.name} *.xlsx"))
        out.append((school, found[0] if found else write(school, folder)))
    return out


async def import_exports(sites: Mapping[str, tuple[GraphClient, StateStore]], workspace: Path,
                         say: Callable[[str], None]) -> list[ImportOutcome]:
    """Imports each school's export into the Cases list of the school's own site (``sites``:
    school key -> the app's Graph client there and the school's part of the state store)
    and says what it did."""
    outcomes = []
    say("")
    say(f"The schools' attendance exports to {long_date(LAST_DAY)}, each imported into its "
        "own school's site:")
    for school, path in exports(workspace):
        graph, state = sites[school.key]
        cases = bootstrap.cases_list(graph)
        profile = load_profile(school.profile)
        details = SchoolDetails(school.name, school.phase, school.urn, school.profile)
        outcome = await import_attendance(path, profile, LAST_DAY, details, cases=cases,
                                          history=state)
        outcomes.append(outcome)
        written = outcome.written
        assert written is not None and outcome.plan is not None
        say(f"  {school.name}: {len(outcome.assessed)} pupils from {path.name} "
            f"({outcome.result.shape}); opened {counted(len(written.opened), 'case')}, updated "
            f"the attendance columns of {len(written.updated)}, {outcome.plan.up_to_date} "
            "already up to date")
        for change in written.opened:
            a = change.assessment
            tier = f"Tier {a.tier.tier}" if a.tier else ""
            percent = display_percent(a.percent) if a.percent is not None else ""
            severe = ", severely absent" if a.severely_absent else ""
            say(f"    opened {change.case_ref}  {a.pupil.display_name}, Year "
                f"{a.pupil.year_group}: {percent}, {tier}{severe}")
        for again, ref in outcome.plan.closed_again:
            figures = (f" ({display_percent(again.percent)}, Tier {again.tier.tier})"
                       if again.percent is not None and again.tier else "")
            say(f"    {ref} is closed; {again.pupil.display_name}{figures} meets the "
                "criteria again: left for staff to reopen or open a new case")
        for change, why in written.failed:
            say(f"    not written: {change.case_ref or change.pupil.upn}: {why}")
    return outcomes

"""The demo's penalty notices (issue 19, point 6), under the national framework (2024).

In the week of 7 December Brackenfield Academy's attendance lead copies Riley's register marks
from the MIS (the step typed before this one) and asks for a penalty notice on the case: his
parents did not improve in the Notice to Improve's four weeks. The sweep checks the request
as the LA would and sends it to the LA's Penalty Notice Requests list; the LA's officer
decides "Issue", and the LA's run issues one notice per parent (filed in the LA site's
Penalty Notices library, entered on its register) and tells the school on its case.

In the week of 14 December Hartwell Green asks for a notice for Evie's term-time holiday.
The sweep sends it to the LA (a school's check does not count the limit of notices: the LA
counts it on its register, across every school, when it decides), and the LA's officer
decides "Issue". But her mother, her only parent, already had two notices for her in the
last three years, which the LA's officer entered on the register from the LA's earlier
records when the demo's term began: the LA's run refuses the request at the limit, issues
and files nothing, and tells the school on its case why and which other tool to consider.

After the term the demo runs the LA's side "as on" later days, said as such: the LA's
payment file (one notice paid within 21 days) imported on 4 January 2027, then the LA's
run on 20 January 2027, when the other notice has become "Unpaid: consider prosecution".
A second run sends, issues and records nothing again, and says so.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from function_app import bootstrap
from function_app.adapters.graph.client import GraphClient
from function_app.adapters.graph.records import ListItem
from function_app.domain import load_profile
from function_app.domain.model import Carer, Pupil
from function_app.domain.penalty_register import (
    Payment,
    RegisteredNotice,
    ServedBy,
    child_key,
    parent_key,
    standing,
)
from function_app.domain.wording import day as say_day
from function_app.services.case_lists import list_columns as lc
from function_app.services.penalty_notices.deciding import PenaltyNoticeRun
from function_app.services.penalty_notices.notice_post import FOLDER as POST_FOLDER
from function_app.services.penalty_notices.register_columns import LIBRARY as NOTICES_LIBRARY
from function_app.services.penalty_notices.register_columns import REGISTER, REQUESTS
from function_app.services.penalty_notices.register_items import day_of, notice_fields
from function_app.services.penalty_notices.register_view import COLUMN as VIEW
from function_app.settings import Settings

from .scenario import LA_OFFICERS, LA_SITE, PENALTY, SCHOOLS, WEEKS, OpenCase, Week
from .typing import Typist, long_date

PROFILE = "national-2024"
HISTORY_NOTE = "Entered from the LA's earlier records."


@dataclass(frozen=True, slots=True)
class Asked:
    """A request in the scenario: the week it is made, on which case, and the LA's decision."""

    monday: date
    case_ref: str
    reason: str
    last_absence: date
    decision: str = ""  # what the LA's officer decides, when it reaches the LA


ASKED = tuple(Asked(date.fromisoformat(r["monday"]), r["case_ref"], r["reason"],
                    date.fromisoformat(r["last_absence"]), r.get("decision", ""))
              for r in PENALTY["requests"])
PAYMENTS_ON = date.fromisoformat(PENALTY["payments"]["imported_on"])
LATER_DAY = date.fromisoformat(PENALTY["later_day"])


def la_settings(settings: Settings) -> Settings:
    """The deployment's settings with the LA's details every notice carries (a fictional
    council, example.org), as CASEWORK_LA_* would give them."""
    la = PENALTY["la"]
    return replace(settings, la_name=la["name"], la_address=la["address"],
                   la_phone=la["phone"], la_email=la["email"],
                   penalty_how_to_pay=la["how_to_pay"], profile=PROFILE)


def notices_folder(workspace: Path) -> Path:
    """The LA site's Penalty Notices library, as the dev tenant keeps it on disk."""
    return workspace / "tenant" / LA_SITE.lstrip("/") / NOTICES_LIBRARY


async def enter_history(officer: GraphClient) -> str:
    """The LA's officer enters the earlier notices on the register from the LA's records
    (each once): the limit counts them."""
    lists = await officer.lists()
    register = lists[REGISTER].id
    held = {str(i.fields.get("Title")) for i in await officer.all_items(register)}
    profile = load_profile(PROFILE)
    entered = []
    for h in PENALTY["history"]:
        if h["number"] in held:
            continue
        pupil, parent = _pupil(h["case_ref"]), _parent(h["parent"])
        issued = date.fromisoformat(h["issued_on"])
        notice = RegisteredNotice(
            h["number"], child_key(pupil), parent_key(parent), h["school"], issued,
            ServedBy.POST, issued, second=bool(h.get("second")),
            payments=(Payment(date.fromisoformat(h["paid_on"]), _money(h["paid"])),))
        fields = notice_fields(notice, standing(notice, profile, issued), "", h["parent"])
        await officer.create_item(register, fields | {"Reason": h["reason"],
                                                      "CaseRef": h["case_ref"],
                                                      "StateNote": f"{fields['StateNote']} "
                                                                   f"{HISTORY_NOTE}"})
        entered.append(f"{h['number']} issued on {long_date(issued)}")
    if not entered:
        return ""
    return (f"The LA's officer {LA_OFFICERS[0][0]} entered {len(entered)} earlier notices on "
            f"the Penalty Notice Register from the LA's records ({'; '.join(entered)}), "
            "each to one parent for one child: the limit of 2 in 3 years counts them.")


async def before_sweep(typist: Typist, week: Week) -> list[Asked]:
    """Each request of the week: the school's attendance lead fills in the reason and the
    last day of absence on the case and ticks "Request a penalty notice"."""
    asked = [a for a in ASKED if a.monday == week.monday and a.case_ref in typist.cases]
    for a in asked:
        typed = typist.cases[a.case_ref]
        lead = typist.staff(typed.school.key, typed.school.lead[0])
        await lead.update_fields(typist.list_id(typed.school, lc.CASES.title), typed.item_id, {
            "PenaltyNoticeReason": a.reason,
            "LastAbsence": f"{a.last_absence.isoformat()}T00:00:00Z",
            "RequestPenaltyNotice": True})
    return asked


async def after_sweep(typist: Typist, asked: list[Asked], officer: GraphClient,
                      settings: Settings, day: date, owner: str) -> list[str]:
    """What became of each request, as lines for the week's progress: sent to the LA, the
    LA's officer's decision, what the LA's run as on ``day`` issued or refused (at the limit
    of notices), and what the school was told on its case; or, for one the sweep did not
    send, what the case says."""
    out: list[str] = []
    for a in asked:
        typed = typist.cases[a.case_ref]
        school, lead = typed.school, typed.school.lead[0]
        cases = typist.list_id(school, lc.CASES.title)
        case = await typist.staff(school.key, lead).get_item(cases, typed.item_id)
        said = str(case.fields.get("PenaltyNoticeRequest") or "")
        head = (f"  {a.case_ref}: {school.name}'s attendance lead {lead} asked for a penalty "
                f"notice ({a.reason.lower()}, last absence {long_date(a.last_absence)})")
        lists = await officer.lists()
        sent = [i for i in await officer.all_items(lists[REQUESTS].id)
                if i.fields.get("CaseRef") == a.case_ref]
        if not sent:
            out.append(f"{head}; the sweep did not send it to the LA, so the LA's officers "
                       "had nothing to decide. The case says:")
            out += [f"    {line}" for line in said.splitlines() if line.strip()]
            continue
        (request,) = sent
        number = str(request.fields["Title"])
        out.append(f"{head}; the sweep sent {number} to the LA's Penalty Notice Requests "
                   "list.")
        if not a.decision:
            continue
        # The LA's run first shows the officer what the register says of each parent.
        await bootstrap.penalty_notices(la_settings(settings), day, owner)
        seen = await officer.get_item(lists[REQUESTS].id, request.id)
        out.append("    Before deciding, the officer reads the request's \u201cOn the "
                   "register\u201d:")
        out += [f"      {line}" for line in str(seen.fields.get(VIEW) or "").splitlines()]
        await officer.update_fields(lists[REQUESTS].id, request.id, {"Decision": a.decision})
        run = await bootstrap.penalty_notices(la_settings(settings), day, owner)
        register = [i for i in await officer.all_items(lists[REGISTER].id)
                    if i.fields.get("RequestRef") == number]
        out.append(f"    The LA's officer {LA_OFFICERS[0][0]} decided to issue; the LA's run "
                   f"as on {long_date(day)} {_what_the_run_did(run, number, register)}")
        case = await typist.staff(school.key, lead).get_item(cases, typed.item_id)
        told = str(case.fields.get("PenaltyNoticeRequest") or "(nothing)").splitlines()
        out.append(f"    {school.name} was told on its case:")
        out += [f"      {line}" for line in told if line.strip()]
    return out


def _what_the_run_did(run: PenaltyNoticeRun | None, number: str,
                      register: list[ListItem]) -> str:
    """What the LA's run did with an "Issue" decision, from its report and the register."""
    refused = run is not None and number in run.decisions.refused_at_limit
    if register:
        notices = "; ".join(
            f"{i.fields['Title']} to {i.fields.get('ParentName')} ({i.fields.get('Amount')})"
            for i in sorted(register, key=lambda i: str(i.fields["Title"])))
        each = "" if refused else " (one per parent)"
        return (f"issued {len(register)}{each}: {notices}; filed in the LA's "
                f"{NOTICES_LIBRARY} library."
                + (" It refused a notice to the other parent at the limit." if refused else ""))
    if refused:
        profile = load_profile(PROFILE)
        return (f"refused it at the limit of {profile.penalty_notice_limit} notices to a "
                f"parent for a child in {profile.penalty_notice_rolling_years} years (counted "
                "on the register, at every school): no notice issued, nothing entered on the "
                f"register or filed in the {NOTICES_LIBRARY} library. It names the tool to "
                "consider instead: prosecution for the absence, or an Education Supervision "
                "Order.")
    waiting = "; ".join(run.decisions.waiting) if run else ""
    return f"issued nothing yet{': ' + waiting if waiting else '.'}"


async def after_term(settings: Settings, workspace: Path, owner: str) -> list[str]:
    """The LA's side on later days, after the demo's term: the payment file imported, and
    the register moved on. Each is safe to run again: the second time changes nothing."""
    from function_app.services.penalty_notices.payments import import_payments

    out = ["After the term: the LA's side on later days (these are days after the demo's "
           "term, the register standing as on each; the schools' lists are not swept "
           "again):"]
    payments = PENALTY["payments"]
    path = workspace / payments["file"]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(payments["rows"][0]))
        writer.writeheader()
        writer.writerows(payments["rows"])
    la = bootstrap.graph_client(settings, site_url=settings.la_site_url)
    try:
        report = await import_payments(la, path, load_profile(PROFILE), PAYMENTS_ON)
    finally:
        await la.aclose()
    out.append(f"  {long_date(PAYMENTS_ON)}: the LA's payment file {path} imported through "
               "the same service as `casework import payments`:")
    out += [f"    {line}" for line in report.to_text().splitlines()]
    run = await bootstrap.penalty_notices(la_settings(settings), LATER_DAY, owner)
    moved = run.register if run else None
    if moved is None:
        out.append(f"  {long_date(LATER_DAY)}: the LA's run found the register already moved "
                   "on for that day and no new decision: nothing issued, nothing moved.")
        return out
    issued = len(run.decisions.issued) if run else 0
    out.append(f"  {long_date(LATER_DAY)}: the LA's run issued {issued} notices and moved the "
               f"register on: {len(moved.moved)} moved, {moved.up_to_date} already up to date.")
    out += [f"    {m.number} ({m.school}): {m.before or 'no state'} -> {m.after}. {m.note}"
            for m in moved.moved]
    if moved.told:
        out.append(f"    The LA's officers were told on Teams of {', '.join(moved.told)} "
                   "(by number and school, no names).")
    return out


async def summary_lines(settings: Settings, workspace: Path,
                        sites: dict[str, Settings]) -> list[str]:
    """The "Penalty notices" part of the summary, read back from the LA's site (and, for a
    request the sweep did not send, the school's case): ``sites`` gives each school's
    settings (school key -> settings), for reading the case's "Penalty notice request"
    column."""
    la = bootstrap.graph_client(settings, site_url=settings.la_site_url)
    try:
        lists = await la.lists()
        if REQUESTS not in lists or REGISTER not in lists:
            return []
        requests = await la.all_items(lists[REQUESTS].id)
        register = await la.all_items(lists[REGISTER].id)
    finally:
        await la.aclose()
    out = [f"Penalty notices, national framework (2024), on the LA's site {LA_SITE}:"]
    for r in sorted(requests, key=lambda i: str(i.fields.get("Title"))):
        f = r.fields
        on = day_of(f.get("RequestedOn"))
        out.append(f"  {f.get('Title')} from {f.get('School')} ({f.get('CaseRef')}), requested "
                   f"{say_day(on) if on else ''}: the LA's decision {f.get('Decision')}.")
        mine = sorted((i for i in register if i.fields.get("RequestRef") == f.get("Title")),
                      key=lambda i: str(i.fields.get("Title")))
        for n in mine:
            g = n.fields
            out.append(f"    {g.get('Title')} to {g.get('ParentName')} ({g.get('Amount')}): "
                       f"{g.get('State')}. {g.get('StateNote')}")
        if not mine:
            outcome = str(f.get("Outcome") or "").splitlines()
            out.append("    No notice on the register for it. Its Outcome says:" if outcome
                       else "    No notice on the register for it, and no outcome yet.")
            out += [f"      {line}" for line in outcome if line.strip()]
        evidence = str(f.get("Evidence") or "").splitlines()
        if evidence:
            out.append(f"    Its evidence, copied into the LA's {NOTICES_LIBRARY} library when "
                       f"it was sent: {evidence[0]}")
    history = [i for i in register if not i.fields.get("RequestRef")]
    if history:
        out.append("  Earlier notices the LA's officer entered from its records: " + "; ".join(
            f"{i.fields.get('Title')} to {i.fields.get('ParentName')} ({i.fields.get('School')})"
            for i in sorted(history, key=lambda i: str(i.fields.get("Title")))) + ".")
    for a in ASKED:
        if any(r.fields.get("CaseRef") == a.case_ref for r in requests):
            continue
        school = SCHOOLS[_school_of(a.case_ref)]
        text = await _case_answer(sites[school.key], a.case_ref)
        if text:
            out.append(f"  {a.case_ref} ({school.name}): the sweep did not send it to the LA, "
                       "so there is no LA decision; the case says:")
            out += [f"    {line}" for line in text.splitlines() if line.strip()]
    folder = notices_folder(workspace)
    found = sorted(folder.rglob("*")) if folder.exists() else []
    files = [p.relative_to(folder) for p in found
             if p.suffix == ".docx" and p.parent.name != POST_FOLDER
             and "Evidence bundle" not in p.name]
    out.append(f"  {len(files)} notices filed as Word documents in the LA's {NOTICES_LIBRARY} "
               f"library, {folder}:")
    out += [f"    {p}" for p in files]
    packs = [p.name for p in found if p.suffix == ".pdf" and p.parent.name == POST_FOLDER]
    if packs:
        out.append(f"  Posted in the LA's print pack{'s' if len(packs) > 1 else ''} "
                   f"({folder / POST_FOLDER}): {', '.join(packs)}.")
    out.append(f"  The register stands as on {long_date(LATER_DAY)} (the LA's run on that "
               "later day); a rerun sends, issues and records nothing again.")
    return out


async def _case_answer(settings: Settings, case_ref: str) -> str:
    app = bootstrap.graph_client(settings)
    try:
        cases = (await app.lists())[lc.CASES.title].id
        found = [i for i in await app.all_items(cases) if i.fields.get("Title") == case_ref]
    finally:
        await app.aclose()
    return str(found[0].fields.get("PenaltyNoticeRequest") or "") if found else ""


def _school_of(case_ref: str) -> str:
    return next(s.school for w in WEEKS for s in w.steps
                if isinstance(s, OpenCase) and s.case_ref == case_ref)


def _pupil(case_ref: str) -> Pupil:
    p: Mapping[str, Any] = next(s.pupil for w in WEEKS for s in w.steps
                                if isinstance(s, OpenCase) and s.case_ref == case_ref)
    return Pupil(forename=p["forename"], surname=p["surname"],
                 date_of_birth=date.fromisoformat(p["date_of_birth"]),
                 year_group=int(p["year_group"]), upn=str(p.get("upn", "")))


def _parent(name: str) -> Carer:
    first, _, last = name.partition(" ")
    return Carer("history", first, last, "", True)


def _money(amount: float) -> Decimal:
    return Decimal(str(amount))

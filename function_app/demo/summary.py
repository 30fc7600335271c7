"""The demo's summary: each school's cases read back from its lists, and printed."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from function_app.adapters.graph.client import GraphClient
from function_app.adapters.graph.records import ListInfo, ListItem
from function_app.domain.attendance import display_figure
from function_app.services.case_lists import list_columns as lc
from function_app.services.case_lists.snapshot import CASEWORK_LISTS, Snapshot
from function_app.settings import Settings

from . import legal_step
from .results import Attention, CaseSummary, DemoResult, Place
from .scenario import (
    LA_OFFICERS,
    LA_SITE,
    SCHOOLS,
    WEEKS,
    OpenCase,
    case_refs,
)

NEEDS_ATTENTION = (lc.GenerationStatus.NEEDS_ATTENTION.value, lc.GenerationStatus.FAILED.value)


async def read_summaries(app: GraphClient, lists: dict[str, ListInfo], settings: Settings,
                     library: Path, shown: Path
                     ) -> tuple[list[CaseSummary], list[Attention]]:
    """Each case as the lists and the library now hold it: read back, not remembered."""
    names = list(CASEWORK_LISTS)
    pages = await asyncio.gather(*(app.all_items(lists[n].id) for n in names))
    snapshot = Snapshot.of(dict(zip(names, pages, strict=True)))
    attention: dict[str, list[Attention]] = {}
    unlinked: list[Attention] = []
    for name in names:
        for item in snapshot.items.get(name, {}).values():
            status = str(item.fields.get("GenerationStatus") or "")
            if status not in NEEDS_ATTENTION:
                continue
            found = Attention(name, str(item.fields.get("Title") or f"item {item.id}"), status,
                              str(item.fields.get("GenerationMessage") or ""),
                              bool(item.fields.get("GeneratedDocuments")))
            case_id = snapshot.case_of(name, item)
            (attention.setdefault(case_id, []) if case_id else unlinked).append(found)
    by_ref = {str(i.fields.get("Title")): i for i in snapshot.items[lc.CASES.title].values()}
    summaries = []
    for ref in _by_school(case_refs()):
        case = by_ref.get(ref)
        if case is None:
            continue
        folder = _case_folder(case, settings.folder_pattern)
        files = tuple(sorted(p.name for p in (library / folder).glob("*.docx")))
        f = case.fields
        summaries.append(CaseSummary(
            ref, f"{f.get('PupilForename', '')} {f.get('PupilSurname', '')}",
            str(f.get("SchoolName", "")), str(f.get("Stage", "")), str(f.get("CaseStatus", "")),
            shown / folder, files, tuple(attention.get(case.id, ())), _attendance(f)))
    return summaries, unlinked


def _attendance(fields: dict[str, Any]) -> str:
    """The Tier, Attendance (%) and Severe absence columns the processor fills in, with the
    sessions the percentage comes from (PresentSessions, PossibleSessions) by the one rule
    (``display_figure``): "Tier 4 · 50.0% (100 of 200 possible sessions), severely absent".
    The percentage alone only when the item holds no sessions."""
    tier, percent = fields.get("Tier"), fields.get("AttendancePercent")
    if tier is None or percent is None:
        return "no tier yet (the casework app fills it in from the figures)"
    severe = ", severely absent" if fields.get("SevereAbsence") == lc.YES else ""
    present, possible = fields.get("PresentSessions"), fields.get("PossibleSessions")
    shown = (display_figure(int(float(present)), int(float(possible)))
             if present is not None and possible is not None and float(possible) > 0
             else f"{float(percent):.1f}%")
    return f"Tier {int(float(tier))} · {shown}{severe}"


def _by_school(refs: list[str]) -> list[str]:
    """The scenario's cases, school by school, each school's in order of reference."""
    school = {s.case_ref: list(SCHOOLS).index(s.school)
              for w in WEEKS for s in w.steps if isinstance(s, OpenCase)}
    return sorted(refs, key=lambda ref: (school[ref], ref))


def _case_folder(case: ListItem, pattern: str) -> str:
    """The case's folder in the library, named as the processor names it."""
    from function_app.documents.naming import safe_name

    f = case.fields
    parts = pattern.format(school=f.get("SchoolName", ""), case_ref=f.get("Title", ""),
                           surname=f.get("PupilSurname", ""),
                           forename=f.get("PupilForename", "")).split("/")
    return "/".join(safe_name(p) for p in parts if p.strip())


def print_summary(result: DemoResult, places: dict[str, Place],
                   say: Callable[[str], None]) -> None:
    say("")
    schools = len({c.school for c in result.cases})
    say(f"Summary: {len(result.cases)} cases at {schools} schools, each school's in its own "
        "site")
    for place in places.values():
        cases = [c for c in result.cases if c.school == place.school.name]
        say("")
        say(f"{place.school.name}, in its site {place.school.site_path}: "
            f"{counted_noun(len(cases), 'case')}, the documents in {place.shown}")
        for case in cases:
            say("")
            closed = (" (case closed)" if case.status == lc.CASE_STATUSES.label_of("closed")
                      else "")
            say(f"{case.case_ref}  {case.pupil}, {case.school}")
            say(f"  Stage: {case.stage}{closed}")
            say(f"  Attendance: {case.attendance}")
            say(f"  {counted_noun(len(case.documents), 'document')} in {case.folder}")
            for name in case.documents:
                say(f"    {name}")
            for a in case.attention:
                made = "" if a.filed else ", nothing filed for it"
                say(f'  {a.status}: {a.list_name} item "{a.title}"{made}:')
                for line in a.message.splitlines():
                    say(f"    {line}")
    for a in result.unlinked:
        say(f'{a.status}: {a.list_name} item "{a.title}" (linked to no case):')
        for line in a.message.splitlines():
            say(f"    {line}")
    say("")
    officers = " and ".join(name for name, _ in LA_OFFICERS)
    say("Who sees what: each school's staff are members of their own school's site only, so "
        "no school sees another's pupils, carers, meetings or letters; the LA's officers "
        f"({officers}) have the LA's site {LA_SITE}, its Schools list, and the Teams alerts "
        "from every school.")
    posted = [(school, alert) for school, alert in result.alerts if alert.outcome == "posted"]
    if posted:
        say(f"Teams alerts posted by this run ({len(posted)}), kept as cards in "
            f"{result.workspace / 'teams'}:")
        audiences = {"la_officers": "the LA's officers", "school": "the school",
                     "la_legal": "the LA's legal intervention officer"}
        for school, alert in posted:
            say(f"  {alert.case_ref} ({school}): {alert.reason.replace('_', ' ')}, to "
                f"{audiences.get(alert.audience, alert.audience)}")
        to_la = [s.name for s in SCHOOLS.values()
                 if any(school == s.name and alert.audience == "la_officers"
                        for school, alert in posted)]
        if to_la:
            say(f"The LA's officers' channel had alerts from {counted_noun(len(to_la), 'school')}: "
                f"{', '.join(to_la)}.")
    else:
        say("No new Teams alert: each is posted once per case, reason and stage.")
    for line in legal_step.summary_lines(result.legal):
        say(line)
    if result.penalty:
        say("")
        for line in result.penalty:
            say(line)
    if result.mail_dir is not None:
        from .sending_step import summary_lines

        for line in summary_lines(result.emailed, result.letters, result.letters_now,
                                  places, result.mail_dir):
            say(line)
    if result.digests:
        say(f"Daily digest of reviews due and overdue posted to {result.digests} schools' "
            "channels.")
    if not result.typed and not result.filed:
        say(f"Nothing new: {result.documents} documents already filed for "
            f"{len(result.cases)} cases; no list has changed since the last sweep, so nothing "
            "was made or filed again.")
    need = result.attention
    say(f"Totals: {result.documents} documents in the case folders ({len(result.filed)} "
        f"filed by this run); {need} {'item needs' if need == 1 else 'items need'} "
        f"attention; {sum(result.requests.values()):,} Graph requests (staff "
        f"{result.requests['staff']:,}, the app {result.requests['app']:,}); "
        f"{result.seconds:.1f} seconds.")
    say("Open the documents in each school's site:")
    for place in places.values():
        say(f"  {place.shown}")


def counted_noun(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def relative_to(path: Path, root: Path) -> Path:
    return Path(os.path.relpath(path.resolve(), root.resolve()))

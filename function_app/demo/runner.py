"""`casework demo`: start the dev tenant in WORKSPACE, provision the lists, play the term
week by week (staff type, then the change processor sweeps), and print what was filed.

Running it again on the same workspace types nothing (the cases are already in the lists)
and the sweep finds no change, so nothing is made or filed again; it says so.

Each week's sweep judges the case as on that Friday (the letters carry that date), and the
last is the last day of the term, so the documents are the same whenever the demo runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

from function_app import bootstrap
from function_app.adapters.graph.client import GraphClient
from function_app.adapters.graph.records import ListInfo, ListItem
from function_app.domain.attendance import display_figure
from function_app.domain.errors import CaseworkError
from function_app.services.case_lists import list_columns as lc
from function_app.services.case_lists.snapshot import CASEWORK_LISTS, Snapshot
from function_app.services.casework_sweep.processor import ChangeProcessor
from function_app.services.casework_sweep.sweep_report import (
    LIBRARY,
    Filed,
    RaisedAlert,
    SweepReport,
)
from function_app.services.legal.legal_referral import Referral
from function_app.settings import Settings

from . import legal_step
from .scenario import LAST_DAY, SCHOOLS, WEEKS, OpenCase, Week, case_refs
from .typing import Typist, long_date

DEFAULT_WORKSPACE = Path("casework-demo")
OWNER = "casework-demo"  # the processor's name in its claims
DEMO_SCOPE = "demo"  # in the state store: that a run typed the whole term
NEEDS_ATTENTION = (lc.GenerationStatus.NEEDS_ATTENTION.value, lc.GenerationStatus.FAILED.value)

KIND_NOUNS = {  # document kind -> (one, several), for the progress lines
    "letter_of_concern": ("letter of concern", "letters of concern"),
    "support_meeting_invitation": ("meeting invitation", "meeting invitations"),
    "aim_invitation": ("AIM invitation with the warning", "AIM invitations with the warning"),
    "aim_plan": ("AIM plan", "AIM plans"),
    "support_meeting_record": ("support meeting record", "support meeting records"),
    "review_meeting_invitation": ("review meeting invitation", "review meeting invitations"),
    "meeting_rearranged": ("letter about a rearranged meeting",
                           "letters about rearranged meetings"),
    "review_meeting_record": ("review meeting record", "review meeting records"),
    "plan_cover_letter": ("covering letter", "covering letters"),
    "notice_to_improve": ("Notice to Improve", "Notices to Improve"),
    "attendance_contract": ("attendance contract", "attendance contracts"),
    "legal_referral": ("legal intervention referral", "legal intervention referrals"),
    "apdr_form": ("APDR form", "APDR forms"),
}
ENTRY_WORDS = {  # what Typist.type returns -> (verb phrase for one, for several)
    "holidays": ("entered the school holidays", "entered the school holidays"),
    "opened": ("opened 1 case", "opened {n} cases"),
    "stage": ("moved 1 case to its next stage", "moved {n} cases to their next stage"),
    "closed": ("closed 1 case", "closed {n} cases"),
    "figures": ("updated 1 case's figures", "updated {n} cases' figures"),
    "contact": ("logged 1 contact", "logged {n} contacts"),
    "planned": ("planned 1 meeting", "planned {n} meetings"),
    "held": ("recorded 1 meeting as held", "recorded {n} meetings as held"),
    "did_not_proceed": ("recorded 1 meeting that did not go ahead",
                        "recorded {n} meetings that did not go ahead"),
    "refused": ("had 1 item refused by SharePoint at save",
                "had {n} items refused by SharePoint at save"),
}


class DemoError(CaseworkError):
    """The workspace holds something the demo cannot carry on from."""


@dataclass(frozen=True, slots=True)
class Attention:
    list_name: str
    title: str  # the item's Title, as staff see it
    status: str
    message: str
    filed: bool  # whether anything was made for it all the same


@dataclass(frozen=True, slots=True)
class CaseSummary:
    case_ref: str
    pupil: str
    school: str
    stage: str  # the label staff see
    status: str
    folder: Path  # the case's folder on disk, under WORKSPACE
    documents: tuple[str, ...]  # file names in the folder, in order
    attention: tuple[Attention, ...]
    attendance: str = ""  # the app's Tier, Attendance (%) and Severe absence, as a line


@dataclass
class DemoResult:
    workspace: Path
    typed: bool = False  # False when an earlier run had typed the term already
    filed: list[Filed] = field(default_factory=list)  # by this run
    cases: list[CaseSummary] = field(default_factory=list)
    unlinked: list[Attention] = field(default_factory=list)  # needing attention, no case
    requests: Counter[str] = field(default_factory=Counter)  # "staff", "app"
    alerts: list[RaisedAlert] = field(default_factory=list)  # raised by this run
    legal: list[Referral] = field(default_factory=list)  # evidence bundles, by this run
    digests: int = 0  # schools sent the daily digest of reviews due and overdue
    seconds: float = 0.0

    @property
    def documents(self) -> int:
        return sum(len(c.documents) for c in self.cases)

    @property
    def attention(self) -> int:
        return sum(len(c.attention) for c in self.cases) + len(self.unlinked)


def demo_command(args: argparse.Namespace) -> int:
    run_demo(args.workspace)
    return 0


def run_demo(workspace: Path = DEFAULT_WORKSPACE, out: TextIO | None = None) -> DemoResult:
    """Play the term into WORKSPACE (or find it played) and print progress and a summary."""
    from function_app.devtenant import DevTenant

    stream = out or sys.stdout

    def say(line: str = "") -> None:
        print(line, file=stream, flush=True)

    started = time.perf_counter()
    workspace.mkdir(parents=True, exist_ok=True)
    say("Attendance casework demo: one autumn term at three fictional schools, typed into "
        "the SharePoint lists as staff would, with the documents filed as it goes.")
    from function_app.devtenant.teams_sink import TeamsSink

    with DevTenant(workspace / "tenant") as tenant, TeamsSink(workspace) as sink:
        say(f"Dev tenant (Microsoft Graph v1.0 and SharePoint REST on loopback): "
            f"{tenant.base_url}, its data in {workspace / 'tenant'}; Teams cards go to "
            f"{workspace / 'teams'}")
        teams = Settings(teams_la_webhook=sink.url_for("la_officers"),
                         teams_legal_webhook=sink.url_for("la_legal"),
                         teams_school_webhooks=json.dumps({"school": sink.url_for("school")}))
        settings = bootstrap.settings_for_dev_tenant(
            tenant.base_url, tenant.hostname, tenant.site_path, workspace, base=teams)
        library = tenant.files_root.parent / LIBRARY
        shown = workspace / "tenant" / _relative(library, tenant.data_dir)
        staff_token = tenant.user_token
        result = asyncio.run(_play(settings, staff_token, library, shown, workspace, say))
    result.seconds = time.perf_counter() - started
    _print_summary(result, shown, say)
    return result


async def _play(settings: Settings, staff_token: Callable[[str], str], library: Path,
                shown: Path, workspace: Path, say: Callable[[str], None]) -> DemoResult:
    from function_app.services.provisioning.list_formatting import load_formatting
    from function_app.services.provisioning.list_schema import load_lists
    from function_app.services.provisioning.provision import provision

    result = DemoResult(workspace)
    app = bootstrap.graph_client(settings)
    staff: dict[str, GraphClient] = {}

    def as_staff(name: str) -> GraphClient:
        if name not in staff:
            staff[name] = bootstrap.graph_client(settings, token=staff_token(name))
        return staff[name]

    state = bootstrap.state_store(settings)
    processor = bootstrap.processor(settings, app, state, today=LAST_DAY, owner=OWNER)
    try:
        rest = bootstrap.sharepoint_rest(settings)
        try:
            provisioned = await provision(app, load_lists(), rest,
                                          load_formatting(load_lists()))
        finally:
            await rest.aclose()
        if provisioned.created_lists:
            done = provisioned.formatting.done if provisioned.formatting else []
            say(f"Provisioned the site: {len(provisioned.created_lists)} lists and libraries "
                "with their columns, then gave them their views, formatting, forms and "
                f"validation through SharePoint REST ({len(done)} changes).")
        elif provisioned.changed_nothing:
            say("The site already has every list, library, column, view, formatter and form.")
        else:
            say("Provisioned what the site was missing: "
                + " ".join(provisioned.lines()))
        lists = await app.lists()
        there = {str(i.fields.get("Title", "")) for i in await app.all_items(lists["Cases"].id)}
        refs = case_refs()
        say("")
        if not there.intersection(refs):
            formatting = load_formatting(load_lists())
            messages = {name: str(f["validation"]["message"])
                        for name, f in formatting.items() if f.get("validation")}
            await _play_term(Typist(as_staff, lists, messages), processor, result, say)
            state.remember(DEMO_SCOPE, "played", LAST_DAY.isoformat())
            result.typed = True
        elif there.issuperset(refs) and state.recall(DEMO_SCOPE, "played"):
            say(f"The term's {len(refs)} cases are already in the lists: nothing typed.")
            report = await processor.sweep()
            result.filed += report.filed
            result.alerts += report.alerts
            result.legal += report.legal
            say(f"Swept the lists for changes as on {long_date(LAST_DAY)}: "
                f"{_week_outcome(report)}.")
        else:
            raise DemoError(f"The lists in {workspace} hold some of the demo's cases but not "
                            "a finished term (an earlier run stopped part-way, or its state "
                            "was removed). Delete that folder and run the demo again.")
        if result.typed:  # the daily reminder, as the timer sends it on the term's last day
            from function_app.services.reminders.reviews import reviews_due

            reminders = await reviews_due(app, LAST_DAY)
            await bootstrap.reminders(settings).send(reminders)
            result.digests = len(reminders.digests)
        from .import_step import import_exports  # issue 9: the schools' MIS exports

        await import_exports(app, state, workspace, say)
        result.cases, result.unlinked = await _summaries(app, lists, settings, library, shown)
    finally:
        await processor.close()
        state.close()
    result.requests["staff"] = sum(sum(c.requests.values()) for c in staff.values())
    result.requests["app"] = sum(app.requests.values())
    return result


async def _play_term(typist: Typist, processor: ChangeProcessor, result: DemoResult,
                     say: Callable[[str], None]) -> None:
    for week in WEEKS:
        if not week.steps:
            say(f"Week of {long_date(week.monday)}: {week.note}, nothing entered.")
            continue
        entered = Counter([await typist.type(step) for step in week.steps])
        await legal_step.before_sweep(typist, week)
        processor.config = replace(processor.config, today=week.friday)
        report = await processor.sweep()
        result.filed += report.filed
        result.alerts += report.alerts
        result.legal += report.legal
        say(_week_line(week, entered, report))
        for line in typist.refusals:  # what the form showed the member of staff
            say(f"  {line}")
        typist.refusals.clear()
        for line in legal_step.lines(report):
            say(line)


def _week_line(week: Week, entered: Counter[str], report: SweepReport) -> str:
    did = [ENTRY_WORDS[what][n > 1].format(n=n) for what, n in _ordered(entered, ENTRY_WORDS)]
    return f"Week of {long_date(week.monday)}: staff {', '.join(did)}; {_week_outcome(report)}."


def _week_outcome(report: SweepReport) -> str:
    kinds = Counter(f.kind for f in report.filed)
    if kinds:
        parts = [f"{n} {KIND_NOUNS.get(k, (k, k))[n > 1]}" for k, n in _ordered(kinds, KIND_NOUNS)]
        text = f"filed {', '.join(parts)}"
    else:
        text = "nothing new to file" if report.changes else "no changes, nothing filed"
    if report.needs_attention:
        n = len(report.needs_attention)
        text += f"; {n} {'item needs' if n == 1 else 'items need'} attention"
    if report.failed:
        text += f"; {len(report.failed)} failed and will be retried"
    return text


def _ordered(counts: Counter[str], order: Iterable[str]) -> list[tuple[str, int]]:
    keys = list(order)
    return sorted(counts.items(), key=lambda kv: keys.index(kv[0]) if kv[0] in keys else 99)


# The summary ------------------------------------------------------------------------------


async def _summaries(app: GraphClient, lists: dict[str, ListInfo], settings: Settings,
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


def _print_summary(result: DemoResult, shown: Path, say: Callable[[str], None]) -> None:
    say("")
    schools = len({c.school for c in result.cases})
    say(f"Summary: {len(result.cases)} cases at {schools} schools")
    for case in result.cases:
        say("")
        closed = " (case closed)" if case.status == lc.CASE_STATUSES.label_of("closed") else ""
        say(f"{case.case_ref}  {case.pupil}, {case.school}")
        say(f"  Stage: {case.stage}{closed}")
        say(f"  Attendance: {case.attendance}")
        say(f"  {_count(len(case.documents), 'document')} in {case.folder}")
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
    posted = [alert for alert in result.alerts if alert.outcome == "posted"]
    if posted:
        say(f"Teams alerts posted by this run ({len(posted)}), kept as cards in "
            f"{result.workspace / 'teams'}:")
        audiences = {"la_officers": "the LA's officers", "school": "the school",
                     "la_legal": "the LA's legal intervention officer"}
        for alert in posted:
            say(f"  {alert.case_ref}: {alert.reason.replace('_', ' ')}, to "
                f"{audiences.get(alert.audience, alert.audience)}")
    else:
        say("No new Teams alert: each is posted once per case, reason and stage.")
    for line in legal_step.summary_lines(result.legal):
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
    say(f"Open the documents in {shown}")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _relative(path: Path, root: Path) -> Path:
    return Path(os.path.relpath(path.resolve(), root.resolve()))



"""`casework demo`: start the dev tenant in WORKSPACE with the LA's site (its Schools list)
and a site for each school (its members that school's staff only), provision each school's
lists, play the term week by week (each school's staff type into their own site, then every
school's site is swept from the Schools list, as one deployment for many schools), and print
what was filed, school by school.

Running it again on the same workspace types nothing (the cases are already in the lists)
and the sweep finds no change, so nothing is made or filed again; it says so.

Each week's sweep judges the case as on that Friday (the letters carry that date), and the
last is the last day of the term, so the documents are the same whenever the demo runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TextIO

from function_app import bootstrap
from function_app.adapters.graph.client import GraphClient
from function_app.services.case_lists import list_columns as lc
from function_app.services.casework_sweep.sweep_report import (
    LIBRARY,
    SweepReport,
)
from function_app.services.schools.registry import LIST_TITLE as SCHOOLS_LIST
from function_app.settings import Settings

from . import legal_step, penalty_step, sending_step
from .results import DemoError, DemoResult, Place
from .scenario import (
    LA_OFFICERS,
    LA_SITE,
    LAST_DAY,
    SCHOOLS,
    WEEKS,
    Week,
    case_refs,
)
from .summary import counted_noun, print_summary, read_summaries, relative_to
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
    "marks": ("entered 1 pupil's register marks from the MIS",
              "entered {n} pupils' register marks from the MIS"),
    "refused": ("had 1 item refused by SharePoint at save",
                "had {n} items refused by SharePoint at save"),
}


def demo_command(args: argparse.Namespace) -> int:
    run_demo(args.workspace)
    return 0


def run_demo(workspace: Path = DEFAULT_WORKSPACE, out: TextIO | None = None) -> DemoResult:
    """Play the term into WORKSPACE (or find it played) and print progress and a summary."""
    from function_app.devtenant import DevTenant
    from function_app.devtenant.routes_sp_rest import API

    stream = out or sys.stdout

    def say(line: str = "") -> None:
        print(line, file=stream, flush=True)

    started = time.perf_counter()
    workspace.mkdir(parents=True, exist_ok=True)
    say("Attendance casework demo: one autumn term at three fictional schools, each in its own "
        "SharePoint site, typed into its lists as its staff would, with the documents filed as "
        "it goes and the LA's officers alerted from every school.")
    from function_app.devtenant.teams_sink import TeamsSink

    # The Exchange administrator let the app send as each school's mailbox, and only those.
    mailboxes = [school.email for school in SCHOOLS.values()]
    with DevTenant(workspace / "tenant", mail_senders=mailboxes) as tenant, \
            TeamsSink(workspace) as sink:
        say(f"Dev tenant (Microsoft Graph v1.0 and SharePoint REST on loopback): "
            f"{tenant.base_url}, its data in {workspace / 'tenant'}; Teams cards go to "
            f"{workspace / 'teams'}")
        teams = Settings(teams_la_webhook=sink.url_for("la_officers"),
                         teams_legal_webhook=sink.url_for("la_legal"),
                         teams_school_webhooks=json.dumps({"school": sink.url_for("school")}))
        single = bootstrap.settings_for_dev_tenant(
            tenant.base_url, tenant.hostname, tenant.site_path, workspace, base=teams)
        settings = replace(single, la_site_url=f"https://{tenant.hostname}{LA_SITE}")
        tenant.add_site(LA_SITE, members=[name for name, _ in LA_OFFICERS])
        places = {}
        for key, school in SCHOOLS.items():  # a site each, its members the school's staff only
            site = tenant.add_site(school.site_path, members=list(school.staff))
            library = site.files_root.parent / LIBRARY
            places[key] = Place(school, replace(settings, site_url=site.web_url), library,
                                workspace / "tenant" / relative_to(library, tenant.data_dir))
        emails = len(tenant.sent_mail_files())
        result = asyncio.run(_play(settings, single, places, tenant.user_token, workspace, say))
        result.mail_dir = tenant.mail_dir
        result.emailed = len(tenant.sent_mail_files()) - emails
        graph = sum(n for route, n in tenant.requests.items() if API not in route)
        result.requests["app"] = graph - result.requests["staff"]
    result.seconds = time.perf_counter() - started
    print_summary(result, places, say)
    return result


async def _play(settings: Settings, single: Settings, places: dict[str, Place],
                staff_token: Callable[[str], str], workspace: Path,
                say: Callable[[str], None]) -> DemoResult:
    """The term into each school's site, swept as one deployment for every school
    (``settings`` names the LA's site); ``single`` is the dev tenant's own site, where an
    earlier version of the demo typed every school's cases."""
    from function_app.services.provisioning.list_formatting import load_formatting
    from function_app.services.provisioning.list_schema import load_lists

    result = DemoResult(workspace)
    staff: dict[tuple[str, str], GraphClient] = {}

    def as_staff(school: str, name: str) -> GraphClient:
        """A member of a school's staff, in that school's own site."""
        if (school, name) not in staff:
            staff[school, name] = bootstrap.graph_client(places[school].settings,
                                                         token=staff_token(name))
        return staff[school, name]

    if lc.CASES.title in await bootstrap.graph_client(single).lists():
        raise DemoError(f"{workspace} was played into one site for all three schools by an "
                        "earlier version of the demo. Delete that folder and run the demo "
                        "again.")
    officer = bootstrap.graph_client(settings, token=staff_token(LA_OFFICERS[0][0]),
                                     site_url=settings.la_site_url)
    staff[("la", LA_OFFICERS[0][0])] = officer
    await _la_site(settings, officer, places, say)
    registry = {s.name: s for s in (await bootstrap.registry(settings)).schools}
    state = bootstrap.state_store(settings)
    try:
        for place in places.values():
            place.app = bootstrap.graph_client(place.settings)
            say(await _provision(place))
            place.lists = await place.app.lists()
        there: set[str] = set()
        for place in places.values():
            cases = await place.app.all_items(place.lists[lc.CASES.title].id)
            there |= {str(i.fields.get("Title", "")) for i in cases}
        refs = case_refs()
        say("")
        if not there.intersection(refs):
            formatting = load_formatting(load_lists())
            messages = {name: str(f["validation"]["message"])
                        for name, f in formatting.items() if f.get("validation")}
            typist = Typist(as_staff, {k: p.lists for k, p in places.items()}, messages)
            if history := await penalty_step.enter_history(officer):
                say(history)
            await _play_term(typist, sending_step.Staff(as_staff, places), settings, result,
                             say, officer)
            state.remember(DEMO_SCOPE, "played", LAST_DAY.isoformat())
            result.typed = True
        elif there.issuperset(refs) and state.recall(DEMO_SCOPE, "played"):
            say(f"The term's {len(refs)} cases are already in the schools' lists: nothing "
                "typed.")
            report = await _sweep(settings, LAST_DAY, result, say)
            say(f"Swept every school's lists for changes as on {long_date(LAST_DAY)}: "
                f"{_week_outcome(report)}.")
        else:
            raise DemoError(f"The lists in {workspace} hold some of the demo's cases but not "
                            "a finished term (an earlier run stopped part-way, or its state "
                            "was removed). Delete that folder and run the demo again.")
        if result.typed:  # the daily reminder, as the timer sends it on the term's last day
            from function_app.services.reminders.reviews import reviews_due

            for place in places.values():
                reminders = await reviews_due(place.app, LAST_DAY)
                await bootstrap.reminders(settings).send(reminders)
                result.digests += len(reminders.digests)
        from .import_step import import_exports  # issue 9: the schools' MIS exports

        await import_exports({key: (p.app, bootstrap.school_state(
            settings, state, registry[p.school.name])) for key, p in places.items()},
            workspace, say)
        for line in await penalty_step.after_term(settings, workspace, OWNER):
            say(line)
        result.penalty = await penalty_step.summary_lines(
            settings, workspace, {k: p.settings for k, p in places.items()})
        for key, place in places.items():
            result.letters_now[key] = await sending_step.read_letters(place)
            summaries, unlinked = await read_summaries(place.app, place.lists, settings,
                                                   place.library, place.shown)
            result.cases += summaries
            result.unlinked += unlinked
    finally:
        state.close()
    result.requests["staff"] = sum(sum(c.requests.values()) for c in staff.values())
    return result


async def _la_site(settings: Settings, officer: GraphClient, places: dict[str, Place],
                   say: Callable[[str], None]) -> None:
    """The LA's site and its Schools list, provisioned by the app; each school not yet there
    added by the LA's officer, as onboarding does (docs/deployment.md, section 10)."""
    from function_app.services.provisioning.list_schema import LA_SITE_SCHEMA_DIR, load_lists
    from function_app.services.provisioning.provision import provision

    app = bootstrap.graph_client(settings, site_url=settings.la_site_url)
    await provision(app, load_lists(LA_SITE_SCHEMA_DIR))
    schools = (await app.lists())[SCHOOLS_LIST].id  # read by the app, as every sweep does
    items = await app.all_items(schools)
    listed = {str(i.fields.get("Title", "")) for i in items}
    added = [p.school for p in places.values() if p.school.name not in listed]
    for school in added:
        await officer.create_item(schools, {
            "Title": school.name, "SiteUrl": str(places[school.key].settings.site_url),
            "Phase": school.phase.capitalize(), "PolicyProfile": school.profile,
            "Mailbox": school.email})
    by_name = {p.school.name: p.school for p in places.values()}
    for item in items:  # listed by an earlier demo, before schools had a mailbox
        named = by_name.get(str(item.fields.get("Title", "")))
        if named is not None and not item.fields.get("Mailbox"):
            await officer.update_fields(schools, item.id, {"Mailbox": named.email})
    officers = ", ".join(f"{name} ({role})" for name, role in LA_OFFICERS)
    newly = counted_noun(len(added), "school")
    what = (f"{LA_OFFICERS[0][0]} listed the {newly} in its Schools list"
            if added else "its Schools list already names the schools")
    say(f"The LA's site {LA_SITE} (members: {officers}): {what}, each with its own site "
        "and the mailbox its letters to parents are emailed from; every school's site is "
        "swept from that list.")


async def _provision(place: Place) -> str:
    """A school's site provisioned as a single school's is: what was done, as a line."""
    from function_app.services.provisioning.list_formatting import load_formatting
    from function_app.services.provisioning.list_schema import load_lists
    from function_app.services.provisioning.provision import provision

    rest = bootstrap.sharepoint_rest(place.settings)
    try:
        provisioned = await provision(place.app, load_lists(), rest,
                                      load_formatting(load_lists()))
    finally:
        await rest.aclose()
    site = (f"{place.school.name}'s site {place.school.site_path} (members: "
            f"{', '.join(place.school.staff)})")
    if provisioned.created_lists:
        done = provisioned.formatting.done if provisioned.formatting else []
        return (f"Provisioned {site}: {len(provisioned.created_lists)} lists and libraries "
                "with their columns, then gave them their views, formatting, forms and "
                f"validation through SharePoint REST ({len(done)} changes).")
    if provisioned.changed_nothing:
        return f"{site} already has every list, library, column, view, formatter and form."
    return f"Provisioned what {site} was missing: " + " ".join(provisioned.lines())


async def _sweep(settings: Settings, day: date, result: DemoResult,
                 say: Callable[[str], None]) -> SweepReport:
    """Every school's site swept as on ``day`` (bootstrap.sweep_every_school), the reports
    added up; a school's site that could not be swept is said, and nothing else stops."""
    total = SweepReport()
    for swept in await bootstrap.sweep_every_school(settings, day, OWNER):
        report, school = swept.report, swept.school.name
        if report is None:
            say(f"  {swept.failure}")
            continue
        total.changes += report.changes
        total.own_writes += report.own_writes
        total.cases += report.cases
        total.already_made += report.already_made
        total.filed += report.filed
        total.alerts += report.alerts
        total.legal += report.legal
        for mine, theirs in ((total.needs_attention, report.needs_attention),
                             (total.failed, report.failed), (total.pending, report.pending)):
            mine.update({f"{school}: {key}": why for key, why in theirs.items()})
        result.alerts += [(school, alert) for alert in report.alerts]
        result.letters += [(school, letter) for letter in report.letters]
        total.letters += report.letters
        total.letters_approved += report.letters_approved
        if report.sending_failed:
            say(f"  {school}: sending letters stopped ({report.sending_failed}); the next "
                "sweep goes on.")
    result.filed += total.filed
    result.legal += total.legal
    return total


async def _play_term(typist: Typist, staff: sending_step.Staff, settings: Settings,
                     result: DemoResult, say: Callable[[str], None],
                     officer: GraphClient) -> None:
    for week in WEEKS:
        if not week.steps:
            say(f"Week of {long_date(week.monday)}: {week.note}, nothing entered.")
            continue
        entered = Counter([await typist.type(step) for step in week.steps])
        await legal_step.before_sweep(typist, week)
        asked = await penalty_step.before_sweep(typist, week)
        report = await _sweep(settings, week.friday, result, say)
        say(_week_line(week, entered, report))
        for line in typist.refusals:  # what the form showed the member of staff
            say(f"  {line}")
        typist.refusals.clear()
        for line in legal_step.lines(report):
            say(line)
        for line in await penalty_step.after_sweep(typist, asked, officer, settings,
                                                   week.friday, OWNER):
            say(line)
        await _letters(staff, settings, week.friday, result, say)


async def _letters(staff: sending_step.Staff, settings: Settings, day: date,
                   result: DemoResult, say: Callable[[str], None]) -> None:
    """After the week's sweep, each school's attendance lead reads and approves the new
    draft letters, and the next sweep emails them or puts them in the day's print pack;
    the lead prints the pack, posts its letters that afternoon and marks it posted, and a
    last sweep records them (a contact for each letter, dated that day)."""
    approved = await staff.approve_drafts()
    result.approved += approved
    if not approved:
        return
    sent = await _sweep(settings, day, result, say)
    posted = await staff.post_packs()
    result.packs_posted += posted
    recorded = await _sweep(settings, day, result, say) if posted else None
    # A letter put in the pack and then posted is said once, as posted.
    words = sending_step.outcome_words(
        [letter for letter in sent.letters
         if not (recorded and letter.outcome == "in the print pack")]
        + (recorded.letters if recorded else []))
    done = f"approved {counted_noun(approved, 'draft letter')} to send"
    if posted:
        done += f" and posted {counted_noun(posted, 'print pack')}"
    say(f"  The attendance leads {done}: {', '.join(words) or 'nothing went yet'}.")


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
    letters = sending_step.outcome_words(report.letters)
    if letters:
        text += "; " + ", ".join(letters)
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

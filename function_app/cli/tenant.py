"""`casework dev-tenant`, `casework provision`, `casework process`: the SharePoint side."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import sys
from dataclasses import replace
from pathlib import Path

from function_app import bootstrap
from function_app.adapters.graph.errors import GraphUnavailableError
from function_app.adapters.state.errors import StateUnavailableError
from function_app.domain.errors import CaseworkError
from function_app.domain.wording import counted
from function_app.services.casework_sweep.sweep_report import SweepReport
from function_app.services.schools.registry import School
from function_app.settings import Settings

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def tenant_command(args: argparse.Namespace) -> int:
    if args.command == "dev-tenant":
        from function_app.devtenant.main import serve

        with contextlib.suppress(KeyboardInterrupt):
            serve(args.data, args.port, args.fault_rate, args.latency_ms)
        return EXIT_OK
    settings = Settings.from_environment()
    if args.site:
        settings = replace(settings, site_url=args.site)
    if args.command == "doctor":
        if settings.serves_many_schools and not args.site:
            return asyncio.run(_doctor_schools(settings, args.school))
        return asyncio.run(_doctor(settings))
    if args.command == "pending":
        return _pending(settings)
    if args.command == "provision" and (args.la_site or args.school or args.all_schools):
        return asyncio.run(_provision_many(settings, args))
    if not settings.site_url and not (settings.serves_many_schools
                                      and args.command == "process"):
        print("casework: say which site: --site https://contoso.sharepoint.com/sites/attendance "
              "or the setting SHAREPOINT_SITE", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.command == "provision":
        return asyncio.run(_provision(settings, args.replace_differing))

    return asyncio.run(_process(settings, args))


async def _doctor(settings: Settings) -> int:
    from function_app.services.doctor.diagnosis import diagnose, format_checks

    checks = await diagnose(settings)
    print(format_checks(checks))
    return EXIT_OK if all(c.ok for c in checks) else EXIT_FAILED


async def _doctor_schools(settings: Settings, only: str | None) -> int:
    """Each school's site checked in turn, by name: a site that is missing or refuses the
    app is said under its school, and the others are checked all the same."""
    schools = await _schools(settings, only)
    worst = EXIT_OK
    for school in schools:
        print(f"== {school.name} ({school.site_url})")
        worst = max(worst, await _doctor(replace(settings, site_url=school.site_url)))
    return worst


async def _schools(settings: Settings, only: str | None) -> list[School]:
    registry = await bootstrap.registry(settings)
    for problem in registry.problems:
        print(f"Schools list: {problem}", file=sys.stderr)
    if only is None:
        return list(registry.schools)
    found = [s for s in registry.schools if s.name.casefold() == only.strip().casefold()]
    if not found:
        names = ", ".join(s.name for s in registry.schools) or "none"
        raise CaseworkError(f"--school: there is no school called {only!r} in the Schools "
                            f"list (it has: {names}).")
    return found


async def _provision_many(settings: Settings, args: argparse.Namespace) -> int:
    from function_app.services.provisioning.list_schema import LA_SITE_SCHEMA_DIR

    if args.la_site:
        if not settings.la_site_url:
            raise CaseworkError("--la-site: set SHAREPOINT_LA_SITE to the LA's own site first.")
        return await _provision(replace(settings, site_url=settings.la_site_url),
                                args.replace_differing, LA_SITE_SCHEMA_DIR)
    worst = EXIT_OK
    for school in await _schools(settings, None if args.all_schools else args.school):
        print(f"== {school.name} ({school.site_url})")
        worst = max(worst, await _provision(replace(settings, site_url=school.site_url),
                                            args.replace_differing))
    return worst


async def _provision(settings: Settings, replace_differing: bool = False,
                     folder: Path | None = None) -> int:
    from function_app.services.provisioning.list_formatting import load_formatting
    from function_app.services.provisioning.list_schema import load_lists
    from function_app.services.provisioning.provision import provision

    lists = load_lists(folder) if folder else load_lists()
    rest = bootstrap.sharepoint_rest(settings)
    try:
        report = await provision(bootstrap.graph_client(settings), lists, rest,
                                 load_formatting(lists) if folder is None else {},
                                 replace_differing)
    finally:
        await rest.aclose()
    for line in report.lines():
        print(line)
    return EXIT_FAILED if report.formatting_failed else EXIT_OK


async def _process(settings: Settings, args: argparse.Namespace) -> int:
    if settings.serves_many_schools:
        return await _process_schools(settings, args)
    graph = bootstrap.graph_client(settings)
    state = bootstrap.state_store(settings)
    processor = bootstrap.processor(settings, graph, state, today=args.today)
    try:
        report = await processor.sweep()
    except (GraphUnavailableError, StateUnavailableError) as exc:
        # Busy or unreachable while reading the lists: nothing was said to be done, and the
        # next run (or the 15-minute timer in Azure) reads the same changes again.
        print(f"casework: {exc}\nNothing was lost: run it again later; the changes will "
              "be read again.", file=sys.stderr)
        return EXIT_FAILED
    finally:
        await processor.close()
    print(summary(report))
    return EXIT_OK


async def _process_schools(settings: Settings, args: argparse.Namespace) -> int:
    """Every school in the LA site's Schools list, each in its own site; a school whose
    site failed is said by name, and the others are processed all the same."""
    from datetime import date

    results = await bootstrap.sweep_every_school(settings, args.today or date.today(),
                                                 socket.gethostname())
    for r in results:
        print(f"== {r.school.name}")
        print(summary(r.report) if r.report is not None else
              f"Not processed: {r.failure}")
    failed = [r for r in results if not r.ok]
    if failed:
        print(f"casework: {counted(len(failed), 'school')} not processed; nothing of theirs "
              "was lost: their changes are read again at the next run.", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _pending(settings: Settings) -> int:
    """What is not finished, from the state store: nothing here names a pupil."""
    from datetime import UTC, datetime

    from function_app.services.casework_sweep.outbox import WAITING_SCOPE
    from function_app.services.casework_sweep.sweep_report import RETRY_SCOPE
    from function_app.services.filing import LEASE_SECONDS

    state = bootstrap.state_store(settings)
    try:
        claims = state.open_claims()
        retries = {k: state.recall(RETRY_SCOPE, k) for k in state.keys(RETRY_SCOPE)}
        waiting = state.keys(WAITING_SCOPE)
    finally:
        closer = getattr(state, "close", None)
        if callable(closer):
            closer()
    now = datetime.now(UTC)
    print(f"{counted(len(claims), 'document')} being made (claimed, not yet filed):")
    for c in claims:
        age = int((now - c.claimed_at).total_seconds())
        free = "free to be taken over" if age >= LEASE_SECONDS else (
            f"taken over after {LEASE_SECONDS - age} s unless its worker finishes")
        print(f"  {c.key}: by {c.owner}, {age} s ago; {free}")
    print(f"{counted(len(retries), 'item')} to be processed again at the next sweep:")
    for key, why in retries.items():
        print(f"  {key}: {why}")
    print(f"{counted(len(waiting), 'Teams alert')} waiting to be posted again:")
    for key in waiting:
        print(f"  {key}")
    return EXIT_OK


def summary(report: SweepReport) -> str:
    lines = [f"{counted(report.changes, 'change')} by staff; "
             f"{counted(len(report.filed), 'document')} filed; "
             f"{report.already_made} already made."]
    lines += [f"  filed: {f.path}" for f in report.filed]
    lines += [f"  needs attention: {where}: {message.splitlines()[0]}"
              for where, message in report.needs_attention.items()]
    lines += [f"  failed, will retry: {where}: {message}"
              for where, message in report.failed.items()]
    lines += [f"  waiting, looked at again next run: {where}: {why}"
              for where, why in report.pending.items()]
    lines += [f"  alert {a.reason} for {a.audience} on {a.case_ref}: {a.outcome}"
              for a in report.alerts]
    if report.letters_approved:
        lines.append(f"  {counted(report.letters_approved, 'letter')} approved with their "
                     "meeting")
    lines += [f"  letter {s.kind} on {s.case_ref}: {s.outcome}" for s in report.letters]
    if report.sending_failed:
        lines.append(f"  sending letters stopped, tried again next run: "
                     f"{report.sending_failed}")
    if report.nothing_new:
        lines.append("Nothing new.")
    return "\n".join(lines)

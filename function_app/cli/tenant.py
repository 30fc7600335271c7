"""`casework dev-tenant`, `casework provision`, `casework process`: the SharePoint side."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from dataclasses import replace

from function_app import bootstrap
from function_app.adapters.graph.errors import GraphUnavailableError
from function_app.adapters.state.errors import StateUnavailableError
from function_app.domain.wording import counted
from function_app.services.casework_sweep.sweep_report import SweepReport
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
        from function_app.services.doctor.diagnosis import diagnose, format_checks

        checks = asyncio.run(diagnose(settings))
        print(format_checks(checks))
        return EXIT_OK if all(c.ok for c in checks) else EXIT_FAILED
    if args.command == "pending":
        return _pending(settings)
    if not settings.site_url:
        print("casework: say which site: --site https://contoso.sharepoint.com/sites/attendance "
              "or the setting SHAREPOINT_SITE", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.command == "provision":
        return asyncio.run(_provision(settings, args.replace_differing))

    return asyncio.run(_process(settings, args))


async def _provision(settings: Settings, replace_differing: bool = False) -> int:
    from function_app.services.provisioning.list_formatting import load_formatting
    from function_app.services.provisioning.list_schema import load_lists
    from function_app.services.provisioning.provision import provision

    lists = load_lists()
    rest = bootstrap.sharepoint_rest(settings)
    try:
        report = await provision(bootstrap.graph_client(settings), lists, rest,
                                 load_formatting(lists), replace_differing)
    finally:
        await rest.aclose()
    for line in report.lines():
        print(line)
    return EXIT_FAILED if report.formatting_failed else EXIT_OK


async def _process(settings: Settings, args: argparse.Namespace) -> int:
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
    if report.nothing_new:
        lines.append("Nothing new.")
    return "\n".join(lines)

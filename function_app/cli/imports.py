"""`casework import attendance FILE`: read an MIS export, assess every pupil, compare with
the school's previous import, and open or update cases in the Cases list.
`casework import payments FILE.csv`: record the LA's penalty notice payments on the
Penalty Notice Register of the LA's site (``services.penalty_notices.payments``).

Registered in ``function_app/cli/__init__.py`` with ``add_parser(commands)``, which
dispatches ``args.command == "import"`` to ``command(args)``. Without --dry-run the cases are
written to the site (--site or the setting SHAREPOINT_SITE); with it, the command says what
it would open and update.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from function_app.cli.common import iso_date
from function_app.domain import DEFAULT_PROFILE, CaseworkError, known_profiles, load_profile
from function_app.domain.attendance import display_percent
from function_app.domain.policy import Profile
from function_app.domain.wording import counted
from function_app.settings import Settings

if TYPE_CHECKING:
    from function_app.imports import ImportResult, PupilAssessment
    from function_app.imports.mapping import Mapping
    from function_app.services.attendance_import.import_cases import CaseChange
    from function_app.services.attendance_import.importer import ImportOutcome

EXIT_OK, EXIT_BAD_INPUT = 0, 2
EXIT_FAILED = 1
NO_LA_SITE = ("say which site holds the Penalty Notice Register: --la-site https://contoso."
              "sharepoint.com/sites/attendance-service or the setting SHAREPOINT_LA_SITE")
NO_SITE = ("say which site the cases go to: --site https://contoso.sharepoint.com/sites/"
           "attendance or the setting SHAREPOINT_SITE (or give --dry-run to write nothing)")


def add_parser(commands: Any) -> argparse.ArgumentParser:
    """Adds `import attendance` to the `casework` subcommands; returns the `import` parser."""
    imp: argparse.ArgumentParser = commands.add_parser(
        "import", help="import data exported from the school's MIS")
    kinds = imp.add_subparsers(dest="import_command", required=True,
                               parser_class=type(imp))
    a = kinds.add_parser(
        "attendance", help="read an attendance export (.xlsx or .csv) and assess every pupil",
        description="Read a summary sheet, session marks (long form) or a register grid "
                    "exported from the MIS; assess every pupil: attendance %, tier, "
                    "persistent and severe absence, penalty notice threshold.")
    a.add_argument("file", type=Path, metavar="FILE", help=".xlsx, .xls, .ods or .csv")
    a.add_argument("--mapping", type=Path, metavar="FILE",
                   help="JSON naming the sheet, shape, header row, columns or local codes "
                        "(see function_app/imports/mapping.py); overrides detection")
    a.add_argument("--profile", metavar="NAME",
                   help=f"policy profile (default {DEFAULT_PROFILE}). "
                        f"Known: {', '.join(known_profiles())}")
    a.add_argument("--today", type=iso_date, metavar="YYYY-MM-DD",
                   help="marks after this day are not counted (default: today)")
    a.add_argument("--dry-run", action="store_true",
                   help="show the mapping, the counts and who would need a case; write nothing")
    a.add_argument("--skip-invalid", action="store_true",
                   help="leave out pupils with a problem instead of rejecting the file")
    a.add_argument("--format", choices=("text", "json"), default="text")
    a.add_argument("--site", metavar="URL",
                   help="the site whose Cases list is written (default: the setting "
                        "SHAREPOINT_SITE); with --dry-run, read to show what would change")
    a.add_argument("--school", metavar="NAME",
                   help="the school's name as on letters (default: the export's School "
                        "column); needed to open cases")
    a.add_argument("--phase", choices=("primary", "secondary", "all_through", "special"),
                   help="the school's phase, recorded on new cases")
    a.add_argument("--urn", metavar="URN", help="the school's URN, recorded on new cases")
    a.add_argument("--pack", type=Path, metavar="FILE.xlsx",
                   help="also write a one-export pack (summary, tiers, charts) to this "
                        "local file, with --dry-run too (which writes nothing to the lists); "
                        "for the termly pack see `casework report targeting`")
    add_payments_parser(kinds)
    return imp


def add_payments_parser(kinds: Any) -> None:
    p = kinds.add_parser(
        "payments", help="record the LA's penalty notice payment file (CSV) on the register",
        description="Read the LA's payment file (CSV with the columns 'Notice number', "
                    "'Amount' and 'Date paid') and record each payment on the Penalty Notice "
                    "Register: Paid on, Amount paid, State and Note. A row with a problem is "
                    "said by its row and column and not recorded; the rest go on. Importing "
                    "the same file again changes nothing. Exit status: 0 every row recorded "
                    "or already recorded, 2 some rows had a problem (or the file or options "
                    "are wrong), 1 some payments could not be written.")
    p.add_argument("file", type=Path, metavar="FILE.csv", help="the payment file")
    p.add_argument("--la-site", metavar="URL",
                   help="the LA's site with the Penalty Notice Register (default: the "
                        "setting SHAREPOINT_LA_SITE); read with --dry-run too")
    p.add_argument("--dry-run", action="store_true",
                   help="check every row and say what would be recorded; write nothing")
    p.add_argument("--profile", metavar="NAME",
                   help=f"policy profile: the amounts and days to pay (default "
                        f"{DEFAULT_PROFILE}). Known: {', '.join(known_profiles())}")
    p.add_argument("--today", type=iso_date, metavar="YYYY-MM-DD",
                   help="the day the register stands on (default: today)")


def payments_command(args: argparse.Namespace) -> int:
    """Runs `casework import payments`; 0 done, 2 a row or the file or the options are
    wrong, 1 some payments could not be written."""
    from function_app import bootstrap
    from function_app.services.penalty_notices.payments import import_payments

    settings = Settings.from_environment()
    site = args.la_site or settings.la_site_url
    if not site:
        print(f"casework: {NO_LA_SITE}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        profile = load_profile(args.profile or DEFAULT_PROFILE)
        graph = bootstrap.graph_client(settings, site_url=site)
        report = asyncio.run(import_payments(graph, args.file, profile,
                                             args.today or date.today(),
                                             dry_run=args.dry_run))
    except CaseworkError as exc:
        print(f"casework: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(report.to_text(), end="")
    return (EXIT_FAILED if report.failed else EXIT_BAD_INPUT if report.problems
            else EXIT_OK)


def command(args: argparse.Namespace) -> int:
    """Runs `casework import attendance`; 0 done, 2 the file or the options are wrong, 1 some
    cases could not be written."""
    from function_app.imports import ImportRejected
    from function_app.imports.mapping import load_mapping

    if getattr(args, "import_command", "") == "payments":
        return payments_command(args)
    settings = Settings.from_environment()
    if args.site:
        settings = replace(settings, site_url=args.site)
    if not args.dry_run and not settings.site_url:
        print(f"casework: {NO_SITE}", file=sys.stderr)
        return EXIT_BAD_INPUT
    today = args.today or date.today()
    try:
        profile = load_profile(args.profile or DEFAULT_PROFILE)
        mapping = load_mapping(args.mapping) if args.mapping else None
        outcome = asyncio.run(_run(args, settings, profile, mapping, today))
    except ImportRejected as exc:
        if args.format == "json":
            print(json.dumps({"ok": False, "headers_seen": list(exc.seen_headers),
                              "problems": [p.to_json() for p in exc.problems]}, indent=2,
                             ensure_ascii=False))
        print(f"casework: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except CaseworkError as exc:
        print(f"casework: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    report = build_report(outcome.result, outcome.assessed, profile, args.dry_run)
    report |= cases_report(outcome)
    if args.pack is not None:
        from function_app.imports.pack import write_pack

        report["pack"] = str(write_pack(args.pack, outcome.result, outcome.assessed, profile,
                                        today))
    if args.format == "json":
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(to_text(report), end="")
    return EXIT_FAILED if report["cases"].get("failed") else EXIT_OK


async def _run(args: argparse.Namespace, settings: Settings, profile: Profile,
               mapping: Mapping | None, today: date) -> ImportOutcome:
    from function_app import bootstrap
    from function_app.services.attendance_import.import_cases import SchoolDetails
    from function_app.services.attendance_import.importer import import_attendance

    school = SchoolDetails(args.school or "", args.phase or "", args.urn or "",
                           profile.name)
    cases = (bootstrap.cases_list(bootstrap.graph_client(settings)) if settings.site_url
             else None)
    # A dry run reads the previous imports where they are kept, and creates nothing.
    keep = (not args.dry_run or bool(settings.state_connection)
            or settings.state_path.is_file())
    history = bootstrap.state_store(settings) if keep else None
    try:
        return await import_attendance(args.file, profile, today, school, mapping=mapping,
                                       skip_invalid=args.skip_invalid, cases=cases,
                                       history=history, dry_run=args.dry_run)
    finally:
        if history is not None:
            history.close()


def cases_report(outcome: ImportOutcome) -> dict[str, Any]:
    """The trend per pupil and what was (or would be) done to the Cases list."""
    from function_app.services.attendance_import.import_history import change

    trend = {}
    for a in outcome.assessed:
        moved = change(a, outcome.previous.get(a.pupil.key))
        if moved is not None:
            trend[a.pupil.key] = round(float(moved), 1)
    out: dict[str, Any] = {"school": outcome.school.name, "trend": trend,
                           "compared_with_previous": len(trend)}
    plan, written = outcome.plan, outcome.written
    if plan is None:
        out["cases"] = {"site": False}
        return out

    def entry(change_: CaseChange, problem: str = "") -> dict[str, Any]:
        p = change_.pupil
        return {"case_ref": change_.case_ref, "upn": p.upn,
                "admission_number": p.admission_number, "name": p.display_name,
                "columns": sorted(change_.fields) if change_.item_id else [],
                **({"problem": problem} if problem else {})}

    out["cases"] = {
        "site": True,
        "opened" if written else "would_open": [
            entry(c) for c in (written.opened if written else plan.to_open)],
        "updated" if written else "would_update": [
            entry(c) for c in (written.updated if written else plan.to_update)],
        "failed": [entry(c, why) for c, why in written.failed] if written else [],
        "up_to_date": plan.up_to_date, "later_figures_on_case": plan.later_on_case,
        "cannot_open": [{"upn": a.pupil.upn, "admission_number": a.pupil.admission_number,
                         "name": a.pupil.display_name, "row": a.pupil.row, "reason": why}
                        for a, why in plan.cannot_open],
        "closed_again": [{"case_ref": ref, "upn": a.pupil.upn,
                          "admission_number": a.pupil.admission_number,
                          "name": a.pupil.display_name, "tier": a.tier.tier if a.tier else None,
                          "attendance": display_percent(a.percent)
                          if a.percent is not None else None, "shown": a.shown}
                         for a, ref in plan.closed_again],
    }
    return out


def build_report(result: ImportResult, assessed: list[PupilAssessment], profile: Profile,
                 dry_run: bool
                 ) -> dict[str, Any]:
    from function_app.imports.model import SHAPE_TITLES

    tiers = Counter(a.tier.tier for a in assessed if a.tier is not None)
    marks_known = any(a.threshold is not None for a in assessed)
    cases = [a for a in assessed if a.needs_case]
    return {
        "ok": True,
        "dry_run": dry_run,
        "written": not dry_run,
        "source": result.source, "sheet": result.sheet, "shape": result.shape,
        "shape_title": SHAPE_TITLES[result.shape], "header_row": result.header_row,
        "mapping": result.mapping, "profile": profile.name,
        "pupils": len(assessed),
        "not_assessed": [_pupil(a) for a in assessed if a.tier is None],
        "tiers": [{"tier": b.tier, "label": b.label, "pupils": tiers.get(b.tier, 0)}
                  for b in profile.tier_bands],
        "persistently_absent": sum(a.persistently_absent for a in assessed),
        "severely_absent": sum(a.severely_absent for a in assessed),
        "penalty_threshold_reached": (sum(bool(a.threshold and a.threshold.reached)
                                          for a in assessed) if marks_known else None),
        "marks_after_today_ignored": result.ignored_after_today,
        "need_a_case": [_pupil(a) for a in cases],
        "skipped": [p.to_json() for p in result.skipped],
    }


def _pupil(a: PupilAssessment) -> dict[str, Any]:
    p = a.pupil
    threshold = a.threshold
    return {
        "upn": p.upn, "admission_number": p.admission_number, "name": p.display_name,
        "legal_forename": p.legal_forename, "legal_surname": p.legal_surname,
        "year_group": p.year_group, "reg_group": p.reg_group, "row": p.row,
        "possible": p.figures.possible_sessions if p.figures else None,
        "present": p.figures.present_sessions if p.figures else None,
        "late": p.late,
        "percent": display_percent(a.percent) if a.percent is not None else None,
        "shown": a.shown,
        "tier": a.tier.tier if a.tier else None,
        "persistently_absent": a.persistently_absent, "severely_absent": a.severely_absent,
        "penalty_threshold": None if threshold is None else {
            "reached": threshold.reached, "sessions": threshold.sessions,
            "school_weeks": threshold.school_weeks,
            "window_start": threshold.window_start.isoformat()
            if threshold.window_start else None,
            "window_end": threshold.window_end.isoformat() if threshold.window_end else None},
    }


def to_text(r: dict[str, Any]) -> str:
    lines = [f"Read {r['source']}, sheet {r['sheet']!r}: {r['shape_title']}, header on row "
             f"{r['header_row']}.", "Mapping:"]
    lines += [f"  {name:<20} <- {where}" for name, where in r["mapping"].items()]
    lines.append(f"Profile: {r['profile']}. Pupils: {r['pupils']}.")
    lines += [f"  Tier {t['tier']} ({t['label']}): {t['pupils']}" for t in r["tiers"]]
    if r["not_assessed"]:
        lines.append(f"  Not assessed (no possible sessions): {len(r['not_assessed'])}")
    lines.append(f"Persistently absent: {r['persistently_absent']}")
    lines.append(f"Severely absent: {r['severely_absent']}")
    if r["penalty_threshold_reached"] is not None:
        lines.append(f"Penalty notice threshold reached: {r['penalty_threshold_reached']}")
    if r["marks_after_today_ignored"]:
        lines.append(f"Marks dated after today, not counted: {r['marks_after_today_ignored']}")
    lines.append(f"Would need a case (Tier 2 and below, or severely absent): "
                 f"{len(r['need_a_case'])}")
    width = max((len(p["shown"]) for p in r["need_a_case"]), default=0)
    for p in r["need_a_case"]:
        flags = [f for f, on in (("persistent", p["persistently_absent"]),
                                 ("severe", p["severely_absent"])) if on]
        threshold = p["penalty_threshold"]
        if threshold and threshold["reached"]:
            flags.append(f"penalty notice threshold ({threshold['sessions']} sessions in "
                         f"{threshold['school_weeks']} school weeks)")
        year = f"Y{p['year_group']}" if p["year_group"] else ""
        moved = r.get("trend", {}).get(p["upn"] or f"adno:{p['admission_number']}")
        if moved is not None:
            flags.append(f"{moved:+.1f} points since the previous import")
        lines.append(f"  {p['upn'] or p['admission_number']:<14} {p['name']:<28} "
                     f"{year:<4} {p['reg_group']:<6} {p['shown']:>{width}}  Tier {p['tier']}"
                     + (f"  {', '.join(flags)}" if flags else ""))
    if r.get("compared_with_previous"):
        down = sum(1 for v in r["trend"].values() if v < 0)
        up = sum(1 for v in r["trend"].values() if v > 0)
        lines.append(f"Against the previous import of this school: {r['compared_with_previous']}"
                     f" pupils compared, {up} up, {down} down.")
    if r["skipped"]:
        lines.append(f"Left out (--skip-invalid), {counted(len(r['skipped']), 'problem')}:")
        lines += [f"  - sheet {s['sheet']!r}, row {s['row']}, column {s['column']}: "
                  f"{s['message']}" for s in r["skipped"]]
    if r.get("pack"):
        lines.append(f"Targeting pack written to {r['pack']}.")
    lines += _cases_text(r)
    lines.append("Dry run: nothing was written." if r["dry_run"] else "Done.")
    return "\n".join(lines) + "\n"


def _cases_text(r: dict[str, Any]) -> list[str]:
    cases = r.get("cases", {})
    if not cases.get("site"):
        return ["Cases: no site given, so the Cases list was not read (give --site to see "
                "which cases would open)."]
    dry = r["dry_run"]
    opened = cases["would_open" if dry else "opened"]
    updated = cases["would_update" if dry else "updated"]
    lines = [f"Cases at {r['school'] or 'the school'}: "
             f"{'would open' if dry else 'opened'} {len(opened)}, "
             f"{'would update' if dry else 'updated'} the attendance columns of "
             f"{len(updated)}; {cases['up_to_date']} already up to date."]
    lines += [f"  {'would open' if dry else 'opened'} {c['case_ref']}  "
              f"{c['upn'] or c['admission_number']:<14} {c['name']}" for c in opened]
    lines += [f"  {'would update' if dry else 'updated'} {c['case_ref']}  "
              f"{c['upn'] or c['admission_number']:<14} ({', '.join(c['columns'])})"
              for c in updated]
    if cases["later_figures_on_case"]:
        later = counted(cases["later_figures_on_case"], "case")
        lines.append(f"  {later} already hold figures to a later day: left as they are.")
    for c in cases["cannot_open"]:
        lines.append(f"  cannot open a case for {c['upn'] or c['admission_number']} (row "
                     f"{c['row']}): {c['reason']}")
    for c in cases["closed_again"]:
        lines.append(f"  {c['case_ref']} is closed, and {c['upn'] or c['admission_number']} "
                     f"meets the criteria again, Tier {c['tier']} at {c['shown']}: left as "
                     "it is; reopen it or open a new case if staff agree.")
    for c in cases["failed"]:
        lines.append(f"  NOT written: {c['case_ref']} {c['upn'] or c['admission_number']}: "
                     f"{c['problem']}")
    return lines

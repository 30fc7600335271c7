"""`casework report targeting --from DIR_OR_FILES --out DIR`: the termly targeting-support
pack (seeds 003 and 004) from the schools' MIS exports; `casework report penalty-notices
--out DIR`: the LA's penalty notice figures per term and school, and the DfE return's CSV,
from the LA site's lists (issue 19).

Registered in ``function_app/cli/__init__.py`` with ``add_parser(commands)``, which
dispatches ``args.command == "report"`` to ``command(args)``.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from function_app.cli.common import iso_date
from function_app.domain import DEFAULT_PROFILE, CaseworkError, known_profiles, load_profile
from function_app.domain.wording import counted
from function_app.domain.wording import day as say_day

if TYPE_CHECKING:
    from function_app.imports.mapping import Mapping
    from function_app.imports.targeting import Export

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def add_parser(commands: Any) -> argparse.ArgumentParser:
    """Adds `report targeting` to the `casework` subcommands; returns the `report` parser."""
    rep: argparse.ArgumentParser = commands.add_parser(
        "report", help="reports for the local authority from the schools' exports")
    kinds = rep.add_subparsers(dest="report_command", required=True, parser_class=type(rep))
    t = kinds.add_parser(
        "targeting", help="the termly targeting-support pack: a workbook per school, one for "
                          "every school, and a school on a page for each",
        description="Read every MIS attendance export given (the .xlsx, .xls, .ods and .csv "
                    "files in a folder and its sub-folders, leaving out the app's own "
                    "packs, or the files named), group them by school, and write "
                    "for each school a workbook (summary, cohorts, trend charts, pupils "
                    "needing an agreed plan, pupils) and a one-page .docx, and a workbook "
                    "for every school together with which schools have termly targeting "
                    "meetings (seed 003).")
    t.add_argument("--from", dest="sources", nargs="+", required=True, type=Path,
                   metavar="DIR_OR_FILE", help="folders of exports (their sub-folders too), or "
                                               "export files; several exports of a school "
                                               "give its trend")
    t.add_argument("--out", type=Path, required=True, metavar="DIR",
                   help="where the workbooks and pages are written")
    t.add_argument("--profile", metavar="NAME",
                   help=f"policy profile (default {DEFAULT_PROFILE}). "
                        f"Known: {', '.join(known_profiles())}")
    t.add_argument("--today", type=iso_date, metavar="YYYY-MM-DD",
                   help="the date the pack is made on; marks after it are not counted "
                        "(default: today)")
    t.add_argument("--mapping", type=Path, metavar="FILE",
                   help="JSON naming the columns, for exports whose headers are not "
                        "recognised (the same for every file)")
    t.add_argument("--skip-invalid", action="store_true",
                   help="leave out pupils with a problem instead of rejecting the file")
    _add_penalty_notices(kinds)
    return rep


def _add_penalty_notices(kinds: Any) -> None:
    p = kinds.add_parser(
        "penalty-notices", help="the LA's penalty notice figures per term and school, and "
                                "the CSV for the DfE's return",
        description="Read the LA site's Penalty Notice Requests and Penalty Notice Register "
                    "(SHAREPOINT_LA_SITE) and write a workbook of the figures per term, "
                    "school and reason (requested, issued, paid within 21 and 28 days, "
                    "withdrawn, unpaid, prosecuted), a CSV for the DfE's return and a note "
                    "on how its figures are counted (docs/penalty-notices.md).")
    p.add_argument("--out", type=Path, required=True, metavar="DIR",
                   help="where the workbook, the CSV and its note are written")
    p.add_argument("--today", type=iso_date, metavar="YYYY-MM-DD",
                   help="the day the notices' standing is worked out on (default: today)")
    p.add_argument("--profile", metavar="NAME",
                   help=f"policy profile: the amounts and days to pay (default "
                        f"{DEFAULT_PROFILE}). Known: {', '.join(known_profiles())}")
    p.add_argument("--la-code", default="", metavar="CODE",
                   help="the LA's code for the DfE CSV's new_la_code (e.g. E10000014)")
    p.add_argument("--la-name", default="", metavar="NAME",
                   help="the LA's name for the DfE CSV's la_name")


def command(args: argparse.Namespace) -> int:
    """Runs `casework report targeting` or `penalty-notices`; 0 done, 2 the exports or the
    options are wrong, 1 the LA site could not be read."""
    if args.report_command == "penalty-notices":
        return _penalty_notices(args)
    from function_app.imports import ImportRejected
    from function_app.imports.found import find_exports
    from function_app.imports.mapping import load_mapping

    today = args.today or date.today()
    found = find_exports(args.sources, args.out)
    files = found.exports
    if found.missing:
        print("casework: there is no file or folder here: "
              f"{', '.join(map(str, found.missing))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if not files:
        print("casework: no exports (.xlsx, .xls, .ods or .csv) in "
              f"{', '.join(map(str, args.sources))} (sub-folders included)"
              + "".join(f"\n{line}" for line in found.describe()), file=sys.stderr)
        return EXIT_BAD_INPUT
    print("\n".join(found.describe()))
    try:
        profile = load_profile(args.profile or DEFAULT_PROFILE)
        mapping = load_mapping(args.mapping) if args.mapping else None
    except CaseworkError as exc:
        print(f"casework: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    exports, rejected = [], []
    for path in files:
        try:
            exports.append(_export(path, mapping, args.skip_invalid, today, profile))
        except ImportRejected as exc:
            rejected.append(f"{path}: {exc}")
    if rejected:
        print("casework: the pack was not made; these exports cannot be read:\n"
              + "\n".join(rejected), file=sys.stderr)
        return EXIT_BAD_INPUT
    print(_write(exports, profile, today, args.out), end="")
    return EXIT_OK


def _export(path: Path, mapping: Mapping | None, skip_invalid: bool, today: date,
            profile: Any) -> Export:
    from function_app.imports import assess_pupils, read_attendance
    from function_app.imports.targeting import Export, export_day, school_name

    result = read_attendance(path, mapping, skip_invalid=skip_invalid, today=today)
    return Export(path, school_name(result, path), result,
                  tuple(assess_pupils(result.pupils, profile)), export_day(result, path))


def _write(exports: list[Export], profile: Any, today: date, out: Path) -> str:
    from function_app.documents.naming import safe_name
    from function_app.imports.school_page import overall_figure, school_page
    from function_app.imports.targeting import by_period, by_school, long_date
    from function_app.imports.targeting_pack import la_pack, periods_differ, school_pack
    from function_app.services.files import write_atomically
    from function_app.settings import Settings

    templates = Settings.from_environment().templates_dir
    schools = by_school(exports)
    lines = [f"Targeting-support pack from {counted(len(exports), 'export')} of "
             f"{counted(len(schools), 'school')}, made on {long_date(today)} ({profile.name}):"]
    for s in schools:
        f = s.latest.figures
        reasons = s.targeting_reasons()
        lines.append(f"  {s.name}: {s.phase}, {f.pupils} pupils, overall {overall_figure(f)} "
                     f"to {s.latest.label} ({counted(len(s.exports), 'export')}); termly targeting "
                     f"meeting: {'yes, ' + '; '.join(reasons) if reasons else 'no'}")
        book = write_atomically(out / f"{safe_name(s.name)} targeting pack.xlsx",
                                school_pack(s, profile, today))
        page = write_atomically(out / f"{safe_name(s.name)} school on a page.docx",
                                school_page(s, profile, today, templates))
        lines += [f"    {book}", f"    {page}"]
    la = write_atomically(out / "All schools targeting pack.xlsx",
                          la_pack(schools, profile, today))
    lines.append(f"Every school: {la}")
    periods = by_period(schools)
    if len(periods) > 1:
        lines.append(f"  {periods_differ(periods)}")
    return "\n".join(lines) + "\n"


def _penalty_notices(args: argparse.Namespace) -> int:
    import asyncio

    from function_app import bootstrap
    from function_app.adapters.graph.errors import GraphUnavailableError
    from function_app.services.files import write_atomically
    from function_app.services.penalty_notices import report as pn
    from function_app.settings import Settings

    settings = Settings.from_environment()
    if not settings.la_site_url:
        print("casework: say which is the LA's site: the setting SHAREPOINT_LA_SITE, e.g. "
              "https://contoso.sharepoint.com/sites/attendance-la", file=sys.stderr)
        return EXIT_BAD_INPUT
    today = args.today or date.today()
    profile = load_profile(args.profile or DEFAULT_PROFILE)

    async def read() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        graph = bootstrap.graph_client(settings, site_url=settings.la_site_url)
        try:
            return await pn.read_rows(graph)
        finally:
            await graph.aclose()

    try:
        requests, register = asyncio.run(read())
    except pn.ListMissing as exc:
        print(f"casework: the LA's site has no list {exc}; run `casework provision --la-site` "
              "first.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except GraphUnavailableError as exc:
        print(f"casework: {exc}\nNothing was written: run it again later.", file=sys.stderr)
        return EXIT_FAILED
    report = pn.build_report(requests, register, profile, today)
    stem = f"Penalty notices {today.isoformat()}"
    csv_name = f"DfE return penalty notices {today.isoformat()}.csv"
    book = write_atomically(args.out / f"{stem}.xlsx", pn.workbook(report))
    data = write_atomically(args.out / csv_name,
                            pn.dfe_csv(report, args.la_code, args.la_name))
    note = write_atomically(args.out / f"DfE return penalty notices {today.isoformat()} - "
                            "read me.txt", pn.dfe_note(report, csv_name))
    print(f"Penalty notices on {say_day(today)}: "
          f"{counted(len(requests), 'request')}, {counted(len(report.notices), 'notice')} "
          f"on the register, {counted(len(report.terms), 'term')}:")
    print("\n".join(pn.summary_lines(report)))
    if report.to_check:
        print(f"  {counted(len(report.to_check), 'notice')} with a State on the register "
              "that differs from their dates and amounts paid: see the Notices sheet.")
    for why in report.left_out:
        print(f"  Not counted: {why}")
    print(f"  {book}\n  {data}\n  {note}")
    return EXIT_OK

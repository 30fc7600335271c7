"""`casework report targeting --from DIR_OR_FILES --out DIR`: the termly targeting-support
pack (seeds 003 and 004) from the schools' MIS exports.

Register it in ``cli.py`` with ``add_parser(commands)`` and dispatch ``args.command ==
"report"`` to ``command(args)``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from function_app.cli_common import iso_date
from function_app.domain import DEFAULT_PROFILE, CaseworkError, known_profiles, load_profile
from function_app.domain.wording import counted

if TYPE_CHECKING:
    from function_app.imports.mapping import Mapping
    from function_app.imports.targeting import Export

EXIT_OK, EXIT_BAD_INPUT = 0, 2
EXPORT_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv")


def add_parser(commands: Any) -> argparse.ArgumentParser:
    """Adds `report targeting` to the `casework` subcommands; returns the `report` parser."""
    rep: argparse.ArgumentParser = commands.add_parser(
        "report", help="reports for the local authority from the schools' exports")
    kinds = rep.add_subparsers(dest="report_command", required=True, parser_class=type(rep))
    t = kinds.add_parser(
        "targeting", help="the termly targeting-support pack: a workbook per school, one for "
                          "every school, and a school on a page for each",
        description="Read every MIS attendance export given (a folder's .xlsx, .xls, .ods "
                    "and .csv files, or the files named), group them by school, and write "
                    "for each school a workbook (summary, cohorts, trend charts, pupils "
                    "needing an agreed plan, pupils) and a one-page .docx, and a workbook "
                    "for every school together with which schools have termly targeting "
                    "meetings (seed 003).")
    t.add_argument("--from", dest="sources", nargs="+", required=True, type=Path,
                   metavar="DIR_OR_FILE", help="folders of exports, or export files; several "
                                               "exports of a school give its trend")
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
    return rep


def exports_in(sources: Sequence[Path]) -> list[Path]:
    """The export files named, and those in the folders named (not their sub-folders)."""
    found: list[Path] = []
    for source in sources:
        if source.is_dir():
            found += sorted(p for p in source.iterdir() if p.is_file()
                            and p.suffix.lower() in EXPORT_SUFFIXES
                            and not p.name.startswith(("~$", ".")))
        else:
            found.append(source)
    return found


def command(args: argparse.Namespace) -> int:
    """Runs `casework report targeting`; 0 done, 2 the exports or the options are wrong."""
    from function_app.imports import ImportRejected
    from function_app.imports.mapping import load_mapping

    today = args.today or date.today()
    files = exports_in(args.sources)
    if not files:
        print("casework: no exports found (.xlsx, .xls, .ods or .csv) in "
              f"{', '.join(map(str, args.sources))}", file=sys.stderr)
        return EXIT_BAD_INPUT
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
            rejected.append(f"{path.name}: {exc}")
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
    from function_app.imports.school_page import school_page
    from function_app.imports.targeting import by_school, long_date, shown
    from function_app.imports.targeting_pack import la_pack, school_pack
    from function_app.services.files import write_atomically
    from function_app.settings import Settings

    templates = Settings.from_environment().templates_dir
    schools = by_school(exports)
    lines = [f"Targeting-support pack from {len(exports)} exports of {len(schools)} schools, "
             f"made on {long_date(today)} ({profile.name}):"]
    for s in schools:
        f = s.latest.figures
        reasons = s.targeting_reasons()
        lines.append(f"  {s.name}: {s.phase}, {f.pupils} pupils, overall {shown(f.overall)} "
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
    return "\n".join(lines) + "\n"

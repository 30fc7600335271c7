"""`casework import attendance FILE`: read an MIS export and assess every pupil.

Register it in ``cli.py`` with ``add_parser(commands)`` and dispatch ``args.command ==
"import"`` to ``command(args)``. Writing cases to the SharePoint lists is not built yet:
without --dry-run the command says so and writes nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from function_app.cli_common import iso_date
from function_app.domain import DEFAULT_PROFILE, CaseworkError, known_profiles, load_profile
from function_app.domain.attendance import display_percent
from function_app.domain.policy import Profile

if TYPE_CHECKING:
    from function_app.imports import ImportResult, PupilAssessment

EXIT_OK, EXIT_BAD_INPUT = 0, 2
NOT_BUILT = "writing cases to the lists is not built yet: no case was written to the lists."


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
    a.add_argument("--pack", type=Path, metavar="FILE.xlsx",
                   help="also write the targeting pack (summary, tiers, charts) to this "
                        "local file; not with --dry-run, which writes nothing")
    return imp


def command(args: argparse.Namespace) -> int:
    """Runs `casework import attendance`; 0 done, 2 the file or the options are wrong."""
    from function_app.imports import ImportRejected, assess_pupils, read_attendance
    from function_app.imports.mapping import load_mapping

    if args.pack is not None and args.dry_run:
        print("casework: --dry-run writes nothing: leave it out to write --pack",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    today = args.today or date.today()
    try:
        profile = load_profile(args.profile or DEFAULT_PROFILE)
        mapping = load_mapping(args.mapping) if args.mapping else None
        result = read_attendance(args.file, mapping, skip_invalid=args.skip_invalid,
                                 today=today)
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
    assessed = assess_pupils(result.pupils, profile)
    report = build_report(result, assessed, profile, args.dry_run)
    if args.pack is not None:
        from function_app.imports.pack import write_pack

        report["pack"] = str(write_pack(args.pack, result, assessed, profile, today))
    if args.format == "json":
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(to_text(report), end="")
    return EXIT_OK


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
        "written": False,
        "note": "" if dry_run else NOT_BUILT,
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
    for p in r["need_a_case"]:
        flags = [f for f, on in (("persistent", p["persistently_absent"]),
                                 ("severe", p["severely_absent"])) if on]
        threshold = p["penalty_threshold"]
        if threshold and threshold["reached"]:
            flags.append(f"penalty notice threshold ({threshold['sessions']} sessions in "
                         f"{threshold['school_weeks']} school weeks)")
        year = f"Y{p['year_group']}" if p["year_group"] else ""
        lines.append(f"  {p['upn'] or p['admission_number']:<14} {p['name']:<28} "
                     f"{year:<4} {p['reg_group']:<6} {p['percent']:>6}  Tier {p['tier']}"
                     + (f"  {', '.join(flags)}" if flags else ""))
    if r["skipped"]:
        lines.append(f"Left out (--skip-invalid), {len(r['skipped'])} problem(s):")
        lines += [f"  - sheet {s['sheet']!r}, row {s['row']}, column {s['column']}: "
                  f"{s['message']}" for s in r["skipped"]]
    if r.get("pack"):
        lines.append(f"Targeting pack written to {r['pack']}.")
    lines.append("Dry run: nothing was written." if r["dry_run"] else r["note"])
    return "\n".join(lines) + "\n"

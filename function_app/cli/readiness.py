"""`casework readiness`: is a case ready for legal intervention, and if not, what is missing.

A report, so it exits 0 whether the case is ready or not, and says plainly what is missing;
2 when the input or the command line is wrong (as `casework assess` does). Register it in
``function_app/cli/__init__.py`` with ``add_parser(commands)`` and dispatch ``command(args)``.

The JSON names parents (the evidence is for the Lead Officer for Legal Intervention, who
needs them); `casework assess --format json` does not.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from function_app.cli.common import add_case_options
from function_app.domain import DEFAULT_PROFILE, CaseworkError, load_profile
from function_app.domain.readiness import Readiness, readiness
from function_app.domain.wording import counted, day

EXIT_OK, EXIT_BAD_INPUT = 0, 2
SCHEMA_VERSION = 1


def add_parser(commands: Any) -> argparse.ArgumentParser:
    """Add the `readiness` subcommand to an argparse subparsers object and return it."""
    r: argparse.ArgumentParser = commands.add_parser(
        "readiness", help="is a case ready for legal intervention: each step found or missing",
        description="Check the steps a case needs before legal intervention (the warning "
                    "letter or Notice to Improve, meetings and reviews, plans sent, pupil "
                    "voice, support offered, the attendance record, penalty notices issued, "
                    "final year, Education Supervision Order), with what to do for each "
                    "missing one.")
    add_case_options(r, "check on")
    return r


def command(args: argparse.Namespace) -> int:
    """Run `casework readiness`: 0 with the report (ready or not), 2 for bad input."""
    from function_app.services.case_files.case_input import read_case_path

    try:
        case = read_case_path(Path(args.input))
        profile = load_profile(args.profile or case.profile or DEFAULT_PROFILE)
        result = readiness(case, profile, args.today or date.today())
    except CaseworkError as exc:
        print(f"casework: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.format == "json":
        print(json.dumps(to_json(result), indent=2, ensure_ascii=False))
    else:
        print(to_text(result), end="")
    return EXIT_OK


def to_json(r: Readiness) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "case_ref": r.case_ref,
        "profile": r.profile,
        "today": r.today.isoformat(),
        "ready": r.ready,
        "missing": [s.code for s in r.missing if s.required],
        "cautions": [s.code for s in r.missing if not s.required],
        "steps": [
            {"code": s.code, "title": s.title, "found": s.found, "required": s.required,
             "evidence": s.evidence, "what_to_do": s.what_to_do, "source": s.source}
            for s in r.steps
        ],
    }


def to_text(r: Readiness) -> str:
    required_missing = [s for s in r.missing if s.required]
    lines = [f"Case {r.case_ref}: readiness for legal intervention on {day(r.today)} "
             f"(profile {r.profile})", ""]
    if r.ready:
        lines.append("READY: every required step is evidenced.")
    else:
        lines.append(f"NOT READY: {counted(len(required_missing), 'required step')} missing: "
                     + ", ".join(s.title for s in required_missing) + ".")
    lines.append("")
    for s in r.steps:
        mark = "found" if s.found else ("MISSING" if s.required else "CAUTION")
        lines.append(f"[{mark}] {s.title}")
        lines.append(f"    Evidence: {s.evidence}")
        if s.what_to_do:
            lines.append(f"    What to do: {s.what_to_do}")
        lines.append(f"    Source: {s.source}")
    return "\n".join(lines) + "\n"



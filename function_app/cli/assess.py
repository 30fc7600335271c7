"""`casework assess` and `casework profiles`: what the guidance says happens next for one
case file, and the policy profiles it can be assessed under."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

from function_app.cli.common import add_case_options
from function_app.domain import DEFAULT_PROFILE, assess, known_profiles, load_profile

EXIT_OK = 0


def add_parsers(commands: Any) -> None:
    """Add `assess` and `profiles` to the `casework` subcommands."""
    a = commands.add_parser(
        "assess", help="what the guidance says happens next for one case",
        description="Assess one case: attendance, tier, flags, penalty notice threshold, "
                    "meetings, next steps and warnings, under a policy profile.")
    add_case_options(a, "assess on")
    commands.add_parser("profiles", help="list the policy profiles")


def profiles_command(args: argparse.Namespace) -> int:
    for name in known_profiles():
        print(f"{name}: {load_profile(name).title}")
    return EXIT_OK


def command(args: argparse.Namespace) -> int:
    from function_app.services.case_files.assessment_report import to_json, to_text
    from function_app.services.case_files.case_input import read_case_path

    case = read_case_path(Path(args.input))
    profile = load_profile(args.profile or case.profile or DEFAULT_PROFILE)
    result = assess(case, profile, args.today or date.today())
    if args.format == "json":
        print(json.dumps(to_json(result), indent=2, ensure_ascii=False))
    else:
        print(to_text(result), end="")
    return EXIT_OK

"""What the `casework` commands share: dates on the command line, and the options of a
command that reads one case file."""

from __future__ import annotations

import argparse
from datetime import date

from function_app.domain import DEFAULT_PROFILE, known_profiles


def iso_date(value: str) -> date:
    """An argparse type: a date written as YYYY-MM-DD, or a clear usage error."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date written as YYYY-MM-DD, got {value!r}") from None


def add_case_options(parser: argparse.ArgumentParser, on: str) -> None:
    """--input, --profile, --today and --format, as `assess` and `readiness` take them;
    ``on`` says what the date is for ("assess on", "check on")."""
    parser.add_argument("--input", required=True, metavar="CASE.json",
                        help="the case file (schema: "
                             "function_app/schemas/case-input.schema.json)")
    parser.add_argument("--profile", metavar="NAME",
                        help=f"policy profile; default: the case file's, else "
                             f"{DEFAULT_PROFILE}. Known: {', '.join(known_profiles())}")
    parser.add_argument("--today", type=iso_date, metavar="YYYY-MM-DD",
                        help=f"the date to {on} (default: today)")
    parser.add_argument("--format", choices=("text", "json"), default="text")

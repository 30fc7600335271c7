"""The `casework` command.

Exit codes: 0 done; 2 the input or the command line is wrong (the message says what and
where); 1 something failed that is not the user's doing.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from function_app.domain import DEFAULT_PROFILE, CaseworkError, assess, known_profiles, load_profile
from function_app.domain.errors import InvalidCaseError, Problem

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"casework: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="casework", description="Attendance casework for Microsoft 365.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    a = commands.add_parser(
        "assess", help="what the guidance says happens next for one case",
        description="Assess one case: attendance, tier, flags, penalty notice threshold, "
                    "meetings, next steps and warnings, under a policy profile.")
    a.add_argument("--input", required=True, metavar="CASE.json",
                   help="the case file (schema: function_app/schemas/case-input.schema.json)")
    a.add_argument("--profile", metavar="NAME",
                   help=f"policy profile; default: the case file's, else {DEFAULT_PROFILE}. "
                        f"Known: {', '.join(known_profiles())}")
    a.add_argument("--today", type=_iso_date, metavar="YYYY-MM-DD",
                   help="the date to assess on (default: today)")
    a.add_argument("--format", choices=("text", "json"), default="text")
    commands.add_parser("profiles", help="list the policy profiles")
    return parser


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date written as YYYY-MM-DD, got {value!r}") from None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "profiles":
            for name in known_profiles():
                print(f"{name}: {load_profile(name).title}")
            return EXIT_OK
        return _assess(args)
    except CaseworkError as exc:
        print(f"casework: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # a bug of ours: say so plainly, without a traceback
        print(f"casework: something went wrong that is not your doing "
              f"({type(exc).__name__}). Please report it.", file=sys.stderr)
        return EXIT_FAILED


def _assess(args: argparse.Namespace) -> int:
    from function_app.services.assessment_report import to_json, to_text
    from function_app.services.case_input import read_case_file

    path = Path(args.input)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidCaseError([Problem("--input", f"there is no file at {path}")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidCaseError([Problem("--input", f"cannot read {path}: {exc}")]) from None
    case = read_case_file(text)
    profile = load_profile(args.profile or case.profile or DEFAULT_PROFILE)
    result = assess(case, profile, args.today or date.today())
    if args.format == "json":
        print(json.dumps(to_json(result), indent=2, ensure_ascii=False))
    else:
        print(to_text(result), end="")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

"""The `casework` command.

Exit codes: 0 done; 2 the input or the command line is wrong (the message says what and
where); 1 something failed that is not the user's doing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from function_app.cli_common import add_case_options, iso_date
from function_app.domain import DEFAULT_PROFILE, CaseworkError, assess, known_profiles, load_profile

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
    add_case_options(a, "assess on")
    commands.add_parser("profiles", help="list the policy profiles")

    t = commands.add_parser("templates", help="the document templates")
    t_commands = t.add_subparsers(dest="templates_command", required=True, parser_class=_Parser)
    t_commands.add_parser("list", help="the document kinds, one a line, with their titles")
    check = t_commands.add_parser(
        "check", help="check every template: sandbox, variables, sample and hostile text")
    check.add_argument("--dir", type=Path, metavar="DIR",
                       help="a folder of the LA's own templates (default: the setting "
                            "CASEWORK_TEMPLATES_DIR, else only the shipped ones)")

    r = commands.add_parser(
        "render", help="fill a document kind for a case (or for every case in a .jsonl file)")
    r.add_argument("kind", metavar="KIND", help="a document kind: see `casework templates list`")
    r.add_argument("--input", required=True, metavar="CASE.json|CASES.jsonl")
    r.add_argument("--meeting", metavar="ID", help="the meeting the document is about")
    r.add_argument("--profile", metavar="NAME")
    r.add_argument("--today", type=iso_date, metavar="YYYY-MM-DD",
                   help="the date the letters carry (default: today)")
    r.add_argument("--marking", metavar="TEXT",
                   help="protective marking line, e.g. OFFICIAL-SENSITIVE "
                        "(default: the setting CASEWORK_PROTECTIVE_MARKING)")
    r.add_argument("--logo", type=Path, metavar="IMAGE",
                   help="a PNG or JPEG for the letterhead (default: CASEWORK_LOGO)")
    r.add_argument("--templates-dir", type=Path, metavar="DIR",
                   help="the LA's own templates (default: CASEWORK_TEMPLATES_DIR)")
    out = r.add_mutually_exclusive_group(required=True)
    out.add_argument("--out", type=Path, metavar="PATH",
                     help="the file to write; per-carer kinds write one file per carer "
                          "beside it, named after the carer")
    out.add_argument("--out-dir", type=Path, metavar="DIR",
                     help="a folder: one subfolder per case, files named by the catalogue")
    d = commands.add_parser("dev-tenant", help="run the local dev tenant (Microsoft Graph "
                                              "on loopback) until Ctrl-C")
    d.add_argument("--data", type=Path, required=True, metavar="DIR",
                   help="where it keeps its lists and the library's files")
    d.add_argument("--port", type=int, default=8765)
    d.add_argument("--fault-rate", type=float, default=0.0, metavar="R",
                   help="share of requests answered 429, 503 or dropped (0 to 1)")
    d.add_argument("--latency-ms", type=int, default=0, metavar="M")

    p = commands.add_parser("provision", help="create the lists, library, columns, views, "
                                              "formatting, forms and validation the product "
                                              "needs on the site; never deletes")
    p.add_argument("--site", metavar="URL",
                   help="the site, e.g. https://contoso.sharepoint.com/sites/attendance "
                        "(default: the setting SHAREPOINT_SITE)")
    p.add_argument("--site-script", metavar="OUT.json",
                   help="write the equivalent SharePoint site script to this file ('-' for "
                        "standard output) instead of provisioning a site")
    p.add_argument("--replace-differing", action="store_true",
                   help="replace views, formatters, the form and validation that differ from "
                        "the schema's (by default they are reported and left as they are)")

    doc = commands.add_parser("doctor", help="check settings, credentials, the site, its "
                                             "lists and the templates; say what to fix")
    doc.add_argument("--site", metavar="URL", help="default: the setting SHAREPOINT_SITE")

    s = commands.add_parser("process", help="read the lists' changes once and make what "
                                            "they call for")
    s.add_argument("--site", metavar="URL", help="default: the setting SHAREPOINT_SITE")
    s.add_argument("--today", type=iso_date, metavar="YYYY-MM-DD")

    w = commands.add_parser("pending", help="what the casework app has not finished: "
                                            "documents being made, items to try again, "
                                            "Teams alerts waiting")
    w.add_argument("--site", metavar="URL", help="default: the setting SHAREPOINT_SITE")

    demo = commands.add_parser(
        "demo", help="play a term of casework at three fictional schools into a local dev "
                     "tenant and show every document filed",
        description="Start the local dev tenant in WORKSPACE, create the lists, type one "
                    "autumn term of cases, meetings and contacts as staff would, week by "
                    "week, and file the documents each week calls for. Running it again on "
                    "the same workspace makes nothing new.")
    demo.add_argument("--workspace", type=Path, default=Path("casework-demo"), metavar="DIR",
                      help="where the tenant's lists, files and state are kept "
                           "(default: ./casework-demo)")
    from function_app import cli_bundle, cli_imports, cli_readiness, cli_site_script

    cli_site_script.add_parser(commands)
    cli_readiness.add_parser(commands)
    cli_bundle.add_parser(commands)
    cli_imports.add_parser(commands)
    from function_app import cli_reports

    cli_reports.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already explained on stderr
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    try:
        if args.command == "profiles":
            for name in known_profiles():
                print(f"{name}: {load_profile(name).title}")
            return EXIT_OK
        if args.command == "templates":
            from function_app.cli_documents import templates_command

            return templates_command(args)
        if args.command == "render":
            from function_app.cli_documents import render_command

            return render_command(args)
        if args.command == "demo":
            from function_app.demo.runner import demo_command

            return demo_command(args)
        if args.command == "import":
            from function_app.cli_imports import command as import_command

            return import_command(args)
        if args.command == "report":
            from function_app.cli_reports import command as report_command

            return report_command(args)
        if args.command == "readiness":
            from function_app.cli_readiness import command as readiness_command

            return readiness_command(args)
        if args.command == "bundle":
            from function_app.cli_bundle import command as bundle_command

            return bundle_command(args)
        if args.command == "site-script":
            from function_app.cli_site_script import command

            return command(args)
        if args.command == "provision" and args.site_script:
            from function_app.cli_site_script import write_site_script

            return write_site_script(args.site_script)
        if args.command in ("dev-tenant", "provision", "process", "doctor", "pending"):
            from function_app.cli_tenant import tenant_command

            return tenant_command(args)
        return _assess(args)
    except CaseworkError as exc:
        print(f"casework: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # the reader went away (casework demo | head): not a fault
        sys.stdout = Path(os.devnull).open("w")  # noqa: SIM115 - silence the exit flush
        return EXIT_OK
    except Exception as exc:  # a bug of ours: say so plainly, without a traceback
        print(f"casework: something went wrong that is not your doing "
              f"({type(exc).__name__}). Please report it.", file=sys.stderr)
        return EXIT_FAILED


def _assess(args: argparse.Namespace) -> int:
    from function_app.services.assessment_report import to_json, to_text
    from function_app.services.case_input import read_case_path

    case = read_case_path(Path(args.input))
    profile = load_profile(args.profile or case.profile or DEFAULT_PROFILE)
    result = assess(case, profile, args.today or date.today())
    if args.format == "json":
        print(json.dumps(to_json(result), indent=2, ensure_ascii=False))
    else:
        print(to_text(result), end="")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

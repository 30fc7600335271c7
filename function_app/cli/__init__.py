"""The `casework` command: the parser, assembled from the command families, and ``main``.

One module per family: ``assess`` (assess, profiles), ``documents`` (templates, render),
``tenant`` (dev-tenant, provision, doctor, process, pending), ``demo``, ``site_script``,
``readiness``, ``bundle``, ``imports`` (import attendance), ``reports`` (report targeting);
``common`` holds what they share. The parsers of ``documents`` and ``tenant`` are declared
here: those modules load the document engine and Microsoft Graph when imported, and
``casework assess`` or ``--help`` should not wait for them; they are imported only to run.

Exit codes: 0 done; 2 the input or the command line is wrong (the message says what and
where); 1 something failed that is not the user's doing.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from function_app.adapters.log_privacy import protect_logs
from function_app.cli import assess, bundle, demo, imports, readiness, reports, site_script
from function_app.cli.common import iso_date
from function_app.domain import CaseworkError

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"casework: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="casework", description="Attendance casework for Microsoft 365.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    assess.add_parsers(commands)

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
    which = p.add_mutually_exclusive_group()
    which.add_argument("--la-site", action="store_true",
                       help="provision the LA's own site (SHAREPOINT_LA_SITE): its Schools list")
    which.add_argument("--school", metavar="NAME",
                       help="the site of this school in the LA site's Schools list")
    which.add_argument("--all-schools", action="store_true",
                       help="the site of every school in the LA site's Schools list")
    p.add_argument("--replace-differing", action="store_true",
                   help="replace views, formatters, the form and validation that differ from "
                        "the schema's (by default they are reported and left as they are)")

    doc = commands.add_parser("doctor", help="check settings, credentials, the site, its "
                                             "lists and the templates; say what to fix")
    doc.add_argument("--site", metavar="URL", help="default: the setting SHAREPOINT_SITE")
    doc.add_argument("--school", metavar="NAME",
                     help="check this school's site (from the LA site's Schools list); with "
                          "SHAREPOINT_LA_SITE set and no --school, every school is checked")

    s = commands.add_parser("process", help="read the lists' changes once and make what "
                                            "they call for")
    s.add_argument("--site", metavar="URL", help="default: the setting SHAREPOINT_SITE")
    s.add_argument("--today", type=iso_date, metavar="YYYY-MM-DD")

    w = commands.add_parser("pending", help="what the casework app has not finished: "
                                            "documents being made, items to try again, "
                                            "Teams alerts waiting")
    w.add_argument("--site", metavar="URL", help="default: the setting SHAREPOINT_SITE")

    demo.add_parser(commands)
    site_script.add_parser(commands)
    readiness.add_parser(commands)
    bundle.add_parser(commands)
    imports.add_parser(commands)
    reports.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already explained on stderr
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    protect_logs()  # no names in any log line, whatever --verbose or a library does
    try:
        if args.command == "profiles":
            return assess.profiles_command(args)
        if args.command == "templates":
            from function_app.cli.documents import templates_command

            return templates_command(args)
        if args.command == "render":
            from function_app.cli.documents import render_command

            return render_command(args)
        if args.command == "demo":
            from function_app.demo.runner import demo_command

            return demo_command(args)
        if args.command == "import":
            return imports.command(args)
        if args.command == "report":
            return reports.command(args)
        if args.command == "readiness":
            return readiness.command(args)
        if args.command == "bundle":
            return bundle.command(args)
        if args.command == "site-script":
            return site_script.command(args)
        if args.command == "provision" and args.site_script:
            return site_script.write_site_script(args.site_script)
        if args.command in ("dev-tenant", "provision", "process", "doctor", "pending"):
            from function_app.cli.tenant import tenant_command

            return tenant_command(args)
        return assess.command(args)
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

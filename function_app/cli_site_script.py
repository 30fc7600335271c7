"""``casework site-script --out OUT.json`` (also ``casework provision --site-script OUT.json``):
write the SharePoint site script that creates the lists, their columns, views, column
formatting and forms, from ``sharepoint_schema/``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def add_parser(commands: Any) -> argparse.ArgumentParser:
    """Add the ``site-script`` command to the CLI's subparsers; returns its parser."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "site-script",
        help="write a SharePoint site script that creates the lists, views and formatting",
        description="Write the SharePoint site script equivalent to sharepoint_schema/ and "
                    "sharepoint_schema/formatting/. List validation, the Title column's name "
                    "and form 'show when' formulas are not in it: site scripts cannot set them.")
    parser.add_argument("--out", required=True, metavar="OUT.json",
                        help="where to write the script ('-' for standard output)")
    return parser


def command(args: argparse.Namespace) -> int:
    """Build the site script from the schema folder and write it to ``args.out``."""
    return write_site_script(args.out)


def write_site_script(out_name: str) -> int:
    """Write the site script to ``out_name`` ('-' for standard output); also used by
    ``casework provision --site-script OUT.json``."""
    from function_app.services.list_formatting import load_formatting
    from function_app.services.list_schema import load_lists
    from function_app.services.site_script import site_script

    lists = load_lists()
    script = site_script(lists, load_formatting(lists))
    text = json.dumps(script, indent=2, ensure_ascii=False) + "\n"
    if out_name == "-":
        sys.stdout.write(text)
        return EXIT_OK
    out = Path(out_name)
    if not out.parent.is_dir():
        print(f"casework: the folder {out.parent} does not exist.", file=sys.stderr)
        return EXIT_BAD_INPUT
    out.write_text(text, encoding="utf-8")
    print(f"Wrote the site script ({len(script['actions'])} lists) to {out}.")
    return EXIT_OK

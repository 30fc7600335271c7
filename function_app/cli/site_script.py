"""``casework site-script --out OUT.json`` (also ``casework provision --site-script OUT.json``):
write the SharePoint site script that creates the lists, their columns, views, column
formatting and forms, from ``sharepoint_schema/``."""

from __future__ import annotations

import argparse
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
    from function_app.services.provisioning.list_formatting import load_formatting
    from function_app.services.provisioning.list_schema import load_lists
    from function_app.services.provisioning.site_script import in_parts, script_text, site_script

    lists = load_lists()
    parts = in_parts(site_script(lists, load_formatting(lists)))
    if out_name == "-":
        if len(parts) > 1:
            print(f"casework: the site script is over SharePoint's limits, so it comes in "
                  f"{len(parts)} parts: give --out FILE to write them.", file=sys.stderr)
            return EXIT_BAD_INPUT
        sys.stdout.write(script_text(parts[0]) + "\n")
        return EXIT_OK
    out = Path(out_name)
    if not out.parent.is_dir():
        print(f"casework: the folder {out.parent} does not exist.", file=sys.stderr)
        return EXIT_BAD_INPUT
    names = [out] if len(parts) == 1 else [
        out.with_name(f"{out.stem}-{n}{out.suffix}") for n in range(1, len(parts) + 1)]
    for name, part in zip(names, parts, strict=True):
        name.write_text(script_text(part) + "\n", encoding="utf-8")
    if len(parts) == 1:
        print(f"Wrote the site script ({len(parts[0]['actions'])} lists) to {out}.")
    else:
        print(f"SharePoint takes at most 300 actions and 100,000 characters in one site "
              f"script, so this one is in {len(parts)} parts; add them to the site design in "
              "this order:")
        for name, part in zip(names, parts, strict=True):
            print(f"  {name}: {', '.join(a['listName'] for a in part['actions'])}")
    return EXIT_OK

"""`casework demo`: the command line of the demo; the run itself is
``function_app.demo.runner.demo_command``, imported only when the demo runs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_parser(commands: Any) -> argparse.ArgumentParser:
    """Add `demo` to the `casework` subcommands and return its parser."""
    demo: argparse.ArgumentParser = commands.add_parser(
        "demo", help="play a term of casework at three fictional schools into a local dev "
                     "tenant and show every document filed",
        description="Start the local dev tenant in WORKSPACE, create the lists, type one "
                    "autumn term of cases, meetings and contacts as staff would, week by "
                    "week, and file the documents each week calls for. Running it again on "
                    "the same workspace makes nothing new.")
    demo.add_argument("--workspace", type=Path, default=Path("casework-demo"), metavar="DIR",
                      help="where the tenant's lists, files and state are kept "
                           "(default: ./casework-demo)")
    return demo

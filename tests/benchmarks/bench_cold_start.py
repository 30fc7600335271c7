"""Benchmark (not a test): what a cold start pays to index the Functions app.

    ./run python tests/benchmarks/bench_cold_start.py [--runs 15]

Each case runs in a fresh interpreter (as a new worker process does), with the app root
as its working directory, and times only the statement, not the interpreter's start:

- bare:    import azure.functions (the floor: the worker needs it anyway)
- ours:    import casework_functions; casework_functions.app.get_functions()
- msgraph: from msgraph import GraphServiceClient (what a cold start would add if
           importing the app loaded the SDK client)

The cases take turns, run after run, so a busy machine slows each alike. The median of
the runs is printed for each, with the ratios to the bare import (and of the fastest
runs, steadier on a loaded machine). The goal is ours at most 1.2x bare: importing the app
loads no SDK client and none of the domain, which the triggers import when they run
(issue 16; tests/functions/test_indexing.py checks both).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CASES = {
    "bare": "import azure.functions",
    "ours": "import casework_functions; casework_functions.app.get_functions()",
    "msgraph": "from msgraph import GraphServiceClient",
}
TIMER = """
import time
start = time.perf_counter()
{statement}
print(time.perf_counter() - start)
"""
GOAL = 1.2


def once(statement: str) -> float:
    done = subprocess.run([sys.executable, "-c", TIMER.format(statement=statement)], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    for statement in CASES.values():  # warm the file cache and .pyc files first
        once(statement)
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(args.runs):
        for name, statement in CASES.items():
            times[name].append(once(statement))
    medians: dict[str, float] = {}
    for name, statement in CASES.items():
        medians[name] = statistics.median(times[name])
        print(f"{name:8} {medians[name] * 1000:7.1f} ms median of {args.runs} "
              f"(min {min(times[name]) * 1000:.1f}, max {max(times[name]) * 1000:.1f})  "
              f"{statement}")
    ours = medians["ours"] / medians["bare"]
    sdk = medians["msgraph"] / medians["bare"]
    fastest = min(times["ours"]) / min(times["bare"])
    print(f"ours / bare    = {ours:.2f}x (goal: at most {GOAL}x); fastest runs: {fastest:.2f}x")
    print(f"msgraph / bare = {sdk:.2f}x; fastest runs: "
          f"{min(times['msgraph']) / min(times['bare']):.2f}x")
    return 0 if ours <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())

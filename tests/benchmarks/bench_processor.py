"""Benchmark (not a test): a burst of meeting changes through one sweep.

    ./run python tests/benchmarks/bench_processor.py [--cases 250]

Types N copies of examples/aim-review-no-engagement.json (two held AIMs each, so 2N
meeting changes) into the dev tenant as staff, then times one sweep of the processor:
documents per second, Graph requests per document, and peak memory (the process's
maximum resident set, before and after the sweep; tracemalloc is not used, as it slows
Python several times over). The dev tenant runs in the same process, so its work is in
these numbers too. The baseline in the same run is rendering the same documents alone.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from function_app.devtenant import DevTenant  # noqa: E402
from tests.integration.helpers import Site, example  # noqa: E402


async def run(cases: int, folder: Path) -> None:
    with DevTenant(folder / "tenant") as tenant:
        site = await Site.ready(tenant)
        start = time.perf_counter()
        for n in range(cases):
            data = example("aim-review-no-engagement.json", case_ref=f"BENCH-{n:04d}")
            data["pupil"]["surname"] = f"Pupil{n:04d}"
            await site.type_case(data)
        typed = time.perf_counter() - start
        processor = site.processor(folder / "state.sqlite")
        site.app.requests.clear()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start = time.perf_counter()
        report = await processor.sweep()
        elapsed = time.perf_counter() - start
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        documents = len(report.filed)
        requests = sum(site.app.requests.values())
        by_operation = Counter(site.app.requests)
        print(f"typed {cases} cases ({report.changes} items changed by staff) in {typed:.1f} s")
        print(f"one sweep: {2 * cases} meeting changes -> {documents} documents "
              f"in {elapsed:.1f} s = {documents / elapsed:.1f} documents/s")
        print(f"Graph requests: {requests} = {requests / documents:.2f} per document "
              f"({', '.join(f'{k} {v}' for k, v in by_operation.most_common())})")
        print(f"peak memory (maximum resident set of the process, dev tenant included): "
              f"{rss_before:.0f} MiB before the sweep, {rss_after:.0f} MiB after")
        # Baseline: the same documents rendered alone, no Graph, no state.
        from datetime import date

        from function_app.documents.context import Options
        from function_app.documents.engine import TemplateSet, produce
        from function_app.domain import assess, load_profile
        from function_app.services.case_files.case_input import case_from_dict

        templates = TemplateSet()
        case = case_from_dict(example("aim-review-no-engagement.json"))
        a = assess(case, load_profile(case.profile), date(2026, 11, 22))
        start = time.perf_counter()
        rendered = 0
        for _ in range(cases):
            for meeting in ("m1", "m2"):
                rendered += len(produce(templates, "aim_plan", a, meeting, Options()))
                rendered += len(produce(templates, "plan_cover_letter", a, meeting, Options()))
        alone = time.perf_counter() - start
        print(f"baseline, rendering alone: {rendered / alone:.0f} documents/s; the sweep runs "
              f"at {documents / elapsed / (rendered / alone):.2f}x of that")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=250)
    cases = parser.parse_args().cases
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(cases, Path(folder)))


if __name__ == "__main__":
    main()

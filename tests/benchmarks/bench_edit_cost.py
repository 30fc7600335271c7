"""Benchmark (not a test): what one staff edit costs a sweep, in small and big sites.

    ./run python tests/benchmarks/bench_edit_cost.py [--sizes 50,400,2000]

For each size, a fresh dev tenant gets that many cases (examples/aim-review-no-engagement.
json, its AIM review still planned; typed as staff through $batch, 20 items a request), the
processor's delta links are moved past them, and staff mark one case's review held; then
one sweep is timed: Graph requests (HTTP, and those inside $batch), wall time, and the
items the sweep's snapshot held. The goal (issue 17, point 4): flat in the site's size,
the largest site within 25% of the smallest.

The baseline in the same run is the old whole-list read (``read_whole_lists``), on the same
site after the same kind of edit (another case's review marked held). The dev tenant runs
in the same process, so its work is in these numbers too: it answers a $filter by scanning
the list (SharePoint uses the column's index), which is the part of the new read's time
that still grows with the site.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from function_app.adapters.graph.records import ListInfo, ListItem  # noqa: E402
from function_app.adapters.state.sqlite import SqliteStateStore  # noqa: E402
from function_app.devtenant import DevTenant  # noqa: E402
from function_app.documents.engine import TemplateSet  # noqa: E402
from function_app.services.case_lists.snapshot import Snapshot  # noqa: E402
from function_app.services.casework_sweep.processor import ChangeProcessor  # noqa: E402
from function_app.services.casework_sweep.sweep_report import ProcessorConfig  # noqa: E402
from tests.integration.helpers import TODAY, Site  # noqa: E402
from tests.services.casework_sweep.seeding import (  # noqa: E402
    Typed,
    bench_case,
    settle,
    type_cases,
)


@dataclass
class Cost:
    requests: int  # HTTP requests the sweep sent
    batched: int  # requests inside its $batch requests
    seconds: float
    held: int  # items in the sweep's snapshot
    documents: int
    scanning: float  # seconds the dev tenant spent answering list reads (GET .../items)


class Measured(ChangeProcessor):
    """The processor, counting the items its snapshots hold."""

    held = 0

    async def _snapshot(self, lists: dict[str, ListInfo],
                        changed: dict[tuple[str, str], ListItem | None] | None = None
                        ) -> Snapshot:
        snapshot = await super()._snapshot(lists, changed)
        self.held += sum(len(items) for items in snapshot.items.values())
        return snapshot


def planned_review(n: int) -> dict[str, object]:
    data = bench_case(n)
    data["meetings"][1]["status"] = "planned"
    return data


async def edit_and_sweep(tenant: DevTenant, site: Site, processor: Measured,
                         typed: Typed) -> Cost:
    await site.staff.update_fields(site.lists["Meetings"].id, typed[("Meetings", "402")],
                                   {"MeetingStatus": "Held"})
    tenant.reset_counts()
    processor.held = 0
    SCANNING[0] = 0.0
    start = time.perf_counter()
    report = await processor.sweep()
    seconds = time.perf_counter() - start
    assert report.cases == 1 and not report.failed, report
    return Cost(sum(tenant.requests.values()), sum(tenant.batch_requests.values()), seconds,
                processor.held, len(report.filed), SCANNING[0])


SCANNING = [0.0]


def time_list_reads() -> None:
    """Time the dev tenant's answers to GET .../items (whole, or $filter, which it answers
    by reading the whole list): the part of a sweep a real SharePoint answers from the
    column's index. Wraps the route's handler; the dev tenant's code is unchanged."""
    from function_app.devtenant import routes_items, server

    original = routes_items.get_items

    async def timed(*args: Any) -> Any:
        start = time.perf_counter()
        try:
            return await original(*args)
        finally:
            SCANNING[0] += time.perf_counter() - start

    for route in server.GRAPH_ROUTES:
        if route.handler is original:
            object.__setattr__(route, "handler", timed)


async def one_site(cases: int, folder: Path) -> tuple[Cost, Cost]:
    with DevTenant(folder / "tenant") as tenant:
        site = await Site.ready(tenant)
        start = time.perf_counter()
        typed = await type_cases(site, [planned_review(n) for n in range(cases)])
        print(f"  {cases} cases typed in {time.perf_counter() - start:.1f} s", flush=True)
        processor = Measured(site.app, SqliteStateStore(folder / "state.sqlite"),
                             TemplateSet(), ProcessorConfig(owner="bench", today=TODAY))
        await settle(site, processor)
        await edit_and_sweep(tenant, site, processor, typed[0])  # the school's folder made
        new = await edit_and_sweep(tenant, site, processor, typed[1])
        processor.read_whole_lists = True
        old = await edit_and_sweep(tenant, site, processor, typed[2])
        return new, old


def line(label: str, cost: Cost) -> str:
    return (f"{label:>22}: {cost.requests:4d} requests ({cost.batched:4d} in $batch), "
            f"{cost.seconds * 1000:6.0f} ms ({cost.scanning * 1000:4.0f} ms of them the dev "
            f"tenant reading lists), {cost.held:6d} items held, {cost.documents} documents")


async def run(sizes: list[int], folder: Path) -> None:
    results: dict[int, tuple[Cost, Cost]] = {}
    for size in sizes:
        print(f"site of {size} cases", flush=True)
        results[size] = await one_site(size, folder / str(size))
        new, old = results[size]
        print(line("changed cases (new)", new))
        print(line("whole lists (before)", old))
    small, big = results[min(sizes)], results[max(sizes)]
    print(f"\nlargest / smallest site ({max(sizes)} / {min(sizes)} cases):")
    for label, n in (("changed cases (new)", 0), ("whole lists (before)", 1)):
        a, b = small[n], big[n]
        print(f"{label:>22}: requests x{b.requests / a.requests:.2f}, "
              f"in $batch x{b.batched / max(a.batched, 1):.2f}, "
              f"wall time x{b.seconds / a.seconds:.2f} (without the dev tenant reading lists "
              f"x{(b.seconds - b.scanning) / (a.seconds - a.scanning):.2f}), "
              f"items held x{b.held / a.held:.2f}")
    new, old = results[max(sizes)]
    print(f"at {max(sizes)} cases the new read's sweep takes {new.seconds / old.seconds:.2f}x "
          "the time of the whole-list read's")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="50,400,2000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    time_list_reads()
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(sizes, Path(folder)))


if __name__ == "__main__":
    main()

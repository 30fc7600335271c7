"""Benchmark (not a test): a sweep of every school's site, one staff edit in each.

    ./run python tests/benchmarks/bench_schools.py [--sites 30] [--latency-ms 0,50]

A dev tenant gets an LA site with its Schools list and ``--sites`` school sites, each
provisioned by the app and seeded through $batch with a few cases (examples/aim-review-no-
engagement.json, its AIM review still planned); each site's delta links are moved past
them. A first sweep of every site (one edit each) makes the schools' folders and runs the
day's retention. Then, for each latency the dev tenant adds to every request, staff mark
one case's review held in every site and the whole deployment is swept through
``bootstrap.sweep_every_school``, as the timer does: wall time, Graph requests (HTTP, and
those inside $batch, counted by the dev tenant) and, in a separate round under
tracemalloc, the peak of memory allocated.

The baseline in the same run: the same sites swept one after another (``bound=1``), after
the same kind of edit, so that the ratio shows what sweeping four at once buys; and a
single-site sweep (an LA site whose Schools list names one school), so that the per-site
cost of the whole deployment can be set against it. The dev tenant runs in this process
(in its own thread): its work is in the wall times, and its allocations in the memory
figures, of every variant alike; CPU seconds are printed beside wall time, as the machine
may be busy with other work. With no added latency it answers at once and the sweep is
bound by the CPU (one process, one GIL), so concurrency can buy little; real Graph answers
in tens to hundreds of milliseconds, which ``--latency-ms`` stands in for.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from function_app import bootstrap  # noqa: E402
from function_app.adapters.state.sqlite import SqliteStateStore  # noqa: E402
from function_app.devtenant import DevTenant  # noqa: E402
from function_app.documents.engine import TemplateSet  # noqa: E402
from function_app.services.casework_sweep.processor import ChangeProcessor  # noqa: E402
from function_app.services.casework_sweep.sweep_report import ProcessorConfig  # noqa: E402
from function_app.services.provisioning.list_schema import (  # noqa: E402
    LA_SITE_SCHEMA_DIR,
    load_lists,
)
from function_app.services.provisioning.provision import provision  # noqa: E402
from function_app.services.schools.registry import School  # noqa: E402
from function_app.services.schools.sweep import SWEEP_BOUND  # noqa: E402
from function_app.settings import Settings  # noqa: E402
from tests.integration.helpers import TODAY, Site  # noqa: E402
from tests.integration.test_schools import graph, school_site  # noqa: E402
from tests.services.casework_sweep.seeding import (  # noqa: E402
    Typed,
    bench_case,
    settle,
    type_cases,
)

LA_SITE, ONE_SCHOOL_LA = "/sites/attendance-service", "/sites/one-school-service"
OFFICER = "Ann Officer"


@dataclass
class Cost:
    seconds: float
    requests: int  # HTTP requests the dev tenant received
    batched: int  # requests inside $batch
    documents: int
    peak_mb: float = 0.0  # tracemalloc's peak above what was allocated before
    cpu: float = 0.0  # the process's CPU seconds (both threads): the work, whatever the load


def planned_review(n: int) -> dict[str, Any]:
    data = bench_case(n)
    data["meetings"][1]["status"] = "planned"
    return data


async def la_site(tenant: DevTenant, path: str, schools: dict[str, str]) -> None:
    """An LA's site with its Schools list, one item a school, typed by an LA officer."""
    tenant.add_site(path, members=[OFFICER])
    await provision(graph(tenant, path, tenant.app_token), load_lists(LA_SITE_SCHEMA_DIR))
    officer = graph(tenant, path, tenant.user_token(OFFICER))
    lists = await officer.lists()
    for name, site_path in schools.items():
        await officer.create_item(lists["Schools"].id, {
            "Title": name, "SiteUrl": f"https://{tenant.hostname}{site_path}",
            "Phase": "Primary"})


async def seed(tenant: DevTenant, settings: Settings, sites: int, cases: int
               ) -> list[tuple[Site, list[Typed]]]:
    """The school sites, each provisioned and seeded with ``cases`` cases, its delta links
    past them in its own part of the state store; and both LA sites."""
    templates = TemplateSet()
    state = SqliteStateStore(settings.state_path)
    seeded: list[tuple[Site, list[Typed]]] = []
    paths: dict[str, str] = {}
    for n in range(sites):
        name, path = f"School {n:02d}", f"/sites/school-{n:02d}"
        paths[name] = path
        site = await school_site(tenant, path, f"Staff {n:02d}")
        typed = await type_cases(site, [planned_review(n * 1000 + c) for c in range(cases)])
        school = School(name, f"https://{tenant.hostname}{path}")
        own = bootstrap.school_state(settings, state, school)
        await settle(site, ChangeProcessor(site.app, own, templates,
                                           ProcessorConfig(owner="bench", today=TODAY)))
        seeded.append((site, typed))
    state.close()
    await la_site(tenant, LA_SITE, paths)
    first = next(iter(paths))
    await la_site(tenant, ONE_SCHOOL_LA, {first: paths[first]})
    return seeded


async def edit(sites: Sequence[tuple[Site, list[Typed]]], case: int) -> None:
    """Staff mark case ``case``'s review held in each site."""
    for site, typed in sites:
        await site.staff.update_fields(site.lists["Meetings"].id,
                                       typed[case][("Meetings", "402")],
                                       {"MeetingStatus": "Held"})


async def swept(tenant: DevTenant, settings: Settings, sites: int, bound: int,
                traced: bool) -> Cost:
    tenant.reset_counts()
    if traced:
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
    start, cpu = time.perf_counter(), time.process_time()
    results = await bootstrap.sweep_every_school(settings, TODAY, "bench", bound=bound)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = 0.0
    if traced:
        peak = (tracemalloc.get_traced_memory()[1] - before) / 2**20
        tracemalloc.stop()
    assert len(results) == sites, results
    for r in results:
        assert r.report is not None and r.report.cases == 1 and not r.report.failed, r
    documents = sum(len(r.report.filed) for r in results if r.report is not None)
    return Cost(seconds, sum(tenant.requests.values()), sum(tenant.batch_requests.values()),
                documents, peak, cpu)


def line(label: str, cost: Cost, sites: int) -> str:
    memory = f", peak {cost.peak_mb:6.1f} MB allocated" if cost.peak_mb else ""
    return (f"  {label:<34} {cost.seconds:7.2f} s ({cost.seconds / sites * 1000:6.0f} ms a "
            f"site; {cost.cpu:6.2f} s CPU), {cost.requests:5d} requests "
            f"({cost.batched:5d} in $batch), "
            f"{cost.documents:3d} documents{memory}")


def ratios(label: str, a: Cost, b: Cost, *, per: int = 1, memory: bool = False) -> str:
    """``a`` against ``b`` (``a`` divided by ``per`` first: a per-site figure)."""
    text = (f"  {label:<44} time x{a.seconds / per / b.seconds:.2f}, CPU "
            f"x{a.cpu / per / b.cpu:.2f}, requests "
            f"x{a.requests / per / b.requests:.2f}, in $batch "
            f"x{a.batched / per / max(b.batched, 1):.2f}")
    if memory:
        text += f", peak memory x{a.peak_mb / max(b.peak_mb, 1e-9):.2f}"
    return text


async def run(sites: int, latencies: list[int], folder: Path) -> None:
    cases = 1 + 3 * len(latencies) + 3
    with DevTenant(folder / "tenant") as tenant:
        start = time.perf_counter()
        settings = replace(Settings(), la_site_url=f"https://{tenant.hostname}{LA_SITE}",
                           graph_base_url=tenant.base_url, dev_token=tenant.app_token,
                           state_path=folder / "state.sqlite")
        one_school = replace(settings,
                             la_site_url=f"https://{tenant.hostname}{ONE_SCHOOL_LA}")
        seeded = await seed(tenant, settings, sites, cases)
        print(f"{sites} school sites provisioned, {sites * cases} cases seeded in "
              f"{time.perf_counter() - start:.1f} s", flush=True)
        # Each round edits a case no sweep has touched, so every edit makes the same
        # letters: the whole deployment's rounds take the cases from the first, the
        # single site's (school 0 alone) from the last.
        cursor = {sites: iter(range(cases)), 1: iter(range(cases - 1, -1, -1))}

        async def round_of(settings_: Settings, how_many: int, bound: int,
                           traced: bool = False) -> Cost:
            await edit(seeded[:how_many], next(cursor[how_many]))
            return await swept(tenant, settings_, how_many, bound, traced)

        warm = await round_of(settings, sites, SWEEP_BOUND)
        print(line("first sweep of the day (warm-up)", warm, sites), flush=True)

        results: dict[int, tuple[Cost, Cost, Cost]] = {}
        for latency in latencies:
            tenant.set_faults(0.0, latency)
            print(f"\nGraph latency {latency} ms a request:", flush=True)
            seq = await round_of(settings, sites, 1)
            print(line(f"{sites} sites one after another", seq, sites), flush=True)
            conc = await round_of(settings, sites, SWEEP_BOUND)
            print(line(f"{sites} sites, {SWEEP_BOUND} at once", conc, sites), flush=True)
            alone = await round_of(one_school, 1, 1)
            print(line("one site alone", alone, 1), flush=True)
            results[latency] = (seq, conc, alone)
            print(ratios(f"{SWEEP_BOUND} at once / one after another", conc, seq))
            print(ratios(f"per site, {SWEEP_BOUND} at once / one site alone", conc, alone,
                         per=sites))
            print(ratios("per site, one after another / one site alone", seq, alone,
                         per=sites))

        tenant.set_faults(0.0, latencies[0])
        print(f"\nmemory (under tracemalloc, latency {latencies[0]} ms; the dev tenant's "
              "allocations included):", flush=True)
        seq = await round_of(settings, sites, 1, traced=True)
        print(line(f"{sites} sites one after another", seq, sites), flush=True)
        conc = await round_of(settings, sites, SWEEP_BOUND, traced=True)
        print(line(f"{sites} sites, {SWEEP_BOUND} at once", conc, sites), flush=True)
        alone = await round_of(one_school, 1, 1, traced=True)
        print(line("one site alone", alone, 1), flush=True)
        print(ratios(f"{SWEEP_BOUND} at once / one after another", conc, seq, memory=True))
        print(ratios(f"whole deployment, {SWEEP_BOUND} at once / one site alone", conc,
                     alone, memory=True))
        print(f"  the process's peak resident set (ru_maxrss, seeding included): "
              f"{maxrss_mb():.0f} MB")


def maxrss_mb() -> float:
    kilobytes = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return kilobytes / 1024 if sys.platform != "darwin" else kilobytes / 2**20


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=30)
    parser.add_argument("--latency-ms", default="0,50",
                        help="latencies the dev tenant adds to every request, in turn")
    args = parser.parse_args(argv)
    latencies = [int(s) for s in args.latency_ms.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(args.sites, latencies, Path(folder)))


if __name__ == "__main__":
    main()

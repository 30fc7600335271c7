"""Benchmark (not a test): 500 letters to parents approved at once, then emailed by sweeps.

    ./run python -m tests.benchmarks.bench_letters [--letters 500] [--convert batch|each]

Cases are typed into the dev tenant in $batch (``seeding.type_cases``), each a copy of
examples/aim-review-no-engagement.json whose two carers both take letters by email, so
each case's two held AIMs make four covering letters (a plan enclosed with each). One
sweep files them as drafts ("Draft: approve to send"); staff then choose "Approved: send
it" on all of them at once (PATCH SendStatus in $batch, 20 a request), and the processor
sweeps again and again until no letter waits.

Time. The mailbox may send 30 messages a minute (Exchange Online), and the app paces
itself by the clock it is given (``delivery.pacing`` counts each UTC minute;
``ProcessorConfig.clock``). A real deployment sends every minute (the send_letters
timer), and sweeps when a watched list or the Case Files library changes; here a fake
clock moves one minute on between sweeps, so no
real minute is waited for, and each sweep is made by a processor of its own, as
``bootstrap.processor`` makes one for each sweep. The dev tenant's own pacer (its 429 with
Retry-After, ``mail_sink.MailPacer``) is kept on but reads the same fake clock, so a sweep
that sent more than 30 in a minute would still be refused, as Exchange would refuse it.
Letters per minute are the letters sent over the fake minutes the sweeps took (a sweep a
minute, as the send_letters timer runs); the wall time of the sweeps is printed too, as
a sweep must also fit its 30 letters into a real minute.

PDFs. Graph converts each Word letter (and the plan it encloses) to PDF on Microsoft's
side; the dev tenant converts with LibreOffice, one file at a time at about a second
each, which would make 750 conversions last a quarter of an hour. By default
(``--convert batch``) the benchmark converts every filed document in a few LibreOffice
runs before the approval and puts the PDFs where the dev tenant keeps its conversions
(its cache per file version), so the sweeps still ask Graph for ``?format=pdf`` and are
counted for it, but do not wait for LibreOffice; ``--convert each`` leaves it to the dev
tenant (slow: use a small ``--letters``). Without LibreOffice the benchmark says so and
stops.

Figures: letters per minute against the ceiling of 30 (ratio), Graph requests per letter
by operation (the app's GraphClient counts; the dev tenant's HTTP requests and those inside
$batch beside them), and the peak of memory allocated under tracemalloc for the first
sending sweep (the one that reads all 500 approved letters). The baseline, in the same
run: a sweep with nothing to send (after the drafts are filed, before approval), whose
requests and memory every sweep pays anyway.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from function_app.adapters.libreoffice import soffice  # noqa: E402
from function_app.adapters.state.sqlite import SqliteStateStore  # noqa: E402
from function_app.devtenant import DevTenant  # noqa: E402
from function_app.devtenant.mail_sink import MailPacer  # noqa: E402
from function_app.devtenant.pdf import cached_pdf  # noqa: E402
from function_app.documents.engine import TemplateSet  # noqa: E402
from function_app.services.casework_sweep.processor import ChangeProcessor  # noqa: E402
from function_app.services.casework_sweep.sweep_report import (  # noqa: E402
    ProcessorConfig,
    SweepReport,
)
from function_app.services.delivery.letter_status import STATUS, SendStatus  # noqa: E402
from tests.integration.helpers import TODAY, Site  # noqa: E402
from tests.services.casework_sweep.seeding import bench_case, type_cases  # noqa: E402

MAILBOX = "office@brookfield.example.org"
LIBRARY = "Case Files"
CEILING = 30  # messages a minute from one mailbox (Exchange Online)
LETTERS_PER_CASE = 4  # two held AIMs, each a covering letter to each of two carers
START = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
TIMER_MINUTES = 1  # send_letters: "0 * * * * *" (function_app/triggers/timers.py)


class FakeClock:
    """The app's clock and the dev tenant's pacer's, moved on by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return (self.now - START).total_seconds()

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Cost:
    seconds: float = 0.0
    app: Counter[str] = field(default_factory=Counter)  # the app's requests by operation
    http: int = 0  # HTTP requests the dev tenant received
    batched: int = 0  # requests inside $batch
    peak_mb: float = 0.0
    emailed: int = 0

    def add(self, other: Cost) -> None:
        self.seconds += other.seconds
        self.app += other.app
        self.http += other.http
        self.batched += other.batched
        self.peak_mb = max(self.peak_mb, other.peak_mb)
        self.emailed += other.emailed


def emailing_case(n: int) -> dict[str, Any]:
    """A bench case whose two carers both take letters by email."""
    data = bench_case(n)
    for carer in data["carers"]:
        carer["email"] = f"{carer['first_name'].lower()}.{n:05d}@example.org"
        carer["preferred_contact"] = "email"
    return data


async def sweep(site: Site, state: SqliteStateStore, templates: TemplateSet,
                config: ProcessorConfig, traced: bool) -> tuple[Cost, SweepReport]:
    """One sweep by a processor of its own, as ``bootstrap.processor`` makes one for each
    sweep (its sender and print room hold one sweep's state); the state store is shared."""
    processor = ChangeProcessor(site.app, state, templates, config)
    site.tenant.reset_counts()
    site.app.requests.clear()
    if traced:
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
    start = time.perf_counter()
    report = await processor.sweep()
    seconds = time.perf_counter() - start
    await processor.close()
    peak = 0.0
    if traced:
        peak = (tracemalloc.get_traced_memory()[1] - before) / 2**20
        tracemalloc.stop()
    assert not report.failed and not report.sending_failed, report
    emailed = sum(1 for letter in report.letters if letter.outcome == "emailed")
    return Cost(seconds, Counter(site.app.requests), sum(site.tenant.requests.values()),
                sum(site.tenant.batch_requests.values()), peak, emailed), report


async def letters(site: Site, status: SendStatus | None = None) -> list[Any]:
    items = await site.app.all_items(site.lists[LIBRARY].id)
    return [i for i in items if i.fields.get("DocumentKind") == "plan_cover_letter"
            and (status is None or i.fields.get(STATUS) == status.value)]


async def convert_ahead(tenant: DevTenant, site: Site, folder: Path) -> tuple[int, float]:
    """Every Word document in the library converted in a few LibreOffice runs and put in the
    dev tenant's cache of conversions, as if Graph had converted each at once."""
    program = soffice()
    assert program is not None
    list_id = site.lists[LIBRARY].id

    ids = [int(i.id) for i in await site.app.all_items(list_id)]

    def paths(b: Any) -> list[tuple[Path, Path]]:
        drive = b.store.drive_for_list(list_id)
        found = []
        for item_id in ids:
            row = b.store.drive_item_for_list_item(drive.id, item_id)
            if row is not None and not row.is_folder and row.name.lower().endswith(".docx"):
                found.append((b.library.disk_path(drive, row), cached_pdf(b.data_dir, row)))
        return found

    files = tenant._on_loop(paths)  # the dev tenant's own rows (a benchmark's liberty)
    work = folder / "convert"
    work.mkdir()
    start = time.perf_counter()
    for begin in range(0, len(files), 100):
        chunk = files[begin:begin + 100]
        sources = []
        for n, (source, _) in enumerate(chunk):
            copy = work / f"{begin + n:05d}.docx"
            shutil.copyfile(source, copy)
            sources.append(str(copy))
        process = await asyncio.create_subprocess_exec(
            program, f"-env:UserInstallation={(folder / 'lo-profile').resolve().as_uri()}",
            "--headless", "--convert-to", "pdf", "--outdir", str(work), *sources,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        await process.wait()
        for n, (_, target) in enumerate(chunk):
            produced = work / f"{begin + n:05d}.pdf"
            assert produced.exists(), f"LibreOffice made no PDF of {chunk[n][0].name}"
            target.parent.mkdir(parents=True, exist_ok=True)
            produced.replace(target)
    return len(files), time.perf_counter() - start


def by_operation(app: Counter[str], per: int) -> str:
    return ", ".join(f"{op} {n / per:.2f}" for op, n in app.most_common())


async def run(wanted: int, convert: str, folder: Path) -> None:
    clock = FakeClock()
    with DevTenant(folder / "tenant", mail_senders=[MAILBOX]) as tenant:
        # The dev tenant's 429 stays on, counting fake minutes like the app does.
        tenant._on_loop(lambda b: setattr(b, "mail_pacer", MailPacer(clock=clock.monotonic)))
        site = await Site.ready(tenant)
        cases = math.ceil(wanted / LETTERS_PER_CASE)
        start = time.perf_counter()
        await type_cases(site, [emailing_case(n) for n in range(cases)])
        state, templates = SqliteStateStore(folder / "state.sqlite"), TemplateSet()
        config = ProcessorConfig(owner="bench", today=TODAY, mailbox=MAILBOX, clock=clock)
        filing, _ = await sweep(site, state, templates, config, traced=False)
        drafts = await letters(site, SendStatus.DRAFT)
        print(f"{cases} cases typed and swept once in {time.perf_counter() - start:.1f} s "
              f"({filing.seconds:.1f} s the sweep): {len(drafts)} letters to parents filed "
              "as drafts", flush=True)
        if convert == "batch":
            count, seconds = await convert_ahead(tenant, site, folder)
            print(f"{count} Word documents converted to PDF ahead, in batches of 100 "
                  f"({seconds:.1f} s; the dev tenant would take about a second each)",
                  flush=True)

        clock.advance(60)
        idle, _ = await sweep(site, state, templates, config, traced=True)
        print(f"baseline, a sweep with nothing to send: {idle.seconds:.2f} s, "
              f"{sum(idle.app.values())} requests of the app ({idle.http} HTTP, "
              f"{idle.batched} in $batch), peak {idle.peak_mb:.1f} MB allocated", flush=True)

        chosen = drafts[:wanted]
        start = time.perf_counter()
        answers = await site.staff.update_fields_batch(
            site.lists[LIBRARY].id,
            {d.id: {STATUS: SendStatus.APPROVED.value} for d in chosen})
        assert all(isinstance(a, dict) for a in answers.values()), answers
        print(f"staff approved {len(chosen)} letters at once in "
              f"{time.perf_counter() - start:.1f} s ($batch, 20 a request)", flush=True)

        total, first = Cost(), Cost()
        sweeps = 0
        while await letters(site, SendStatus.APPROVED):
            clock.advance(60)
            sweeps += 1
            cost, _ = await sweep(site, state, templates, config, traced=sweeps == 1)
            if sweeps == 1:
                first = cost
            else:
                total.add(cost)
            print(f"  sweep {sweeps:2d} (minute {sweeps}): {cost.emailed:3d} emailed in "
                  f"{cost.seconds:5.2f} s{' under tracemalloc' if cost.peak_mb else ''}, "
                  f"{sum(cost.app.values()):4d} requests of the app", flush=True)
            assert sweeps <= wanted // CEILING + 5, "letters are not being sent"
        total.add(first)
        sent = len(await letters(site, SendStatus.SENT))
        mail = len(tenant.sent_mail(MAILBOX))
        print(f"\n{sent} letters Sent, {mail} emails in the mailbox's sent mail, "
              f"{len(await letters(site, SendStatus.APPROVED))} still approved")
        per_minute = total.emailed / sweeps
        print(f"letters per minute: {per_minute:.1f} over {sweeps} minutes of the fake clock; "
              f"x{per_minute / CEILING:.2f} of the mailbox's ceiling of {CEILING} a minute")
        print(f"  a deployment's send_letters timer runs every {TIMER_MINUTES} minute "
              "(function_app/triggers/timers.py), and an approval in Case Files wakes a sweep "
              f"(the library is subscribed to): {len(chosen)} letters in about {sweeps} "
              "minutes")
        untraced = total.seconds - first.seconds
        if sweeps > 1:
            print(f"wall time: {total.seconds:.1f} s for {sweeps} sweeps "
                  f"({untraced / (sweeps - 1):.2f} s a sweep without tracemalloc: each "
                  "fits its minute's letters into a real minute with room to spare)"
                  if untraced / (sweeps - 1) < 60 else
                  f"wall time: {total.seconds:.1f} s; a sweep takes more than a real "
                  "minute, so the wall clock, not the mailbox, bounds the rate")
        app = sum(total.app.values())
        baseline = sum(idle.app.values()) * sweeps
        print(f"Graph requests per letter: {app / total.emailed:.2f} of the app "
              f"({total.http / total.emailed:.2f} HTTP, {total.batched / total.emailed:.2f} "
              f"inside $batch); {(app - baseline) / total.emailed:.2f} above {sweeps} "
              "sweeps with nothing to send")
        print(f"  by operation, per letter: {by_operation(total.app, total.emailed)}")
        print(f"  the baseline sweep's, per sweep: {by_operation(idle.app, 1)}")
        print(f"peak memory allocated (tracemalloc): {first.peak_mb:.1f} MB for the first "
              f"sending sweep ({first.emailed} emailed, {len(chosen)} approved read), "
              f"{idle.peak_mb:.1f} MB for the sweep with nothing to send: "
              f"x{first.peak_mb / max(idle.peak_mb, 1e-9):.2f}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=500)
    parser.add_argument("--convert", choices=("batch", "each"), default="batch",
                        help="PDFs converted ahead in batches (quick), or by the dev tenant "
                        "one at a time as the sweeps ask (about a second each)")
    args = parser.parse_args(argv)
    if soffice() is None:
        print("bench_letters: LibreOffice (soffice) is not installed, and the dev tenant "
              "needs it to convert letters to PDF; nothing was measured.")
        return 0
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(args.letters, args.convert, Path(folder)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

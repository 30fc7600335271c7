"""Every school's site is swept, within a bound, and one failing (deleted, permission
withdrawn, throttled) says so and never stops the others (issue 17, point 3); the LA's
officers are told once per school and reason, not at every sweep."""

from __future__ import annotations

import asyncio
from pathlib import Path

from function_app.adapters.graph.errors import (
    AccessDeniedError,
    GraphUnavailableError,
    NotFoundError,
)
from function_app.adapters.state.sqlite import SqliteStateStore
from function_app.services.casework_sweep.sweep_report import SweepReport
from function_app.services.schools.registry import School
from function_app.services.schools.sweep import sweep_schools, tell_once

SCHOOLS = [School(f"School {n}", f"https://contoso.sharepoint.com/sites/s{n}")
           for n in range(1, 9)]
BROKEN = {
    "School 2": AccessDeniedError("Access denied", 403, "accessDenied"),
    "School 5": NotFoundError("Not found", 404, "itemNotFound"),
    "School 7": GraphUnavailableError("Busy", 503, "serviceNotAvailable"),
}


def run(bound: int) -> tuple[list, int]:  # type: ignore[type-arg]
    running = peak = 0

    async def sweep_one(school: School) -> SweepReport:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.01)
        running -= 1
        if school.name in BROKEN:
            raise BROKEN[school.name]
        return SweepReport(changes=1)

    return asyncio.run(sweep_schools(SCHOOLS, sweep_one, bound=bound)), peak


def test_schools_are_swept_concurrently_within_the_bound() -> None:
    results, peak = run(bound=3)
    assert peak == 3
    assert [r.school.name for r in results] == [s.name for s in SCHOOLS]


def test_a_failing_site_is_said_plainly_and_the_others_are_swept() -> None:
    results, _ = run(bound=4)
    swept = [r.school.name for r in results if r.ok]
    assert swept == ["School 1", "School 3", "School 4", "School 6", "School 8"]
    failures = {r.school.name: r.failure for r in results if not r.ok}
    assert "refused the app" in failures["School 2"] and "Sites.Selected" in failures["School 2"]
    assert "was not found" in failures["School 5"]
    assert "Nothing was lost" in failures["School 7"]
    assert all(f.startswith(name) for name, f in failures.items())


def test_the_officers_are_told_once_per_school_and_reason(tmp_path: Path) -> None:
    state = SqliteStateStore(tmp_path / "state.sqlite")
    told: list[str] = []

    async def announce(school: School, reason: str) -> bool:
        told.append(school.name)
        return True

    results, _ = run(bound=4)
    assert len(asyncio.run(tell_once(results, state, announce))) == 3
    assert asyncio.run(tell_once(results, state, announce)) == []  # the next sweep: quiet
    assert sorted(told) == ["School 2", "School 5", "School 7"]
    BROKEN.pop("School 2")  # the permission is granted again, then withdrawn once more
    try:
        asyncio.run(tell_once(run(bound=4)[0], state, announce))
    finally:
        BROKEN["School 2"] = AccessDeniedError("Access denied", 403, "accessDenied")
    asyncio.run(tell_once(run(bound=4)[0], state, announce))
    assert told.count("School 2") == 2 and told.count("School 5") == 1


def test_a_notice_teams_did_not_take_is_told_at_the_next_sweep(tmp_path: Path) -> None:
    state = SqliteStateStore(tmp_path / "state.sqlite")
    answers = iter([False, True])

    async def announce(school: School, reason: str) -> bool:
        return next(answers) if school.name == "School 2" else True

    results, _ = run(bound=4)
    first = asyncio.run(tell_once(results, state, announce))
    second = asyncio.run(tell_once(results, state, announce))
    assert len(first) == 2 and len(second) == 1 and second[0].startswith("School 2")

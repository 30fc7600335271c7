"""Every school's site swept, concurrently within a bound; one failing never stops the rest.

A school's site may be deleted, its permission for the app withdrawn, or Microsoft 365
may throttle it. That school's sweep is then skipped with a plain reason (which names no
pupil: it comes from the kind of failure, never from the error's own text), the other
schools go on, and the LA's officers are told once per school and reason, not at every
sweep; once the school's site answers again the next failure is told again.

Each school's state is its own (``services/site_state.py``), so two schools can share one
state store, and a school's sweep is given to ``sweep_schools`` as a function by the
wiring point: this module never builds a Graph client.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from function_app.adapters.graph.errors import (
    AccessDeniedError,
    GraphError,
    GraphUnavailableError,
    NotFoundError,
)
from function_app.adapters.state.errors import StateStoreError
from function_app.services.casework_sweep.sweep_report import SetupError, SweepReport
from function_app.services.ports import StateStore

from .registry import School

log = logging.getLogger(__name__)
SWEEP_BOUND = 4  # schools swept at once: Graph throttles per tenant and per app as well
NOTICE_SCOPE = "school-notice"  # site key -> the reason last told to the LA's officers

SweepOne = Callable[[School], Awaitable[SweepReport]]
Announce = Callable[[School, str], Awaitable[bool]]  # True when the officers were told


@dataclass(frozen=True, slots=True)
class SchoolSwept:
    school: School
    report: SweepReport | None  # None when the school's sweep failed
    failure: str = ""  # why, in plain words, naming the school and what to do

    @property
    def ok(self) -> bool:
        return self.report is not None


async def sweep_schools(schools: Sequence[School], sweep_one: SweepOne, *,
                        bound: int = SWEEP_BOUND) -> list[SchoolSwept]:
    """Each school's sweep, at most ``bound`` at once, in the registry's order."""
    gate = asyncio.Semaphore(max(1, bound))

    async def one(school: School) -> SchoolSwept:
        async with gate:
            try:
                return SchoolSwept(school, await sweep_one(school))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # one school's failure is said, never spread
                reason = failure_reason(school, exc)
                log.warning("school site %s skipped this sweep: %s", school.site,
                            type(exc).__name__)
                return SchoolSwept(school, None, reason)

    return list(await asyncio.gather(*(one(s) for s in schools)))


def failure_reason(school: School, exc: BaseException) -> str:
    """What went wrong with a school's site, in words an LA officer or IT admin can act on;
    from the kind of failure only (an error's own text may quote what staff typed)."""
    site = school.site_url
    if isinstance(exc, AccessDeniedError) or (isinstance(exc, GraphError)
                                              and exc.status in (401, 403)):
        return (f"{school.name}'s site ({site}) refused the app. Grant the app access to the "
                "site (Sites.Selected, write), then the next sweep catches up.")
    if isinstance(exc, NotFoundError) or (isinstance(exc, GraphError) and exc.status == 404):
        return (f"{school.name}'s site ({site}) was not found. It may have been deleted or "
                "moved: correct its address in the Schools list.")
    if isinstance(exc, GraphUnavailableError):
        return (f"{school.name}'s site ({site}) was busy or unavailable (Microsoft 365 asked "
                "us to wait). Nothing was lost: the next sweep tries again.")
    if isinstance(exc, SetupError):
        return f"{school.name}'s site ({site}) is not ready: {exc}"
    if isinstance(exc, StateStoreError):
        return (f"{school.name}'s sweep could not reach the state store. Nothing was lost: "
                "the next sweep tries again.")
    return (f"{school.name}'s sweep failed unexpectedly ({type(exc).__name__}). Nothing was "
            "lost: the next sweep tries again; if it keeps failing, run `casework doctor`.")


async def tell_once(results: Sequence[SchoolSwept], state: StateStore,
                    announce: Announce) -> list[str]:
    """Tell the LA's officers of each school newly failing, once per school and reason; a
    school that was swept again is forgotten, so a later failure is told anew. The reasons
    told now."""
    told: list[str] = []
    for r in results:
        key = r.school.site
        if r.ok:
            if state.recall(NOTICE_SCOPE, key):
                state.forget(NOTICE_SCOPE, key)
            continue
        if state.recall(NOTICE_SCOPE, key) == r.failure:
            continue
        if await announce(r.school, r.failure):
            state.remember(NOTICE_SCOPE, key, r.failure)
            told.append(r.failure)
    return told

"""Each school's last imports, per pupil, to show the trend against the previous import.

Kept in the StateStore (SQLite, or Azure Tables in the cloud) under the scope
``import-<school>``, one fact per pupil: the pupil's key (UPN, else ``adno:<number>``), the
figures and the day they run to; no names. Importing the same export again (figures to the
same day) keeps the import before it as the one to compare with.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from function_app.imports.assess import PupilAssessment
from function_app.services.ports import StateStore


@dataclass(frozen=True, slots=True)
class Previous:
    percent: Fraction
    to: str  # the last day the earlier figures covered (ISO), or the export's name
    source: str


def scope_for(school: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", school.casefold()).strip("-")
    return f"import-{slug or 'school'}"


def _figures(a: PupilAssessment, source: str) -> dict[str, Any] | None:
    f = a.pupil.figures
    if f is None or f.possible_sessions <= 0:
        return None
    return {"possible": f.possible_sessions, "present": f.present_sessions,
            "authorised": f.authorised_absences, "unauthorised": f.unauthorised_absences,
            "to": f.period_end.isoformat() if f.period_end else "", "source": source}


def previous(store: StateStore, school: str, assessed: Sequence[PupilAssessment],
             source: str) -> dict[str, Previous]:
    """Per pupil key, the figures of the import before this one, where there was one."""
    scope = scope_for(school)
    found: dict[str, Previous] = {}
    for a in assessed:
        now = _figures(a, source)
        raw = store.recall(scope, a.pupil.key)
        if now is None or not raw:
            continue
        kept = json.loads(raw)
        latest, before = kept.get("latest"), kept.get("before")
        earlier = before if _same_export(latest, now) else latest
        if earlier and earlier.get("possible"):
            found[a.pupil.key] = Previous(
                Fraction(earlier["present"], earlier["possible"]) * 100,
                earlier.get("to", ""), earlier.get("source", ""))
    return found


def remember(store: StateStore, school: str, assessed: Sequence[PupilAssessment],
             source: str) -> int:
    """Keeps this import's figures as the latest; returns how many pupils were kept."""
    scope = scope_for(school)
    kept = 0
    for a in assessed:
        now = _figures(a, source)
        if now is None:
            continue
        raw = store.recall(scope, a.pupil.key)
        old = json.loads(raw) if raw else {}
        latest = old.get("latest")
        before = old.get("before") if _same_export(latest, now) else latest
        store.remember(scope, a.pupil.key, json.dumps({"latest": now, "before": before}))
        kept += 1
    return kept


def _same_export(latest: Mapping[str, Any] | None, now: Mapping[str, Any]) -> bool:
    if not latest:
        return False
    if now["to"] or latest.get("to"):
        return bool(latest.get("to") == now["to"])
    return bool(latest.get("source") == now["source"])


def change(a: PupilAssessment, earlier: Previous | None) -> Fraction | None:
    """Percentage points up (positive) or down since the previous import."""
    if earlier is None or a.percent is None:
        return None
    return a.percent - earlier.percent

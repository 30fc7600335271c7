"""What a case folder holds, read for the evidence bundle: which files the product made (by
their names, which the catalogue gives), which it should have made and did not, and which
letters they evidence.

The processor names each document "{date} {what}[ - {parent}].docx" (templates/catalogue.json,
``file_name``), so a name says the document's kind, its date and, for a letter, the parent it
went to. Anything else in the folder was put there by staff (a scanned letter, say): it is
exhibited by its file name and the date in its name, else the day it was uploaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from function_app.domain.model import Case, ContactMode, Interaction
from function_app.domain.readiness import Step
from function_app.domain.wording import counted

from .bundle import BundleEntry, Source, readable
from .catalogue import Catalogue, DocumentKind
from .naming import safe_name

_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})\b")
# Letters that evidence a readiness step, and the words the step looks for in a summary.
EVIDENCE_KINDS = frozenset({"aim_invitation", "plan_cover_letter", "notice_to_improve"})
FOLDER_SOURCE = ("seed 000, Keeping clear records: record the letters sent to parents, the "
                 "minutes of the meeting and a copy of the cover letter")


@dataclass(frozen=True, slots=True)
class Named:
    """What a file's name says."""

    kind: DocumentKind | None  # None: not a name the product gives
    day: date | None
    title: str
    carer: str  # the parent's full name, for a letter


def read_name(name: str, catalogue: Catalogue) -> Named:
    stem = Path(name).stem
    found = _DATE.match(stem)
    day = _iso(found.group(1)) if found else None
    for kind in catalogue.kinds:
        pattern = re.escape(kind.file_name).replace(re.escape("{date}"), r"\d{4}-\d{2}-\d{2}")
        pattern = pattern.replace(re.escape("{carer}"), "(?P<carer>.+)")
        for field in ("{case_ref}", "{title}"):
            pattern = pattern.replace(re.escape(field), ".+")
        matched = re.fullmatch(pattern, stem)
        if matched and Path(name).suffix.lower() == ".docx" and day is not None:
            title = stem[found.end():].strip() if found else stem
            return Named(kind, day, title, matched.groupdict().get("carer") or "")
    return Named(None, day, name, "")


def _iso(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def source_of(name: str, content: bytes | None, uploaded: date, catalogue: Catalogue,
              problem: str = "") -> Source:
    """A file of the case folder as an exhibit: a generated document by its kind and date,
    anything else by its file name and date."""
    named = read_name(name, catalogue)
    return readable(Source(name, named.title, named.day or uploaded, content,
                           generated=named.kind is not None, problem=problem))


def expected(case: Case, catalogue: Catalogue) -> list[tuple[str, str, date]]:
    """(file name, title, date) of each document the product makes for the case's meetings
    as they now stand: what the folder should hold."""
    out = []
    for m in case.meetings:
        for k in catalogue.kinds:
            if m.kind.value not in k.meeting_kinds or (
                    k.meeting_statuses and m.status.value not in k.meeting_statuses):
                continue
            for carer in (case.carers_with_parental_responsibility if k.per_carer else (None,)):
                stem = k.file_name.format(date=m.date.isoformat(),
                                          carer=carer.full_name if carer else "",
                                          case_ref=case.case_ref, title=k.title)
                name = safe_name(f"{stem}.docx")
                out.append((name, read_name(name, catalogue).title, m.date))
    return out


def missing_sources(case: Case, catalogue: Catalogue, present: Iterable[str]) -> list[Source]:
    """The documents the product should have made for the case and the folder lacks."""
    there = {n.casefold() for n in present}
    return [Source(name, title, day, None, problem="missing: not in the case folder")
            for name, title, day in expected(case, catalogue) if name.casefold() not in there]


def letters_as_contacts(case: Case, sources: Sequence[Source],
                        catalogue: Catalogue) -> tuple[Interaction, ...]:
    """Each generated letter in the folder to a named parent (the warning of prosecution,
    the covering letter with a plan, the Notice to Improve) as the contact it evidences, so
    that readiness counts the letters the product filed as well as those staff logged."""
    by_name = {c.full_name.casefold(): c for c in case.carers}
    signed = case.school.signatory_name or case.school.name
    out = []
    for s in sources:
        if s.content is None:
            continue
        named = read_name(s.name, catalogue)
        carer = by_name.get(named.carer.casefold())
        if named.kind is None or named.kind.kind not in EVIDENCE_KINDS or carer is None:
            continue
        out.append(Interaction(s.date, None, ContactMode.LETTER, signed,
                               f"{named.kind.title} (in the case folder as '{s.name}')",
                               (carer.id,)))
    return tuple(out)


def folder_step(entries: Sequence[BundleEntry]) -> Step:
    """The readiness step for the folder itself: every document there and readable."""
    code, title = "documents_in_folder", "Every document in the case folder, readable"
    gaps = [e for e in entries if not e.included]
    if not gaps:
        return Step(code, title, True, f"{counted(len(entries), 'document')}, each readable.", "",
                    FOLDER_SOURCE)
    listed = "; ".join(f"{e.file_name} ({e.problem})" for e in gaps)
    return Step(code, title, False, f"{len(gaps)} of {len(entries)} documents missing or "
                f"unreadable: {listed}.",
                "Put each missing document back in the case folder (or make it again by "
                "editing its meeting), and replace any unreadable file with a PDF or Word "
                "copy; then ask for the bundle again.", FOLDER_SOURCE)

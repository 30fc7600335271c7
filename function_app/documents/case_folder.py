"""What a case folder holds, read for the evidence bundle: which files the product made (by
their names, which the catalogue gives), which it should have made and did not, and which
letters they evidence.

The processor names each document "{date} {what}[ - {parent}].docx" (templates/catalogue.json,
``file_name``), so a name says the document's kind, its date and, for a letter, the parent it
went to: their full name or, for two parents of the same name, their label, "Chris Jones
(12 Elm Road)" or "Chris Jones (parent 2)" (engine.file_names). Anything else in the folder
was put there by staff (a scanned letter, say): it is exhibited by its file name.

A document's own date (``own_date``) is the date written on it: a letter's date line (the
"{{ today }}" of its template, the day it was made and sent) or a form's "Prepared on"; it is
what the parent received and what the court reads on the exhibit, so the index and the
chronology give that date and never another. The file name's date is the meeting's (so the
folder sorts by meeting), not the letter's: an invitation is written before its meeting and a
covering letter after it. The library's GeneratedAt (and the file's created time) is when
the file was last made, which is the letter's date only when it was made on the day it
was sent; it is not the date of a letter remade later, nor of a scan uploaded after the
event. So: the date written on the document; else, for a document the product made (a plan,
a meeting record), its meeting's date from its name; else the date in the name of a file
staff uploaded; else the day it was uploaded.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from function_app.domain.model import Carer, Case, ContactMode, Interaction
from function_app.domain.readiness import Step
from function_app.domain.wording import counted

from .catalogue import Catalogue, DocumentKind
from .engine import file_names
from .exhibits import BundleEntry, Source, readable
from .formatting import lines
from .naming import in_name

_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})\b")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_WRITTEN = re.compile(r"^(?:(?:Prepared on|Date:?)\s+)?(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)"
                      r"day\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+(" + "|".join(_MONTHS)
                      + r")\s+(\d{4})\.?$", re.IGNORECASE)
_PREPARED = re.compile(r"\bPrepared on (\d{1,2}) (" + "|".join(_MONTHS) + r") (\d{4})\b")
_LETTER_ENDS = ("dear ", "our reference", "your reference")  # the date line comes before
HEAD_PARAGRAPHS = 15
_LABEL = re.compile(r"^(?P<name>.+) \((?P<tag>[^()]+)\)$")
_NUMBERED = re.compile(r"^parent (?P<n>[1-9]\d*)$", re.IGNORECASE)
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
    carer: str  # the parent as the name gives them, for a letter: "Chris Jones" or a label


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


def written_date(content: bytes) -> date | None:
    """The date written at the head of a Word document: a letter's date line (a paragraph
    that is a date alone, above "Our reference" or "Dear ..."), or "Prepared on <date>" (the
    referral form). None when there is none (a plan: a date of birth in its table is not its
    date), or the file cannot be read."""
    from docx import Document
    from docx.oxml.ns import qn

    try:  # every paragraph of the body in order, those in tables and frames too
        body = Document(io.BytesIO(content)).element.body
        paragraphs = ["".join(t.text or "" for t in p.iter(qn("w:t"))).strip()
                      for p in body.iter(qn("w:p"))]
    except Exception:  # not a Word document we can read: no date from its text
        return None
    line: date | None = None  # a date alone on its line counts only above the salutation
    for text in [p for p in paragraphs if p][:HEAD_PARAGRAPHS]:
        if text.lower().startswith(_LETTER_ENDS):
            return line
        prepared = _PREPARED.search(text)
        if prepared:
            return _long(prepared)
        found = _WRITTEN.match(text)
        if found:
            line = _long(found)
    return None


def _long(found: re.Match[str]) -> date | None:
    month = [m.lower() for m in _MONTHS].index(found.group(2).lower()) + 1
    try:
        return date(int(found.group(3)), month, int(found.group(1)))
    except ValueError:
        return None


def source_of(name: str, content: bytes | None, uploaded: date, catalogue: Catalogue,
              problem: str = "", columns: Mapping[str, object] | None = None,
              made_at: str = "") -> Source:
    """A file of the case folder as an exhibit, dated by its own date (see the module's
    docstring): a generated document by its kind, anything else by its file name.
    ``columns``: the file's library columns (DocumentKind, MeetingId, CarerId, GeneratedAt),
    which say the event it was made for; ``made_at``: its created time, else."""
    named = read_name(name, catalogue)
    cols = columns or {}
    written = written_date(content) if content is not None and \
        Path(name).suffix.lower() in (".docx", ".docm") else None
    kind = _text(cols.get("DocumentKind")) or (named.kind.kind if named.kind else "")
    return readable(Source(
        name, named.title, written or named.day or uploaded, content,
        generated=named.kind is not None, problem=problem, kind=kind,
        meeting=_text(cols.get("MeetingId")), carer=_text(cols.get("CarerId")),
        made_at=_text(cols.get("GeneratedAt")) or made_at,
        sending=_text(cols.get("SendStatus")),
        letter=named.kind is not None and named.kind.per_carer))


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def expected(case: Case, catalogue: Catalogue) -> list[tuple[str, str, date]]:
    """(file name, title, date) of each document the product makes for the case's meetings
    as they now stand: what the folder should hold."""
    out = []
    for m in case.meetings:
        for k in catalogue.kinds:
            if m.kind.value not in k.meeting_kinds or (
                    k.meeting_statuses and m.status.value not in k.meeting_statuses):
                continue
            recipients = case.parents if k.per_carer else ()
            if k.per_carer and not recipients:
                continue  # a letter to no one: produce() refuses to make it
            for name in file_names(k, m.date.isoformat(), case, recipients):
                out.append((name, read_name(name, catalogue).title, m.date))
    return out


def missing_sources(case: Case, catalogue: Catalogue, present: Iterable[str]) -> list[Source]:
    """The documents the product should have made for the case and the folder lacks."""
    there = {n.casefold() for n in present}
    out = []
    for name, title, day in expected(case, catalogue):
        if name.casefold() in there:
            continue
        kind = read_name(name, catalogue).kind
        out.append(Source(name, title, day, None, problem="missing: not in the case folder",
                          kind=kind.kind if kind else "",
                          letter=kind is not None and kind.per_carer))
    return out


def letters_as_contacts(case: Case, sources: Sequence[Source],
                        catalogue: Catalogue) -> tuple[Interaction, ...]:
    """Each generated letter in the folder to a named parent (the warning of prosecution,
    the covering letter with a plan, the Notice to Improve) as the contact it evidences, so
    that readiness counts the letters the product filed as well as those staff logged.

    Only letters filed before the app sent letters itself (no Sending column): a letter it
    sends is recorded as a contact on the Contacts list when it goes (issue 18), and one
    still a draft, waiting, or not sent was not received, so it evidences nothing."""
    signed = case.school.signatory_name or case.school.name
    out = []
    for s in sources:
        if s.content is None or s.sending:
            continue
        named = read_name(s.name, catalogue)
        if named.kind is None or named.kind.kind not in EVIDENCE_KINDS:
            continue
        carer = addressee(case, s.name, named)
        if carer is None:
            continue
        out.append(Interaction(s.date, None, ContactMode.LETTER, signed,
                               f"{named.kind.title} (in the case folder as '{s.name}')",
                               (carer.id,), about=named.day if named.kind.meeting_kinds
                               else None))
    return tuple(out)


def addressee(case: Case, name: str, named: Named) -> Carer | None:
    """The carer a generated letter's file name says it went to, else None.

    First the names produce() gives the kind's letters of that date to the case's parents
    as the case now stands (engine.file_names: a label and any shortening as made). Else the
    parent's part of the name is read: a carer's full name, when only one carer has it, or
    "{full name} ({first line of their address})" or "{full name} (parent N)", N counting
    the parents of that name with parental responsibility in the order recorded. A name two
    carers share, with nothing to tell which, is neither's: None.
    """
    if named.kind is None or named.day is None or not named.kind.per_carer:
        return None
    recipients = case.parents
    if recipients:
        made = file_names(named.kind, named.day.isoformat(), case, recipients)
        for carer, made_name in zip(recipients, made, strict=True):
            if made_name.casefold() == name.casefold():
                return carer
    return _by_label(case, named.carer)


def _key(text: str) -> str:
    return " ".join(in_name(text).split()).casefold()


def _by_label(case: Case, label: str) -> Carer | None:
    named = [c for c in case.carers if _key(c.full_name) == _key(label)]
    if named:
        return named[0] if len(named) == 1 else None
    parts = _LABEL.match(label.strip())
    if parts is None:
        return None
    who, tag = _key(parts["name"]), parts["tag"].strip()
    same = [c for c in case.carers if _key(c.full_name) == who]
    numbered = _NUMBERED.match(tag)
    if numbered:
        n = int(numbered["n"])
        with_pr = case.parents
        group = [c for c in with_pr if _key(c.full_name) == who]
        if n <= len(group):
            return group[n - 1]
        # numbered among all the parents, should the names with a tag still have clashed
        return with_pr[n - 1] if n <= len(with_pr) and with_pr[n - 1] in same else None
    at = [c for c in same if _key((lines(c.address) or [""])[0]) == _key(tag)]
    return at[0] if len(at) == 1 else None


def folder_step(entries: Sequence[BundleEntry]) -> Step:
    """The readiness step for the folder itself: every document there and readable."""
    code, title = "documents_in_folder", "Every document in the case folder, readable"
    gaps = [e for e in entries if e.problem]
    if not gaps:
        return Step(code, title, True, f"{counted(len(entries), 'document')}, each readable.", "",
                    FOLDER_SOURCE)
    listed = "; ".join(f"{e.file_name} ({e.problem})" for e in gaps)
    return Step(code, title, False, f"{len(gaps)} of {len(entries)} documents missing or "
                f"unreadable: {listed}.",
                "Put each missing document back in the case folder (or make it again by "
                "editing its meeting), and replace any unreadable file with a PDF or Word "
                "copy; then ask for the bundle again.", FOLDER_SOURCE)

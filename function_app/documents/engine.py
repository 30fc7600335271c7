"""Produce the documents of one kind for one case: choose the meeting and the recipients,
check that what the kind needs is recorded, build the context, render, name the files.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from function_app.domain import checks
from function_app.domain.assessment import Assessment
from function_app.domain.calendar import SchoolCalendar
from function_app.domain.errors import InvalidCaseError, Problem
from function_app.domain.model import Carer, Case, Meeting, MeetingStatus

from .catalogue import SHIPPED_TEMPLATES, Catalogue, DocumentKind, load_catalogue
from .context import Options, build_context
from .formatting import lines
from .naming import MAX_FILE_NAME, MAX_PATH, cut, safe_name, units
from .renderer import CompiledTemplate, DocumentProperties, make_environment


@dataclass(frozen=True, slots=True)
class Document:
    kind: str
    file_name: str
    content: bytes
    carer_id: str = ""
    recipient: str = ""  # the carer's full name, for per-carer letters
    meeting_id: str = ""
    # the recipient as the file name gives them: the full name, and for two of the same
    # name what tells them apart, e.g. "Chris Jones (12 Elm Road)" or "Chris Jones (parent 2)"
    label: str = ""


class TemplateSet:
    """The shipped templates, each replaceable by a file of the same name in an LA folder.

    Templates are compiled on first use and kept: a bulk run parses each one once.
    """

    def __init__(self, overrides: Path | None = None, shipped: Path = SHIPPED_TEMPLATES) -> None:
        self.shipped = shipped
        self.overrides = overrides
        self.catalogue: Catalogue = load_catalogue(shipped)
        self.env = make_environment()
        self._compiled: dict[str, CompiledTemplate] = {}

    def path_of(self, kind: DocumentKind) -> Path:
        if self.overrides is not None and (self.overrides / kind.file).is_file():
            return self.overrides / kind.file
        return self.shipped / kind.file

    def template(self, kind: DocumentKind) -> CompiledTemplate:
        if kind.kind not in self._compiled:
            path = self.path_of(kind)
            self._compiled[kind.kind] = CompiledTemplate(path, path.name, self.env)
        return self._compiled[kind.kind]


def choose_meeting(kind: DocumentKind, case: Case, meeting_id: str | None) -> Meeting | None:
    """The meeting named, else the latest one of a kind and status that produces this kind."""
    if meeting_id:
        found = next((m for m in case.meetings if m.id == meeting_id), None)
        if found is None:
            ids = ", ".join(m.id for m in case.meetings) or "none"
            raise InvalidCaseError([Problem(
                "--meeting", f"there is no meeting {meeting_id!r} in the case "
                             f"(its meetings: {ids})")])
        return found
    if not kind.meeting_kinds:
        return None
    fitting = [m for m in case.meetings_by_date() if kind.fits(m)]
    return fitting[-1] if fitting else None


def missing(kind: DocumentKind, case: Case, meeting: Meeting | None,
            recipients: tuple[Carer, ...], a: Assessment | None = None) -> list[Problem]:
    """Everything this kind needs that the case does not record, each with its path.

    With the assessment, also the checks of dates against the letter's date (a.today, the
    day a letter is dated): see _date_problems.
    """
    out: list[Problem] = []
    needs = kind.needs
    where = f"meetings[{case.meetings.index(meeting)}]" if meeting else "meetings"
    if "meeting" in needs and meeting is None:
        out.append(_no_meeting(kind, case))
    if meeting is not None:
        if "meeting_time" in needs and meeting.time is None:
            out.append(Problem(f"{where}.time", f"{kind.title} needs the meeting's time"))
        if "meeting_venue" in needs and meeting.venue is None:
            out.append(Problem(f"{where}.venue", f"{kind.title} needs the meeting's venue"))
        if "meeting_held" in needs and meeting.status is not MeetingStatus.HELD:
            out.append(Problem(f"{where}.status", f"{kind.title} is made from a held meeting; "
                                                  f"this one is {meeting.status.value}"))
        if "review_outcome" in needs and meeting.review_outcome is None:
            out.append(Problem(f"{where}.review_outcome",
                               f"{kind.title} needs the review's outcome"))
    if "notice_to_improve" in needs:
        if case.notice_to_improve is None:
            out.append(Problem("notice_to_improve", f"{kind.title} needs the notice's issue "
                                                    "date and improvement period"))
        elif not case.notice_to_improve.sufficient_improvement.strip():
            out.append(Problem("notice_to_improve.sufficient_improvement",
                               f"{kind.title} must say what counts as sufficient improvement "
                               "(DfE 2024)"))
    if "signatory" in needs and not case.school.signatory_name.strip():
        out.append(Problem("school.signatory_name",
                           f"{kind.title} is a letter: it needs the name of who signs it"))
    if kind.per_carer:
        if not recipients:
            out.append(Problem("carers", f"{kind.title} goes to each parent (parental "
                                         "responsibility or care of the child); none is "
                                         "recorded"))
        if "carer_address" in needs:
            for c in recipients:
                if not (c.address or c.email):
                    i = case.carers.index(c)
                    out.append(Problem(f"carers[{i}].address",
                                       f"{kind.title} is sent to {c.full_name}, but there is "
                                       "no postal or email address"))
    if a is not None:
        out += _date_problems(kind, a, meeting)
    return out


def _no_meeting(kind: DocumentKind, case: Case) -> Problem:
    """No meeting makes this kind: say so, and when one would but for its rearranged mark,
    which letter that meeting gets instead."""
    wanted = " or ".join(sorted(kind.meeting_kinds))
    other = [m.id for m in case.meetings
             if kind.rearranged is not None and kind.fits(_as_rearranged(m, kind))]
    if other and kind.rearranged:
        return Problem("meetings", f"{kind.title} is made for a planned meeting marked "
                                   f'"Rearranged"; none is (planned: {", ".join(other)}). '
                                   'Tick "Rearranged" on the meeting if its date, time or place '
                                   "changed after the invitation was sent")
    if other:
        return Problem("meetings", f"{kind.title} is not made for a meeting marked "
                                   f'"Rearranged" ({", ".join(other)}): the family is sent the '
                                   "rearranged meeting letter with the new arrangements instead")
    return Problem("meetings", f"{kind.title} needs a {wanted} meeting; give one with "
                               "--meeting ID or record it")


def _date_problems(kind: DocumentKind, a: Assessment, meeting: Meeting | None) -> list[Problem]:
    """The dates a letter dated a.today must not get wrong, each naming the column: a meeting
    already past (meeting_ahead), too little notice of a rearranged meeting
    (reasonable_notice), a Notice to Improve period outside the profile's weeks
    (improvement_period) or over (period_running), a review later than seed 002 allows
    (review_in_time)."""
    case = a.case
    out: list[Problem] = []
    if meeting is not None and meeting in case.meetings:
        if "meeting_ahead" in kind.needs:
            out += checks.meeting_already_past(case, meeting, a.today)
        if "reasonable_notice" in kind.needs:
            calendar = SchoolCalendar.of(a.profile.holidays, case.school.holidays)
            out += checks.notice_too_short(case, meeting, a.today, calendar)
        if "review_in_time" in kind.needs:
            out += checks.review_too_late(case, meeting)
    if "improvement_period" in kind.needs:
        out += checks.improvement_period_problems(case, a.profile.notice_to_improve_weeks,
                                                  a.today)
    if "period_running" in kind.needs:
        out += checks.improvement_period_over(case, a.today)
    return out


def _as_rearranged(meeting: Meeting, kind: DocumentKind) -> Meeting:
    """The meeting with the rearranged mark the kind wants, to ask whether that mark alone
    is why the kind does not fit."""
    return replace(meeting, rearranged=bool(kind.rearranged))


def produce(templates: TemplateSet, kind_name: str, a: Assessment, meeting_id: str | None,
            options: Options, now: datetime | None = None) -> list[Document]:
    """The documents of one kind for one assessed case: one per carer, or one for the case."""
    kind = templates.catalogue.get(kind_name)
    case = a.case
    meeting = choose_meeting(kind, case, meeting_id)
    recipients = case.parents if kind.per_carer else ()  # s576: responsibility or care
    if meeting is not None and meeting_id and not kind.fits(meeting) \
            and kind.rearranged is not None and kind.fits(_as_rearranged(meeting, kind)):
        # The invitation of a rearranged meeting, or the re-invitation of one that is not:
        # the other letter is made for it instead, so this kind makes nothing.
        return []
    problems = missing(kind, case, meeting, recipients, a)
    if problems:
        raise InvalidCaseError(problems)
    template = templates.template(kind)
    when = now or datetime.now(UTC)
    day = (meeting.date if meeting else a.today).isoformat()
    properties = DocumentProperties(title=kind.title, subject=case.case_ref, created=when)
    names, labels = _names(kind, day, case, recipients)
    documents = []
    for carer, name, label in zip(recipients or (None,), names, labels, strict=True):
        context = build_context(a, meeting, carer, options)
        documents.append(Document(kind.kind, name,
                                  template.render(context, properties, options.logo),
                                  carer.id if carer else "", carer.full_name if carer else "",
                                  meeting.id if meeting else "", label))
    return documents


def file_names(kind: DocumentKind, day: str, case: Case,
               recipients: Sequence[Carer]) -> list[str]:
    """The file name of each document of kind for the case, in the order of recipients (one
    name for a kind made once per case), as produce() names them.

    Each is the catalogue's pattern with the date as YYYY-MM-DD, made safe for SharePoint
    and at most MAX_FILE_NAME long. Two parents of the same full name (letter case and
    spacing aside) are told apart by the first line of their postal address, "Chris Jones
    (12 Elm Road)", or, when those lines are the same or missing, "(parent 1)", "(parent 2)"
    in the order of the case's carers. A long name is shortened in the parent's part only,
    never the date or the kind. No two names are the same, letter case aside.
    """
    return _names(kind, day, case, recipients)[0]


def _names(kind: DocumentKind, day: str, case: Case,
           recipients: Sequence[Carer]) -> tuple[list[str], list[str]]:
    if not recipients:
        return [_file_name(kind, day, case, "", "")], [""]
    tags = _tags(recipients)
    names = [_file_name(kind, day, case, c.full_name, t)
             for c, t in zip(recipients, tags, strict=True)]
    for attempt in (1, 2):
        counts = Counter(n.casefold() for n in names)
        if len(counts) == len(names):
            break
        # Still the same once made safe or shortened: number them by their place among
        # the recipients, first only those that clash, then, should that clash too, all.
        for i, c in enumerate(recipients):
            if attempt == 2 or counts[names[i].casefold()] > 1:
                tags[i] = f"parent {i + 1}"
                names[i] = _file_name(kind, day, case, c.full_name, tags[i])
    labels = [f"{c.full_name} ({t})" if t else c.full_name
              for c, t in zip(recipients, tags, strict=True)]
    return names, labels


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def _tags(recipients: Sequence[Carer]) -> list[str]:
    """What tells each recipient apart from others of the same name; "" for a unique name."""
    tags = [""] * len(recipients)
    groups: dict[str, list[int]] = {}
    for i, c in enumerate(recipients):
        groups.setdefault(_key(c.full_name), []).append(i)
    for members in groups.values():
        if len(members) < 2:
            continue
        firsts = [" ".join((lines(recipients[i].address) or [""])[0].split()) for i in members]
        keys = [_key(f) for f in firsts]
        by_address = all(keys) and len(set(keys)) == len(keys)
        for n, (i, first) in enumerate(zip(members, firsts, strict=True), 1):
            tags[i] = first if by_address else f"parent {n}"
    return tags


def _file_name(kind: DocumentKind, day: str, case: Case, carer: str, tag: str) -> str:
    """The file name, the parent's part (name and tag) shortened to fit MAX_FILE_NAME."""
    def build(part: str) -> str:
        stem = kind.file_name.format(date=day, carer=part, case_ref=case.case_ref,
                                     title=kind.title)
        return safe_name(f"{stem}.docx", MAX_PATH)

    label = f"{carer} ({tag})" if tag else carer
    name = build(label)
    while units(name) > MAX_FILE_NAME and label:
        label = _shorten(carer, tag, units(label) - (units(name) - MAX_FILE_NAME))
        name = build(label)
    if units(name) > MAX_FILE_NAME:  # the pattern alone is too long: cut, keeping .docx
        name = safe_name(name, MAX_FILE_NAME)
    return name


def _shorten(carer: str, tag: str, limit: int) -> str:
    """The parent's part in at most limit: the name cut first, keeping what tells them apart
    while the name can keep a readable start."""
    if not tag:
        return cut(carer, limit).rstrip()
    name_room = max(limit - units(tag) - 3, min(units(carer), 24))
    tag_room = limit - name_room - 3
    if tag_room < 1:
        return cut(f"{carer} ({tag})", limit).rstrip()
    return f"{cut(carer, name_room).rstrip()} ({cut(tag, tag_room).rstrip()})"

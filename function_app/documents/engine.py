"""Produce the documents of one kind for one case: choose the meeting and the recipients,
check that what the kind needs is recorded, build the context, render, name the files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from function_app.domain.assessment import Assessment
from function_app.domain.errors import InvalidCaseError, Problem
from function_app.domain.model import Carer, Case, Meeting, MeetingStatus

from .catalogue import SHIPPED_TEMPLATES, Catalogue, DocumentKind, load_catalogue
from .context import Options, build_context
from .naming import safe_name
from .renderer import CompiledTemplate, DocumentProperties, make_environment


@dataclass(frozen=True, slots=True)
class Document:
    kind: str
    file_name: str
    content: bytes
    carer_id: str = ""
    recipient: str = ""  # the carer's full name, for per-carer letters
    meeting_id: str = ""


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
    fitting = [m for m in case.meetings_by_date() if m.kind.value in kind.meeting_kinds
               and (not kind.meeting_statuses or m.status.value in kind.meeting_statuses)]
    return fitting[-1] if fitting else None


def missing(kind: DocumentKind, case: Case, meeting: Meeting | None,
            recipients: tuple[Carer, ...]) -> list[Problem]:
    """Everything this kind needs that the case does not record, each with its path."""
    out: list[Problem] = []
    needs = kind.needs
    where = f"meetings[{case.meetings.index(meeting)}]" if meeting else "meetings"
    if "meeting" in needs and meeting is None:
        wanted = " or ".join(sorted(kind.meeting_kinds))
        out.append(Problem("meetings", f"{kind.title} needs a {wanted} meeting; give one with "
                                       "--meeting ID or record it"))
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
            out.append(Problem("carers", f"{kind.title} goes to each parent or carer with "
                                         "parental responsibility; none is recorded"))
        if "carer_address" in needs:
            for c in recipients:
                if not (c.address or c.email):
                    i = case.carers.index(c)
                    out.append(Problem(f"carers[{i}].address",
                                       f"{kind.title} is sent to {c.full_name}, but there is "
                                       "no postal or email address"))
    return out


def produce(templates: TemplateSet, kind_name: str, a: Assessment, meeting_id: str | None,
            options: Options, now: datetime | None = None) -> list[Document]:
    """The documents of one kind for one assessed case: one per carer, or one for the case."""
    kind = templates.catalogue.get(kind_name)
    case = a.case
    meeting = choose_meeting(kind, case, meeting_id)
    recipients = case.carers_with_parental_responsibility if kind.per_carer else ()
    problems = missing(kind, case, meeting, recipients)
    if problems:
        raise InvalidCaseError(problems)
    template = templates.template(kind)
    when = now or datetime.now(UTC)
    day = (meeting.date if meeting else a.today).isoformat()
    properties = DocumentProperties(title=kind.title, subject=case.case_ref, created=when)
    documents = []
    for carer in recipients or (None,):
        context = build_context(a, meeting, carer, options)
        name = kind.file_name.format(date=day, carer=carer.full_name if carer else "",
                                     case_ref=case.case_ref, title=kind.title)
        documents.append(Document(kind.kind, safe_name(f"{name}.docx"),
                                  template.render(context, properties, options.logo),
                                  carer.id if carer else "", carer.full_name if carer else "",
                                  meeting.id if meeting else ""))
    return documents

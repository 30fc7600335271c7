"""The LA decides a school's request (issue 19, points 2 and 3), on the LA's own site.

The LA's penalty notice officer sets a request's Decision: Issue, Refuse (saying why in
Decision reasons) or Ask for more (saying what). Each run reads the Requests list's changes
(Graph delta, from the link kept in the LA's part of the state store) and acts on each
decision once:

- Refuse, Ask for more: the school is told on its case ("Penalty notice request"), in the
  officer's words; the request's Outcome says when it was told.
- Issue: for each parent named, the register decides (``domain.penalty_register.
  decide_issue``: the limit of 2 in 3 rolling years across every school, counted by the
  child's UPN; a second notice costs the full amount with no reduction). Each notice
  allowed is made from the penalty notice template (``documents.penalty_notice``), filed
  once in the LA's Penalty Notices library, and entered once on the register, "Served by
  post" on the day of issue; one refused at the limit names the tool to consider instead.
  The request's notices go in one print pack for the LA's post (``notice_post``), and
  the school is told what was issued, to whom and for how much.

Exactly once: each notice has a number made from its request and parent ("PN-ATT-2026-
0113-1-2": request 1 of the case, its second parent), filed under a claim of that number
and looked for on the register (its indexed RequestRef) before it is entered, so a run
that stopped half-way neither files nor enters a notice twice. A decision is done when its
Outcome is written; until then the next run acts on it again, from where it got.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from function_app.adapters.graph.errors import (
    GraphError,
    GraphUnavailableError,
    ResyncRequiredError,
)
from function_app.adapters.graph.records import DeltaPage, DriveItem, ListInfo, ListItem
from function_app.documents.penalty_notice import (
    PenaltyNoticeFacts,
    payment_terms,
    render_penalty_notice,
)
from function_app.domain.model import Pupil
from function_app.domain.penalty_register import (
    RegisteredNotice,
    RequestReason,
    ServedBy,
    child_key,
    decide_issue,
    parent_key,
    standing,
)
from function_app.domain.policy import Profile
from function_app.domain.wording import day as say_day
from function_app.services.filing import Filer, Filing, Outcome
from function_app.services.ports import StateStore

from .notice_post import ToPost, post_notices
from .register_columns import (
    ASK_FOR_MORE,
    ISSUE,
    LIBRARY,
    REFUSE,
    REGISTER,
    REQUESTS,
    WAITING,
)
from .register_items import Entry, case_folder, day_of, notice_fields, read_entry
from .register_view import COLUMN as VIEW
from .register_view import register_view
from .request_parents import Parent, parents_in

log = logging.getLogger(__name__)
DONE_SCOPE = "penalty-decision"  # request item id -> the decision acted on
CASES, ANSWER = "Cases", "PenaltyNoticeRequest"  # the school's list and column


class LaLists(Protocol):
    async def lists(self) -> dict[str, ListInfo]: ...
    async def delta(self, list_id: str, link: str = "") -> DeltaPage: ...
    async def read_items(self, queries: Sequence[tuple[str, str, Sequence[str]]],
                         per_filter: int = ..., with_files: bool = ...
                         ) -> list[list[ListItem]]: ...
    async def create_item(self, list_id: str, fields: dict[str, Any]) -> ListItem: ...
    async def update_fields(self, list_id: str, item_id: str, fields: dict[str, Any],
                            etag: str = ...) -> dict[str, Any]: ...
    async def use_library(self, list_id: str) -> None: ...
    async def download(self, item_id: str, as_pdf: bool = False) -> bytes: ...
    async def upload(self, folder_path: str, name: str, content: bytes,
                     conflict: str = "replace") -> DriveItem: ...


SchoolWriter = Callable[[str, str, dict[str, Any]], Awaitable[None]]  # site, item, fields


@dataclass(frozen=True, slots=True)
class Authority:
    """The LA's details every notice carries (settings CASEWORK_LA_*)."""

    name: str
    address: tuple[str, ...]
    how_to_pay: str
    phone: str = ""
    email: str = ""

    def missing(self) -> list[str]:
        return [setting for setting, value in (
            ("CASEWORK_LA_NAME", self.name), ("CASEWORK_LA_ADDRESS", self.address),
            ("CASEWORK_PENALTY_HOW_TO_PAY", self.how_to_pay)) if not value]


@dataclass
class DecisionReport:
    told: list[str] = field(default_factory=list)  # request numbers whose school was told
    issued: list[str] = field(default_factory=list)  # notice numbers
    refused_at_limit: list[str] = field(default_factory=list)  # request numbers
    waiting: list[str] = field(default_factory=list)  # request numbers, and why


@dataclass(frozen=True, slots=True)
class PenaltyNoticeRun:
    """One run of the LA's penalty notice work: the decisions acted on, and the register
    moved on (None when it was moved on already today)."""

    decisions: DecisionReport
    register: Any = None  # register_state.RegisterReport


class Decisions:
    """One run over the LA's requests (see the module)."""

    def __init__(self, la: LaLists, state: StateStore, filer: Filer, tell_school: SchoolWriter,
                 profile: Profile, authority: Authority, today: date,
                 clock: Callable[[], datetime]) -> None:
        self.la, self.state, self.filer, self.tell = la, state, filer, tell_school
        self.profile, self.authority, self.today, self.clock = profile, authority, today, clock
        self.posting = ""  # where the last request's notices are to be posted

    async def run(self) -> DecisionReport:
        report = DecisionReport()
        lists = await self.la.lists()
        if any(name not in lists for name in (REQUESTS, REGISTER, LIBRARY)):
            return report  # the LA site is not provisioned for penalty notices
        requests, link = await self._changes(lists[REQUESTS].id)
        all_done = True
        for item in requests:
            decision = str(item.fields.get("Decision") or "")
            if not item.deleted and decision == WAITING:
                all_done = await self._show_register(item, lists) and all_done
            if item.deleted or decision not in (ISSUE, REFUSE, ASK_FOR_MORE):
                continue
            if self.state.recall(DONE_SCOPE, item.id) == _decided(item):
                continue
            try:
                done = await self._act(item, decision, lists, report)
            except GraphError as exc:
                log.warning("a penalty notice decision is kept for the next run (%s)",
                            type(exc).__name__)
                done = False
            if done:
                self.state.remember(DONE_SCOPE, item.id, _decided(item))
            all_done = all_done and done
        if all_done and link:
            self.state.save_delta_link(lists[REQUESTS].id, link)
        return report

    async def _show_register(self, item: ListItem, lists: dict[str, ListInfo]) -> bool:
        """Write what the register says of a new request (``register_view``), when it says
        something new; False when Graph could not be reached (the next run tries again)."""
        f = item.fields
        try:
            (registered,) = await self.la.read_items([(lists[REGISTER].id, "Child",
                                                       [child_key(_pupil(f))])])
            text = register_view(_pupil(f), parents_in(f.get("Parents")),
                                 [read_entry(i) for i in registered], self.profile,
                                 self.today)
            if str(f.get(VIEW) or "") != text:
                await self.la.update_fields(lists[REQUESTS].id, item.id, {VIEW: text})
        except GraphUnavailableError as exc:
            log.warning("a request's register check is kept for the next run (%s)",
                        type(exc).__name__)
            return False
        except GraphError as exc:  # e.g. a site provisioned before the column: not retried
            log.warning("a request's register check was not written (%s %s); run "
                        "`casework provision --la-site`", exc.status, exc.code)
        return True

    async def _changes(self, list_id: str) -> tuple[list[ListItem], str]:
        link, found = self.state.delta_link(list_id), {}
        while True:
            try:
                page = await self.la.delta(list_id, link)
            except ResyncRequiredError:
                link = ""
                continue
            found.update({i.id: i for i in page.items})
            if page.next_link:
                link = page.next_link
                continue
            return list(found.values()), page.delta_link

    async def _act(self, item: ListItem, decision: str, lists: dict[str, ListInfo],
                   report: DecisionReport) -> bool:
        f = item.fields
        number = str(f.get("Title") or "")
        why = str(f.get("DecisionReasons") or "").strip()
        day = say_day(self.today)
        if decision in (REFUSE, ASK_FOR_MORE) and not why:
            # The school is told in the officer's words: without them, nothing is sent. Done
            # for this decision (its key holds the reasons): adding them acts on it.
            what = ("why it is refused" if decision == REFUSE
                    else "what more the school must send")
            await self._hold(lists, item, (
                f"Not sent to the school: say {what} in Decision reasons (the school is told "
                "in your words), then save."), report)
            return True
        if decision == REFUSE:
            text = f"The local authority refused request {number} on {day}: {why}"
        elif decision == ASK_FOR_MORE:
            text = (f"The local authority asks for more before it decides request {number} "
                    f"({day}): {why} Send it to them; the request stays open.")
        else:
            issued = await self._issue(item, lists, report)
            if issued is None:
                return False
            text = issued
        await self.tell(str(f.get("SchoolSite") or ""), str(f.get("CaseItem") or ""),
                        {ANSWER: text})
        posting = f"\n{self.posting}" if decision == ISSUE and self.posting else ""
        await self.la.update_fields(lists[REQUESTS].id, item.id, {
            "Outcome": f"{text}{posting}\nThe school was told on its case on {day}."})
        report.told.append(number)
        return True

    async def _issue(self, item: ListItem, lists: dict[str, ListInfo],
                     report: DecisionReport) -> str | None:
        """The request's notices, each filed and entered once; what the school is told,
        or None when they cannot be issued yet (said on the request)."""
        f = item.fields
        number = str(f["Title"])
        missing = self.authority.missing()
        if missing:
            await self._hold(lists, item, f"No notice was issued: set {', '.join(missing)} "
                             "(the LA's details every notice carries), then choose Issue "
                             "again.", report)
            return None
        pupil = _pupil(f)
        parents = parents_in(f.get("Parents"))
        (registered,) = await self.la.read_items([(lists[REGISTER].id, "Child",
                                                   [child_key(pupil)])])
        entries = [e for e in map(read_entry, registered) if isinstance(e, Entry)]
        mine = {e.notice.number: e for e in entries}
        notices = [e.notice for e in entries]
        lines: list[str] = []
        to_post: list[ToPost] = []
        refused = 0
        await self.la.use_library(lists[LIBRARY].id)
        for n, parent in enumerate(parents, start=1):
            notice_number = f"PN-{number.removeprefix('PNR-')}-{n}"
            if notice_number in mine:  # entered by an earlier run
                amount = next((str(i.fields.get("Amount") or "") for i in registered
                               if i.fields.get("Title") == notice_number), "")
                lines.append(_issued_line(mine[notice_number].notice, parent.name, amount))
                earlier = await self.filer.filed_before(
                    f"penalty/{notice_number}", str(f.get("CaseRef") or ""),
                    _folder(str(f.get("School") or ""), f))
                if earlier is not None and earlier.item_id:
                    to_post.append(ToPost(notice_number, parent.name,
                                          str(f.get("CaseRef") or ""), earlier.item_id))
                continue
            # A notice filed by a run that stopped before entering it keeps the day written
            # on it: the register says what the parent receives.
            filed = await self.filer.filed_before(
                f"penalty/{notice_number}", str(f.get("CaseRef") or ""),
                _folder(str(f.get("School") or ""), f))
            issued_on = _dated(filed.name if filed else "") or self.today
            decided = decide_issue(pupil, parent.carer(n), notices, self.profile, issued_on)
            if not decided.allowed:
                lines.append(f"No notice to {parent.name}: {decided.message}")
                report.refused_at_limit.append(number)
                refused += 1
                continue
            notice = RegisteredNotice(
                notice_number, child_key(pupil), parent_key(parent.carer(n)),
                str(f.get("School") or ""), issued_on, ServedBy.POST, self.today,
                second=decided.second)
            filing = await self._file(notice, parent, pupil, f, item.modified_by)
            if filing is None:
                await self._hold(lists, item, "A notice is being filed by another run; "
                                 "it is entered on the register at the next one.", report)
                return None
            fields = notice_fields(notice, standing(notice, self.profile, self.today),
                                   decided.amount, parent.name) | {
                "RequestRef": number, "CaseRef": str(f.get("CaseRef") or ""),
                # Served by post: Address is where; Email ("where it was emailed, if it
                # was") stays empty, as no notice is emailed.
                "Address": "\n".join(parent.address),
                "Reason": str(f.get("Reason") or ""), "Document": filing.web_url,
                "Evidence": str(f.get("Evidence") or ""),
                "StateNote": ("Issued today" if issued_on == self.today else
                              f"Issued on {say_day(issued_on)}, entered on the register "
                              "today") + ": post it today, first class. The days to pay are "
                             "counted from the day it is received, the second working day "
                             "after posting."}
            try:
                await self.la.create_item(lists[REGISTER].id, fields)
            except GraphError as exc:
                if exc.status != 400:
                    raise
                await self._hold(lists, item, (
                    f"The register refused {notice_number}: {exc} If this version's "
                    "columns are missing, run `casework provision --la-site` (it adds them "
                    "and changes nothing else); the notice is entered at the next run."),
                    report)
                return None
            to_post.append(ToPost(notice_number, parent.name, str(f.get("CaseRef") or ""),
                                  filing.item_id))
            notices.append(notice)
            report.issued.append(notice_number)
            lines.append(_issued_line(notice, parent.name, decided.amount))
        self.posting = await post_notices(self.la, self.filer, number, to_post,
                                          self.authority.name, self.today)
        if parents and refused == len(parents):  # every parent at the limit: refused
            return (f"The local authority refused request {number} on {say_day(self.today)}: "
                    "the register does not allow a notice.\n"
                    + "\n".join(f"- {line}" for line in lines))
        return (f"The local authority decided request {number} on {say_day(self.today)}:\n"
                + "\n".join(f"- {line}" for line in lines))

    async def _file(self, notice: RegisteredNotice, parent: Parent, pupil: Pupil,
                    f: dict[str, Any], officer: str) -> Filing | None:
        """The notice filed in the Penalty Notices library once (None: another run holds
        it)."""
        start, end = day_of(f.get("AbsenceFrom")), day_of(f.get("AbsenceTo"))
        last = day_of(f.get("LastAbsence")) or self.today
        reason = (RequestReason.TERM_TIME_HOLIDAY if f.get("Reason") == "Term-time holiday"
                  else RequestReason.OTHER)
        facts = PenaltyNoticeFacts(
            number=notice.number, issued_on=notice.issued_on, parent_name=parent.name,
            parent_address=parent.address,
            child_name=f"{pupil.forename} {pupil.surname}",
            child_date_of_birth=pupil.date_of_birth, child_address=parent.address,
            school=notice.school, absence_from=start or last, absence_to=end or last,
            sessions_missed=int(f.get("SessionsMissed") or 1), reason=reason,
            terms=payment_terms(notice, self.profile), how_to_pay=self.authority.how_to_pay,
            authority_name=self.authority.name, authority_address=self.authority.address,
            officer_name=officer or "Penalty notice officer",
            officer_role="Penalty notice officer", authority_phone=self.authority.phone,
            authority_email=self.authority.email)
        content = render_penalty_notice(facts)
        folder = _folder(notice.school, f)
        name = (f"{notice.issued_on.isoformat()} Penalty notice {notice.number} - "
                f"{parent.name}.docx")
        filing = await self.filer.file(
            f"penalty/{notice.number}", folder, name, content,
            {"CaseRef": str(f.get("CaseRef") or ""), "DocumentKind": "penalty_notice",
             "CarerId": notice.number.rsplit("-", 1)[-1], "SourceVersion": notice.number,
             "GeneratedAt": self.clock().strftime("%Y-%m-%dT%H:%M:%SZ")})
        if filing.outcome is Outcome.PENDING:
            return None
        return filing

    async def _hold(self, lists: dict[str, ListInfo], item: ListItem, text: str,
                    report: DecisionReport) -> None:
        report.waiting.append(f"{item.fields.get('Title')}: {text}")
        if str(item.fields.get("Outcome") or "") != text:  # said once, not every run
            await self.la.update_fields(lists[REQUESTS].id, item.id, {"Outcome": text})


def _folder(school: str, f: dict[str, Any]) -> str:
    return case_folder(school, str(f.get("CaseRef") or ""))


def _dated(name: str) -> date | None:
    """The day a filed notice's name begins with ('2026-12-11 Penalty notice ...')."""
    try:
        return date.fromisoformat(name[:10])
    except ValueError:
        return None


def _pupil(f: dict[str, Any]) -> Pupil:
    forename, _, surname = str(f.get("Pupil") or "").partition(" ")
    return Pupil(forename=forename, surname=surname,
                 date_of_birth=day_of(f.get("PupilDateOfBirth")) or date.min,
                 year_group=0, upn=str(f.get("Upn") or ""))


def _issued_line(notice: RegisteredNotice, name: str, amount: str) -> str:
    kind = "a second notice within 3 years" if notice.second else "a notice"
    return (f"{notice.number}: {kind} to {name}" + (f", {amount}" if amount else "")
            + f", issued on {say_day(notice.issued_on)}; the LA posts it to them.")


def _decided(item: ListItem) -> str:
    """The officer's decision as acted on: the Decision and its reasons (the app's own
    writes to the request change neither)."""
    reasons = str(item.fields.get("DecisionReasons") or "").strip()
    digest = hashlib.sha256(reasons.encode("utf-8")).hexdigest()[:12]
    return f"{item.fields.get('Decision')} {digest}"

"""A school asks its LA for a penalty notice from the case (issue 19, point 1).

Staff fill in the reason, the last day of absence and (if none was issued) why there was no
Notice to Improve on the Cases item, and tick "Request a penalty notice". The sweep then:

1. reads the LA's site: the register's notices for this child at every school (by its
   indexed Child column: the UPN stays with a pupil who moves school; absences a notice
   was issued for are not counted again) and the requests for this child or this case
   (the duplicate check, and the request's number);
2. checks the request as the LA would (``domain.penalty_requests.check_request``: the
   threshold within the rolling 10 school weeks, the Notice to Improve served and its
   period over or why none, support offered, each parent named with an address, the
   LA's deadline, no open request already). Not the limit of 2 notices in 3 years: the
   LA counts that when it decides (``deciding``), so a school never sees notices issued
   through another school;
3. sends it, only when every check passes, with its evidence: the case's evidence bundle
   (``LegalReferrals.exhibit``: this case state's bundle, made now if need be) copied into
   the LA's Penalty Notices library, in the case's folder there, so the LA holds the
   evidence as it was when the request was made, on its own site (the school's case
   folder stays the school's); then one item in the LA's Penalty Notice Requests list with
   the facts the officer checks and the evidence's link, for the LA's officers to decide;
4. says on the case what happened, in plain words: sent (its number), or each thing to
   put right and where; the tick is cleared either way (the caller's write).

Exactly once: a request already open for this case (one whose create was answered with
nothing, or a tick left by a sweep that stopped) is found by its CaseRef and said, never
sent twice. The evidence is copied before the request is made, under the request's
number (a copy made again after a stop replaces the first), so a request never names
evidence that is not in the LA's library. The school's site sees only its own case; the
LA's lists and library are read and written with the LA site's client (``LaSite``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from function_app.adapters.graph.records import DriveItem, ListInfo, ListItem
from function_app.domain.calendar import SchoolCalendar
from function_app.domain.model import Case
from function_app.domain.penalty import ThresholdCheck, last_notice_issued, penalty_threshold
from function_app.domain.penalty_register import (
    Problem,
    RequestReason,
    child_key,
    parent_key,
)
from function_app.domain.penalty_requests import OpenRequest, Request, check_request
from function_app.domain.policy import Profile
from function_app.domain.wording import day as say_day
from function_app.services.case_lists.list_columns import PENALTY_REASONS

from .register_columns import LIBRARY, OPEN_DECISIONS, REGISTER, REQUESTS, WAITING
from .register_items import Entry, case_folder, day_of, link_in, read_entry
from .request_parents import parents_in, parents_text

if TYPE_CHECKING:
    from function_app.services.legal.legal_referral import Exhibit

# The case's evidence bundle, made or found when a request passes its checks (None while
# another worker is making it): LegalReferrals.exhibit, bound to the case.
Evidence = Callable[[], Awaitable["Exhibit | None"]]

TICK, ANSWER = "RequestPenaltyNotice", "PenaltyNoticeRequest"  # the Cases item's columns
NO_LA_SITE = ("This deployment has no local authority site (SHAREPOINT_LA_SITE), so the "
              "request could not be sent: ask the local authority how to request a penalty "
              "notice.")


class LaSite(Protocol):
    """What requesting needs of the LA site (a GraphClient for SHAREPOINT_LA_SITE)."""

    async def lists(self) -> dict[str, ListInfo]: ...
    async def read_items(self, queries: Sequence[tuple[str, str, Sequence[str]]],
                         per_filter: int = ..., with_files: bool = ...
                         ) -> list[list[ListItem]]: ...
    async def create_item(self, list_id: str, fields: dict[str, Any]) -> ListItem: ...
    async def use_library(self, list_id: str) -> None: ...
    async def upload(self, folder_path: str, name: str, content: bytes,
                     conflict: str = "replace") -> DriveItem: ...
    async def set_file_fields(self, item_id: str, fields: dict[str, Any]
                              ) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class Requested:
    """What became of a request: ``text`` for the case's "Penalty notice request" column;
    ``number`` when it went (or had gone) to the LA; ``problems`` when it did not;
    ``pending`` when its evidence bundle is being made by another worker (nothing was sent
    or said: ask again at the next sweep); ``evidence_url`` the LA's copy of the evidence;
    ``open`` when it is with the LA's officers now, sent by this sweep or an earlier one
    (whose answer may have been lost before the officers were told)."""

    case_ref: str
    text: str
    number: str = ""
    problems: tuple[Problem, ...] = ()
    pending: bool = False
    evidence_url: str = ""
    open: bool = False
    request_url: str = ""  # the request's item on the LA's site, for the officers' card


class PenaltyRequests:
    """A school's requests to its LA (see the module)."""

    def __init__(self, la: Callable[[], LaSite] | None, school_site: str) -> None:
        self.open_la, self.school_site = la, school_site
        self.la: LaSite | None = None  # opened at the first request: most sweeps have none

    async def aclose(self) -> None:
        """Close the LA site's client, if a request opened one."""
        closer = getattr(self.la, "aclose", None)
        if closer is not None:
            await closer()

    async def request(self, case: Case, item: ListItem, profile: Profile, today: date,
                      requested_by: str = "", evidence: Evidence | None = None
                      ) -> Requested:
        if self.open_la is None:
            return Requested(case.case_ref, NO_LA_SITE)
        if self.la is None:
            self.la = self.open_la()
        lists = await self.la.lists()
        missing = [name for name in (REQUESTS, REGISTER, LIBRARY) if name not in lists]
        if missing:
            return Requested(case.case_ref, (
                f"The local authority's site has no {' or '.join(missing)} list yet, so the "
                "request could not be sent: ask the LA to run `casework provision "
                "--la-site`, then tick the request again."))
        child = child_key(case.pupil)
        registered, for_child, for_case = await self.la.read_items([
            (lists[REGISTER].id, "Child", [child]),
            (lists[REQUESTS].id, "Upn", [case.pupil.upn.strip().upper() or "-"]),
            (lists[REQUESTS].id, "CaseRef", [case.case_ref])])
        mine = [i for i in for_case if i.fields.get("School") == case.school.name]
        already = next((i for i in mine if i.fields.get("Decision") in OPEN_DECISIONS), None)
        if already is not None:
            return Requested(case.case_ref, _already(already), str(already.fields["Title"]),
                             evidence_url=link_in(already.fields.get("Evidence")), open=True,
                             request_url=already.web_url)
        request = _request(case, item, today, len(mine) + 1)
        opened = [_open(i, child) for i in {i.id: i for i in (*for_child, *mine)}.values()
                  if i.fields.get("Decision") in OPEN_DECISIONS]
        entries = [read_entry(i) for i in registered]
        unreadable = [e for e in entries if not isinstance(e, Entry)]
        if unreadable:  # the limit cannot be counted without every notice
            return Requested(case.case_ref, (
                "The request was not sent: the local authority's register has a notice "
                "for this child it cannot read (" + "; ".join(e.message for e in unreadable)
                + "), so the limit of notices cannot be checked. Ask the LA's penalty "
                "notice officers to mend it, then tick the request again."))
        calendar = SchoolCalendar.of(profile.holidays, case.school.holidays)
        problems = check_request(request, [e.notice for e in entries
                                           if isinstance(e, Entry)], opened, profile,
                                 calendar)
        if problems:
            return Requested(case.case_ref, _not_sent(problems), problems=tuple(problems))
        carried, url = NO_EVIDENCE, ""
        if evidence is not None:
            exhibit = await evidence()
            if exhibit is None:
                return Requested(case.case_ref, "", pending=True)
            url = (await self._file_evidence(exhibit, request, case.case_ref,
                                             lists[LIBRARY].id)).web_url
            carried = f"{exhibit.about}\n{url}"
        threshold = penalty_threshold(case.marks, profile, last_notice_issued(
            case.penalty_notices))
        made = await self.la.create_item(lists[REQUESTS].id, _fields(
            request, case, item, self.school_site, requested_by, carried, threshold))
        return Requested(case.case_ref, (
            f"Requested on {say_day(today)}: {request.number} went to the local authority's "
            f"penalty notice officers, for a notice to "
            f"{' and '.join(p.full_name for p in request.parents)}. You will be told here "
            "when they decide."), request.number, evidence_url=url, open=True,
            request_url=made.web_url)

    async def _file_evidence(self, exhibit: Exhibit, request: Request, case_ref: str,
                             library: str) -> DriveItem:
        """The evidence's copy in the LA's library, named by the request (replacing a copy
        an earlier, stopped attempt made)."""
        assert self.la is not None
        await self.la.use_library(library)
        filed = await self.la.upload(case_folder(request.school, case_ref),
                                     f"{request.number} {exhibit.name}", exhibit.content)
        await self.la.set_file_fields(filed.id, {
            "CaseRef": case_ref, "DocumentKind": "penalty_request_evidence",
            "SourceVersion": request.number})
        return filed


NO_EVIDENCE = ("No evidence bundle was sent: this deployment makes none. Ask the school for "
               "its evidence.")


def request_number(case_ref: str, n: int) -> str:
    """'PNR-ATT-2026-0321-1': the case's n-th request."""
    return f"PNR-{case_ref}-{n}"


def _request(case: Case, item: ListItem, today: date, n: int) -> Request:
    fields = item.fields
    reason = PENALTY_REASONS.value_of(str(fields.get("PenaltyNoticeReason") or ""))
    return Request(
        number=request_number(case.case_ref, n), school=case.school.name, pupil=case.pupil,
        parents=case.parents, requested_on=today,
        reason=RequestReason(reason) if reason else RequestReason.OTHER,
        last_absence=day_of(fields.get("LastAbsence")), marks=case.marks,
        notice_to_improve=case.notice_to_improve,
        no_notice_to_improve_because=str(fields.get("NoNoticeToImproveBecause") or "").strip(),
        support_offered=_support(case))


def _support(case: Case) -> tuple[str, ...]:
    """What was offered, with when: each meeting's interventions offered."""
    seen: dict[str, str] = {}
    for meeting in case.meetings:
        for i in meeting.interventions:
            if i.offered or i.completed:
                when = i.offered_on or i.completed_on
                seen.setdefault(i.name, f"{i.name}" + (f", offered {say_day(when)}"
                                                       if when else ""))
    return tuple(seen.values())


def _open(item: ListItem, child: str) -> OpenRequest:
    f = item.fields
    parents = frozenset(parent_key(p.carer(n)) for n, p in enumerate(parents_in(
        f.get("Parents")), start=1))
    return OpenRequest(str(f.get("Title") or ""), str(f.get("School") or ""), child,
                       parents, day_of(f.get("RequestedOn")) or date.min)


def _fields(request: Request, case: Case, item: ListItem, school_site: str,
            requested_by: str, evidence: str,
            threshold: ThresholdCheck | None) -> dict[str, Any]:
    nti = case.notice_to_improve
    fields: dict[str, Any] = {
        "Title": request.number, "School": request.school, "SchoolSite": school_site,
        "CaseRef": case.case_ref, "CaseItem": item.id,
        "Pupil": f"{case.pupil.forename} {case.pupil.surname}",
        "Upn": case.pupil.upn.strip().upper(),
        "PupilDateOfBirth": _day(case.pupil.date_of_birth),
        "Parents": parents_text(request.parents),
        "Reason": PENALTY_REASONS.label_of(request.reason.value),
        "NoNoticeBecause": request.no_notice_to_improve_because,
        "SupportOffered": "\n".join(request.support_offered),
        "Evidence": evidence, "RequestedOn": _day(request.requested_on),
        "RequestedBy": requested_by or item.modified_by,
        "Checks": "Checked by the casework app when it was sent: the threshold, the Notice "
                  "to Improve, support offered, each parent named with an address, the "
                  "deadline, and no open request. The limit of 2 notices in 3 years is "
                  "counted on the register when you choose Issue.",
        "Decision": WAITING,
    }
    if request.last_absence:
        fields["LastAbsence"] = _day(request.last_absence)
    if threshold is not None and threshold.window_start and threshold.window_end:
        fields |= {
            "Threshold": (f"{threshold.sessions} unauthorised sessions in the "
                          f"{threshold.school_weeks} school weeks from "
                          f"{say_day(threshold.window_start)} to "
                          f"{say_day(threshold.window_end)}, from the register's marks"),
            "AbsenceFrom": _day(threshold.window_start),
            "AbsenceTo": _day(threshold.window_end), "SessionsMissed": threshold.sessions}
    if nti is not None:
        fields["NoticeToImproveOn"] = _day(nti.issued_on)
        fields["ImprovementWeeks"] = nti.improvement_period_weeks
    return fields


def _already(item: ListItem) -> str:
    f = item.fields
    on = day_of(f.get("RequestedOn"))
    when = f" on {say_day(on)}" if on else ""
    more = (" The LA asked for more: " + str(f.get("DecisionReasons") or "").strip()
            if f.get("Decision") == "Ask for more" else "")
    return (f"Already requested{when}: {f.get('Title')} is with the local authority, which has "
            f"not decided yet; nothing was sent again.{more}")


def _not_sent(problems: Sequence[Problem]) -> str:
    return ("The request was not sent to the local authority.\nPlease put right:\n"
            + "\n".join(f"- {p.message} (put it right in {p.where})" for p in problems)
            + "\nthen tick \u201cRequest a penalty notice\u201d again.")


def _day(day: date) -> str:
    """A dateOnly column's value as Graph takes it."""
    return f"{day.isoformat()}T00:00:00Z"


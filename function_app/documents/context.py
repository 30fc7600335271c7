"""Context builders: pure functions from the casework record to what a template may use.

Every key is always present, so a template can test any of them; values are text, lists
or booleans, never None inside a value a template prints (an absent date is '', an absent
list is []). The keys are documented in docs/template-context.md; ``templates check``
refuses a template that uses a name not provided here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from function_app.domain.assessment import Assessment
from function_app.domain.attendance import (
    FiguresAsAt,
    Standing,
    absence_flags,
    attendance_percent,
    display_percent,
    figure_of,
    figures_as_at,
    figures_between,
    tier_for,
)
from function_app.domain.meetings import pupil_of_age_to_take_part
from function_app.domain.model import (
    Attendee,
    Carer,
    Case,
    Intervention,
    Meeting,
    MeetingKind,
    Party,
    Quote,
    ReviewDecision,
    TargetMet,
    VenueKind,
)
from function_app.domain.wording import figures_note, figures_period, figures_stated

from .formatting import clock, lines, long_date, tick, weekday_date, year_group
from .logo import Logo

MEETING_TITLES = {
    MeetingKind.SUPPORT: "school attendance meeting",
    MeetingKind.REVIEW: "attendance review meeting",
    MeetingKind.AIM: "Attendance Improvement Meeting",
    MeetingKind.AIM_REVIEW: "Attendance Improvement Meeting review",
    MeetingKind.APDR_REVIEW: "Assess, Plan, Do, Review meeting",
    MeetingKind.ATTENDANCE_CONTRACT: "attendance contract meeting",
    MeetingKind.EARLY_HELP_REVIEW: "Early Help review",
    MeetingKind.LEGAL_CONSULTATION: "legal intervention consultation",
}
TARGET_MET = {TargetMet.YES: "Yes", TargetMet.SOME: "Some improvement", TargetMet.NO: "No"}
DECISIONS = {
    ReviewDecision.NO_FURTHER_ACTION: "No further action: keep monitoring attendance",
    ReviewDecision.REVIEW_AGAIN: "A new plan, to be reviewed",
    ReviewDecision.ESCALATE: "Escalate to the formal legal process",
}


@dataclass(frozen=True, slots=True)
class Options:
    """Settings that shape every document: the protective marking line and the logo."""

    marking: str = ""
    logo: Logo | None = None


def build_context(a: Assessment, meeting: Meeting | None, carer: Carer | None,
                  options: Options) -> dict[str, Any]:
    case = a.case
    return {
        "marking": options.marking,
        "logo": None,  # the renderer puts the drawing here when there is a logo
        "today": long_date(a.today),
        "case_ref": case.case_ref,
        "school": _school(case),
        "pupil": _pupil(case),
        "carer": _carer(carer, case) if carer else None,
        "carers": [_carer(c, case) for c in case.carers],
        "siblings": [{"full_name": f"{s.forename} {s.surname}", "school": s.school,
                      "date_of_birth": long_date(s.date_of_birth),
                      "attendance_concern": s.attendance_concern} for s in case.siblings],
        "attendance": _attendance(a, meeting),
        "meeting": _meeting(a, meeting) if meeting else None,
        "previous_meeting": _meeting(a, prev) if meeting and (prev := _previous(case, meeting))
        else None,
        "meetings": [_meeting(a, m) for m in case.meetings_by_date()],
        "interactions": [_interaction(case, i) for i in
                         sorted(case.interactions, key=lambda i: (i.date, i.time or time(12)))],
        "chronology": _chronology(case),
        "interventions": _all_interventions(case),
        "notice": _notice(case),
        "penalty_notices": [{"carer": _name_of(case, n.carer_id), "issued_on":
                             long_date(n.issued_on)} for n in case.penalty_notices],
        "profile": _profile(a),
        "consulted": _consulted(a, meeting),
        "next_steps": [s.text for s in a.next_steps],
    }


def _profile(a: Assessment) -> dict[str, str]:
    amounts = a.profile.penalty_amounts
    return {"title": a.profile.title, "consult": a.profile.consult,
            "legal_referral_form": a.profile.legal_referral_form,
            "penalty_first_21_days": f"£{amounts['first_paid_within_21_days']}",
            "penalty_first_28_days": f"£{amounts['first_paid_within_28_days']}",
            "penalty_second": f"£{amounts['second']}"}


def _school(case: Case) -> dict[str, Any]:
    s = case.school
    return {"name": s.name, "address_lines": lines(s.address), "phone": s.phone,
            "email": s.email, "signatory_name": s.signatory_name,
            "signatory_role": s.signatory_role}


def _pupil(case: Case) -> dict[str, Any]:
    p = case.pupil
    return {"forename": p.forename, "surname": p.surname,
            "full_name": f"{p.forename} {p.surname}",
            "known_as": p.preferred_name or p.forename, "initials": p.initials,
            "date_of_birth": long_date(p.date_of_birth), "year_group": year_group(p.year_group),
            "upn": p.upn}


def _consulted(a: Assessment, meeting: Meeting | None) -> dict[str, str]:
    """Whom the school consulted before legal action, as the school's own referral names
    them: the profile's "your Inclusion Officer" is how the app speaks to the school, so
    the referral says "the local authority's Inclusion Officer", and gives the officer's
    name when a consultation meeting records someone in that role."""
    consult = a.profile.consult.strip()
    role = ("the local authority's " + consult[len("your "):]
            if consult.lower().startswith("your ") else consult)
    title = re.sub(r"\s*\(.*?\)", "", role).removeprefix("the local authority's ").strip()
    name = ""
    meetings = [m for m in reversed(a.case.meetings_by_date())
                if m.kind is MeetingKind.LEGAL_CONSULTATION and m is not meeting]
    for m in ([meeting] if meeting else []) + meetings:
        officer = next((x for x in m.attendees if x.party is Party.AGENCY and x.name.strip()
                        and x.role.strip().casefold() in
                        (title.casefold(), consult.casefold(), role.casefold())), None)
        if officer is not None:
            name = officer.name.strip()
            break
    return {"role": role, "name": name}


def _carer(c: Carer, case: Case) -> dict[str, Any]:
    return {"id": c.id, "first_name": c.first_name, "last_name": c.last_name,
            "full_name": c.full_name, "relationship": c.relationship,
            "parental_responsibility": c.parental_responsibility,
            "address_lines": lines(c.address), "email": c.email,
            "salutation": f"Dear {c.full_name}",
            "household": [o.full_name for o in case.carers
                          if o.id != c.id and _share_a_home(c, o)]}


def _share_a_home(one: Carer, other: Carer) -> bool:
    """Two carers live together when both live with the pupil at the same address. Parents
    who live apart may not share information (safeguarding, privacy): a letter to one says
    nothing of the other unless they live together."""
    def address(c: Carer) -> list[str]:
        return [" ".join(line.casefold().split()) for line in lines(c.address)]
    return one.lives_with_pupil and other.lives_with_pupil and address(one) == address(other)


def as_at(a: Assessment, meeting: Meeting | None) -> date:
    """The day a document's figures are given on: the day it is made, or the meeting's
    date when that is earlier (a record of a held meeting, however late it is made)."""
    return min(a.today, meeting.date) if meeting else a.today


def _attendance(a: Assessment, meeting: Meeting | None) -> dict[str, Any]:
    """The figures as they stood on the document's day, ``as_at`` (docs/documents.md, "How
    figures are shown"): never a period ending after it, always the sessions beside the
    percentage. For a meeting, the case totals are those kept on it when it was first
    recorded, if they were (``Meeting.figures_at_meeting``): the school overwrites the
    case's own."""
    totals = (meeting.figures_at_meeting if meeting and meeting.figures_at_meeting
              else a.case.attendance)
    at = figures_as_at(totals, a.case.marks, as_at(a, meeting))
    return _figures(at, a)


def _figures(at: FiguresAsAt, a: Assessment) -> dict[str, Any]:
    f = at.figures
    base: dict[str, Any] = {"shown": f is not None, "as_at": long_date(at.day),
                            "from_marks": at.from_marks, "note": figures_note(at),
                            "current": at.standing is Standing.CURRENT}
    if f is None:
        return base | {"percent": "", "figure": "", "stated": "", "possible": "",
                       "present": "", "authorised": "", "unauthorised": "", "period": "",
                       "over_period": "", "tier": "", "tier_band": "",
                       "persistently_absent": False, "severely_absent": False}
    percent = attendance_percent(f)
    band = tier_for(percent, a.profile.tier_bands)
    flags = absence_flags(percent, a.profile)
    period = figures_period(f)
    return base | {
        "percent": display_percent(percent), "figure": figure_of(f),
        "stated": figures_stated(f), "possible": str(f.possible_sessions),
        "present": str(f.present_sessions), "authorised": str(f.authorised_absences),
        "unauthorised": str(f.unauthorised_absences), "period": period,
        # " from 1 September 2026 to 18 December 2026", to follow the figure in a sentence
        "over_period": f" {period}" if period.startswith("up to") else
        (f" from {period}" if period else ""),
        "tier": f"Tier {band.tier}", "tier_band": band.label,
        "persistently_absent": flags.persistently_absent,
        "severely_absent": flags.severely_absent}


def _review_figures(a: Assessment, m: Meeting) -> dict[str, Any] | None:
    """A review's figures for the period it looks back on, from the day after the meeting
    whose plan it reviews to the review itself; None when the register marks do not give
    them (case totals cannot be cut to a period)."""
    prev = _previous(a.case, m)
    if prev is None or not a.case.marks:
        return None
    day = min(a.today, m.date)
    f = figures_between(a.case.marks, prev.date + timedelta(days=1), day)
    if f is None:
        return None
    return {"figure": figure_of(f), "period": figures_period(f), "stated": figures_stated(f),
            "since": long_date(prev.date)}


def _meeting(a: Assessment, m: Meeting) -> dict[str, Any]:
    case = a.case
    view = next((mv for mv in a.meetings if mv.meeting is m), None)
    review = view.review if view else None
    outcome = m.review_outcome
    return {
        "id": m.id,
        "kind": m.kind.value,
        "title": MEETING_TITLES[m.kind],
        "status": m.status.value,
        "held": m.status.value == "held",
        "date": long_date(m.date),
        "weekday_date": weekday_date(m.date),
        "time": clock(m.time),
        "venue": _venue(case, m),
        "at_home": m.venue is not None and m.venue.kind is VenueKind.HOME,
        "online": m.venue is not None and m.venue.kind is VenueKind.ONLINE,
        "attendees": [_attendee(x) for x in m.attendees],
        "present": [_attendee(x) for x in m.attendees if x.present],
        "absent": [_attendee(x) for x in m.attendees if not x.present],
        "pupil_attended": m.present(Party.PUPIL),
        "parents_attended": m.present(Party.CARER),
        "pupil_of_age": pupil_of_age_to_take_part(case.pupil, a.profile),
        "pupil_voice": [_quote(case, q) for q in m.pupil_voice],
        "parent_voice": [_quote(case, q) for q in m.parent_voice],
        "reasons": list(m.reasons_for_absence),
        "barriers": list(m.barriers),
        "interventions": [_intervention(i) for i in m.interventions],
        "actions": {"pupil": list(m.agreed_actions.pupil),
                    "parents": list(m.agreed_actions.parents),
                    "school": list(m.agreed_actions.school),
                    "others": list(m.agreed_actions.others)},
        "target": m.target,
        "attendance": _attendance(a, m),
        "review_figures": _review_figures(a, m),
        "review_date": long_date(review.due) if review else long_date(m.review_date),
        "outcome": None if outcome is None else {
            "target_met": TARGET_MET[outcome.target_met],
            "decision": DECISIONS[outcome.decision],
            "escalate": outcome.decision is ReviewDecision.ESCALATE,
            "discussion": outcome.previous_plan_discussion,
        },
        "reason_not_proceeded": m.reason_not_proceeded,
        "early_help_services": list(m.early_help_services),
        "send_support": m.send_support,
        "present_situation": m.present_situation,
        "other_issues": m.other_issues,
    }


def _venue(case: Case, m: Meeting, to_family: bool = True) -> str:
    if m.venue is None:
        return case.school.name
    detail = m.venue.detail
    return {
        VenueKind.SCHOOL: detail or case.school.name,
        VenueKind.HOME: detail or ("your home" if to_family else "the family's home"),
        VenueKind.NEUTRAL: detail or "a place agreed with you",
        VenueKind.ONLINE: detail or ("online (a link will be sent to you)" if to_family
                                     else "online"),
    }[m.venue.kind]


def _attendee(x: Attendee) -> dict[str, Any]:
    return {"name": x.name, "role": x.role, "party": x.party.value, "present": x.present,
            "attendance": "Present" if x.present else "Absent", "carer_id": x.carer_id}


def _quote(case: Case, q: Quote) -> dict[str, str]:
    return {"speaker": _speaker(case, q.speaker), "text": q.text}


def _speaker(case: Case, speaker: str) -> str:
    if speaker.strip().lower() == "pupil":
        return case.pupil.preferred_name or case.pupil.forename
    carer = case.carer(speaker)
    return carer.full_name if carer else speaker


def _name_of(case: Case, carer_id: str) -> str:
    carer = case.carer(carer_id)
    return carer.full_name if carer else carer_id


def _intervention(i: Intervention) -> dict[str, Any]:
    return {"name": i.name, "offered": tick(i.offered or i.offered_on is not None),
            "offered_on": long_date(i.offered_on),
            "completed": tick(i.completed or i.completed_on is not None),
            "completed_on": long_date(i.completed_on),
            "taken_up": {True: "Yes", False: "No", None: ""}[i.taken_up]}


def _all_interventions(case: Case) -> list[dict[str, Any]]:
    latest: dict[str, Intervention] = {}
    for m in case.meetings_by_date():
        for i in m.interventions:
            latest[i.name] = i
    return [_intervention(i) for i in latest.values()]


def _previous(case: Case, meeting: Meeting) -> Meeting | None:
    """The meeting whose plan a review looks back on: the latest held one before it."""
    if not meeting.kind.is_review:
        return None
    earlier = [m for m in case.meetings_by_date()
               if m.status.value == "held" and m.date < meeting.date and m is not meeting]
    return earlier[-1] if earlier else None


def _interaction(case: Case, i: Any) -> dict[str, Any]:
    return {"date": long_date(i.date), "time": clock(i.time),
            "mode": i.mode.value.replace("_", " "), "staff_member": i.staff_member,
            "summary": i.summary, "with": [_name_of(case, c) for c in i.carer_ids],
            "quotes": [_quote(case, q) for q in i.quotes]}


def _chronology(case: Case) -> list[dict[str, str]]:
    """Every contact and meeting in date order, as the legal referral lists them."""
    events: list[tuple[date, str, str]] = []
    for i in case.interactions:
        events.append((i.date, clock(i.time),
                       f"{i.mode.value.replace('_', ' ').capitalize()} by {i.staff_member}: "
                       f"{i.summary}"))
    for m in case.meetings:
        state = {"held": "held", "planned": "planned", "did_not_proceed": "did not go ahead",
                 "cancelled": "cancelled"}[m.status.value]
        who = ", ".join(f"{x.name} ({x.role})" for x in m.attendees if x.present)
        text = f"{MEETING_TITLES[m.kind][0].upper()}{MEETING_TITLES[m.kind][1:]} {state}"
        if m.venue is not None:
            text += f" ({_venue(case, m, to_family=False)})"
        if who and m.status.value == "held":
            text += f"; present: {who}"
        if m.reason_not_proceeded:
            text += f"; reason: {m.reason_not_proceeded}"
        events.append((m.date, clock(m.time), text))
    events.sort(key=lambda e: e[0])
    return [{"date": long_date(d), "time": t, "event": text} for d, t, text in events]


def _notice(case: Case) -> dict[str, str] | None:
    n = case.notice_to_improve
    if n is None:
        return None
    return {"issued_on": long_date(n.issued_on),
            "period_weeks": str(n.improvement_period_weeks),
            "period_ends": long_date(n.issued_on + timedelta(weeks=n.improvement_period_weeks)),
            "sufficient_improvement": n.sufficient_improvement}

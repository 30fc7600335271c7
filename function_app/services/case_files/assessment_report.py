"""An assessment as text for an attendance lead, or as JSON for machines.

The JSON keys are documented in docs/assess-output.md and are stable: new keys may be
added, none renamed or removed without raising ``schema_version``. Numbers stay numbers for
machines; ``attendance.shown`` and the text give the figure as a person reads it, with its
sessions: "77.8% (296 of 380 possible sessions)" (``display_figure``, one decimal, rounded
down, the same number as ``attendance_percent``).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from function_app.domain.assessment import Assessment
from function_app.domain.attendance import figure_of, percent_tenths
from function_app.domain.meetings import pupil_of_age_to_take_part
from function_app.domain.wording import day, meeting_name

SCHEMA_VERSION = 1


def _one_decimal_down(value: Fraction) -> float:
    """The percentage as the figure shows it (``percent_tenths``): 77.89...% is 77.8."""
    return percent_tenths(value) / 10


def _iso(d: Any) -> str | None:
    return d.isoformat() if d is not None else None


def to_json(a: Assessment) -> dict[str, Any]:
    view, case, profile = a.attendance, a.case, a.profile
    f = view.figures
    t = a.threshold
    rule = profile.penalty_threshold
    return {
        "schema_version": SCHEMA_VERSION,
        "case_ref": case.case_ref,
        "today": a.today.isoformat(),
        "profile": {"name": profile.name, "title": profile.title},
        "pupil": {
            "initials": case.pupil.initials,
            "year_group": case.pupil.year_group,
            "final_year": case.pupil.year_group >= profile.final_year_group,
            "of_age_to_take_part": pupil_of_age_to_take_part(case.pupil, profile),
        },
        "stage": case.stage.value,
        "status": case.status.value,
        "attendance": {
            "source": "marks" if view.from_marks else "figures",
            "possible_sessions": f.possible_sessions,
            "present_sessions": f.present_sessions,
            "authorised_absences": f.authorised_absences,
            "unauthorised_absences": f.unauthorised_absences,
            "attendance_percent": _one_decimal_down(view.percent),
            "shown": figure_of(f),
            "tier": view.tier.tier,
            "tier_band": view.tier.label,
            "persistently_absent": view.flags.persistently_absent,
            "severely_absent": view.flags.severely_absent,
        },
        "penalty_notice": {
            "threshold": None if t is None else {
                "reached": t.reached,
                "sessions": t.sessions,
                "window_start": _iso(t.window_start),
                "window_end": _iso(t.window_end),
                "school_weeks": t.school_weeks,
                "rule": {"sessions": rule.sessions, "school_weeks": rule.school_weeks,
                         "codes": sorted(rule.codes)},
            },
            "allowances": [
                {"carer_id": al.carer_id, "issued_in_window": al.issued_in_window,
                 "remaining": al.remaining, "next_amount": al.next_amount or None,
                 "available_again_on": _iso(al.available_again_on)}
                for al in a.allowances
            ],
        },
        "meetings": [
            {
                "id": mv.meeting.id,
                "kind": mv.meeting.kind.value,
                "status": mv.meeting.status.value,
                "date": mv.meeting.date.isoformat(),
                "may_proceed": None if mv.proceed is None else mv.proceed.may_proceed,
                "proceed_reason": None if mv.proceed is None else mv.proceed.reason,
                "review_due": None if mv.review is None else mv.review.due.isoformat(),
                "review_set_by": None if mv.review is None else mv.review.set_by,
                "review_within_guidance": None if mv.review is None
                else mv.review.within_guidance,
                "review_overdue": mv.review_overdue,
            }
            for mv in a.meetings
        ],
        "next_steps": [{"code": s.code, "text": s.text, "source": s.source}
                       for s in a.next_steps],
        "warnings": [{"code": w.code, "text": w.text, "source": w.source} for w in a.warnings],
    }


def to_text(a: Assessment) -> str:
    """The assessment for a person: every percentage with its sessions."""
    view, case = a.attendance, a.case
    f = view.figures
    flags = [name for name, on in (("persistently absent", view.flags.persistently_absent),
                                   ("severely absent", view.flags.severely_absent)) if on]
    lines = [
        f"Case {case.case_ref}: {case.pupil.forename} {case.pupil.surname}, "
        f"Year {case.pupil.year_group}, {case.school.name}",
        f"Assessed on {day(a.today)} under {a.profile.title}.",
        "",
        f"Attendance: {figure_of(f)}"
        + (", counted from the register marks" if view.from_marks else ""),
        f"Tier {view.tier.tier} ({view.tier.label})"
        + (f"; {' and '.join(flags)}" if flags else ""),
        f"Absences: {f.authorised_absences} authorised, {f.unauthorised_absences} unauthorised.",
    ]
    t = a.threshold
    if t is not None and t.window_start and t.window_end:
        rule = a.profile.penalty_threshold
        state = "reached" if t.reached else "not reached"
        lines.append(
            f"Penalty notice threshold ({rule.sessions} unauthorised sessions in "
            f"{rule.school_weeks} school weeks): {state}; {t.sessions} between "
            f"{day(t.window_start)} and {day(t.window_end)}.")
    for al in a.allowances:
        carer = case.carer(al.carer_id)
        name = carer.full_name if carer else al.carer_id
        more = (f"next: {al.next_amount}" if al.remaining
                else "none may be issued" + (f" until {day(al.available_again_on)}"
                                             if al.available_again_on else ""))
        lines.append(f"Penalty notices for {name}: {al.issued_in_window} in the last "
                     f"{a.profile.penalty_notice_rolling_years} years, {al.remaining} "
                     f"remaining ({more}).")
    if a.meetings:
        lines += ["", "Meetings:"]
        for mv in a.meetings:
            m = mv.meeting
            line = f"- {day(m.date)}: {meeting_name(m.kind)}, " \
                   f"{m.status.value.replace('_', ' ')}"
            if mv.proceed is not None:
                verdict = "May proceed" if mv.proceed.may_proceed else "Should not proceed"
                line += f". {verdict}: {mv.proceed.reason.rstrip('.')}"
            if mv.review is not None:
                line += f". Review {'overdue since' if mv.review_overdue else 'by'} " \
                        f"{day(mv.review.due)}"
            lines.append(line + ".")
    lines += ["", "Next steps:"]
    lines += [f"{i}. {s.text}\n   (Source: {s.source})" for i, s in enumerate(a.next_steps, 1)]
    if a.warnings:
        lines += ["", "Warnings:"]
        lines += [f"- {w.text}\n  (Source: {w.source})" for w in a.warnings]
    return "\n".join(lines) + "\n"

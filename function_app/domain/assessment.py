"""The assessment of one case under one profile: the figures, the flags, and what next."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from . import advice, cautions
from .attendance import (
    absence_flags,
    attendance_percent,
    figures_from_marks,
    tier_for,
)
from .calendar import SchoolCalendar
from .checks import problems
from .errors import InvalidCaseError
from .findings import Assessment, AttendanceView, MeetingView
from .meetings import aim_may_proceed, kinds_with_proceed_rule, review_due
from .model import Case, Meeting, MeetingStatus, ReviewDecision
from .penalty import (
    ThresholdCheck,
    allowances,
    last_notice_issued,
    penalty_threshold,
    threshold_from_figures,
)
from .policy import Profile

# The types an assessment is made of live in findings.py, which advice.py and cautions.py
# import too (issue 16); they are still imported from here.
__all__ = ["Assessment", "AttendanceView", "MeetingView", "assess"]


def assess(case: Case, profile: Profile, today: date) -> Assessment:
    """Everything the guidance says about this case today. InvalidCaseError if it cannot."""
    found = problems(case, today)
    if found:
        raise InvalidCaseError(found)
    calendar = SchoolCalendar.of(profile.holidays, case.school.holidays)
    view = _attendance(case, profile)
    meetings = tuple(_meeting(m, case, profile, calendar, today) for m in case.meetings_by_date())
    base = Assessment(
        case=case,
        profile=profile,
        today=today,
        attendance=view,
        threshold=_threshold(case, profile, calendar),
        allowances=tuple(allowances(case.parents, case.penalty_notices, profile, today)),
        meetings=meetings,
        next_steps=(),
        warnings=(),
    )
    return replace(base, next_steps=tuple(advice.next_steps(base)),
                   warnings=tuple(cautions.warnings(base)))


def _threshold(case: Case, profile: Profile, calendar: SchoolCalendar) -> ThresholdCheck | None:
    """The penalty notice threshold (DfE 2024): from the register marks if there are any,
    else from the session figures if their period is short enough to decide it.

    A crossing is acted on by the notice that followed it: a penalty notice in force, or a
    Notice to Improve, which the national framework puts first (the advice then follows its
    improvement period). Sessions up to the latest such notice are not counted again."""
    issued = [d for d in (last_notice_issued(case.penalty_notices),
                          case.notice_to_improve.issued_on if case.notice_to_improve else None)
              if d is not None]
    acted_on = max(issued, default=None)
    if case.marks:
        return penalty_threshold(case.marks, profile, acted_on)
    if case.attendance is None:
        return None
    return threshold_from_figures(case.attendance, profile, calendar, acted_on)


def _attendance(case: Case, profile: Profile) -> AttendanceView:
    from_marks = case.attendance is None
    figures = figures_from_marks(case.marks) if from_marks else case.attendance
    assert figures is not None
    percent = attendance_percent(figures)
    return AttendanceView(figures, from_marks, percent, tier_for(percent, profile.tier_bands),
                          absence_flags(percent, profile))


def _meeting(
    m: Meeting, case: Case, profile: Profile, calendar: SchoolCalendar, today: date
) -> MeetingView:
    recorded = m.status in (MeetingStatus.HELD, MeetingStatus.DID_NOT_PROCEED)
    proceed = (aim_may_proceed(m, case.pupil, profile)
               if recorded and m.kind in kinds_with_proceed_rule() else None)
    review = None
    if m.status is MeetingStatus.HELD and m.kind.makes_a_plan and not _closes_the_plan(m):
        review = review_due(m, profile, calendar)
    # A plan is reviewed by any later meeting that looks at a plan again; a legal
    # consultation does not (seed 000: AIMs continue alongside legal involvement).
    later_held = any(o.status is MeetingStatus.HELD and m.date < o.date <= today
                     and o.kind.makes_a_plan for o in case.meetings)
    overdue = review is not None and review.due < today and not later_held
    return MeetingView(m, proceed, review, overdue)


def _closes_the_plan(m: Meeting) -> bool:
    return (m.review_outcome is not None
            and m.review_outcome.decision is ReviewDecision.NO_FURTHER_ACTION)

"""How dates, times and attendance figures read in anything a person sees: 3 March 2026,
9:30am, 77.8% (296 of 380 possible sessions), 1 September 2026 to 18 December 2026."""

from __future__ import annotations

from datetime import date, time

from .attendance import FiguresAsAt, Standing, figure_of, school_year_name, school_year_start
from .model import AttendanceFigures, MeetingKind


def day(d: date) -> str:
    """3 March 2026."""
    return f"{d.day} {d:%B %Y}"


def clock(t: time | None) -> str:
    """'9:30am', '12 noon', '2pm'; '' for no time."""
    if t is None:
        return ""
    if (t.hour, t.minute) == (12, 0):
        return "12 noon"
    hour = t.hour % 12 or 12
    suffix = "am" if t.hour < 12 else "pm"
    return f"{hour}{suffix}" if t.minute == 0 else f"{hour}:{t.minute:02d}{suffix}"


def meeting_name(kind: MeetingKind) -> str:
    """What staff call each meeting: 'school attendance meeting', 'AIM review'."""
    return {
        MeetingKind.SUPPORT: "school attendance meeting",
        MeetingKind.REVIEW: "review meeting",
        MeetingKind.AIM: "attendance improvement meeting",
        MeetingKind.AIM_REVIEW: "AIM review",
        MeetingKind.APDR_REVIEW: "APDR review",
        MeetingKind.ATTENDANCE_CONTRACT: "attendance contract meeting",
        MeetingKind.EARLY_HELP_REVIEW: "Early Help review",
        MeetingKind.LEGAL_CONSULTATION: "legal consultation",
    }[kind]


def counted(n: int, singular: str, plural: str = "") -> str:
    """``1 document``, ``3 documents``, ``2 children``: a number with its noun, as a person
    writes it (never ``document(s)``)."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def figures_period(f: AttendanceFigures) -> str:
    """'1 September 2026 to 18 December 2026'; 'up to 18 December 2026' without a start;
    '' when the period is not recorded."""
    if f.period_start and f.period_end:
        return f"{day(f.period_start)} to {day(f.period_end)}"
    return f"up to {day(f.period_end)}" if f.period_end else ""


def figures_stated(f: AttendanceFigures) -> str:
    """The figure with its sessions and its period, as a table or list shows it:
    '77.8% (296 of 380 possible sessions), 1 September 2026 to 18 December 2026'."""
    period = figures_period(f)
    return figure_of(f) + (f", {period}" if period else "")


def figures_note(at: FiguresAsAt) -> str:
    """A sentence after the figures when they are not the pupil's attendance now; '' when
    they are. Never 'currently' for figures that ended before the day they are given on."""
    f = at.figures
    if f is None:
        return f"No attendance figures up to {day(at.day)} are recorded."
    if at.standing is Standing.LATEST:
        return "These are the latest figures recorded."
    if at.standing is Standing.UNDATED:
        return "The period these figures cover is not recorded."
    if at.standing is Standing.EARLIER_YEAR and f.period_end is not None:
        start = f.period_start or f.period_end
        if school_year_start(start) == school_year_start(f.period_end):
            return (f"These are the latest figures recorded, for the "
                    f"{school_year_name(f.period_end)} school year.")
        return ("These are the latest figures recorded; they began in the "
                f"{school_year_name(start)} school year.")
    return ""

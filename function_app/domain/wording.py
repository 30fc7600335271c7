"""How dates and times read in anything a person sees: 3 March 2026, 9:30am."""

from __future__ import annotations

from datetime import date, time

from .model import MeetingKind


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

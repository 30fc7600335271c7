"""The SharePoint lists as the mapping reads them: each column's internal name, the name
staff see, and where its value goes in the case input.

``sharepoint_schema/*.json`` is what provisioning creates; this module is what
``list_mapping`` reads. tests/sharepoint checks that the two agree, column by column, and
that every choice column offers exactly the values of the domain enum it stands for.

Choice columns show staff plain words ("Did not go ahead"); the case input holds the enum
value ("did_not_proceed"). The labels below are stored in SharePoint items, so changing one
means changing the schema file and the items that use it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, TypeVar

from function_app.domain.attendance import percent_tenths
from function_app.domain.model import (
    CaseStatus,
    ContactMode,
    LettersBy,
    MeetingKind,
    MeetingStatus,
    Party,
    Phase,
    ReviewDecision,
    Session,
    Stage,
    TargetMet,
    VenueKind,
)
from function_app.domain.penalty_register import RequestReason


class Reader(enum.Enum):
    """How a column's raw Graph value becomes a case-input value."""

    TEXT = "text"  # single or multiple lines, kept as typed (trimmed)
    LINES = "lines"  # multiple lines of text, one entry per non-blank line
    TIME = "time"  # text typed as HH:MM; 9:30 and 9.30 are read as 09:30
    WHOLE = "whole"  # number column holding a whole number (Graph may send 10.0)
    DATE = "date"  # dateOnly column
    BOOL = "bool"  # yes/no tick box
    NOT = "not"  # yes/no tick box that says the opposite of the case-input field
    NUMBER = "number"  # number column with decimal places (written by the app, never read)
    YES_NO = "yes_no"  # choice Yes / No, for a yes or no that must be answered
    LOOKUP = "lookup"  # one item of another list
    LOOKUPS = "lookups"  # several items of another list


YES, NO = "Yes", "No"

E = TypeVar("E", bound=str)


@dataclass(frozen=True, slots=True)
class Choices:
    """A choice column: each case-input value and the label staff pick for it, in order."""

    pairs: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, labels: Mapping[E, str]) -> Choices:
        return cls(tuple((str(value), label) for value, label in labels.items()))

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(label for _, label in self.pairs)

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(value for value, _ in self.pairs)

    def label_of(self, value: str) -> str:
        return next(label for v, label in self.pairs if v == value)

    def value_of(self, text: str) -> str | None:
        """The value for a label, or for the value itself, ignoring case; None if neither."""
        wanted = text.strip().casefold()
        return next((v for v, label in self.pairs
                     if wanted in (label.casefold(), v.casefold())), None)


class GenerationStatus(enum.StrEnum):
    """What the processor writes back to an item's GenerationStatus column."""

    PENDING = "Pending"
    GENERATED = "Generated"
    NEEDS_ATTENTION = "Needs attention"
    FAILED = "Failed"


WRITE_BACK_COLUMNS = ("GenerationStatus", "GenerationMessage", "GeneratedDocuments",
                      "LastProcessedVersion")
# Columns that ask the app for something (issue 18: "Approve this meeting's letters": read
# from every change, own or not) or that it fills ("Letters: what to put right", the
# penalty notice request's answer): none changes what a meeting's documents say, so none
# makes them again, and the app's clearing or filling them is its own write.
SENDING_COLUMNS = ("ApproveLetters", "LettersProblem", "PenaltyNoticeRequest")
# Cases columns the app fills in from the attendance figures (or the register marks) so that
# views can filter, sort and group by them: CAML cannot work a percentage out of two columns.
ATTENDANCE_SUMMARY_COLUMNS = ("Tier", "AttendancePercent", "SevereAbsence")


def attendance_summary(percent: Fraction, tier: int, severely_absent: bool) -> dict[str, Any]:
    """The Cases item's Tier, AttendancePercent and SevereAbsence for the domain's figures:
    the percentage by the one rule the documents use (``percent_tenths``: one decimal,
    rounded down, so 92.96% is 92.9, never 93.0 and Tier 1). The sessions it is worked out
    from sit beside it in PresentSessions and PossibleSessions, as the documents give them
    together: "77.8% (296 of 380 possible sessions)" (``display_figure``)."""
    return {"Tier": tier,
            "AttendancePercent": percent_tenths(percent) / 10,
            "SevereAbsence": YES if severely_absent else NO}


def summary_changes(held: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
    """The columns of ``wanted`` whose value the item does not already hold (Graph may send
    a whole number back as 3.0)."""
    def same(old: Any, new: Any) -> bool:
        if isinstance(new, int | float) and not isinstance(new, bool):
            try:
                return old is not None and float(old) == float(new)
            except (TypeError, ValueError):
                return False
        return bool(old == new)

    return {k: v for k, v in wanted.items() if not same(held.get(k), v)}

STAGES = Choices.of({
    Stage.MONITORING: "Monitoring",
    Stage.LETTER_OF_CONCERN: "Letter of concern",
    Stage.SUPPORT_MEETING: "School attendance (support) meeting",
    Stage.SUPPORT_REVIEW: "Support meeting review",
    Stage.APDR: "Assess, plan, do, review (APDR)",
    Stage.ATTENDANCE_CONTRACT: "Attendance contract",
    Stage.EARLY_HELP: "Early Help",
    Stage.FORMAL_WARNING: "Formal warning of prosecution",
    Stage.AIM: "Attendance Improvement Meeting (AIM)",
    Stage.NOTICE_TO_IMPROVE: "Notice to Improve",
    Stage.LEGAL_CONSULTATION: "Legal consultation",
    Stage.PENALTY_NOTICE: "Penalty notice",
    Stage.EDUCATION_SUPERVISION_ORDER: "Education Supervision Order",
    Stage.PROSECUTION: "Prosecution",
})
CASE_STATUSES = Choices.of({CaseStatus.OPEN: "Open", CaseStatus.CLOSED: "Closed"})
PROFILES = Choices.of({
    "national-2024": "National rules (DfE 2024)",
    "gloucestershire-aim": "Gloucestershire (AIM)",
    "tiered-support": "Tiered support (Tiers 1 to 4)",
    "devon-2023": "Devon (2023)",
})
PHASES = Choices.of({Phase.PRIMARY: "Primary", Phase.SECONDARY: "Secondary",
                     Phase.ALL_THROUGH: "All-through", Phase.SPECIAL: "Special"})
CONTACT_MODES = Choices.of({
    ContactMode.LETTER: "Letter", ContactMode.EMAIL: "Email", ContactMode.PHONE: "Phone call",
    ContactMode.HOME_VISIT: "Home visit", ContactMode.MEETING: "Meeting",
    ContactMode.TEXT: "Text message",
})
PENALTY_REASONS = Choices.of({
    RequestReason.TERM_TIME_HOLIDAY: "Term-time holiday",
    RequestReason.OTHER: "Other unauthorised absence",
})
LETTERS_BY = Choices.of({
    LettersBy.POST: "Post", LettersBy.EMAIL: "Email", LettersBy.BOTH: "Email and post",
})
MEETING_KINDS = Choices.of({
    MeetingKind.SUPPORT: "School attendance (support) meeting",
    MeetingKind.REVIEW: "Support meeting review",
    MeetingKind.AIM: "Attendance Improvement Meeting (AIM)",
    MeetingKind.AIM_REVIEW: "AIM review",
    MeetingKind.APDR_REVIEW: "APDR review",
    MeetingKind.ATTENDANCE_CONTRACT: "Attendance contract meeting",
    MeetingKind.EARLY_HELP_REVIEW: "Early Help review",
    MeetingKind.LEGAL_CONSULTATION: "Legal consultation",
})
MEETING_STATUSES = Choices.of({
    MeetingStatus.PLANNED: "Planned", MeetingStatus.HELD: "Held",
    MeetingStatus.DID_NOT_PROCEED: "Did not go ahead", MeetingStatus.CANCELLED: "Cancelled",
})
VENUES = Choices.of({VenueKind.SCHOOL: "At school", VenueKind.HOME: "At home",
                     VenueKind.NEUTRAL: "Neutral venue", VenueKind.ONLINE: "Online"})
TARGET_MET = Choices.of({TargetMet.YES: "Yes", TargetMet.SOME: "Some improvement",
                         TargetMet.NO: "No"})
DECISIONS = Choices.of({ReviewDecision.NO_FURTHER_ACTION: "No further action",
                        ReviewDecision.REVIEW_AGAIN: "Review again",
                        ReviewDecision.ESCALATE: "Escalate"})
PARTIES = Choices.of({Party.PUPIL: "Pupil", Party.CARER: "Parent or carer",
                      Party.SCHOOL: "School staff", Party.AGENCY: "Other professional"})
# Keys are the fields of model.AgreedActions.
ACTION_PARTIES = Choices.of({"pupil": "The young person", "parents": "Parents or carers",
                             "school": "School", "others": "Other agencies"})
# Keys are the fields of model.Meeting that hold quotes.
VOICES = Choices.of({"pupil_voice": "The pupil", "parent_voice": "A parent or carer"})
SESSIONS = Choices.of({Session.AM: "AM", Session.PM: "PM"})
GENERATION_STATUSES = Choices.of({s: s.value for s in GenerationStatus})


@dataclass(frozen=True, slots=True)
class Column:
    """One column: ``key`` is where its value goes inside the item's case-input object
    (dots for nested objects, e.g. ``venue.kind``); empty when the mapping does not read it.
    """

    name: str
    title: str
    key: str = ""
    read: Reader | Choices = Reader.TEXT


@dataclass(frozen=True, slots=True)
class ListSpec:
    title: str
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _case_lookup() -> Column:
    return Column("Case", "Case", read=Reader.LOOKUP)


def _meeting_lookup() -> Column:
    return Column("Meeting", "Meeting", read=Reader.LOOKUP)


CASES = ListSpec("Cases", (
    Column("Title", "Case reference", "case_ref"),
    Column("Stage", "Stage", "stage", STAGES),
    Column("CaseStatus", "Case status", "status", CASE_STATUSES),
    Column("PolicyProfile", "Local authority rules", "profile", PROFILES),
    Column("SchoolName", "School", "school.name"),
    Column("SchoolUrn", "School URN", "school.urn"),
    Column("SchoolPhase", "School phase", "school.phase", PHASES),
    Column("SchoolAddress", "School address", "school.address"),
    Column("SchoolPhone", "School phone", "school.phone"),
    Column("SchoolEmail", "School email", "school.email"),
    Column("SignatoryName", "Letters signed by", "school.signatory_name"),
    Column("SignatoryRole", "Signatory's role", "school.signatory_role"),
    Column("PupilForename", "Pupil's legal forename", "pupil.forename"),
    Column("PupilSurname", "Pupil's legal surname", "pupil.surname"),
    Column("PupilPreferredName", "Pupil's preferred name", "pupil.preferred_name"),
    Column("PupilDateOfBirth", "Pupil's date of birth", "pupil.date_of_birth", Reader.DATE),
    Column("YearGroup", "Year group", "pupil.year_group", Reader.WHOLE),
    Column("Upn", "UPN", "pupil.upn"),
    Column("PossibleSessions", "Possible sessions", "attendance.possible_sessions",
           Reader.WHOLE),
    Column("PresentSessions", "Present sessions", "attendance.present_sessions", Reader.WHOLE),
    Column("AuthorisedAbsences", "Authorised absences", "attendance.authorised_absences",
           Reader.WHOLE),
    Column("UnauthorisedAbsences", "Unauthorised absences", "attendance.unauthorised_absences",
           Reader.WHOLE),
    Column("FiguresFrom", "Figures from", "attendance.period_start", Reader.DATE),
    Column("FiguresTo", "Figures to", "attendance.period_end", Reader.DATE),
    # Not case data: the app writes them from the figures, for views to filter and group by.
    Column("Tier", "Tier", read=Reader.WHOLE),
    Column("AttendancePercent", "Attendance (%)", read=Reader.NUMBER),
    Column("SevereAbsence", "Severe absence", read=Reader.YES_NO),
    Column("NoticeToImproveIssuedOn", "Notice to Improve issued on",
           "notice_to_improve.issued_on", Reader.DATE),
    Column("ImprovementPeriodWeeks", "Improvement period (weeks)",
           "notice_to_improve.improvement_period_weeks", Reader.WHOLE),
    Column("SufficientImprovement", "Sufficient improvement means",
           "notice_to_improve.sufficient_improvement"),
    Column("EsoConsidered", "Education Supervision Order considered",
           "education_supervision_order_considered", Reader.BOOL),
    # Not case data: a request to the processor, and its answer (services/legal/legal_referral.py).
    Column("PrepareLegalReferral", "Prepare legal referral", read=Reader.BOOL),
    Column("LegalReadiness", "Legal readiness"),
    # A request to the LA for a penalty notice (services/penalty_notices/requesting.py):
    # the tick, the facts it carries, and the app's answer.
    Column("RequestPenaltyNotice", "Request a penalty notice", read=Reader.BOOL),
    Column("PenaltyNoticeReason", "Penalty notice reason", read=PENALTY_REASONS),
    Column("LastAbsence", "Last day of absence", read=Reader.DATE),
    Column("NoNoticeToImproveBecause", "Why no Notice to Improve"),
    Column("PenaltyNoticeRequest", "Penalty notice request"),
))

CARERS = ListSpec("Carers", (
    _case_lookup(),
    Column("Title", "Full name"),  # what staff see when they choose this carer elsewhere
    Column("FirstName", "First name", "first_name"),
    Column("LastName", "Last name", "last_name"),
    Column("Relationship", "Relationship to the pupil", "relationship"),
    Column("ParentalResponsibility", "Parental responsibility", "parental_responsibility",
           Reader.YES_NO),
    Column("PostalAddress", "Postal address", "address"),
    Column("Email", "Email", "email"),
    Column("Phone", "Phone", "phone"),
    Column("PreferredContact", "Preferred way to contact", "preferred_contact", CONTACT_MODES),
    Column("PreferredLanguage", "Preferred language", "preferred_language"),
    # Says the opposite of lives_with_pupil, so that an unticked box means the default.
    Column("LivesElsewhere", "Does not live with the pupil", "lives_with_pupil", Reader.NOT),
    # Education Act 1996 s576: someone who has care of the child is a parent too.
    Column("HasCare", "Has care of the child", "has_care", Reader.BOOL),
    Column("LettersBy", "Letters sent by", "letters_by", LETTERS_BY),
    Column("LettersProblem", "Letters: what to put right"),  # the app's (issue 18)
))

SIBLINGS = ListSpec("Siblings", (
    _case_lookup(),
    Column("Title", "Forename", "forename"),
    Column("Surname", "Surname", "surname"),
    Column("SiblingSchool", "School", "school"),
    Column("DateOfBirth", "Date of birth", "date_of_birth", Reader.DATE),
    Column("AttendanceConcern", "Attendance concern", "attendance_concern", Reader.BOOL),
))

MEETINGS = ListSpec("Meetings", (
    _case_lookup(),
    Column("Title", "Meeting name"),  # what staff see when they choose this meeting elsewhere
    Column("MeetingKind", "Kind of meeting", "kind", MEETING_KINDS),
    Column("MeetingStatus", "Meeting status", "status", MEETING_STATUSES),
    Column("MeetingDate", "Date", "date", Reader.DATE),
    Column("MeetingTime", "Time", "time", Reader.TIME),
    Column("VenueKind", "Venue", "venue.kind", VENUES),
    Column("VenueDetail", "Venue details", "venue.detail"),
    # Seeds 000-002: new arrangements are confirmed in writing (the meeting_rearranged letter)
    Column("Rearranged", "Rearranged", "rearranged", Reader.BOOL),
    Column("ApproveLetters", "Approve this meeting's letters", read=Reader.BOOL),
    Column("Target", "Attendance target", "target"),
    Column("ReviewDate", "Review date", "review_date", Reader.DATE),
    Column("ReasonsForAbsence", "Reasons for absence", "reasons_for_absence", Reader.LINES),
    Column("Barriers", "Barriers", "barriers", Reader.LINES),
    Column("EarlyHelpServices", "Early Help and other services", "early_help_services",
           Reader.LINES),
    Column("SendSupport", "SEND support and adjustments", "send_support"),
    Column("PresentSituation", "Present situation", "present_situation"),
    Column("OtherIssues", "Other key issues", "other_issues"),
    Column("TargetMet", "Target met?", "review_outcome.target_met", TARGET_MET),
    Column("ReviewDecision", "Decision", "review_outcome.decision", DECISIONS),
    Column("PreviousPlanDiscussion", "Previous plan discussed",
           "review_outcome.previous_plan_discussion"),
    Column("ReasonNotProceeded", "Why it did not go ahead", "reason_not_proceeded"),
    # Not typed by staff: the case totals as the app saw them when it first made a held
    # meeting's documents, kept so that a record remade later gives the same figures.
    Column("MeetingPossibleSessions", "Possible sessions at the meeting",
           "figures_at_meeting.possible_sessions", Reader.WHOLE),
    Column("MeetingPresentSessions", "Present sessions at the meeting",
           "figures_at_meeting.present_sessions", Reader.WHOLE),
    Column("MeetingAuthorisedAbsences", "Authorised absences at the meeting",
           "figures_at_meeting.authorised_absences", Reader.WHOLE),
    Column("MeetingUnauthorisedAbsences", "Unauthorised absences at the meeting",
           "figures_at_meeting.unauthorised_absences", Reader.WHOLE),
    Column("MeetingFiguresFrom", "Figures at the meeting from",
           "figures_at_meeting.period_start", Reader.DATE),
    Column("MeetingFiguresTo", "Figures at the meeting to", "figures_at_meeting.period_end",
           Reader.DATE),
))
# The Meetings columns above that the app fills, once, and never overwrites.
MEETING_FIGURES_COLUMNS = tuple(c.name for c in MEETINGS.columns
                                if c.key.startswith("figures_at_meeting."))

ATTENDEES = ListSpec("Meeting Attendees", (
    _meeting_lookup(),
    Column("Title", "Full name", "name"),
    Column("Role", "Role", "role"),
    Column("AttendeeParty", "Attending as", "party", PARTIES),
    Column("Present", "Present", "present", Reader.YES_NO),
    Column("Carer", "Which parent or carer", "carer_id", Reader.LOOKUP),
))

AGREED_ACTIONS = ListSpec("Agreed Actions", (
    _meeting_lookup(),
    Column("ActionParty", "Who agrees", read=ACTION_PARTIES),  # picks the list it joins
    Column("Title", "Action"),
))

INTERVENTIONS = ListSpec("Interventions", (
    _meeting_lookup(),
    Column("Title", "Intervention", "name"),
    Column("Offered", "Offered", "offered", Reader.BOOL),
    Column("OfferedOn", "Offered on", "offered_on", Reader.DATE),
    Column("Completed", "Completed", "completed", Reader.BOOL),
    Column("CompletedOn", "Completed on", "completed_on", Reader.DATE),
    Column("TakenUp", "Taken up", "taken_up", Reader.YES_NO),
))

VOICE = ListSpec("Voice", (
    _meeting_lookup(),
    Column("Contact", "Contact", read=Reader.LOOKUP),
    Column("VoiceOf", "Whose voice", read=VOICES),
    Column("Carer", "Which parent or carer", read=Reader.LOOKUP),
    Column("Title", "Speaker"),  # read with the two above into the quote's speaker
    Column("Quote", "Quote", "text"),
))

CONTACTS = ListSpec("Contacts", (
    _case_lookup(),
    Column("Title", "Subject"),
    Column("ContactDate", "Date", "date", Reader.DATE),
    Column("ContactTime", "Time", "time", Reader.TIME),
    Column("ContactMode", "Type of contact", "mode", CONTACT_MODES),
    Column("StaffMember", "Staff member", "staff_member"),
    Column("Summary", "Summary", "summary"),
    Column("CarersInvolved", "Parents or carers involved", "carer_ids", Reader.LOOKUPS),
))

PENALTY_NOTICES = ListSpec("Penalty Notices", (
    _case_lookup(),
    Column("Title", "Notice reference"),
    Column("Carer", "Issued to", "carer_id", Reader.LOOKUP),
    Column("IssuedOn", "Issued on", "issued_on", Reader.DATE),
    # DfE 2024: a withdrawn notice does not count towards the limit per parent per child.
    Column("Withdrawn", "Withdrawn", "withdrawn", Reader.BOOL),
))

MARKS = ListSpec("Attendance Marks", (
    _case_lookup(),
    Column("MarkDate", "Date", "date", Reader.DATE),
    Column("Session", "Session", "session", SESSIONS),
    Column("Title", "Code", "code"),
))

HOLIDAYS = ListSpec("School Holidays", (
    Column("Title", "Name", "name"),
    Column("School", "School"),  # which cases it applies to: blank for every school
    Column("FirstDay", "First day", "start", Reader.DATE),
    Column("LastDay", "Last day", "end", Reader.DATE),
))

LISTS = (CASES, CARERS, SIBLINGS, MEETINGS, ATTENDEES, AGREED_ACTIONS, INTERVENTIONS, VOICE,
         CONTACTS, PENALTY_NOTICES, MARKS, HOLIDAYS)

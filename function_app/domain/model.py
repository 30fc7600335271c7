"""The casework record: a pupil, the people around them, and what has happened so far.

Plain frozen dataclasses, standard library only. Field names are the names used in the
case input file (``function_app/schemas/case-input.schema.json``), which in turn mirror
the SharePoint list columns, so a path such as ``meetings[1].attendees[0].role`` means
the same thing in an error message, in the JSON and in the model.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field


class Stage(enum.StrEnum):
    """Where a case stands on the ladder (domain.md, "The process ladder"; seed 004 tiers)."""

    MONITORING = "monitoring"
    LETTER_OF_CONCERN = "letter_of_concern"
    SUPPORT_MEETING = "support_meeting"
    SUPPORT_REVIEW = "support_review"
    APDR = "apdr"
    ATTENDANCE_CONTRACT = "attendance_contract"
    EARLY_HELP = "early_help"
    FORMAL_WARNING = "formal_warning"
    AIM = "aim"
    NOTICE_TO_IMPROVE = "notice_to_improve"
    LEGAL_CONSULTATION = "legal_consultation"
    PENALTY_NOTICE = "penalty_notice"
    EDUCATION_SUPERVISION_ORDER = "education_supervision_order"
    PROSECUTION = "prosecution"


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class LettersBy(enum.StrEnum):
    """How a parent wants letters sent (issue 18; seed 000: "contact parents individually
    via post or email"): the Carers list's "Letters sent by" column."""

    POST = "post"
    EMAIL = "email"
    BOTH = "both"


class ContactMode(enum.StrEnum):
    """How a contact happened or how a carer prefers to be contacted (seed 000)."""

    LETTER = "letter"
    EMAIL = "email"
    PHONE = "phone"
    HOME_VISIT = "home_visit"
    MEETING = "meeting"
    TEXT = "text"


class MeetingKind(enum.StrEnum):
    """The meetings of the ladder (seeds 000, 001, 002, 004)."""

    SUPPORT = "support"  # school attendance (support) meeting, seed 002
    REVIEW = "review"  # review of a support meeting's plan, seed 002
    AIM = "aim"  # attendance improvement meeting, seeds 000 and 001
    AIM_REVIEW = "aim_review"  # review of an AIM plan, seeds 000 and 001
    APDR_REVIEW = "apdr_review"  # assess-plan-do-review, seed 004 tier 2
    ATTENDANCE_CONTRACT = "attendance_contract"  # seed 004 tier 3; DfE 2024
    EARLY_HELP_REVIEW = "early_help_review"  # seed 004 tier 4
    LEGAL_CONSULTATION = "legal_consultation"  # with the Inclusion Officer, seed 000

    @property
    def is_review(self) -> bool:
        return self in (MeetingKind.REVIEW, MeetingKind.AIM_REVIEW, MeetingKind.APDR_REVIEW,
                        MeetingKind.EARLY_HELP_REVIEW)

    @property
    def makes_a_plan(self) -> bool:
        return self is not MeetingKind.LEGAL_CONSULTATION


class MeetingStatus(enum.StrEnum):
    PLANNED = "planned"
    HELD = "held"
    DID_NOT_PROCEED = "did_not_proceed"
    CANCELLED = "cancelled"


class VenueKind(enum.StrEnum):
    """Seed 000: the school sets the venue but offers the family's home or a neutral one."""

    SCHOOL = "school"
    HOME = "home"
    NEUTRAL = "neutral"
    ONLINE = "online"


class Party(enum.StrEnum):
    """Who an attendee is to the case."""

    PUPIL = "pupil"
    CARER = "carer"
    SCHOOL = "school"
    AGENCY = "agency"


class TargetMet(enum.StrEnum):
    """Seed 002, review meeting: "Target met? Yes / Some improvement / No"."""

    YES = "yes"
    SOME = "some"
    NO = "no"


class ReviewDecision(enum.StrEnum):
    """Seed 002: set a new review date no more than 3 weeks later, or escalate."""

    NO_FURTHER_ACTION = "no_further_action"
    REVIEW_AGAIN = "review_again"
    ESCALATE = "escalate"


class Phase(enum.StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    ALL_THROUGH = "all_through"
    SPECIAL = "special"


class Session(enum.StrEnum):
    AM = "AM"
    PM = "PM"


@dataclass(frozen=True, slots=True)
class DateRange:
    start: dt.date
    end: dt.date
    name: str = ""

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end


@dataclass(frozen=True, slots=True)
class School:
    name: str
    urn: str = ""
    phase: Phase | None = None
    holidays: tuple[DateRange, ...] = ()
    address: str = ""
    phone: str = ""
    email: str = ""
    signatory_name: str = ""  # who signs the letters, e.g. the attendance lead
    signatory_role: str = ""


@dataclass(frozen=True, slots=True)
class Pupil:
    forename: str
    surname: str
    date_of_birth: dt.date
    year_group: int  # 0 is Reception, 1-13 as usual
    upn: str = ""
    preferred_name: str = ""

    @property
    def initials(self) -> str:
        return f"{self.forename[:1]}{self.surname[:1]}".upper()


@dataclass(frozen=True, slots=True)
class Carer:
    """A parent or carer. Seed 000: named by first and last name, contacted individually.

    ``has_care`` records that this person has care of the child: day-to-day care, as
    Education Act 1996 s576 means it (e.g. a step-parent or a partner the child lives with).
    Under s576 a "parent" is anyone with parental responsibility *or* care of the child, and
    DfE, Working together to improve school attendance (2024) repeats it; seed 000: "consider
    who has day-to-day responsibility". Living with the pupil is day-to-day care, so in law
    a carer who lives with the pupil has care. ``lives_with_pupil`` is *not* read as that
    record, though: it defaults to true when nobody said otherwise (an unticked "Does not
    live with the pupil" box), so reading it would make every person recorded on a case,
    a grandmother listed as a contact included, a parent who is written to about the child.
    Staff record care with ``has_care``; ``cautions`` asks them to look at anyone recorded
    as living with the pupil who has neither parental responsibility nor care.
    """

    id: str
    first_name: str
    last_name: str
    relationship: str
    parental_responsibility: bool
    address: str = ""
    email: str = ""
    phone: str = ""
    preferred_contact: ContactMode | None = None
    preferred_language: str = "English"
    lives_with_pupil: bool = True
    has_care: bool = False  # has day-to-day care of the child (Education Act 1996 s576)
    letters_by: LettersBy | None = None  # None: no choice recorded (``delivery``)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_parent(self) -> bool:
        """A parent in law: parental responsibility or care of the child (1996 Act s576)."""
        return self.parental_responsibility or self.has_care


@dataclass(frozen=True, slots=True)
class Sibling:
    """Seed 002: siblings, including at other schools, for whole-family support."""

    forename: str
    surname: str
    school: str
    date_of_birth: dt.date | None = None
    attendance_concern: bool = False


@dataclass(frozen=True, slots=True)
class SessionMark:
    date: dt.date
    session: Session
    code: str


@dataclass(frozen=True, slots=True)
class AttendanceFigures:
    """Session counts. Present includes approved educational activity (codes K V P W B)."""

    possible_sessions: int
    present_sessions: int
    authorised_absences: int
    unauthorised_absences: int
    period_start: dt.date | None = None
    period_end: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Quote:
    """Seed 000: "capture the voice of the parent and the pupil ... direct quotes"."""

    speaker: str
    text: str


@dataclass(frozen=True, slots=True)
class Interaction:
    """Seed 000: every interaction with its date, time and mode."""

    date: dt.date
    time: dt.time | None
    mode: ContactMode
    staff_member: str
    summary: str
    carer_ids: tuple[str, ...] = ()
    quotes: tuple[Quote, ...] = ()
    # A letter the app filed for a meeting: that meeting's date, so the letter evidences
    # that meeting's step even when it was made (and dated) weeks later.
    about: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Attendee:
    """Seed 001: "the names and roles of people who attended are written in full"."""

    name: str
    role: str
    party: Party
    present: bool
    carer_id: str = ""


@dataclass(frozen=True, slots=True)
class Intervention:
    """Seed 001: interventions previously offered and/or completed, each ticked and dated."""

    name: str
    offered: bool = False
    offered_on: dt.date | None = None
    completed: bool = False
    completed_on: dt.date | None = None
    taken_up: bool | None = None


@dataclass(frozen=True, slots=True)
class AgreedActions:
    """Seeds 001 and 002: what the young person, the parents and the school agree to."""

    pupil: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    school: tuple[str, ...] = ()
    others: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReviewOutcome:
    target_met: TargetMet
    decision: ReviewDecision
    previous_plan_discussion: str = ""


@dataclass(frozen=True, slots=True)
class Venue:
    kind: VenueKind
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Meeting:
    id: str
    kind: MeetingKind
    status: MeetingStatus
    date: dt.date
    time: dt.time | None = None
    venue: Venue | None = None
    attendees: tuple[Attendee, ...] = ()
    pupil_voice: tuple[Quote, ...] = ()
    parent_voice: tuple[Quote, ...] = ()
    reasons_for_absence: tuple[str, ...] = ()
    barriers: tuple[str, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    agreed_actions: AgreedActions = field(default_factory=AgreedActions)
    target: str = ""
    review_date: dt.date | None = None
    review_outcome: ReviewOutcome | None = None
    reason_not_proceeded: str = ""
    # Seed 002's support meeting template, section by section.
    early_help_services: tuple[str, ...] = ()
    send_support: str = ""  # EHCP / SEN support and reasonable adjustments
    present_situation: str = ""  # what has gone well, strengths, what parents are doing
    other_issues: str = ""
    # Seeds 000-002 ask for changed arrangements to be confirmed in writing: set when the
    # date, time or place changed after the invitation was sent, so the letter says so.
    rearranged: bool = False
    # The case totals as the app saw them when it first made this held meeting's documents
    # (kept on the meeting, never overwritten), so a record remade later gives them again.
    figures_at_meeting: AttendanceFigures | None = None

    def attendees_of(self, party: Party) -> tuple[Attendee, ...]:
        return tuple(a for a in self.attendees if a.party is party)

    def present(self, party: Party) -> bool:
        return any(a.present for a in self.attendees_of(party))


@dataclass(frozen=True, slots=True)
class PenaltyNotice:
    """A penalty notice already issued: per parent, per child (DfE 2024).

    A withdrawn notice does not count towards the limit of notices per parent per child
    (DfE 2024 national framework; the Education (Penalty Notices) (England) Regulations 2007
    as amended in 2024 have the LA record withdrawals), nor as acting on a threshold crossing.
    """

    carer_id: str
    issued_on: dt.date
    withdrawn: bool = False


@dataclass(frozen=True, slots=True)
class NoticeToImprove:
    """DfE 2024: replaces the penalty-notice warning letter; 3-6 week improvement period."""

    issued_on: dt.date
    improvement_period_weeks: int
    sufficient_improvement: str = ""  # what counts as enough improvement, in plain words


@dataclass(frozen=True, slots=True)
class Case:
    case_ref: str
    school: School
    pupil: Pupil
    stage: Stage
    status: CaseStatus
    attendance: AttendanceFigures | None
    carers: tuple[Carer, ...] = ()
    siblings: tuple[Sibling, ...] = ()
    marks: tuple[SessionMark, ...] = ()
    interactions: tuple[Interaction, ...] = ()
    meetings: tuple[Meeting, ...] = ()
    penalty_notices: tuple[PenaltyNotice, ...] = ()
    notice_to_improve: NoticeToImprove | None = None
    education_supervision_order_considered: bool = False
    profile: str = ""

    @property
    def carers_with_parental_responsibility(self) -> tuple[Carer, ...]:
        return tuple(c for c in self.carers if c.parental_responsibility)

    @property
    def parents(self) -> tuple[Carer, ...]:
        """Every parent in law: each carer with parental responsibility or care of the child
        (Education Act 1996 s576; DfE 2024). Letters "to each parent", who attended and
        penalty-notice allowances are theirs."""
        return tuple(c for c in self.carers if c.is_parent)

    @property
    def notices_in_force(self) -> tuple[PenaltyNotice, ...]:
        """The penalty notices that were not withdrawn (DfE 2024: a withdrawn one does not
        count)."""
        return tuple(n for n in self.penalty_notices if not n.withdrawn)

    def carer(self, carer_id: str) -> Carer | None:
        return next((c for c in self.carers if c.id == carer_id), None)

    def meetings_by_date(self) -> tuple[Meeting, ...]:
        return tuple(sorted(self.meetings, key=lambda m: (m.date, m.time or dt.time.min)))

"""Letters reach each parent (issue 18): approved by staff, emailed as a PDF or printed for
the post, and the contact recorded for them. The rules only; sending is a service's work.

Seed 000 ("Keeping clear records"): contact parents individually via post or email, note
the date, time and mode of every interaction, and record the letters sent to parents.
Seed 001: these letters and plans can be exhibited in court.

* ``needs_approval``: every letter is made as a draft and sent once staff approve it, unless
  the profile lets that kind go without approval; never a warning of prosecution, a
  rearranged AIM or a Notice to Improve (``policy.ALWAYS_APPROVED``, refused at load).
* ``routes``: how one letter reaches one carer: email, post, both, or not at all and why.
* ``pace``: how long to wait before the next email, within Exchange Online's sending limits.
* ``contact_for``: the Contacts item a sent letter writes, so that ``readiness`` finds it as
  evidence without anyone typing it (its summary names the letter in the words readiness
  looks for, and ``about`` holds the meeting's date for a meeting's letter).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass

from .model import Carer, ContactMode, Interaction
from .policy import ALWAYS_APPROVED, LETTERS_TO_PARENTS, Profile

SEED_000 = ("seed 000, Keeping clear records: contact parents individually via post or email; "
            "note the date, time and mode of interactions; record the letters sent to parents")
PARENTS_SOURCE = ("Education Act 1996 s576: a parent is anyone with parental responsibility or "
                  "care of the child; DfE, Working together to improve school attendance (2024)")
NO_PREFERENCE_SOURCE = (
    "seeds 001 and 002: parents are invited by letter; seed 000: post or email. With no "
    "preference recorded, a parent who has not asked for email gets the letter at their "
    "address (Education Act 1996 s572: a notice is served at the usual or last known "
    "address), and by email only when no address is recorded")
EXCHANGE_SOURCE = (
    "Microsoft, Exchange Online limits (service description), Sending limits: message rate "
    "limit 30 messages a minute, recipient rate limit 10,000 recipients a day, per mailbox. "
    "https://learn.microsoft.com/office365/servicedescriptions/exchange-online-service-"
    "description/exchange-online-limits#sending-limits-1")

# What readiness.py looks for in a contact's summary, kind by kind, so the words are always
# there (a warning: "warning"/"prosecution"; a Notice to Improve: "notice to improve"; a
# plan: "plan"). Other letters use words that none of those match.
LETTER_NAMES = {
    "letter_of_concern": "Letter of concern about attendance",
    "support_meeting_invitation": "Invitation to a school attendance meeting",
    "aim_invitation": ("Warning of prosecution and invitation to an Attendance Improvement "
                       "Meeting"),
    "review_meeting_invitation": "Invitation to an attendance review meeting",
    "meeting_rearranged": "Letter with the new date, time and place of a meeting",
    "plan_cover_letter": "Covering letter with a copy of the plan",
    "notice_to_improve": "Notice to Improve",
}

# What a letter encloses: the covering letter goes with the meeting's plan (or record, or
# contract, or APDR form: the document of that meeting made for parents). Seed 001: "send a
# copy of the plan to parents with a letter"; templates/catalogue.json: their audiences.
ENCLOSED_WITH = {
    "plan_cover_letter": ("aim_plan", "support_meeting_record", "review_meeting_record",
                          "attendance_contract", "apdr_form"),
}
ENCLOSURE_SOURCE = "seed 001: send a copy of the plan to parents with a letter"

EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


class Route(enum.StrEnum):
    """How a letter goes: emailed as a PDF, or printed and posted."""

    EMAIL = "email"
    POST = "post"

    @property
    def mode(self) -> ContactMode:
        """The contact's mode: email, or letter (by post)."""
        return ContactMode.EMAIL if self is Route.EMAIL else ContactMode.LETTER


class Preference(enum.StrEnum):
    """How a carer wants letters: by email, by post or both (``Carer.letters_by``, else
    their preferred way to contact: ``preference_of``)."""

    EMAIL = "email"
    POST = "post"
    BOTH = "both"


def needs_approval(kind: str, profile: Profile) -> bool:
    """Whether a letter of this kind waits, as a draft, for a member of staff to approve it.
    Every kind does unless the profile lists it under ``send_without_approval``; the profile
    cannot list the warning of prosecution, a rearranged AIM or a Notice to Improve."""
    return kind in ALWAYS_APPROVED or kind not in profile.send_without_approval


def looks_like_email(address: str) -> bool:
    """A valid-looking email address: something@domain.tld, no spaces."""
    return EMAIL.fullmatch(address.strip()) is not None


def preference_of(carer: Carer) -> Preference | None:
    """The carer's recorded preference for letters: the Carers list's "Letters sent by"
    (post, email, or both) when staff chose one, else their preferred way to contact when
    it is Email or Letter; None for no preference or one that is not written (a phone
    call, a visit)."""
    if carer.letters_by is not None:
        return Preference(carer.letters_by.value)
    if carer.preferred_contact is ContactMode.EMAIL:
        return Preference.EMAIL
    if carer.preferred_contact is ContactMode.LETTER:
        return Preference.POST
    return None


@dataclass(frozen=True, slots=True)
class DeliveryPlan:
    """How one letter reaches one carer. ``routes`` empty: it is not sent, and ``reason``
    says why in plain words; ``notes`` are for staff, e.g. a preference that could not be
    followed. ``source`` cites the rules the plan follows."""

    carer_id: str
    kind: str
    routes: tuple[Route, ...]
    email: str = ""
    address: str = ""
    reason: str = ""
    notes: tuple[str, ...] = ()
    source: str = SEED_000

    @property
    def sent(self) -> bool:
        return bool(self.routes)


def routes(carer: Carer, kind: str, profile: Profile) -> DeliveryPlan:
    """How a letter of ``kind`` reaches ``carer`` under ``profile``, by their recorded
    preference (``preference_of``)."""
    return plan_delivery(carer, kind, profile, preference_of(carer))


def plan_delivery(carer: Carer, kind: str, profile: Profile,
                  preference: Preference | None) -> DeliveryPlan:
    """How a letter reaches a carer who prefers ``preference`` (None: no preference).

    Email when they prefer email and have a valid-looking address; post when they prefer
    post; both when they prefer both; with no preference, post to a recorded address, else
    email. A kind the profile also posts goes by post too. A preferred route that cannot be
    used gives way to the other, with a note; nothing is sent when neither can be, nor to a
    carer who is not a parent, for letters addressed to parents.
    """
    name = carer.full_name
    if kind in LETTERS_TO_PARENTS and not carer.is_parent:
        return DeliveryPlan(
            carer.id, kind, (), source=PARENTS_SOURCE,
            reason=(f"{name} is not recorded as a parent (with parental responsibility or "
                    "care of the child), so letters to parents are not sent to them. If they "
                    "look after the pupil day to day, tick \u201cHas care of the child\u201d "
                    "on the Carers list."))
    email, address = carer.email.strip(), carer.address.strip()
    can_email, can_post = looks_like_email(email), bool(address)
    notes: list[str] = []
    if email and not can_email:
        notes.append(f"The email address for {name} ({email}) does not look right: check it "
                     "on the Carers list.")
    if not can_email and not can_post:
        reason = (f"There is no postal address for {name} and their email address does not "
                  "look right, so the letter cannot be sent: correct the email address or add "
                  "a postal address on the Carers list." if email else
                  f"There is no email or postal address for {name}, so the letter cannot be "
                  "sent: add one on the Carers list.")
        return DeliveryPlan(carer.id, kind, (), reason=reason, notes=tuple(notes))
    wanted = _wanted(preference, can_post)
    chosen = {r for r in wanted if (can_email if r is Route.EMAIL else can_post)}
    if not chosen:
        chosen = {Route.POST if can_post else Route.EMAIL}
        notes.append(_gave_way(name, bool(email), chosen))
    source = SEED_000 if preference else f"{SEED_000}; {NO_PREFERENCE_SOURCE}"
    if kind in profile.also_posted:
        source += "; " + profile.source("also_posted")
        if can_post:
            chosen.add(Route.POST)
        else:
            notes.append(f"There is no postal address for {name}, so this letter is emailed "
                         "only, though it should also be posted: add the address on the Carers "
                         "list and post a copy.")
    elif preference is Preference.BOTH and len(chosen) == 1:
        missing = "postal address" if Route.EMAIL in chosen else "valid email address"
        notes.append(f"{name} asked for letters by email and by post, but there is no "
                     f"{missing}: add it on the Carers list.")
    ordered = tuple(r for r in Route if r in chosen)
    return DeliveryPlan(carer.id, kind, ordered, email if Route.EMAIL in chosen else "",
                        address if Route.POST in chosen else "", notes=tuple(notes),
                        source=source)


def _wanted(preference: Preference | None, can_post: bool) -> set[Route]:
    if preference is Preference.BOTH:
        return {Route.EMAIL, Route.POST}
    if preference is Preference.EMAIL:
        return {Route.EMAIL}
    if preference is Preference.POST or can_post:
        return {Route.POST}
    return {Route.EMAIL}


def _gave_way(name: str, has_email: bool, chosen: set[Route]) -> str:
    if Route.POST in chosen:
        why = ("their email address does not look right" if has_email
               else "no email address is recorded")
        return f"{name} prefers email, but {why}, so the letter goes by post."
    return (f"{name} prefers letters by post, but there is no postal address, so the letter "
            "is emailed: add their address on the Carers list.")


# -- pacing ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SendingLimits:
    """A mailbox's sending limits; an admin may have set lower ones than Microsoft's."""

    messages_per_minute: int
    recipients_per_day: int
    source: str = ""


EXCHANGE_ONLINE = SendingLimits(30, 10_000, EXCHANGE_SOURCE)


@dataclass(frozen=True, slots=True)
class Wait:
    """Send after ``seconds`` (0: now)."""

    seconds: int


@dataclass(frozen=True, slots=True)
class Refusal:
    """No more email from this mailbox today; ``reason`` in plain words."""

    reason: str
    source: str


def pace(messages_sent_in_last_minute: int, recipients_today: int,
         limits: SendingLimits = EXCHANGE_ONLINE, recipients: int = 1) -> Wait | Refusal:
    """When the next email (to ``recipients`` people: one, as each parent is written to
    individually) may go from a mailbox that sent ``messages_sent_in_last_minute`` in the
    last 60 seconds and has sent to ``recipients_today`` people today.

    Under the message limit: now. At it: wait a minute, for the window to move on. An email
    that would take the day past the recipient limit is refused, never sent to be bounced:
    Exchange Online stops a mailbox that goes over it from sending at all for a day.
    """
    if min(messages_sent_in_last_minute, recipients_today) < 0 or recipients < 1:
        raise ValueError("pace: counts cannot be negative, and an email has a recipient")
    if recipients_today + recipients > limits.recipients_per_day:
        left = max(limits.recipients_per_day - recipients_today, 0)
        return Refusal(
            f"This mailbox has emailed {recipients_today:,} people today and may email "
            f"{limits.recipients_per_day:,} a day, so "
            + (f"only {left:,} more can be emailed today" if left else "no more can be "
               "emailed today")
            + ": the rest wait until tomorrow, or can be printed for the post.", limits.source)
    if messages_sent_in_last_minute >= limits.messages_per_minute:
        return Wait(60)
    return Wait(0)


# -- the record ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sending:
    """One letter that went to one carer by one route. ``sent_at`` is UK local time; for
    post, when it was printed and handed over for posting. ``meeting_date``: the meeting a
    meeting's letter is about (its invitation, its plan). ``failure``: why it did not go."""

    carer: Carer
    kind: str
    route: Route
    sent_at: dt.datetime
    sent_by: str
    document_name: str
    document_link: str
    approved_by: str = ""
    meeting_date: dt.date | None = None
    failure: str = ""


def contact_subject(sending: Sending) -> str:
    """The Contacts item's subject: 'Notice to Improve emailed to Dana Ellis'."""
    how = "emailed to" if sending.route is Route.EMAIL else "posted to"
    return f"{_letter_name(sending.kind)} {how} {sending.carer.full_name}"


def contact_for(sending: Sending) -> Interaction:
    """The contact a sent letter records for its carer: date, time, mode (email, or letter
    by post), the staff member who sent it, and a summary naming the letter, the document
    and its link, who approved it and the outcome. A letter that did not go is no contact:
    recording it would make it evidence that it was sent."""
    carer = sending.carer
    if sending.failure:
        raise ValueError(
            f"The {_letter_name(sending.kind)} did not reach {carer.full_name} "
            f"({sending.failure}), so it is not recorded as a contact: send it again or by "
            "another route.")
    if sending.route is Route.EMAIL:
        outcome = f"Emailed as a PDF to {carer.email.strip()}"
    else:
        outcome = ("Printed and posted to " + ", ".join(
            line.strip() for line in carer.address.splitlines() if line.strip()))
    approved = (f"approved by {sending.approved_by}" if sending.approved_by
                else "sent without approval, as the local authority's rules allow")
    summary = (f"{_letter_name(sending.kind)} for {carer.full_name}. {outcome}; {approved}. "
               f"Document: {sending.document_name} ({sending.document_link}).")
    return Interaction(
        date=sending.sent_at.date(),
        time=sending.sent_at.time().replace(second=0, microsecond=0),
        mode=sending.route.mode,
        staff_member=sending.sent_by,
        summary=summary,
        carer_ids=(carer.id,),
        about=sending.meeting_date,
    )


def _letter_name(kind: str) -> str:
    return LETTER_NAMES.get(kind, kind.replace("_", " ").capitalize())

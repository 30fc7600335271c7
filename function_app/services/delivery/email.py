"""One approved letter emailed to one carer, exactly once, and its contact recorded.

    emailing = await email_letter(graph, state, letter, "office@oak.sch.uk", now, owner)

Steps: plan (``delivery.routes``: is email one of this carer's routes for this kind?) ->
pace (``delivery.pace`` over the mailbox's counts in the state store, ``pacing``) -> the
letter as a PDF (``download(as_pdf=True)``: Graph's ?format=pdf; a PDF as it is) -> send
(``send_mail``: one recipient, the PDF attached, the ``x-casework-letter`` header) -> the
Contacts item for that carer (``delivery.contact_for``, ``contacts``) -> done.

Exactly once. The letter is claimed under ``case/<ref>/send/<drive item id>/<carer
id>/email`` (the state store's claim/complete, as ``filing`` does; a claim held by a live
task of this process is left alone). Beside the claim, a note says how far it got, with
ids and times only (``SENDING_SCOPE``):

- "sending <UTC time>", written just before the POST. A note found like this means a
  worker stopped while sending (killed, cancelled): the email may have gone. It is not
  sent again; the claim is completed as unknown (MAYBE_SENT).
- "sent <UTC time>", written as soon as Graph accepted it (202). The contact is written
  next; if that fails the claim is let go with this note kept, and the next call writes
  the contact without emailing again (looking first for one made by a create whose
  answer was lost: its summary carries the email's reference).

A done claim keeps "email:sent contact:<Contacts item id>" or "email:unknown": no name,
no address. An answer lost on the POST itself (MailOutcomeUnknownError) completes the
claim as unknown at once: the letter is never emailed twice by a retry, a worker or a
rerun; only staff, having looked in Sent Items, send it again (``send_again``).

Nothing half-recorded: a letter that did not go (Graph busy, the pace, a refusal, the
file gone) records nothing, lets the claim go and says why in plain words, naming what to
fix; a letter that went always gets its contact, now or at the next call.
"""

from __future__ import annotations

import enum
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any, Protocol

from function_app.adapters.graph.errors import (
    ATTACHMENT,
    MAILBOX,
    RECIPIENT,
    GraphError,
    GraphUnavailableError,
    MailOutcomeUnknownError,
    MailRefusedError,
    NotFoundError,
)
from function_app.adapters.graph.mail import LETTER_HEADER, Attachment
from function_app.adapters.graph.records import DriveItem, ListInfo
from function_app.domain.delivery import (
    EXCHANGE_ONLINE,
    Refusal,
    Route,
    Sending,
    SendingLimits,
    contact_for,
    contact_subject,
    pace,
    routes,
)
from function_app.domain.model import Carer
from function_app.domain.policy import Profile
from function_app.services.case_lists.list_columns import CARERS, CONTACTS
from function_app.services.clock import uk_time
from function_app.services.filing import LEASE_SECONDS, case_key, claim, held_here
from function_app.services.ports import StateStore

from . import email_text, pacing
from .contacts import ContactsBatch, ContactsList, contact_fields, find_contact, write_contact

log = logging.getLogger(__name__)
SENDING_SCOPE = "sending"  # claim key -> "sending <UTC>" | "sent <UTC>": no name
SENDING, SENT = "sending", "sent"
DONE_SENT, DONE_UNKNOWN = "email:sent", "email:unknown"  # a done claim's result
PDF = "application/pdf"
APP_SENDER = "Attendance Casework (the app)"  # a letter sent without approval


class Mailroom(ContactsList, Protocol):
    """What emailing a letter needs of Graph (GraphClient with adapters/graph/mail's
    GraphMail), working in the case files library."""

    async def file_by_id(self, item_id: str) -> DriveItem | None: ...
    async def download(self, item_id: str, as_pdf: bool = False) -> bytes: ...
    async def lists(self) -> dict[str, ListInfo]: ...
    async def send_mail(self, mailbox: str, to: tuple[str, str], subject: str, text: str,
                        attachment: Attachment | Sequence[Attachment],
                        header_token: str) -> None: ...


@dataclass(frozen=True, slots=True)
class LetterToSend:
    """An approved letter for one carer. ``item_id``: the document's drive item id in the
    case files library; ``case_item_id``: the case's Cases item (the contact's Case)."""

    case_ref: str
    case_item_id: str
    item_id: str
    document_name: str
    kind: str
    carer: Carer
    approved_by: str  # '' when the profile lets this kind go without approval
    profile: Profile
    school: str
    pupil_forename: str
    school_phone: str = ""
    school_email: str = ""
    letter_date: date | None = None
    meeting_date: date | None = None  # a meeting's letter: the meeting's date (readiness)
    sent_by: str = ""  # the contact's staff member; '' for the approver
    version: str = ""  # the document's version (remade: a new letter, sent in its turn)
    enclosures: tuple[DriveItem, ...] = ()  # what the letter encloses (a plan), after it

    def key_for(self, route: str) -> str:
        """A sending's claim key: under the case, ids only."""
        return sending_key(self.case_ref, self.item_id, self.carer.id, self.version, route)

    @property
    def key(self) -> str:
        """The email's claim key."""
        return self.key_for("email")


class Outcome(enum.Enum):
    SENT = "sent"  # emailed, and the contact written (now, or its contact now)
    ALREADY_SENT = "already sent"  # emailed earlier: nothing sent now
    MAYBE_SENT = "maybe sent"  # the answer was lost: look in Sent Items; never resent
    CONTACT_PENDING = "contact pending"  # emailed; the contact is written at the next call
    NOT_EMAILED = "not emailed"  # the plan does not email it (post, or not at all)
    WAITING = "waiting"  # the pace, or Graph busy: nothing sent, try after retry_after
    REFUSED = "refused"  # not sent until ``fix`` is put right: the address, the mailbox
    PENDING = "pending"  # another worker is sending it now
    TO_RECORD = "to record"  # emailed; its contact goes in the caller's batch (record_all)


@dataclass(frozen=True, slots=True)
class Emailing:
    """What became of one letter for one carer by email, in plain words (``message``).
    ``sending``: the sending recorded (SENT, CONTACT_PENDING); ``reference``: the digest
    in its x-casework-letter header; ``fix``: what a refusal asks to put right
    (adapters/graph/mail: RECIPIENT, MAILBOX, ATTACHMENT; "document" for a file gone)."""

    outcome: Outcome
    message: str
    reference: str
    sending: Sending | None = None
    contact_id: str = ""
    retry_after: float | None = None
    fix: str = ""
    fields: dict[str, Any] | None = None  # TO_RECORD: the contact's fields
    key: str = ""  # TO_RECORD: the claim, held until the contact is written

    @property
    def went(self) -> bool:
        """The email was accepted by Graph (now or earlier)."""
        return self.outcome in (Outcome.SENT, Outcome.ALREADY_SENT, Outcome.CONTACT_PENDING,
                                Outcome.TO_RECORD)


def sending_key(case_ref: str, item_id: str, carer_id: str, version: str, route: str) -> str:
    """The claim key of one letter (its drive item id, as made: ``version``) sent to one
    carer by one route ("email", "post"): under its case, ids only."""
    made = f"/{version}" if version else ""
    return case_key(case_ref, f"send/{item_id}/{carer_id}{made}/{route}")


def letter_reference(key: str) -> str:
    """The letter's reference: 16 hex digits of the SHA-256 of its claim key."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def maybe_sent_message(reference: str) -> str:
    return ("We may have emailed this letter: check the school mailbox's Sent Items for it "
            f"(its {LETTER_HEADER} header is {reference}; search for \u201c{reference}\u201d); "
            "if it is not there, set it to be sent again.")


async def email_letter(graph: Mailroom, state: StateStore, letter: LetterToSend,
                       mailbox: str, now: datetime, owner: str, *, contacts_list: str = "",
                       limits: SendingLimits = EXCHANGE_ONLINE,
                       lease_seconds: float = LEASE_SECONDS,
                       file: DriveItem | None = None,
                       defer_contact: bool = False) -> Emailing:
    """Email ``letter`` to its carer from ``mailbox`` once (see the module). ``now``: an
    aware moment (UTC); ``owner``: this worker's claim owner (filing.process_owner);
    ``contacts_list``: the Contacts list's id, if the caller knows it; ``file``: the
    letter's file as the caller just read it (saves reading it again); ``defer_contact``:
    an email that goes now comes back TO_RECORD, its claim held, for ``record_all`` to
    write its contact with others' in one $batch (``contacts_list`` is then needed)."""
    key = letter.key
    run = _Run(graph, state, letter, mailbox, now.astimezone(UTC), owner, contacts_list,
               letter_reference(key), file, defer_contact and bool(contacts_list))
    with held_here(key, state) as mine:
        if not mine or not claim(state, key, owner, run.now, lease_seconds):
            return run.claimed_before()
        try:
            return await run.claimed(limits)
        except BaseException:
            run.let_go()
            raise


def send_again(state: StateStore, letter: LetterToSend) -> None:
    """Staff's deliberate resend: forget that this letter was emailed (or may have been),
    so the next ``email_letter`` sends it. Never called by a retry."""
    key = letter.key
    state.forget(SENDING_SCOPE, key)
    state.forget_claims([key])


@dataclass
class _Run:
    graph: Mailroom
    state: StateStore
    letter: LetterToSend
    mailbox: str
    now: datetime
    owner: str
    contacts_list: str
    reference: str
    file: DriveItem | None = None
    defer: bool = False

    @property
    def key(self) -> str:
        return self.letter.key

    def result(self, outcome: Outcome, message: str, **extra: Any) -> Emailing:
        return Emailing(outcome, message, self.reference, **extra)

    def let_go(self) -> None:
        try:
            self.state.release(self.key, self.owner)
        except Exception:  # the store failing too: the lease frees it
            log.warning("a letter's sending claim could not be released; its lease frees it")

    def claimed_before(self) -> Emailing:
        held = self.state.get_claim(self.key)
        if held is not None and held.state == "done":
            if held.result.startswith(DONE_UNKNOWN):
                return self.result(Outcome.MAYBE_SENT, maybe_sent_message(self.reference))
            contact = held.result.partition("contact:")[2]
            return self.result(Outcome.ALREADY_SENT,
                               f"The {self.letter_name} was emailed to {self.name} before: it "
                               "is not sent again.", contact_id=contact)
        return self.result(Outcome.PENDING, f"The {self.letter_name} for {self.name} is being "
                           "emailed by another worker now; the next sweep looks again.")

    @property
    def name(self) -> str:
        return self.letter.carer.full_name

    @property
    def letter_name(self) -> str:
        return email_text.letter_name(self.letter.kind)

    async def claimed(self, limits: SendingLimits) -> Emailing:
        note, _, when = self.state.recall(SENDING_SCOPE, self.key).partition(" ")
        if note == SENDING:  # a worker stopped while sending: it may have gone
            return self.unknown()
        if note == SENT:
            return await self.record(_moment(when, self.now), None, resumed=True)
        plan = routes(self.letter.carer, self.letter.kind, self.letter.profile)
        if Route.EMAIL not in plan.routes:
            self.let_go()
            why = plan.reason or (f"{self.name} gets the {self.letter_name} by post, not by "
                                  "email.")
            return self.result(Outcome.NOT_EMAILED, why)
        waiting = self.paced(limits)
        if waiting is not None:
            return waiting
        try:
            item = self.file or await self.graph.file_by_id(self.letter.item_id)
            if item is None:
                self.let_go()
                return self.result(
                    Outcome.REFUSED, f"The letter \u201c{self.letter.document_name}\u201d is "
                    "no longer in the case folder, so it was not emailed and no contact was "
                    "recorded: make it again or put it back.", fix="document")
            files = [await self.as_pdf(f) for f in (item, *self.letter.enclosures)]
        except GraphUnavailableError as exc:
            return self.busy(exc)
        except GraphError as exc:
            if exc.status == 406:  # Graph cannot convert it (the dev tenant: no LibreOffice)
                self.let_go()
                return self.result(
                    Outcome.WAITING, "The letter could not be converted to PDF to email it "
                    f"({exc}); nothing was sent, and it is tried again at the next run.")
            if not isinstance(exc, NotFoundError):
                raise
            self.let_go()
            return self.result(
                Outcome.REFUSED, "A file this letter encloses is no longer in the case "
                "folder, so it was not emailed and no contact was recorded: make it again or "
                "put it back.", fix="document")
        return await self.send(item, files, plan.email)

    async def as_pdf(self, item: DriveItem) -> Attachment:
        """The file as a PDF attachment: a PDF as it is, else Graph's ?format=pdf."""
        stem = item.name.rpartition(".")[0] or item.name
        is_pdf = item.name.casefold().endswith(".pdf")
        return (f"{stem}.pdf", await self.graph.download(item.id, as_pdf=not is_pdf), PDF)

    def paced(self, limits: SendingLimits) -> Emailing | None:
        held = pacing.counts(self.state, self.mailbox, self.now)
        decision = pace(held.this_minute, held.today, limits)
        if isinstance(decision, Refusal):
            self.let_go()
            return self.result(Outcome.WAITING, decision.reason,
                               retry_after=pacing.seconds_to_tomorrow(self.now))
        if decision.seconds:
            self.let_go()
            return self.result(
                Outcome.WAITING, f"The school mailbox has sent {held.this_minute} emails this "
                f"minute, and Exchange Online lets it send {limits.messages_per_minute} a "
                "minute: nothing was sent, and the letter is emailed at the next try.",
                retry_after=float(decision.seconds))
        return None

    def busy(self, exc: GraphError) -> Emailing:
        self.let_go()
        after = exc.retry_after
        wait = f" (Microsoft Graph asked to wait {after:g} seconds)" if after else ""
        return self.result(Outcome.WAITING, "Microsoft Graph was busy or did not answer, so "
                           f"the letter was not emailed yet{wait}; it is emailed at the next "
                           "try.", retry_after=after)

    async def send(self, item: DriveItem, files: list[Attachment], address: str) -> Emailing:
        letter = self.letter
        text = email_text.body(self.name, letter.school, letter.pupil_forename, letter.kind,
                               letter.letter_date, letter.school_phone, letter.school_email,
                               self.reference)
        self.state.remember(SENDING_SCOPE, self.key, f"{SENDING} {self.now.isoformat()}")
        try:
            await self.graph.send_mail(self.mailbox, (self.name, address),
                                       email_text.subject(letter.school, letter.pupil_forename),
                                       text, files, self.reference)
        except MailOutcomeUnknownError:
            pacing.count_sent(self.state, self.mailbox, self.now)
            return self.unknown()
        except GraphUnavailableError as exc:  # not taken (429, 503, 504): nothing went
            self.state.forget(SENDING_SCOPE, self.key)
            return self.busy(exc)
        except MailRefusedError as exc:
            self.state.forget(SENDING_SCOPE, self.key)
            self.let_go()
            return self.refused(exc, address)
        except GraphError:  # refused for another reason (a bug of ours): nothing went
            self.state.forget(SENDING_SCOPE, self.key)
            raise
        # Anything else (cancelled, killed mid-request) keeps the "sending" note: unknown.
        pacing.count_sent(self.state, self.mailbox, self.now)
        self.state.remember(SENDING_SCOPE, self.key, f"{SENT} {self.now.isoformat()}")
        return await self.record(self.now, item, resumed=False)

    def unknown(self) -> Emailing:
        self.state.complete(self.key, self.owner, DONE_UNKNOWN)
        self.state.forget(SENDING_SCOPE, self.key)
        log.warning("a letter's email may or may not have been sent (no answer); it is not "
                    "sent again: reference %s", self.reference)
        return self.result(Outcome.MAYBE_SENT, maybe_sent_message(self.reference))

    def refused(self, exc: MailRefusedError, address: str) -> Emailing:
        nothing = "so the letter was not emailed and no contact was recorded"
        if exc.fix == RECIPIENT:
            column = CARERS.column("Email").title
            message = (f"Exchange refused the email address for {self.name} ({address}), "
                       f"{nothing}: correct it in the \u201c{column}\u201d column of their "
                       "Carers item, or send the letter by post.")
        elif exc.fix == MAILBOX:
            message = (f"The app may not send email as {self.mailbox} ({exc.status} "
                       f"{exc.code}), {nothing}. An Exchange administrator must let the app "
                       "send as the school's mailbox (Mail.Send limited to it by RBAC for "
                       "Applications or an application access policy), and the mailbox "
                       "the app is set to send from must be that one.")
        elif exc.fix == ATTACHMENT:
            message = (f"The letter\u2019s PDF is too large to email (sendMail takes "
                       f"attachments under 3 MB), {nothing}: post it instead.")
        else:
            message = f"The email was refused ({exc}), {nothing}."
        return self.result(Outcome.REFUSED, message, fix=exc.fix)

    async def record(self, sent_utc: datetime, item: DriveItem | None,
                     resumed: bool) -> Emailing:
        """The contact for an email that went at ``sent_utc``; the claim done after it."""
        letter = self.letter
        try:
            if item is None:
                item = await self.graph.file_by_id(letter.item_id)
            sending = Sending(
                letter.carer, letter.kind, Route.EMAIL, uk_time(sent_utc),
                letter.sent_by or letter.approved_by or APP_SENDER,
                item.name if item else letter.document_name, item.web_url if item else "",
                approved_by=letter.approved_by, meeting_date=letter.meeting_date)
            fields = contact_fields(contact_for(sending), contact_subject(sending),
                                    letter.case_item_id, self.reference)
            if self.defer and not resumed:
                return self.result(Outcome.TO_RECORD, self.sent_message(sending),
                                   sending=sending, fields=fields, key=self.key)
            list_id = self.contacts_list or (await self.graph.lists())[CONTACTS.title].id
            contact_id = (await find_contact(self.graph, list_id, letter.case_item_id,
                                             self.reference)) if resumed else ""
            contact_id = contact_id or await write_contact(self.graph, list_id, fields)
        except GraphError as exc:
            self.let_go()  # the "sent" note stays: the next call writes the contact only
            when = _said(uk_time(sent_utc))
            return self.result(
                Outcome.CONTACT_PENDING, f"The {self.letter_name} was emailed to {self.name} "
                f"{when}, but its contact could not be written on the Contacts list yet "
                f"({exc}); it is written at the next try, without emailing again.")
        _recorded(self.state, self.key, self.owner, contact_id)
        return self.result(Outcome.SENT, self.sent_message(sending), sending=sending,
                           contact_id=contact_id)

    def sent_message(self, sending: Sending) -> str:
        return (f"The {self.letter_name} was emailed to {self.name} "
                f"({self.letter.carer.email.strip()}) {_said(sending.sent_at)} as a PDF, and "
                "the contact is recorded on the Contacts list.")


def _recorded(state: StateStore, key: str, owner: str, contact_id: str) -> None:
    state.complete(key, owner, f"{DONE_SENT} contact:{contact_id}")
    state.forget(SENDING_SCOPE, key)


async def record_all(graph: ContactsBatch, state: StateStore, owner: str, contacts_list: str,
                     emailed: list[Emailing]) -> list[Emailing]:
    """The contacts of emails that went (TO_RECORD), written in $batch: each recorded
    becomes SENT (its claim done); one Graph did not take stays CONTACT_PENDING, its claim
    let go with its "sent" note, so the next call writes it (looking first for one whose
    create answered nothing) and never emails again."""
    if not emailed:
        return []
    try:
        made: list[Any] = list(await graph.create_items_batch(
            contacts_list, [e.fields or {} for e in emailed]))
    except GraphError as exc:
        made = [exc] * len(emailed)
    out = []
    for emailing, item in zip(emailed, made, strict=True):
        if isinstance(item, Exception):
            try:
                state.release(emailing.key, owner)
            except Exception:  # the lease frees it
                log.warning("a letter's sending claim could not be released")
            out.append(replace(emailing, outcome=Outcome.CONTACT_PENDING, message=(
                "It was emailed, but its contact could not be written on the Contacts list "
                f"yet ({item}); it is written at the next try, without emailing again.")))
            continue
        _recorded(state, emailing.key, owner, item.id)
        out.append(replace(emailing, outcome=Outcome.SENT, contact_id=item.id))
    return out


def _moment(text: str, default: datetime) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return default
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _said(moment: datetime) -> str:
    """'at 10:02 on 3 March 2026' (UK time)."""
    return f"at {moment:%H:%M} on {moment.day} {moment:%B %Y}"

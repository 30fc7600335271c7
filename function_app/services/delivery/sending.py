"""Each sweep's sending of letters (issue 18): approved letters emailed or put in the day's
print pack, posted packs recorded, and what happened said on each document.

    sender = LetterSender(graph, state, filer, SendingConfig(...))
    approved = await sender.approve_meetings(lists, ticked_meetings)
    await sender.run(lists, report)

One read finds the work: the Case Files items whose "Sending" column asks for something
(``letter_status.TO_DO``, an indexed filter), with their files. The cases those letters
belong to are read in one go (``case_reader``). Then, letter by letter:

- the carer's routes (``delivery.routes``: email, post, both, or why not);
- email through ``email.email_letter`` (exactly once, its contact written); a refused
  address, a mailbox the app may not send as, or a PDF too large falls back to the post;
- post: into the day's print pack (``posting``); once staff choose "Posted" on the pack,
  each letter in it gets its contact, dated when the pack was marked posted;
- the document's Sending, Sending note, Approved by and Sent on columns, written together
  in $batch; a carer whose details stop a letter has "Letters: what to put right" filled.

Nothing half-recorded: a letter is "Sent" only once every route it takes has gone and been
recorded; one waiting (the mailbox's pace, Graph busy, a contact not yet written) stays
"Approved: send it" and is taken up again at the next sweep, never sent twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

from function_app.adapters.graph.errors import ATTACHMENT, MAILBOX, RECIPIENT, GraphError
from function_app.adapters.graph.mail import Attachment
from function_app.adapters.graph.records import DriveItem, ListInfo, ListItem
from function_app.domain import load_profile
from function_app.domain.delivery import (
    ENCLOSED_WITH,
    ENCLOSURE_SOURCE,
    EXCHANGE_ONLINE,
    Route,
    routes,
)
from function_app.domain.model import Carer, Case
from function_app.services.case_lists import list_columns as lc
from function_app.services.case_lists.case_reader import BY_ID, read_changed_cases
from function_app.services.case_lists.list_mapping import map_case
from function_app.services.case_lists.snapshot import CASEWORK_LISTS
from function_app.services.clock import uk_time
from function_app.services.filing import Filer
from function_app.services.ports import StateStore

from .email import (
    Emailing,
    LetterToSend,
    Outcome,
    email_letter,
    record_all,
    send_again,
    sending_key,
)
from .letter_status import APPROVED_BY, NOTE, PACK_KIND, SENT_ON, STATUS, TO_DO, SendStatus
from .posting import Posting, PrintRoom

log = logging.getLogger(__name__)
LIBRARY = "Case Files"
PROBLEM = "LettersProblem"  # the Carers column "Letters: what to put right"
NO_MAILBOX = ("no school mailbox is set for emailing letters (the Mailbox column of the "
              "Schools list, or the CASEWORK_MAILBOX setting)")


class PostRoom(Protocol):
    """What sending needs of Graph (GraphClient): lists, the library, mail."""

    async def read_items(self, queries: Sequence[tuple[str, str, Sequence[str]]],
                         per_filter: int = ..., with_files: bool = ...
                         ) -> list[list[ListItem]]: ...
    async def update_fields_batch(self, list_id: str, updates: Mapping[str, dict[str, Any]]
                                  ) -> Mapping[str, dict[str, Any] | GraphError]: ...
    async def download(self, item_id: str, as_pdf: bool = False) -> bytes: ...
    async def upload(self, folder_path: str, name: str, content: bytes,
                     conflict: str = "replace") -> DriveItem: ...
    async def file_by_id(self, item_id: str) -> DriveItem | None: ...
    async def lists(self) -> dict[str, ListInfo]: ...
    async def send_mail(self, mailbox: str, to: tuple[str, str], subject: str, text: str,
                        attachment: Attachment | Sequence[Attachment],
                        header_token: str) -> None: ...
    async def create_item(self, list_id: str, fields: dict[str, Any]) -> ListItem: ...
    async def create_items_batch(self, list_id: str, many: Sequence[dict[str, Any]]
                                 ) -> Sequence[ListItem | Exception]: ...


@dataclass(frozen=True, slots=True)
class SendingConfig:
    owner: str  # this worker's claim owner (filing.process_owner)
    today: date
    mailbox: str = ""  # the school's shared mailbox ('': letters go by post)
    profile: str = "default"  # for a case with no rules of its own
    site_path: str = "/sites/attendance"
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    # Approved letters taken up by one sweep: twice what a mailbox may send in a minute
    # (delivery.EXCHANGE_ONLINE), so a sweep never reads cases for letters it cannot send.
    letters_per_sweep: int = 2 * EXCHANGE_ONLINE.messages_per_minute


@dataclass(frozen=True, slots=True)
class LetterSent:
    """One letter's outcome in a sweep, for the sweep's report (no names)."""

    case_ref: str
    kind: str
    outcome: str  # "emailed", "in the print pack", "posted", "waiting", "not sent"


@dataclass
class Letter:
    """A letter in the Case Files library asking to be sent, with its case."""

    item: ListItem
    status: SendStatus
    case: Case | None = None
    case_item_id: str = ""
    emailed: bool = False  # its email went (now or before), and its contact is written
    waiting: bool = False  # its email waits for the next sweep
    posting: Posting | None = None  # it goes by post
    enclosures: tuple[DriveItem, ...] = ()  # what it encloses (the meeting's plan)
    notes: list[str] = field(default_factory=list)

    @property
    def fields(self) -> dict[str, Any]:
        return self.item.fields

    @property
    def case_ref(self) -> str:
        return str(self.fields.get("CaseRef") or "")

    @property
    def kind(self) -> str:
        return str(self.fields.get("DocumentKind") or "")

    @property
    def carer(self) -> Carer | None:
        carer_id = str(self.fields.get("CarerId") or "")
        if self.case is None or not carer_id:
            return None
        return next((c for c in self.case.carers if c.id == carer_id), None)

    @property
    def approved_by(self) -> str:
        """Who approved it: the column the app filled when it first saw the approval, else
        whoever last changed the document (who chose "Approved: send it"); '' when the app
        approved it under the local authority's rules."""
        said = str(self.fields.get(APPROVED_BY) or "")
        if said or self.item.modified_by_app:
            return said
        return self.item.modified_by or "a member of staff"

    @property
    def version(self) -> str:
        """The document as made (its source and when): a letter made again is a new one."""
        made = "".join(ch for ch in str(self.fields.get("GeneratedAt") or "") if ch.isdigit())
        return f"{self.fields.get('SourceVersion') or ''}.{made}".replace("/", "")

    @property
    def post_key(self) -> str:
        """Its posting's claim key (``LetterToSend.key_for("post")``), from its columns."""
        return sending_key(self.case_ref, self.item.file.id if self.item.file else "",
                           str(self.fields.get("CarerId") or ""), self.version,
                           Route.POST.value)

    def to_send(self, carer: Carer, profile_name: str) -> LetterToSend:
        assert self.case is not None and self.item.file is not None
        school = self.case.school
        meeting_id = str(self.fields.get("MeetingId") or "")
        meeting = next((m for m in self.case.meetings if m.id == meeting_id), None)
        return LetterToSend(
            self.case_ref, self.case_item_id, self.item.file.id, self.item.file.name,
            self.kind, carer, self.approved_by, load_profile(profile_name), school.name,
            self.case.pupil.forename, school.phone, school.email,
            letter_date=_made_on(self.fields), meeting_date=meeting.date if meeting else None,
            version=self.version, enclosures=self.enclosures)


class SweepPdfs:
    """The sweep's Graph, keeping each file's PDF for the sweep: a plan enclosed with the
    letters to two parents is converted once (Graph's ?format=pdf is the costly call).
    Emptied at each run."""

    def __init__(self, graph: PostRoom) -> None:
        self._graph = graph
        self._kept: dict[tuple[str, bool], bytes] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._graph, name)

    def clear(self) -> None:
        self._kept.clear()

    async def download(self, item_id: str, as_pdf: bool = False) -> bytes:
        key = (item_id, as_pdf)
        if key not in self._kept:
            self._kept[key] = await self._graph.download(item_id, as_pdf)
        return self._kept[key]


class LetterSender:
    """Sends one school site's approved letters; see the module."""

    def __init__(self, graph: PostRoom, state: StateStore, filer: Filer,
                 config: SendingConfig) -> None:
        self.graph, self.state, self.filer, self.config = graph, state, filer, config
        self.pdfs = SweepPdfs(graph)
        self.to_record: list[tuple[Letter, Emailing]] = []  # emailed; contacts to write
        self.print_room, self.paced = self._print_room(), False

    def _print_room(self) -> PrintRoom:
        """A sweep's post: made afresh for each run (as ``paced`` is cleared: the mailbox's
        pace reached), so nothing of one sweep carries into the next."""
        c = self.config
        return PrintRoom(self.pdfs, self.state, self.filer, c.owner, c.clock)

    # -- a meeting's tick ---------------------------------------------------------------

    async def approve_meetings(self, lists: dict[str, ListInfo],
                               meetings: Sequence[ListItem]
                               ) -> tuple[dict[str, dict[str, Any]], int]:
        """"Approve this meeting's letters" ticked: each draft letter of that meeting is
        approved in the name of whoever ticked it. The caller clears the tick (its own
        write). Gives the ticked meetings' ids with what clearing them writes, and the
        number of letters approved."""
        ticked = [m for m in meetings if m.fields.get("ApproveLetters") is True]
        if not ticked:
            return {}, 0
        case_ids = sorted({str(m.fields.get("CaseLookupId") or "") for m in ticked} - {""})
        (cases,) = await self.graph.read_items([(lists[lc.CASES.title].id, BY_ID, case_ids)])
        refs = [str(c.fields.get("Title") or "") for c in cases]
        library = lists[LIBRARY].id
        (documents,) = await self.graph.read_items([(library, "CaseRef", refs)])
        approvals: dict[str, dict[str, Any]] = {}
        for meeting in ticked:
            who = meeting.modified_by or "a member of staff"
            for doc in documents:
                if (str(doc.fields.get("MeetingId") or "") == meeting.id
                        and doc.fields.get(STATUS) == SendStatus.DRAFT.value):
                    approvals[doc.id] = {
                        STATUS: SendStatus.APPROVED.value, APPROVED_BY: who,
                        NOTE: f"Approved by {who} with this meeting's other letters."}
        await self._write(library, approvals)
        return {m.id: {"ApproveLetters": False} for m in ticked}, len(approvals)

    # -- the sweep's sending ------------------------------------------------------------

    async def run(self, lists: dict[str, ListInfo]) -> list[LetterSent]:
        """Send what is approved, make the day's print pack, record posted packs."""
        self.print_room, self.paced = self._print_room(), False
        library = lists[LIBRARY].id
        (found,) = await self.graph.read_items(
            [(library, STATUS, [s.value for s in TO_DO])], with_files=True)
        found = [i for i in found if i.file is not None and not i.file.is_folder]
        packs = [i for i in found if i.fields.get("DocumentKind") == PACK_KIND
                 and i.fields.get(STATUS) == SendStatus.POSTED.value]
        letters = self._to_do([Letter(i, SendStatus(i.fields[STATUS])) for i in found
                               if i.fields.get("DocumentKind") != PACK_KIND], packs)
        if not letters and not packs:
            return []
        await self._read_cases(lists, letters)
        await self._find_enclosures(library, letters)
        self.pdfs.clear()
        contacts = lists[lc.CONTACTS.title].id
        problems: dict[str, str] = {}  # carer item id -> what to put right
        self.to_record = []
        for letter in letters:
            await self._send(letter, contacts, problems)
        await self._record_emails(contacts)
        await self.print_room.make_packs(self.config.today)
        await self.print_room.record_posted(packs, contacts)
        updates = {letter.item.id: self._columns(letter) for letter in letters}
        updates |= self.print_room.pack_columns
        # Only what changed is written: a letter waiting in a pack is left as it is (a
        # write is a change, and the library's changes wake a sweep).
        items = {i.id: i for i in found}
        await self._write(library, {k: v for k, v in updates.items()
                                    if _differs(items[k].fields, v)})
        if problems:
            await self._write(lists[lc.CARERS.title].id,
                              {cid: {PROBLEM: text} for cid, text in problems.items()})
        self.pdfs.clear()
        # What changed this sweep: a letter still waiting, or still in a pack nobody has
        # marked posted yet, is not news.
        return [LetterSent(letter.case_ref, letter.kind, _outcome(
                    letter, letter.posting is not None
                    and self.print_room.is_posted(letter.posting)))
                for letter in letters if updates[letter.item.id][STATUS] != letter.status]

    def _to_do(self, letters: list[Letter], packs: Sequence[ListItem]) -> list[Letter]:
        """This sweep's letters: those in a pack just marked posted, and approved letters,
        at most ``config.letters_per_sweep`` (more could not be emailed this minute
        anyway; the rest wait for the next sweep). A letter in a pack nobody has marked
        posted yet has nothing to do, and its case is not read."""
        posted = {str(m["item"]) for pack in packs for m in self.print_room.members(pack)}
        todo = []
        approved = 0
        for letter in letters:
            if letter.status is SendStatus.TO_POST:
                if letter.item.id in posted or not self.print_room.in_pack(letter.post_key):
                    todo.append(letter)
            elif approved < self.config.letters_per_sweep:
                approved += 1
                todo.append(letter)
        return todo

    async def _read_cases(self, lists: dict[str, ListInfo], letters: list[Letter]) -> None:
        refs = sorted({letter.case_ref for letter in letters} - {""})
        if not refs:
            return
        (items,) = await self.graph.read_items([(lists[lc.CASES.title].id, "Title", refs)])
        ids = {str(i.fields.get("Title") or ""): i.id for i in items}
        snapshot = await read_changed_cases(
            self.graph, {n: lists[n].id for n in CASEWORK_LISTS},
            {(lc.CASES.title, i): None for i in ids.values()})
        cases = {}
        for ref, case_id in ids.items():
            mapped = map_case(snapshot.case_items(case_id), self.config.today)
            if mapped.case is not None:
                cases[ref] = (case_id, mapped.case)
        for letter in letters:
            letter.case_item_id, letter.case = cases.get(letter.case_ref, ("", None))

    async def _find_enclosures(self, library: str, letters: list[Letter]) -> None:
        """Each covering letter's plan: the document its meeting made for parents."""
        covering = [letter for letter in letters if letter.kind in ENCLOSED_WITH]
        if not covering:
            return
        (documents,) = await self.graph.read_items(
            [(library, "CaseRef", sorted({letter.case_ref for letter in covering}))],
            with_files=True)
        for letter in covering:
            meeting = str(letter.fields.get("MeetingId") or "")
            letter.enclosures = tuple(
                d.file for d in documents
                if d.file is not None and d.fields.get("CaseRef") == letter.case_ref
                and str(d.fields.get("MeetingId") or "") == meeting
                and d.fields.get("DocumentKind") in ENCLOSED_WITH[letter.kind])

    async def _send(self, letter: Letter, contacts: str, problems: dict[str, str]) -> None:
        carer = letter.carer
        if letter.kind in ENCLOSED_WITH and not letter.enclosures:
            letter.notes.append(  # seed 001: the plan goes with its covering letter
                "The plan this letter covers is not in the case folder, so the letter was "
                f"not sent ({ENCLOSURE_SOURCE}): put the plan back, or make it again by "
                "saving the meeting, then choose “Send again”.")
            return
        if letter.case is None or carer is None:
            letter.notes.append(
                f"The case {letter.case_ref} could not be read, so this letter was not sent: "
                "check the case on the Cases list." if letter.case is None else
                "The parent or carer this letter is for is no longer on the Carers list, so "
                "it was not sent.")
            return
        profile = letter.case.profile or self.config.profile
        if letter.status is SendStatus.SEND_AGAIN:
            sending = letter.to_send(carer, profile)
            send_again(self.state, sending)
            self.print_room.send_again(sending)
        plan = routes(carer, letter.kind, load_profile(profile))
        letter.notes += plan.notes
        if not plan.routes:
            letter.notes.append(plan.reason)
            problems[carer.id] = plan.reason
            return
        post = Route.POST in plan.routes
        if Route.EMAIL in plan.routes:
            post = await self._email(letter, carer, profile, contacts, problems) or post
        if post and not carer.address.strip():
            letter.notes.append(f"There is no postal address for {carer.full_name}, so it "
                                "cannot be posted either: add one on the Carers list.")
            problems[carer.id] = letter.notes[-1]
            return
        if post and letter.item.file is not None:
            letter.posting = Posting(letter.item.id, letter.to_send(carer, profile),
                                     letter.item.file)
            self.print_room.queue(letter.posting)

    async def _record_emails(self, contacts: str) -> None:
        """The contacts of this sweep's emails, in $batch (20 a request): a letter is
        "Sent" once its contact is written; one not written yet waits for the next sweep,
        which writes it without emailing again."""
        recorded = await record_all(self.graph, self.state, self.config.owner, contacts,
                                    [result for _, result in self.to_record])
        for (letter, _), result in zip(self.to_record, recorded, strict=True):
            letter.notes.append(result.message)
            if result.outcome is Outcome.SENT:
                letter.emailed = True
            else:
                letter.waiting = True

    async def _email(self, letter: Letter, carer: Carer, profile: str, contacts: str,
                     problems: dict[str, str]) -> bool:
        """Email the letter; True when it must go by post instead."""
        name = carer.full_name
        if not self.config.mailbox:
            letter.notes.append(f"It was not emailed to {name}: {NO_MAILBOX}. It goes by "
                                "post instead.")
            return True
        if self.paced:
            letter.waiting = True
            letter.notes.append("It waits for the school mailbox's sending limit: it is "
                                "emailed at a later run.")
            return False
        now = self.config.clock()
        result = await email_letter(self.pdfs, self.state, letter.to_send(carer, profile),
                                    self.config.mailbox, now, self.config.owner,
                                    contacts_list=contacts, file=letter.item.file,
                                    defer_contact=True)
        if result.outcome is Outcome.TO_RECORD:  # its contact is written with the others'
            self.to_record.append((letter, result))
            return False
        letter.notes.append(result.message)
        if result.went and result.outcome is not Outcome.CONTACT_PENDING:
            letter.emailed = True
            return False
        if result.outcome is Outcome.MAYBE_SENT:
            return False
        if result.outcome is Outcome.REFUSED and result.fix in (RECIPIENT, MAILBOX, ATTACHMENT):
            if result.fix == RECIPIENT:
                problems[carer.id] = result.message
            letter.notes.append("It goes by post instead.")
            return True
        if result.outcome is Outcome.REFUSED:
            return False
        if result.outcome is Outcome.WAITING and result.retry_after and \
                result.retry_after >= 60:
            self.paced = True
        letter.waiting = True
        return False

    def _columns(self, letter: Letter) -> dict[str, Any]:
        """What the document's sending columns say now: "Sent" once every route it takes
        has gone and been recorded."""
        fields: dict[str, Any] = {APPROVED_BY: letter.approved_by}
        notes = list(dict.fromkeys(n for n in letter.notes if n))
        room = self.print_room
        posted = letter.posting is not None and room.is_posted(letter.posting)
        if letter.posting is not None:
            notes.append(room.posted.get(letter.item.id) or room.packed.get(
                letter.item.id, "") if posted or letter.item.id in room.posted
                else room.packed.get(letter.item.id, ""))
        if letter.waiting:
            status = SendStatus.APPROVED
        elif letter.posting is not None and not posted:
            status = SendStatus.TO_POST
        elif letter.emailed or posted:
            status = SendStatus.SENT
            fields[SENT_ON] = self.config.clock().astimezone(UTC).strftime(
                "%Y-%m-%dT%H:%M:%SZ")
        else:
            status = SendStatus.NOT_SENT
        fields[STATUS] = status.value
        fields[NOTE] = "\n".join(notes)[:4000]
        return fields

    async def _write(self, list_id: str, updates: Mapping[str, dict[str, Any]]) -> None:
        if not updates:
            return
        answers = await self.graph.update_fields_batch(list_id, updates)
        failed = [k for k, v in answers.items() if isinstance(v, GraphError)]
        if failed:
            log.warning("%d sending columns could not be written; the next run writes them",
                        len(failed))


def _differs(fields: Mapping[str, Any], written: Mapping[str, Any]) -> bool:
    """Writing ``written`` would change the item (Sent on always counts: it is new)."""
    return any(k == SENT_ON or str(fields.get(k) or "") != str(v or "")
               for k, v in written.items())


def _outcome(letter: Letter, posted: bool) -> str:
    if posted:
        return "posted"
    if letter.posting is not None:
        return "in the print pack"
    if letter.emailed:
        return "emailed"
    return "waiting" if letter.waiting else "not sent"


def _made_on(fields: Mapping[str, Any]) -> date | None:
    text = str(fields.get("GeneratedAt") or "")
    try:
        return uk_time(datetime.fromisoformat(text.replace("Z", "+00:00"))).date()
    except ValueError:
        return None


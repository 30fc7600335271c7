"""Letters by post (issue 18, point 3): the day's print pack of a school, and each letter in
it recorded as posted once staff say the pack is in the post.

A letter that goes by post is queued under its sending key (``LetterToSend.key_for
("post")``, ids only) in ``POST_SCOPE``:

- "queued": to go in a pack;
- "packing <digest>": chosen for the pack of that digest (the day and the letters' keys),
  noted before the pack is made, so a pack made again after a crash holds the same letters
  under the same claim (``Filer.file``: the pack is filed once, never over another);
- "pack <pack drive item id>": in that pack, which keeps its letters in ``PACK_SCOPE``.

The pack is filed in "Letters to post" at the library's root as "2026-11-20 Letters to
post.pdf" ("... (2).pdf" for a second that day), "Ready to print and post". Staff print it,
post the letters and choose "Posted": each letter then gets its Contacts item (letter, the
date and time the pack was marked posted, by whom) under its own claim, done once; a
contact whose create was answered with nothing is found by its reference before another is
made. Letters are converted to PDF by Graph (``?format=pdf``) as they are filed; the cover
is converted by uploading it beside the pack ("Cover of the latest print pack.docx",
replaced by the next pack's: it is only the way to a PDF).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

from function_app.adapters.graph.errors import GraphError
from function_app.adapters.graph.records import DriveItem, ListItem
from function_app.documents.formatting import long_date
from function_app.documents.print_pack import PackLetter, PrintPackError, make_print_pack
from function_app.domain.delivery import Route, Sending, contact_for, contact_subject
from function_app.services.clock import uk_time
from function_app.services.filing import Filer, Outcome, claim, held_here
from function_app.services.ports import StateStore

from . import email_text
from .contacts import contact_fields, find_contact, write_contact
from .email import LetterToSend, letter_reference
from .letter_status import NOTE, PACK_FOLDER, PACK_KIND, STATUS, SendStatus

log = logging.getLogger(__name__)
POST_SCOPE = "posting"  # sending key -> "queued" | "packing <digest>" | "pack <id>" | "writing"
PACK_SCOPE = "print-pack"  # pack drive item id -> JSON list of its letters (ids only)
QUEUED, PACKING, PACK, WRITING = "queued", "packing", "pack", "writing"
DONE_POSTED = "post:posted"  # a done claim's result, with " contact:<id>"
LEASE_SECONDS = 600
PACKING_KEY = "print-pack/making"  # the site's claim while a worker makes its packs
COVER_NAME = "Cover of the latest print pack.docx"  # only the way to the cover's PDF


class Printer(Protocol):
    async def download(self, item_id: str, as_pdf: bool = False) -> bytes: ...
    async def upload(self, folder_path: str, name: str, content: bytes,
                     conflict: str = "replace") -> DriveItem: ...
    async def create_item(self, list_id: str, fields: dict[str, Any]) -> ListItem: ...
    async def read_items(self, queries: Sequence[tuple[str, str, Sequence[str]]],
                         per_filter: int = ..., with_files: bool = ...
                         ) -> list[list[ListItem]]: ...


@dataclass(frozen=True, slots=True)
class Posting:
    """A letter to post: its Case Files item, the sending, its file."""

    item_id: str
    letter: LetterToSend
    file: DriveItem

    @property
    def key(self) -> str:
        return self.letter.key_for(Route.POST.value)


class PrintRoom:
    """One sweep's post for one school site: see the module."""

    def __init__(self, graph: Printer, state: StateStore, filer: Filer, owner: str,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.graph, self.state, self.filer, self.owner = graph, state, filer, owner
        self.now = now
        self.folder = PACK_FOLDER  # at the library's root (paths are the library's own)
        self.postings: dict[str, Posting] = {}  # letter item id -> its posting
        self.packed: dict[str, str] = {}  # letter item id -> what its note says of its pack
        self.posted: dict[str, str] = {}  # letter item id -> "Posted on ..."
        self.pack_columns: dict[str, dict[str, Any]] = {}  # pack item id -> its columns

    def send_again(self, letter: LetterToSend) -> None:
        """Staff's deliberate resend: the post is forgotten too, so it is posted again."""
        key = letter.key_for(Route.POST.value)
        self.state.forget(POST_SCOPE, key)
        self.state.forget_claims([key])

    def queue(self, posting: Posting) -> None:
        """The letter goes by post: into the next pack unless it is in one already."""
        self.postings[posting.item_id] = posting
        if self.is_posted(posting) or self.state.recall(POST_SCOPE, posting.key):
            return
        self.state.remember(POST_SCOPE, posting.key, QUEUED)

    def is_posted(self, posting: Posting) -> bool:
        held = self.state.get_claim(posting.key)
        return held is not None and held.state == "done"

    def in_pack(self, key: str) -> bool:
        """The letter of this posting key is in a pack already (waiting to be posted)."""
        return self.state.recall(POST_SCOPE, key).startswith(f"{PACK} ")

    def members(self, pack: ListItem) -> list[dict[str, str]]:
        """The letters a pack holds: their posting keys and Case Files item ids."""
        if pack.file is None:
            return []
        found: list[dict[str, str]] = json.loads(
            self.state.recall(PACK_SCOPE, pack.file.id) or "[]")
        return found

    # -- the pack -----------------------------------------------------------------------

    async def make_packs(self, day: date) -> None:
        """File the pack(s) of every queued letter; see the module. One worker of a site
        at a time (a claim on the site's packing): two choosing the same queued letters
        for two packs would post them twice."""
        if not self.postings:
            return
        now = self.now()
        with held_here(PACKING_KEY, self.state) as mine:
            if not mine or not claim(self.state, PACKING_KEY, self.owner, now, LEASE_SECONDS):
                log.info("another worker is making this site's print pack; the next run "
                         "makes the rest")
                return
            try:
                await self._make_packs(day)
            finally:
                self.state.release(PACKING_KEY, self.owner)

    async def _make_packs(self, day: date) -> None:
        waiting: dict[str, list[Posting]] = {}
        fresh: list[Posting] = []
        for posting in self.postings.values():
            note, _, digest = self.state.recall(POST_SCOPE, posting.key).partition(" ")
            if note == QUEUED:
                fresh.append(posting)
            elif note == PACKING:
                waiting.setdefault(digest, []).append(posting)
            elif note == PACK:
                self.packed[posting.item_id] = _in_pack_note()
        if fresh:
            keys = "\n".join(sorted(p.key for p in fresh))
            digest = hashlib.sha256(f"{day}\n{keys}".encode()).hexdigest()[:16]
            for posting in fresh:
                self.state.remember(POST_SCOPE, posting.key, f"{PACKING} {digest}")
            waiting.setdefault(digest, []).extend(fresh)
        for digest, postings in waiting.items():
            await self._pack(digest, sorted(postings, key=_order), day)

    async def _pack(self, digest: str, postings: list[Posting], day: date) -> None:
        school = postings[0].letter.school
        try:
            letters = [PackLetter(p.letter.case_ref, email_text.letter_name(p.letter.kind),
                                  p.letter.carer.full_name, pdf=await self._letter_pdf(p),
                                  document=p.item_id) for p in postings]
            pack = await make_print_pack(letters, school, day, self._convert_cover())
        except (GraphError, PrintPackError) as exc:
            why = ("converting letters to PDF needs LibreOffice on the machine running the "
                   "local dev tenant" if isinstance(exc, GraphError) and exc.status == 406
                   else str(exc))
            log.warning("a print pack could not be made (%s)", type(exc).__name__)
            for p in postings:
                self.packed[p.item_id] = (f"It waits to go in a print pack, which could not "
                                          f"be made yet ({why}); the next run tries again.")
            return
        listing = "\n".join(f"{e.number}. {e.case_ref}: {e.title} to {e.recipient}"
                            for e in pack.entries)
        filing = await self.filer.file(
            f"pack/{digest}", self.folder, pack.file_name, pack.pdf,
            {"DocumentKind": PACK_KIND, "SourceVersion": digest,
             STATUS: SendStatus.READY_TO_POST.value,
             NOTE: ("Print this pack double-sided, post each letter, then choose "
                    "\u201cPosted\u201d in the Sending column: each letter is then recorded "
                    f"as posted.\n{listing}")[:4000]}, replaces=False)
        if filing.outcome is Outcome.PENDING:
            return
        members = [{"key": p.key, "item": p.item_id, "day": day.isoformat()}
                   for p in postings]
        self.state.remember(PACK_SCOPE, filing.item_id, json.dumps(members))
        for n, p in enumerate(postings, start=1):
            self.state.remember(POST_SCOPE, p.key, f"{PACK} {filing.item_id}")
            self.packed[p.item_id] = _in_pack_note(filing.name or pack.file_name, n)

    async def _pdf(self, file: DriveItem) -> bytes:
        is_pdf = file.name.casefold().endswith(".pdf")
        return await self.graph.download(file.id, as_pdf=not is_pdf)

    async def _letter_pdf(self, posting: Posting) -> bytes:
        """The letter, then what it encloses (the plan), as one PDF: one envelope."""
        pdfs = [await self._pdf(f) for f in (posting.file, *posting.letter.enclosures)]
        if len(pdfs) == 1:
            return pdfs[0]
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter()
        for pdf in pdfs:
            writer.append(PdfReader(io.BytesIO(pdf)), import_outline=False)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    def _convert_cover(self) -> Any:
        async def convert(docx: bytes) -> bytes:
            cover = await self.graph.upload(self.folder, COVER_NAME, docx)
            return await self.graph.download(cover.id, as_pdf=True)
        return convert

    # -- posted ---------------------------------------------------------------------------

    async def record_posted(self, packs: Sequence[ListItem], contacts: str) -> None:
        """Each pack staff marked "Posted": every letter in it gets its contact, once."""
        for pack in packs:
            assert pack.file is not None
            members = self.members(pack)
            when = uk_time(self._marked_at(pack, members))
            who = pack.modified_by or "a member of staff"
            recorded, left = 0, 0
            for member in members:
                posting = self.postings.get(str(member["item"]))
                if posting is None or posting.key != member["key"]:
                    left += int(not self._done(str(member["key"])))
                    continue
                if await self._record(posting, when, who, contacts, pack.file.name):
                    recorded += 1
                else:
                    left += 1
            day = long_date(when.date())
            if left:
                self.pack_columns[pack.id] = {NOTE: (
                    f"Marked posted on {day}: {recorded} of {len(members)} letters are "
                    f"recorded as posted; {left} could not be yet (a letter moved, deleted or "
                    "sent again, or Graph was busy). The next run tries again.")}
            else:
                self.pack_columns[pack.id] = {
                    STATUS: SendStatus.POSTED_RECORDED.value,
                    NOTE: (f"Posted on {day}, marked by {who}: each of its {recorded} letters "
                           "is recorded as posted, with its contact on the Contacts list.")}

    def _marked_at(self, pack: ListItem, members: list[dict[str, str]]) -> datetime:
        """When staff marked the pack posted, as SharePoint says (its last change); this
        sweep's own now if that is not between the day the pack was made and now (a sweep
        as on another day, as the demo plays its term: SharePoint's clock is today's)."""
        now = self.now()
        marked = _moment(pack.last_modified)
        made = min((str(m.get("day") or "") for m in members), default="")
        if made and made <= uk_time(marked).date().isoformat() and marked <= now:
            return marked
        return now

    def _done(self, key: str) -> bool:
        held = self.state.get_claim(key)
        return held is not None and held.state == "done"

    async def _record(self, posting: Posting, when: datetime, who: str, contacts: str,
                      pack_name: str) -> bool:
        """The posted letter's contact, once; True when it is recorded (now or before)."""
        key = posting.key
        note = f"Posted on {long_date(when.date())} in \u201c{pack_name}\u201d."
        if self._done(key):
            self.posted[posting.item_id] = note
            return True
        if not claim(self.state, key, self.owner, datetime.now(UTC), LEASE_SECONDS):
            return False
        letter = posting.letter
        reference = letter_reference(key)
        try:
            sending = Sending(letter.carer, letter.kind, Route.POST, when, who,
                              posting.file.name, posting.file.web_url,
                              approved_by=letter.approved_by, meeting_date=letter.meeting_date)
            fields = contact_fields(contact_for(sending), contact_subject(sending),
                                    letter.case_item_id, reference)
            pack_note = self.state.recall(POST_SCOPE, key)
            found = (await find_contact(self.graph, contacts, letter.case_item_id, reference)
                     if pack_note == WRITING else "")
            self.state.remember(POST_SCOPE, key, WRITING)
            contact = found or await write_contact(self.graph, contacts, fields)
        except GraphError:
            self.state.release(key, self.owner)
            return False
        self.state.complete(key, self.owner, f"{DONE_POSTED} contact:{contact}")
        self.state.forget(POST_SCOPE, key)
        self.posted[posting.item_id] = note
        return True


def _in_pack_note(name: str = "", number: int = 0) -> str:
    where = f"letter {number} in \u201c{name}\u201d" if name else "in a print pack"
    return (f"It goes by post: {where}, in the Letters to post folder. Print the pack, post "
            "it, then choose \u201cPosted\u201d on the pack.")


def _order(posting: Posting) -> tuple[str, str, str]:
    return (posting.letter.case_ref, posting.letter.kind, posting.item_id)


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


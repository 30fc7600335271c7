"""Letters reaching each parent in the demo (issue 18, point 7): each school's attendance lead
approves the week's draft letters after its sweep (the "Sending" column of the Case Files
library set to "Approved: send it", with the lead's own Graph client); a sweep then emails
them from the school's mailbox or puts them in the day's print pack; the lead posts the
pack's letters that afternoon and marks it "Posted", and a last sweep records them.

The summary reads the letters back from each school's library: how many went by email
(kept as .eml files under WORKSPACE/mail, one folder per mailbox), how many were posted,
and how many wait, and why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from function_app.adapters.graph.client import GraphClient
from function_app.domain.wording import counted as counted_noun
from function_app.services.delivery.letter_status import (
    NOTE,
    PACK_FOLDER,
    PACK_KIND,
    STATUS,
    SendStatus,
)
from function_app.services.delivery.sending import LetterSent

from .results import Letters, Place

LIBRARY = "Case Files"
NO_PDF = ("LibreOffice", "converted to PDF")  # words of a note saying no PDF could be made


@dataclass
class Staff:
    """What each school's attendance lead does with the letters, week by week."""

    as_staff: Callable[[str, str], GraphClient]  # (school key, name) -> their client
    places: dict[str, Place]

    def _lead(self, key: str) -> tuple[GraphClient, str]:
        place = self.places[key]
        return self.as_staff(key, place.school.lead[0]), place.lists[LIBRARY].id

    async def approve_drafts(self) -> int:
        """Each lead approves every draft letter in their school's library: the number."""
        approved = 0
        for key in self.places:
            lead, library = self._lead(key)
            for item in await lead.all_items(library):
                if (item.fields.get(STATUS) == SendStatus.DRAFT.value
                        and item.fields.get("DocumentKind") != PACK_KIND):
                    await lead.update_fields(library, item.id,
                                             {STATUS: SendStatus.APPROVED.value})
                    approved += 1
        return approved

    async def post_packs(self) -> int:
        """Each print pack ready to post is printed, its letters posted and the pack marked
        "Posted" by the lead, the afternoon it is made: the number marked."""
        posted = 0
        for key in self.places:
            lead, library = self._lead(key)
            for item in await lead.all_items(library):
                if (item.fields.get("DocumentKind") == PACK_KIND
                        and item.fields.get(STATUS) == SendStatus.READY_TO_POST.value):
                    await lead.update_fields(library, item.id,
                                             {STATUS: SendStatus.POSTED.value})
                    posted += 1
        return posted


def outcome_words(letters: Iterable[LetterSent]) -> list[str]:
    """A sweep's letters, as parts of its progress line."""
    outcomes = Counter(letter.outcome for letter in letters)
    words = []
    if outcomes["emailed"]:
        words.append(f"emailed {counted_noun(outcomes['emailed'], 'letter')}")
    if outcomes["posted"]:
        words.append(f"recorded {counted_noun(outcomes['posted'], 'posted letter')}")
    if outcomes["in the print pack"]:
        n = outcomes["in the print pack"]
        words.append(f"{counted_noun(n, 'letter')} waiting in print packs to be posted")
    if outcomes["waiting"]:
        words.append(f"{counted_noun(outcomes['waiting'], 'letter')} waiting to be emailed")
    if outcomes["not sent"]:
        words.append(f"{counted_noun(outcomes['not sent'], 'letter')} not sent (see its note)")
    return words


async def read_letters(place: Place) -> Letters:
    found = Letters()
    for item in await place.app.all_items(place.lists[LIBRARY].id):
        status = str(item.fields.get(STATUS) or "")
        if not status:
            continue
        if item.fields.get("DocumentKind") == PACK_KIND:
            found.packs += 1
            continue
        found.statuses[status] += 1
        note = str(item.fields.get(NOTE) or "")
        if status in (SendStatus.APPROVED.value, SendStatus.TO_POST.value) and any(
                words in note for words in NO_PDF):
            found.no_pdf = True
    return found


def summary_lines(emailed: int, sent: list[tuple[str, LetterSent]],
                  letters: dict[str, Letters], places: dict[str, Place], mail_dir: Path
                  ) -> list[str]:
    """What the summary says of the letters: ``emailed`` (the emails this run sent, one a
    letter) and ``sent`` by this run's sweeps, and where they all stand now."""
    posted = Counter(letter.outcome for _, letter in sent)["posted"]
    total: Counter[str] = Counter()
    for found in letters.values():
        total += found.statuses
    lines = ["", "Letters to parents (each approved by the school's attendance lead first):"]
    if emailed or posted:
        lines.append(f"  This run emailed {counted_noun(emailed, 'letter')} from the schools' "
                     f"mailboxes and recorded {counted_noun(posted, 'letter')} as posted "
                     "(a Contacts item for each).")
    else:
        lines.append("  This run sent no letter: each was sent once already, or waits as "
                     "below.")
    waiting = [f"{n} {words}" for n, words in (
        (total[SendStatus.TO_POST.value], "in a print pack not yet posted"),
        (total[SendStatus.APPROVED.value], "approved and not yet sent"),
        (total[SendStatus.SEND_AGAIN.value], "to be sent again"),
        (total[SendStatus.DRAFT.value], "waiting for approval"),
        (total[SendStatus.NOT_SENT.value], "not sent (the note on each says why)")) if n]
    lines.append(f"  In the libraries now: {counted_noun(total[SendStatus.SENT.value], 'letter')}"
                 f" sent; {'; '.join(waiting) if waiting else 'none waits'}.")
    if any(found.no_pdf for found in letters.values()):
        lines.append("  Letters could not be emailed or put in a print pack here: the dev "
                     "tenant converts them to PDF with LibreOffice, which is not installed. "
                     "Install libreoffice-writer-nogui and run the demo again in a new "
                     "workspace (in production Microsoft Graph's ?format=pdf makes the PDF).")
    mailboxes = sorted(p.name for p in mail_dir.iterdir() if p.is_dir()) \
        if mail_dir.is_dir() else []
    if mailboxes:
        lines.append(f"  The emails, as .eml files (open one in any mail program): {mail_dir}, "
                     f"a folder per school's mailbox ({', '.join(mailboxes)}).")
    for place in places.values():
        for folder, names in _packs_on_disk(place).items():
            lines.append(f"  {place.school.name}'s print packs (each printed, its letters "
                         f"posted and the pack marked \u201cPosted\u201d by the lead), in "
                         f"{folder}: {', '.join(names)}.")
    return lines


def _packs_on_disk(place: Place) -> dict[Path, list[str]]:
    """The school's print packs as files, by the folder they are in (as printed)."""
    found: dict[Path, list[str]] = {}
    for pdf in sorted(place.library.rglob("*.pdf")):
        if pdf.parent.name == PACK_FOLDER:
            folder = place.shown / pdf.parent.relative_to(place.library)
            found.setdefault(folder, []).append(pdf.name)
    return found

"""The dev tenant's outbox: each message accepted by sendMail kept as an RFC 5322 .eml file,
and Exchange Online's sending limits per mailbox.

    MAIL_DIR/<mailbox>/<timestamp>-<n>.eml     e.g. mail/office@oak.sch.uk/20260512T...-00001.eml

A person opens the file in any mail program (or a text editor) and sees what the parents
would have received; tests read them back with ``sent_mail`` (DevTenant.sent_mail). The
mail folder sits beside the tenant's data folder by default (``casework-demo/tenant`` ->
``casework-demo/mail``), as the Teams sink keeps its cards in ``casework-demo/teams``.

Sending limits (Exchange Online limits, "Sending limits": 30 messages a minute and 10,000
recipients a day per mailbox) are kept by ``MailPacer``: over either, sendMail answers 429
with Retry-After, the seconds until the oldest message leaves the window.
"""

from __future__ import annotations

import math
import os
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

MESSAGES_PER_MINUTE = 30  # Exchange Online: message rate limit, per mailbox
RECIPIENTS_PER_DAY = 10_000  # Exchange Online: recipient rate limit, per mailbox
MINUTE = 60.0
DAY = 24 * 3600.0


def mailbox_folder(mailbox: str) -> str:
    """A safe folder name for a mailbox: "Office@Oak.sch.uk" -> "office@oak.sch.uk"."""
    name = re.sub(r"[^a-z0-9@._+-]+", "-", mailbox.strip().lower()).strip("-.")
    return name or "unnamed"


class MailFolder:
    """The .eml files of accepted messages under ``root``, one folder per mailbox."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()

    def keep(self, mailbox: str, message: EmailMessage) -> Path:
        """Write the message as <root>/<mailbox>/<UTC timestamp>-<n>.eml; n counts that
        mailbox's files, so names sort in the order the messages were accepted."""
        folder = self.root / mailbox_folder(mailbox)
        data = message.as_bytes(policy=policy.SMTP)  # CRLF line ends, as on the wire
        with self._lock:
            folder.mkdir(parents=True, exist_ok=True)
            n = len(list(folder.glob("*.eml"))) + 1
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            path = folder / f"{stamp}-{n:05d}.eml"
            partial = path.with_suffix(".eml.partial")
            partial.write_bytes(data)
            os.replace(partial, path)  # a reader never sees half a message
        return path

    def files(self, mailbox: str | None = None) -> list[Path]:
        """The .eml files, oldest first: one mailbox's, or every mailbox's."""
        if mailbox is not None:
            folders = [self.root / mailbox_folder(mailbox)]
        elif self.root.is_dir():
            folders = [p for p in self.root.iterdir() if p.is_dir()]
        else:
            folders = []
        found = [p for folder in folders if folder.is_dir() for p in folder.glob("*.eml")]
        return sorted(found, key=lambda p: (p.name, p.parent.name))

    def messages(self, mailbox: str | None = None) -> list[EmailMessage]:
        """The messages, oldest first, parsed with the modern email API."""
        return [read_eml(p) for p in self.files(mailbox)]


def read_eml(path: Path) -> EmailMessage:
    parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


class MailPacer:
    """Exchange Online's per-mailbox sending limits, counted over sliding windows.

    ``admit`` answers None when a message may go now (and counts it), else the whole
    seconds to wait (Retry-After). Kept in memory: a restarted tenant starts afresh.
    """

    def __init__(self, per_minute: int = MESSAGES_PER_MINUTE,
                 recipients_per_day: int = RECIPIENTS_PER_DAY,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.recipients_per_day = recipients_per_day
        self._clock = clock
        self._lock = threading.Lock()
        self._minute: dict[str, deque[float]] = {}
        self._day: dict[str, deque[tuple[float, int]]] = {}

    def admit(self, mailbox: str, recipients: int) -> int | None:
        key = mailbox.casefold()
        with self._lock:
            now = self._clock()
            minute = self._minute.setdefault(key, deque())
            day = self._day.setdefault(key, deque())
            while minute and minute[0] <= now - MINUTE:
                minute.popleft()
            while day and day[0][0] <= now - DAY:
                day.popleft()
            waits: list[float] = []
            if len(minute) >= self.per_minute:
                waits.append(minute[len(minute) - self.per_minute] + MINUTE - now)
            total = sum(count for _, count in day)
            if total + recipients > self.recipients_per_day:
                # Wait until enough of the oldest recipients leave the day's window.
                excess = total + recipients - self.recipients_per_day
                freed, wait = 0, DAY
                for moment, count in day:
                    freed += count
                    if freed >= excess:
                        wait = moment + DAY - now
                        break
                waits.append(wait)
            if waits:
                return max(1, math.ceil(max(waits)))
            minute.append(now)
            day.append((now, recipients))
            return None

    def reset(self) -> None:
        with self._lock:
            self._minute.clear()
            self._day.clear()

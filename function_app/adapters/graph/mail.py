"""Emailing one letter through Microsoft Graph: POST /users/{mailbox}/sendMail
(learn.microsoft.com/graph/api/user-sendmail), from the school's shared mailbox.

One message is one letter to one person: a single recipient in To, never Cc or Bcc, so a
carer is never copied on another's message (issue 18). The letter goes as a
``#microsoft.graph.fileAttachment`` (its bytes in base64, under 3 MB: larger files need an
upload session, which this does not do), the text as a plain-text body, a copy is kept in
the mailbox's Sent Items (``saveToSentItems``), and the message carries a custom internet
header ``x-casework-letter: <token>``: a hex digest, no name, by which staff can tell the
app's message for a letter in Sent Items.

What Graph answers, and what it becomes:

- 202 Accepted: sent (returned normally). Delivery is Exchange's work from then on.
- 429, 503, 504 (Graph did not take it): the transport retries them, honouring
  Retry-After, and raises ``GraphUnavailableError`` (with ``retry_after``) when they last
  or Graph asks for a longer wait than it sleeps: nothing was sent, send again later.
- No answer (the connection dropped, a timeout) or 500/502: ``MailOutcomeUnknownError``.
  A POST whose answer was lost may have landed; sendMail is not safe to repeat, so the
  transport never retries it and neither does anything here. It is deliberately *not* a
  GraphUnavailableError, so code that waits and tries again on those cannot email twice.
- 400 ErrorInvalidRecipients: ``MailRefusedError`` (``fix`` RECIPIENT): the address.
- 403 ErrorAccessDenied / ErrorSendAsDenied, 404 (no such mailbox, or one without
  Exchange Online): ``MailRefusedError`` (``fix`` MAILBOX): the app may not send as this
  mailbox (Mail.Send scoped by RBAC for Applications or an application access policy).
- 413 ErrorMessageSizeExceeded, or an attachment over 3 MB (checked before sending):
  ``MailRefusedError`` (``fix`` ATTACHMENT).
- Anything else: the transport's GraphError, as it is.

``GraphMail`` adds ``send_mail`` to a Graph client (``class GraphClient(GraphLibrary,
GraphMail)``); ``send_mail`` the function does the same for any transport.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Sequence
from typing import Any, Protocol
from urllib.parse import quote

from .errors import (
    ATTACHMENT,
    MAILBOX,
    RECIPIENT,
    GraphError,
    GraphUnavailableError,
    MailOutcomeUnknownError,
    MailRefusedError,
)
from .transport import GraphTransport

LETTER_HEADER = "x-casework-letter"
MAX_ATTACHMENT_BYTES = 3 * 1024 * 1024  # sendMail takes attachments under 3 MB in all
FILE_ATTACHMENT = "#microsoft.graph.fileAttachment"
NOT_TAKEN = frozenset({429, 503, 504})  # answers that say Graph did not take the message
_TOKEN = re.compile(r"[0-9a-f]{8,64}")

Recipient = tuple[str, str]  # (name, address)
Attachment = tuple[str, bytes, str]  # (file name, content, content type)


class Sender(Protocol):
    async def send(self, operation: str, method: str, url: str, body: bytes | None = None,
                   content_type: str = "application/json",
                   headers: dict[str, str] | None = None, retry_all: bool = False) -> Any: ...


def _files(attachment: Attachment | Sequence[Attachment]) -> list[Attachment]:
    """One attachment, or several (a letter and what it encloses, e.g. the plan)."""
    if len(attachment) == 3 and isinstance(attachment[0], str):
        return [attachment]  # type: ignore[list-item]
    return list(attachment)  # type: ignore[arg-type]


def message_body(to: Recipient, subject: str, text: str,
                 attachment: Attachment | Sequence[Attachment],
                 header_token: str) -> dict[str, Any]:
    """sendMail's JSON: one recipient, a plain-text body, the file attachments (the letter
    first), the ``x-casework-letter`` header, a copy kept in Sent Items."""
    if not _TOKEN.fullmatch(header_token):
        raise ValueError("the letter's header token must be a hex digest (8 to 64 digits)")
    name, address = to
    return {
        "message": {
            "subject": " ".join(subject.split()),
            "body": {"contentType": "Text", "content": text},
            "toRecipients": [{"emailAddress": {"address": address.strip(),
                                               "name": " ".join(name.split())}}],
            "internetMessageHeaders": [{"name": LETTER_HEADER, "value": header_token}],
            "attachments": [{
                "@odata.type": FILE_ATTACHMENT,
                "name": file_name,
                "contentType": content_type,
                "contentBytes": base64.b64encode(content).decode("ascii"),
            } for file_name, content, content_type in _files(attachment)],
        },
        "saveToSentItems": True,
    }


async def send_mail(transport: Sender, mailbox: str, to: Recipient, subject: str, text: str,
                    attachment: Attachment | Sequence[Attachment], header_token: str) -> None:
    """Email one letter to one person from ``mailbox`` (see the module for the answers)."""
    size = sum(len(file[1]) for file in _files(attachment))
    if size > MAX_ATTACHMENT_BYTES:
        raise MailRefusedError(
            f"send mail: the letter's PDFs are {size:,} bytes; email takes files under 3 MB "
            f"({MAX_ATTACHMENT_BYTES:,} bytes), so it was not emailed: post it instead",
            413, "ErrorMessageSizeExceeded", ATTACHMENT)
    body = json.dumps(message_body(to, subject, text, attachment, header_token)).encode()
    url = f"/users/{quote(mailbox.strip(), safe='@')}/sendMail"
    try:
        await transport.send("send mail", "POST", url, body)
    except GraphError as exc:
        raise _mapped(exc, mailbox) from exc


def _mapped(error: GraphError, mailbox: str) -> GraphError:
    status, code = error.status, error.code
    if isinstance(error, GraphUnavailableError):
        if status in NOT_TAKEN:
            return error  # not taken: nothing was sent
        return MailOutcomeUnknownError(
            f"send mail: no answer from Microsoft Graph ({status or 'connection lost'}); the "
            "message may have been sent, so it is not sent again", status, code)
    if status == 400 and code.casefold() == "errorinvalidrecipients":
        return MailRefusedError("send mail: Exchange refused the recipient's address "
                                f"({code})", status, code, RECIPIENT)
    if status in (403, 404):
        return MailRefusedError(
            f"send mail: the app may not send email as {mailbox} ({status} {code}): the "
            "mailbox must exist, have Exchange Online, and be in the scope an Exchange "
            "administrator gave the app's Mail.Send permission (RBAC for Applications or "
            "an application access policy)", status, code, MAILBOX)
    if status == 413:
        return MailRefusedError("send mail: the message is too large for Exchange "
                                f"({code}): post the letter instead", status, code, ATTACHMENT)
    return error


class GraphMail(GraphTransport):
    """``send_mail`` for a Graph client: mix it into GraphClient's bases."""

    async def send_mail(self, mailbox: str, to: Recipient, subject: str, text: str,
                        attachment: Attachment | Sequence[Attachment],
                        header_token: str) -> None:
        """Email one letter to one person from ``mailbox`` (module ``send_mail``)."""
        await send_mail(self, mailbox, to, subject, text, attachment, header_token)

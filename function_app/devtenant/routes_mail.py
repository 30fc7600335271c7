"""Sending mail: POST /users/{id | userPrincipalName}/sendMail and /me/sendMail
(api-reference/v1.0/api/user-sendmail.md), kept as .eml files (mail_sink.py).

The request is checked as Exchange checks it, then answered 202 Accepted with no body:

- JSON (``Content-Type: application/json``): ``{"message": {...}, "saveToSentItems"}``.
  The message's ``subject``, ``body`` {contentType text | html (any case), content},
  ``toRecipients`` / ``ccRecipients`` / ``bccRecipients`` / ``replyTo``
  [{emailAddress: {address, name}}], ``from``, ``internetMessageHeaders`` [{name, value},
  names starting "x-"] and ``attachments`` of ``#microsoft.graph.fileAttachment`` with
  ``name``, ``contentType``, ``contentBytes`` (base64), ``isInline``, ``contentId``.
  Other message properties (importance, flag, ...) are accepted and not kept.
- MIME (``Content-Type: text/plain``): the whole message, base64; 400
  ``ErrorMimeContentInvalidBase64String`` "Invalid base64 string for MIME content." if it
  is not base64 (documented).

Refusals, with what they copy:

- No recipient, or an address that is not one: 400 ``ErrorInvalidRecipients`` with
  Exchange's texts ("At least one recipient is not valid., A message can't be sent because
  it contains no recipients." in microsoftgraph/msgraph-sdk-dotnet#1891; "... Recipient
  "bad" isn't resolved. All recipients must be resolved before a message can be
  submitted." in microsoftgraph/ruby-connect-rest-sample#15).
- Attachments over 3 MB in all (MAX_ATTACHMENT_BYTES, decoded), or a MIME message over
  4 MB: 413 ``ErrorMessageSizeExceeded`` "The message exceeds the maximum supported
  size." plus why. The sendMail page documents no limit; concepts/outlook-large-
  attachments.md has files under 3 MB attached in one request and 3-150 MB through an
  upload session. The code and text are Exchange's (microsoftgraph/microsoft-graph-docs-
  contrib#2561); the status 413 is the dev tenant's choice, undocumented.
- The app sending from a mailbox outside ``mail_senders`` (an application access policy
  or RBAC for Applications scope): 403 ``ErrorAccessDenied`` "Access to OData is disabled."
  (concepts/auth-limit-mailbox-access.md, "Handling API errors"). A member of staff (a
  delegated token) may send only as themselves (/me, or their own address); any other
  mailbox, and the admin application (no Mail.Send), get 403 ``ErrorAccessDenied``
  "Access is denied. Check credentials and try again." A ``from`` other than the mailbox:
  403 ``ErrorSendAsDenied`` (send-as is not modelled). /me with the app token: 400, as
  Graph answers.
- Over Exchange Online's sending limits for the mailbox (30 messages a minute, 10,000
  recipients a day), when ``mail_pacing`` is on: 429 ``ApplicationThrottled`` with
  Retry-After (mail_sink.MailPacer). Graph documents no 429 for these limits (its 202
  "does not indicate that the request processing has completed. Delivery of the message
  is subject to Exchange Online limitations and throttling"): real mail over them may be
  accepted, then delayed or bounced. The dev tenant answers at once, so a sender that
  does not pace itself is caught in tests. The code is the one Exchange's 429s carry
  through Graph in public reports (magodo/terraform-provider-outlook#21).

Mailboxes are addressed by userPrincipalName (an email address): the dev tenant has no
directory of users, so an id that is not an address is 404 ``ErrorInvalidUser``.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import re
from email import message_from_bytes, policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid
from typing import TYPE_CHECKING, Any

from .calls import Call, Reply
from .errors import GraphError, bad_request
from .identity import Identity, is_admin, user_email
from .router import Route
from .util import now

if TYPE_CHECKING:
    from .backend import Backend

MAX_ATTACHMENT_BYTES = 3 * 1024 * 1024  # "under 3 MB" in one request (outlook-large-attachments)
MAX_MIME_BYTES = 4 * 1024 * 1024  # Graph's 4 MB request limit, for a whole MIME message
FILE_ATTACHMENT = "#microsoft.graph.fileAttachment"
RECIPIENT_FIELDS = {"toRecipients": "To", "ccRecipients": "Cc", "bccRecipients": "Bcc"}
SAVE_HEADER = "X-DevTenant-SaveToSentItems"  # what saveToSentItems said, kept in the .eml
_ADDRESS = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+/[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


def is_address(value: object) -> bool:
    return isinstance(value, str) and len(value) <= 320 and bool(_ADDRESS.match(value)) \
        and ".." not in value and not value.startswith(".") and ".@" not in value


# -- refusals -------------------------------------------------------------------------------

def no_recipients() -> GraphError:
    return GraphError(400, "ErrorInvalidRecipients", "At least one recipient is not valid., "
                      "A message can't be sent because it contains no recipients.")


def bad_recipient(address: object) -> GraphError:
    shown = address if isinstance(address, str) else repr(address)
    return GraphError(400, "ErrorInvalidRecipients", f"At least one recipient isn't valid., "
                      f"Recipient \"{shown}\" isn't resolved. All recipients must be "
                      "resolved before a message can be submitted.")


def too_large(why: str) -> GraphError:
    return GraphError(413, "ErrorMessageSizeExceeded",
                      f"The message exceeds the maximum supported size. {why}")


def access_denied(message: str = "Access is denied. Check credentials and try again."
                  ) -> GraphError:
    return GraphError(403, "ErrorAccessDenied", message)


# -- who sends as whom ----------------------------------------------------------------------

def _mailbox(b: Backend, who: Identity | None, key: str | None) -> str:
    """The mailbox sending, after checking the caller may send as it."""
    if who is None:  # the server signs every Graph request in; kept for type checking
        raise access_denied()
    if key is None:  # /me
        if who.kind != "user":
            raise GraphError(400, "BadRequest",
                             "/me request is only valid with delegated authentication flow.")
        return user_email(who.display_name, b.email_domain)
    if not is_address(key):
        raise GraphError(404, "ErrorInvalidUser", f"The requested user '{key}' is invalid. "
                         "(The dev tenant addresses mailboxes by userPrincipalName only.)")
    mailbox = key.lower()
    if who.kind == "user":
        if mailbox != user_email(who.display_name, b.email_domain):
            raise access_denied()
    elif is_admin(who):
        raise access_denied()
    elif b.mail_senders is not None and mailbox not in b.mail_senders:
        raise access_denied("Access to OData is disabled.")
    return mailbox


# -- the JSON message -----------------------------------------------------------------------

def _text(value: object, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise bad_request(f"{where} must be a string.")
    return value


def _one_line(value: str) -> str:
    return " ".join(value.splitlines())


def _addresses(message: dict[str, Any], field: str) -> list[Address]:
    value = message.get(field)
    if value is None:
        return []
    if not isinstance(value, list):
        raise bad_request(f"message.{field} must be a collection of recipients.")
    found: list[Address] = []
    for recipient in value:
        email = recipient.get("emailAddress") if isinstance(recipient, dict) else None
        if not isinstance(email, dict):
            raise bad_request(f"Each of message.{field} must be "
                              '{"emailAddress": {"address": ..., "name": ...}}.')
        address = email.get("address")
        if not is_address(address):
            raise bad_recipient(address)
        assert isinstance(address, str)
        name = _one_line(_text(email.get("name"), f"message.{field}[].emailAddress.name"))
        try:
            found.append(Address(display_name=name, addr_spec=address))
        except (ValueError, IndexError):
            raise bad_recipient(address) from None
    return found


def _body(message: dict[str, Any]) -> tuple[str, str]:
    body = message.get("body")
    if body is None:
        return "", "plain"
    if not isinstance(body, dict):
        raise bad_request('message.body must be {"contentType": "text" | "html", "content"}.')
    kind = _text(body.get("contentType"), "message.body.contentType").lower() or "text"
    if kind not in ("text", "html"):
        raise bad_request(f"message.body.contentType must be text or html, not {kind!r}.")
    return _text(body.get("content"), "message.body.content"), "html" if kind == "html" \
        else "plain"


def _attachments(message: dict[str, Any]) -> list[dict[str, Any]]:
    value = message.get("attachments")
    if value is None:
        return []
    if not isinstance(value, list):
        raise bad_request("message.attachments must be a collection.")
    kept: list[dict[str, Any]] = []
    total = 0
    for i, attachment in enumerate(value):
        where = f"message.attachments[{i}]"
        if not isinstance(attachment, dict):
            raise bad_request(f"{where} must be an object.")
        kind = attachment.get("@odata.type")
        if not isinstance(kind, str) or kind.lstrip("#").lower() != FILE_ATTACHMENT[1:].lower():
            raise GraphError(501, "notSupported", f"{where}: the dev tenant takes only "
                             f"{FILE_ATTACHMENT} attachments (with @odata.type), not {kind!r}.")
        name = _text(attachment.get("name"), f"{where}.name")
        if not name:
            raise bad_request(f"{where}.name is required.")
        encoded = attachment.get("contentBytes")
        if not isinstance(encoded, str):
            raise bad_request(f"{where}.contentBytes is required: the file's bytes, base64.")
        try:
            data = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise bad_request(f"{where}.contentBytes is not valid base64.") from None
        content_type = _text(attachment.get("contentType"), f"{where}.contentType") \
            or mimetypes.guess_type(name)[0] or "application/octet-stream"
        if not _TOKEN.match(content_type.split(";")[0].strip()):
            raise bad_request(f"{where}.contentType {content_type!r} is not a MIME type.")
        inline = attachment.get("isInline", False)
        if not isinstance(inline, bool):
            raise bad_request(f"{where}.isInline must be true or false.")
        total += len(data)
        kept.append({"name": _one_line(name), "type": content_type.split(";")[0].strip(),
                     "data": data, "inline": inline,
                     "cid": _text(attachment.get("contentId"), f"{where}.contentId")})
    if total > MAX_ATTACHMENT_BYTES:
        raise too_large(f"Its attachments are {total} bytes; sendMail takes attachments "
                        f"under 3 MB ({MAX_ATTACHMENT_BYTES} bytes) in all. Attach larger "
                        "files through an upload session (createUploadSession).")
    return kept


def _headers(message: dict[str, Any]) -> list[tuple[str, str]]:
    value = message.get("internetMessageHeaders")
    if value is None:
        return []
    if not isinstance(value, list):
        raise bad_request("message.internetMessageHeaders must be a collection.")
    found: list[tuple[str, str]] = []
    for header in value:
        name = header.get("name") if isinstance(header, dict) else None
        if not isinstance(name, str) or not re.match(r"^[Xx]-[!-9;-~]+$", name):
            raise bad_request("message.internetMessageHeaders may add only custom headers, "
                              f"whose names start with 'x-': not {name!r}.")
        found.append((name, _one_line(_text(header.get("value"), f"header {name}"))))
    return found


def _save_to_sent_items(body: dict[str, Any]) -> bool:
    value = body.get("saveToSentItems", True)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"  # the page's own example sends "false"
    if not isinstance(value, bool):
        raise bad_request("saveToSentItems must be true or false.")
    return value


def _from(message: dict[str, Any], mailbox: str) -> Address:
    sender = message.get("from")
    email = sender.get("emailAddress") if isinstance(sender, dict) else None
    if sender is None or not isinstance(email, dict):
        if sender is not None:
            raise bad_request('message.from must be {"emailAddress": {"address", "name"}}.')
        return Address(addr_spec=mailbox)
    address = email.get("address")
    if not isinstance(address, str) or address.lower() != mailbox:
        raise GraphError(403, "ErrorSendAsDenied", "The user account which was used to "
                         "submit this request does not have the right to send mail on "
                         "behalf of the specified sending account.")
    name = _one_line(_text(email.get("name"), "message.from.emailAddress.name"))
    return Address(display_name=name, addr_spec=mailbox)


def build_message(mailbox: str, body: dict[str, Any]) -> tuple[EmailMessage, int]:
    """The .eml for a JSON sendMail body, and how many recipients it has."""
    message = body.get("message")
    if not isinstance(message, dict):
        raise bad_request("The request body must have a 'message' object (the message to "
                          "send).")
    save = _save_to_sent_items(body)
    recipients = {header: _addresses(message, field)
                  for field, header in RECIPIENT_FIELDS.items()}
    count = sum(len(found) for found in recipients.values())
    if not count:
        raise no_recipients()
    reply_to = _addresses(message, "replyTo")
    subject = _one_line(_text(message.get("subject"), "message.subject"))
    content, subtype = _body(message)
    attachments = _attachments(message)
    headers = _headers(message)
    eml = EmailMessage()
    eml["From"] = _from(message, mailbox)
    for header, found in recipients.items():
        if found:
            eml[header] = found
    if reply_to:
        eml["Reply-To"] = reply_to
    eml["Subject"] = subject
    eml["Date"] = format_datetime(now())
    eml["Message-ID"] = make_msgid(domain=mailbox.rpartition("@")[2])
    for name, value in headers:
        eml[name] = value
    eml[SAVE_HEADER] = "true" if save else "false"
    eml.set_content(content, subtype=subtype)
    for attachment in attachments:
        maintype, _, subtype_ = attachment["type"].partition("/")
        extra: dict[str, Any] = {}
        if attachment["cid"]:
            extra["cid"] = f"<{attachment['cid'].strip('<>')}>"
        eml.add_attachment(attachment["data"], maintype=maintype, subtype=subtype_,
                           filename=attachment["name"],
                           disposition="inline" if attachment["inline"] else "attachment",
                           **extra)
    return eml, count


# -- the MIME message -----------------------------------------------------------------------

def build_mime(mailbox: str, raw: bytes) -> tuple[EmailMessage, int]:
    """The .eml for a MIME sendMail body (base64 of the whole message)."""
    try:
        data = base64.b64decode(b"".join(raw.split()), validate=True)
    except (binascii.Error, ValueError):
        raise GraphError(400, "ErrorMimeContentInvalidBase64String",
                         "Invalid base64 string for MIME content.") from None
    if not data:
        raise GraphError(400, "ErrorMimeContentInvalidBase64String",
                         "Invalid base64 string for MIME content.")
    if len(data) > MAX_MIME_BYTES:
        raise too_large(f"The MIME message is {len(data)} bytes; a request takes at most "
                        f"4 MB ({MAX_MIME_BYTES} bytes). Attach larger files through an "
                        "upload session.")
    eml = message_from_bytes(data, policy=policy.default)
    assert isinstance(eml, EmailMessage)
    count = 0
    for header in RECIPIENT_FIELDS.values():
        for _name, address in getaddresses([str(v) for v in eml.get_all(header, [])]):
            if not is_address(address):
                raise bad_recipient(address)
            count += 1
    if not count:
        raise no_recipients()
    senders = [a for _n, a in getaddresses([str(v) for v in eml.get_all("From", [])])]
    if senders and any(a.lower() != mailbox for a in senders):
        raise GraphError(403, "ErrorSendAsDenied", "The user account which was used to "
                         "submit this request does not have the right to send mail on "
                         "behalf of the specified sending account.")
    if not senders:
        del eml["From"]
        eml["From"] = Address(addr_spec=mailbox)
    if eml["Date"] is None:
        eml["Date"] = format_datetime(now())
    if eml["Message-ID"] is None:
        eml["Message-ID"] = make_msgid(domain=mailbox.rpartition("@")[2])
    return eml, count


# -- the route ------------------------------------------------------------------------------

async def _send(b: Backend, call: Call, key: str | None) -> Reply:
    mailbox = _mailbox(b, call.identity, key)
    media = (call.headers.get("Content-Type") or "application/json").lower()
    if media.startswith("text/plain"):
        eml, count = build_mime(mailbox, call.body)
    else:
        eml, count = build_message(mailbox, call.json())
    if b.mail_pacing:
        wait = b.mail_pacer.admit(mailbox, count)
        if wait is not None:
            raise GraphError(
                429, "ApplicationThrottled",
                f"The mailbox {mailbox} is over Exchange Online's sending limits "
                f"({b.mail_pacer.per_minute} messages a minute, "
                f"{b.mail_pacer.recipients_per_day} recipients a day); retry after the "
                "Retry-After header's seconds.",
                headers={"Retry-After": str(wait)},
            )
    b.mail.keep(mailbox, eml)
    return Reply(202)


async def send_mail(b: Backend, call: Call, params: dict[str, str]) -> Reply:
    return await _send(b, call, params["user-id"])


async def send_mail_as_me(b: Backend, call: Call, params: dict[str, str]) -> Reply:
    return await _send(b, call, None)


ROUTES = [
    Route("POST", "/users/{user-id}/sendMail", send_mail),
    Route("POST", "/me/sendMail", send_mail_as_me),
]

"""An approved letter emailed to one carer, against the dev tenant's sendMail (issue 18):
once, as a PDF (byte for byte what Graph's ?format=pdf gives for a Word letter), with its
Contacts item; and every way it can fail leaving nothing half-recorded and never a second
email: the mailbox's pace (the dev tenant's 429 and our own count), a bad address, a
mailbox the app may not send as, an answer lost after sending, a worker stopped while
sending, and a contact that could not be written."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from pypdf import PdfWriter

from function_app.adapters.graph.auth import dev_token_provider, request_adapter
from function_app.adapters.graph.client import GraphClient, GraphTarget, RetryPolicy
from function_app.adapters.graph.errors import GraphUnavailableError
from function_app.adapters.graph.mail import (
    LETTER_HEADER,
    MAILBOX,
    RECIPIENT,
    message_body,
)
from function_app.adapters.graph.records import ListItem
from function_app.adapters.state.sqlite import SqliteStateStore
from function_app.bootstrap import DEV_APP_ID
from function_app.devtenant import DevTenant
from function_app.devtenant.routes_mail import SAVE_HEADER
from function_app.domain.model import Carer, LettersBy
from function_app.domain.policy import load_profile
from function_app.services.delivery import email_text, pacing
from function_app.services.delivery.email import (
    SENDING_SCOPE,
    Emailing,
    LetterToSend,
    Outcome,
    email_letter,
    send_again,
)
from tests.integration.helpers import Site, example, no_sleep

pytestmark = pytest.mark.integration

MAILBOX_ADDRESS = "office@brookfield.example.org"
ADDRESS = "gemma.rowe@example.org"
FOLDER = "Brookfield Primary School/ATT-2026-0131 Rowe, Maisie"
NOW = datetime(2026, 11, 22, 10, 2, tzinfo=UTC)
OWNER = "worker-1@test:1"


MailClient = GraphClient  # the app's Graph client, which sends mail (adapters/graph/mail.py)


@dataclass
class Room:
    """One test's dev tenant, typed case, app client, state store and letter."""

    tenant: DevTenant
    site: Site
    app: MailClient
    state: SqliteStateStore
    letter: LetterToSend

    async def email(self, graph: MailClient | None = None, now: datetime = NOW,
                    letter: LetterToSend | None = None) -> Emailing:
        return await email_letter(graph or self.app, self.state, letter or self.letter,
                                  MAILBOX_ADDRESS, now, OWNER)

    def mail(self) -> list[EmailMessage]:
        return self.tenant.sent_mail(MAILBOX_ADDRESS)

    async def contacts(self) -> list[ListItem]:
        items = await self.app.all_items(self.site.lists["Contacts"].id)
        return [i for i in items if "Email reference" in str(i.fields.get("Summary"))]


def app_client(tenant: DevTenant, cls: type[MailClient] = MailClient) -> MailClient:
    return cls(GraphTarget(tenant.base_url, tenant.hostname, tenant.site_path, DEV_APP_ID),
               request_adapter(tenant.base_url,
                               dev_token_provider(tenant.base_url, tenant.app_token)),
               retry=RetryPolicy(attempts=8, sleep=no_sleep))


def pdf_letter() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def word_letter() -> bytes:
    document = Document()
    document.add_paragraph("Dear Gemma Rowe, we are writing about Maisie's attendance.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def carer(item_id: str, email: str = ADDRESS,
          letters_by: LettersBy = LettersBy.EMAIL) -> Carer:
    return Carer(item_id, "Gemma", "Rowe", "Mother", True,
                 address="12 Mill Close\nTewkesbury\nGL20 5BB", email=email,
                 letters_by=letters_by)


def in_room(tmp_path: Path, test: Callable[[Room], Awaitable[None]], *,
            name: str = "2026-11-22 Letter of concern - Gemma Rowe.pdf",
            content: bytes | None = None, email: str = ADDRESS) -> None:
    """Run ``test`` with a tenant whose mail folder is this test's own."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant", mail_dir=tmp_path / "mail") as tenant:
            site = await Site.ready(tenant)
            typed = await site.type_case(example("support-meeting-invitation-planned.json"))
            case_id = typed[("Cases", "7")]
            (carer_id,) = [real for (lst, _), real in typed.items() if lst == "Carers"]
            app = app_client(tenant)
            await app.use_library(site.lists["Case Files"].id)
            filed = await app.upload(FOLDER, name, content or pdf_letter(), conflict="fail")
            letter = LetterToSend(
                case_ref="ATT-2026-0131", case_item_id=case_id, item_id=filed.id,
                document_name=filed.name, kind="letter_of_concern",
                carer=carer(carer_id, email), approved_by="Helen Carter",
                profile=load_profile("national-2024"), school="Brookfield Primary School",
                pupil_forename="Maisie", school_phone="01684 200300",
                school_email=MAILBOX_ADDRESS, letter_date=date(2026, 11, 22))
            state = SqliteStateStore(tmp_path / "state.sqlite")
            try:
                await test(Room(tenant, site, app, state, letter))
            finally:
                await app.aclose()

    asyncio.run(run())


def no_names(text: str) -> None:
    assert "Gemma" not in text and "Rowe" not in text and "@" not in text


# -- emailed once ------------------------------------------------------------------------

def test_an_approved_letter_is_emailed_once_as_a_pdf_with_its_contact(tmp_path: Path) -> None:
    """One message to the carer alone, the PDF attached byte for byte, the header and Sent
    Items; a Contacts item with mode Email for that carer; a second call sends nothing."""
    letter_pdf = pdf_letter()

    async def test(room: Room) -> None:
        first = await room.email()
        assert first.outcome is Outcome.SENT, first.message
        assert first.went and first.sending is not None
        assert "emailed to Gemma Rowe (gemma.rowe@example.org) at 10:02 on 22 November " \
               "2026" in first.message  # 10:02 UTC is 10:02 GMT in November

        (message,) = room.mail()
        assert message["To"] == f"Gemma Rowe <{ADDRESS}>"
        assert message["Cc"] is None and message["Bcc"] is None
        assert message["Subject"] == ("A letter from Brookfield Primary School about "
                                      "Maisie's attendance")
        assert message[LETTER_HEADER] == first.reference
        assert message[SAVE_HEADER] == "true"
        text = message.get_body(("plain",))
        assert text is not None
        words = text.get_content()
        assert "Letter of concern about attendance, dated 22 November 2026" in words
        assert "01684 200300" in words and f"Our reference: {first.reference}" in words
        (attached,) = list(message.iter_attachments())
        assert attached.get_filename() == "2026-11-22 Letter of concern - Gemma Rowe.pdf"
        assert attached.get_content_type() == "application/pdf"
        assert attached.get_payload(decode=True) == letter_pdf

        (contact,) = await room.contacts()
        fields = contact.fields
        assert contact.id == first.contact_id
        assert fields["ContactMode"] == "Email"
        assert fields["Title"] == "Letter of concern about attendance emailed to Gemma Rowe"
        assert fields["StaffMember"] == "Helen Carter"
        assert fields["ContactTime"] == "10:02"
        assert str(fields["CaseLookupId"]) == room.letter.case_item_id
        assert fields["CarersInvolvedLookupId"] == [room.letter.carer.id]
        assert "approved by Helen Carter" in fields["Summary"]
        assert "Emailed as a PDF to gemma.rowe@example.org" in fields["Summary"]

        claim = room.state.get_claim(room.letter.key)
        assert claim is not None and claim.state == "done"
        assert claim.result == f"email:sent contact:{contact.id}"
        no_names(claim.key + claim.result)
        assert room.state.recall(SENDING_SCOPE, room.letter.key) == ""

        again = await room.email()
        assert again.outcome is Outcome.ALREADY_SENT and not again.sending
        assert again.contact_id == contact.id
        assert len(room.mail()) == 1 and len(await room.contacts()) == 1

    in_room(tmp_path, test, content=letter_pdf)


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_a_word_letter_goes_as_graphs_pdf_conversion(tmp_path: Path) -> None:
    async def test(room: Room) -> None:
        sent = await room.email()
        assert sent.outcome is Outcome.SENT, sent.message
        converted = await room.app.download(room.letter.item_id, as_pdf=True)
        assert converted.startswith(b"%PDF")
        (message,) = room.mail()
        (attached,) = list(message.iter_attachments())
        assert attached.get_filename() == "2026-11-22 Letter of concern - Gemma Rowe.pdf"
        assert attached.get_payload(decode=True) == converted

    in_room(tmp_path, test, name="2026-11-22 Letter of concern - Gemma Rowe.docx",
            content=word_letter())


def test_a_carer_who_gets_letters_by_post_is_not_emailed(tmp_path: Path) -> None:
    async def test(room: Room) -> None:
        by_post = replace(room.letter, carer=replace(room.letter.carer,
                                                     letters_by=LettersBy.POST))
        result = await room.email(letter=by_post)
        assert result.outcome is Outcome.NOT_EMAILED
        assert "by post" in result.message
        assert room.mail() == [] and room.state.get_claim(by_post.key) is None

    in_room(tmp_path, test)


# -- the mailbox's pace ------------------------------------------------------------------

def test_a_429_from_the_sending_limits_leaves_it_for_later_with_nothing_recorded(
        tmp_path: Path) -> None:
    async def test(room: Room) -> None:
        for n in range(30):  # Exchange's 30 a minute, sent around this service
            await room.app.send_mail(MAILBOX_ADDRESS, ("Someone", f"p{n}@example.org"),
                                     "Other", "Other mail", ("a.txt", b"a", "text/plain"),
                                     "0" * 16)
        later = await room.email()
        assert later.outcome is Outcome.WAITING, later.message
        assert later.retry_after is not None and later.retry_after > 0
        assert "not emailed yet" in later.message
        assert len(room.mail()) == 30 and await room.contacts() == []
        assert room.state.get_claim(room.letter.key) is None
        assert room.state.recall(SENDING_SCOPE, room.letter.key) == ""

        room.tenant.set_mail_pacing(False)  # the minute has passed
        sent = await room.email()
        assert sent.outcome is Outcome.SENT, sent.message
        assert len(room.mail()) == 31 and len(await room.contacts()) == 1

    in_room(tmp_path, test)


def test_our_own_count_waits_at_30_a_minute_without_asking_graph(tmp_path: Path) -> None:
    async def test(room: Room) -> None:
        for _ in range(30):
            pacing.count_sent(room.state, MAILBOX_ADDRESS, NOW)
        held = pacing.counts(room.state, MAILBOX_ADDRESS, NOW)
        assert (held.this_minute, held.today) == (30, 30)
        waiting = await room.email()
        assert waiting.outcome is Outcome.WAITING and waiting.retry_after == 60
        assert room.mail() == [] and room.state.get_claim(room.letter.key) is None
        no_names(" ".join(room.state.keys(pacing.PACE_SCOPE)))

        next_minute = NOW.replace(minute=3)
        sent = await room.email(now=next_minute)
        assert sent.outcome is Outcome.SENT, sent.message
        assert pacing.counts(room.state, MAILBOX_ADDRESS, next_minute).today == 31

    in_room(tmp_path, test)


# -- refusals ----------------------------------------------------------------------------

def test_an_address_exchange_refuses_says_to_correct_the_email_column(tmp_path: Path) -> None:
    bad = "gemma.rowe@example_school.org"  # looks like an address; Exchange will not take it

    async def test(room: Room) -> None:
        refused = await room.email()
        assert refused.outcome is Outcome.REFUSED and refused.fix == RECIPIENT
        assert f"Exchange refused the email address for Gemma Rowe ({bad})" in refused.message
        assert "\u201cEmail\u201d column of their Carers item" in refused.message
        assert "no contact was recorded" in refused.message
        assert room.mail() == [] and await room.contacts() == []
        assert room.state.get_claim(room.letter.key) is None

    in_room(tmp_path, test, email=bad)


def test_a_mailbox_the_app_may_not_send_as_is_said_plainly(tmp_path: Path) -> None:
    async def test(room: Room) -> None:
        room.tenant.set_mail_senders(["another@brookfield.example.org"])
        refused = await room.email()
        assert refused.outcome is Outcome.REFUSED and refused.fix == MAILBOX
        assert f"The app may not send email as {MAILBOX_ADDRESS}" in refused.message
        assert "RBAC for Applications" in refused.message
        assert room.mail() == [] and await room.contacts() == []

        room.tenant.set_mail_senders([MAILBOX_ADDRESS])  # the administrator fixed it
        assert (await room.email()).outcome is Outcome.SENT

    in_room(tmp_path, test)


# -- never twice ---------------------------------------------------------------------------

def test_a_lost_answer_sends_once_and_says_we_may_have_emailed(tmp_path: Path) -> None:
    async def test(room: Room) -> None:
        room.tenant.strike_next("lost", method="POST")  # sendMail lands; its answer is lost
        first = await room.email()
        assert first.outcome is Outcome.MAYBE_SENT
        assert first.message == (
            "We may have emailed this letter: check the school mailbox's Sent Items for it "
            f"(its x-casework-letter header is {first.reference}; search for "
            f"\u201c{first.reference}\u201d); if it is not there, set it to be sent again.")
        assert len(room.mail()) == 1 and await room.contacts() == []
        claim = room.state.get_claim(room.letter.key)
        assert claim is not None and (claim.state, claim.result) == ("done", "email:unknown")

        again = await room.email()
        assert again.outcome is Outcome.MAYBE_SENT and again.message == first.message
        assert len(room.mail()) == 1

        send_again(room.state, room.letter)  # staff looked, and chose to send it again
        resent = await room.email()
        assert resent.outcome is Outcome.SENT
        assert len(room.mail()) == 2 and len(await room.contacts()) == 1

    in_room(tmp_path, test)


class StoppedWhileSending(MailClient):
    """The email goes, then the worker is cancelled before it hears so."""

    async def send_mail(self, *args: Any, **kwargs: Any) -> None:
        await super().send_mail(*args, **kwargs)
        raise asyncio.CancelledError


def test_a_worker_stopped_while_sending_is_never_followed_by_a_second_email(
        tmp_path: Path) -> None:
    async def test(room: Room) -> None:
        stopped = app_client(room.tenant, StoppedWhileSending)
        await stopped.use_library(room.site.lists["Case Files"].id)
        with pytest.raises(asyncio.CancelledError):
            await room.email(stopped)
        await stopped.aclose()
        assert room.state.get_claim(room.letter.key) is None  # let go, the note kept
        after = await room.email()
        assert after.outcome is Outcome.MAYBE_SENT
        assert len(room.mail()) == 1 and await room.contacts() == []

    in_room(tmp_path, test)


class ContactFails(MailClient):
    """Creating a Contacts item fails once: before it lands, or (``lands``) after, with
    its answer lost."""

    lands = False
    failed = 0

    async def create_item(self, list_id: str, fields: dict[str, Any]) -> ListItem:
        if type(self).failed:
            return await super().create_item(list_id, fields)
        type(self).failed += 1
        if self.lands:
            await super().create_item(list_id, fields)
        raise GraphUnavailableError("create item: no answer from Microsoft Graph")


class ContactLandsUnanswered(ContactFails):
    lands = True
    failed = 0


@pytest.mark.parametrize("flaky", [ContactFails, ContactLandsUnanswered])
def test_a_contact_that_could_not_be_written_is_written_later_without_a_second_email(
        tmp_path: Path, flaky: type[ContactFails]) -> None:
    flaky.failed = 0

    async def test(room: Room) -> None:
        client = app_client(room.tenant, flaky)
        await client.use_library(room.site.lists["Case Files"].id)
        first = await room.email(client)
        assert first.outcome is Outcome.CONTACT_PENDING, first.message
        assert first.went
        assert "was emailed to Gemma Rowe at 10:02 on 22 November 2026" in first.message
        assert "written at the next try, without emailing again" in first.message
        assert len(room.mail()) == 1
        assert room.state.get_claim(room.letter.key) is None
        note = room.state.recall(SENDING_SCOPE, room.letter.key)
        assert note.startswith("sent ")
        no_names(note)

        later = await room.email(client, now=NOW.replace(hour=11))
        await client.aclose()
        assert later.outcome is Outcome.SENT, later.message
        assert len(room.mail()) == 1  # no second email
        (contact,) = await room.contacts()
        assert contact.id == later.contact_id
        assert contact.fields["ContactTime"] == "10:02"  # when it was emailed, not now
        assert (await room.email()).outcome is Outcome.ALREADY_SENT
        assert len(room.mail()) == 1 and len(await room.contacts()) == 1

    in_room(tmp_path, test)


# -- the message itself --------------------------------------------------------------------

def test_the_message_has_one_recipient_the_header_and_is_kept_in_sent_items() -> None:
    body = message_body(("Gemma Rowe", ADDRESS), "Subject", "Text",
                        ("a.pdf", b"%PDF-1.7", "application/pdf"), "ab" * 8)
    message = body["message"]
    assert body["saveToSentItems"] is True
    assert message["toRecipients"] == [{"emailAddress": {"address": ADDRESS,
                                                         "name": "Gemma Rowe"}}]
    assert "ccRecipients" not in message and "bccRecipients" not in message
    assert message["internetMessageHeaders"] == [{"name": LETTER_HEADER, "value": "ab" * 8}]
    assert message["attachments"][0]["contentBytes"] == "JVBERi0xLjc="
    with pytest.raises(ValueError, match="hex digest"):
        message_body(("G", ADDRESS), "S", "T", ("a.pdf", b"", "application/pdf"),
                     "Gemma Rowe")


def test_the_subject_names_the_school_and_the_pupils_forename_only() -> None:
    assert email_text.subject("Oak Primary", "Sam") == \
        "A letter from Oak Primary about Sam's attendance"
    words = email_text.body("Dana Ellis", "Oak Primary", "Sam", "notice_to_improve",
                            date(2026, 3, 3), "", "office@oak.sch.uk", "0123456789abcdef")
    assert "Notice to Improve, dated 3 March 2026." in words
    assert "contact the school by email at office@oak.sch.uk, or reply" in words


def test_at_20_percent_faults_no_letter_is_emailed_twice_or_half_recorded(
        tmp_path: Path) -> None:
    """Six letters, each emailed until it settles, with a fifth of requests throttled,
    refused or dropped: each has at most one message; one that went has one contact; one
    whose answer was lost ("We may have emailed") has none."""

    async def test(room: Room) -> None:
        letters = [room.letter]
        for n in range(5):
            filed = await room.app.upload(FOLDER, f"2026-11-22 Letter {n}.pdf", pdf_letter(),
                                          conflict="fail")
            letters.append(replace(room.letter, item_id=filed.id, document_name=filed.name))
        room.tenant.set_mail_pacing(False)
        room.tenant.set_faults(0.2)
        settled: dict[str, Emailing] = {}
        for _ in range(40):
            for letter in letters:
                if letter.key in settled:
                    continue
                result = await room.email(letter=letter)
                if result.outcome in (Outcome.SENT, Outcome.MAYBE_SENT):
                    settled[letter.key] = result
        assert sum(room.tenant.faults.values()) > 0
        room.tenant.set_faults(0.0)
        assert len(settled) == len(letters)
        contacts = await room.contacts()
        for result in settled.values():
            mails = [m for m in room.mail() if m[LETTER_HEADER] == result.reference]
            mine = [c for c in contacts if result.reference in c.fields["Summary"]]
            if result.outcome is Outcome.SENT:
                assert (len(mails), len(mine)) == (1, 1)
            else:
                assert len(mails) <= 1 and mine == []

    in_room(tmp_path, test)

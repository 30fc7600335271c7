"""Letters reach each parent through the sweep (issue 18), against the dev tenant: filed as
drafts; approved by staff (on the document, or one tick on the meeting); emailed as a PDF
with what it encloses to a parent who asked for email; put in the day's print pack for a
parent who asked for post; recorded as posted when staff mark the pack; a Contacts item for
each sending, and none twice, whatever is run again; and every bad input said where staff
work, with nothing half-recorded."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from function_app.adapters.graph.records import ListItem
from function_app.devtenant import DevTenant
from function_app.services.casework_sweep.processor import ChangeProcessor
from function_app.services.casework_sweep.sweep_report import SweepReport
from function_app.services.delivery.letter_status import SendStatus
from tests.integration.helpers import TODAY, Site, example
from tests.services.casework_sweep.test_state_keeps_no_names import everything_in, named_in

pytestmark = pytest.mark.integration

MAILBOX = "attendance@brookfield.example.org"
NOON = datetime(TODAY.year, TODAY.month, TODAY.day, 12, 0, tzinfo=UTC)
CASE = "aim-review-no-engagement.json"  # Dana Ellis by post, Chris Ellis by email
LIBRARY, CONTACTS, CARERS = "Case Files", "Contacts", "Carers"


@dataclass
class Office:
    """One test's dev tenant, typed case and sweep, as a school office would see them."""

    tenant: DevTenant
    site: Site
    processor: ChangeProcessor
    typed: dict[tuple[str, str], str]
    tmp: Path

    async def sweep(self) -> SweepReport:
        report = await self.processor.sweep()
        assert not report.failed and not report.sending_failed, report
        return report

    async def documents(self) -> list[ListItem]:
        return await self.site.app.all_items(self.site.lists[LIBRARY].id)

    async def letters(self) -> list[ListItem]:
        return [d for d in await self.documents()
                if d.fields.get("SendStatus") and d.fields.get("CarerId")]

    async def packs(self) -> list[ListItem]:
        return [d for d in await self.documents()
                if d.fields.get("DocumentKind") == "letters_to_post"]

    async def approve(self, items: list[ListItem]) -> None:
        for item in items:
            await self.site.staff.update_fields(self.site.lists[LIBRARY].id, item.id,
                                                {"SendStatus": SendStatus.APPROVED.value})

    async def mark_posted(self, pack: ListItem) -> None:
        await self.site.staff.update_fields(self.site.lists[LIBRARY].id, pack.id,
                                            {"SendStatus": SendStatus.POSTED.value})

    async def content(self, item: ListItem) -> bytes:
        app, library = self.site.app, self.site.lists[LIBRARY].id
        (found,) = await app.read_items([(library, "SendStatus",
                                          [str(item.fields["SendStatus"])])], with_files=True)
        file = next(i.file for i in found if i.id == item.id)
        assert file is not None
        await app.use_library(library)
        return await app.download(file.id)

    def mail(self) -> list[EmailMessage]:
        return self.tenant.sent_mail(MAILBOX)

    async def contacts(self) -> list[ListItem]:
        items = await self.site.app.all_items(self.site.lists[CONTACTS].id)
        return [i for i in items if "emailed to" in str(i.fields.get("Title"))
                or "posted to" in str(i.fields.get("Title"))]

    def carer(self, typed_id: str) -> str:
        """The Carers item id of the example's carer "c1" (first) or "c2" (second)."""
        ids = sorted((v for (lst, _), v in self.typed.items() if lst == CARERS), key=int)
        return ids[int(typed_id.removeprefix("c")) - 1]

    async def type(self, name: str = CASE, **changes: Any) -> None:
        self.typed = await self.site.type_case(example(name, **changes))


def in_office(tmp_path: Path, test: Callable[[Office], Awaitable[None]], *,
              mailbox: str = MAILBOX, name: str = CASE, **changes: Any) -> None:
    async def run() -> None:
        with DevTenant(tmp_path / "tenant", mail_dir=tmp_path / "mail") as tenant:
            tenant.set_mail_senders([MAILBOX])
            site = await Site.ready(tenant)
            processor = site.processor(tmp_path / "state.sqlite")
            config = replace(processor.config, mailbox=mailbox, clock=lambda: NOON)
            processor.config = config
            processor.sender.config = replace(processor.sender.config, mailbox=mailbox,
                                              clock=lambda: NOON)
            office = Office(tenant, site, processor, {}, tmp_path)
            await office.type(name, **changes)
            await test(office)

    asyncio.run(run())


# -- drafts and approval ---------------------------------------------------------------------

def test_letters_are_filed_as_drafts_and_nothing_goes_until_staff_approve(
        tmp_path: Path) -> None:
    async def test(office: Office) -> None:
        await office.sweep()
        letters = await office.letters()
        assert {d.fields["DocumentKind"] for d in letters} == {"plan_cover_letter"}
        assert {d.fields["SendStatus"] for d in letters} == {SendStatus.DRAFT.value}
        assert all("Approved: send it" in d.fields["SendNote"] for d in letters)
        plans = [d for d in await office.documents() if d.fields.get("DocumentKind")
                 == "aim_plan"]
        assert plans and not any(p.fields.get("SendStatus") for p in plans)  # not a letter
        again = await office.sweep()
        assert not again.letters and office.mail() == [] and await office.contacts() == []
        assert await office.packs() == []

    in_office(tmp_path, test)


def test_one_tick_on_a_meeting_approves_its_letters_in_the_name_of_who_ticked(
        tmp_path: Path) -> None:
    async def test(office: Office) -> None:
        await office.sweep()
        meetings = office.site.lists["Meetings"].id
        review = office.typed[("Meetings", "402")]
        await office.site.staff.update_fields(meetings, review, {"ApproveLetters": True})
        report = await office.sweep()
        assert report.letters_approved == 2  # one for each parent
        assert not report.filed  # the tick makes nothing again
        item = await office.site.app.get_item(meetings, review)
        assert item.fields.get("ApproveLetters") is False  # the request is done
        ours = [d for d in await office.letters() if d.fields.get("MeetingId") == review]
        others = [d for d in await office.letters() if d.fields.get("MeetingId") != review]
        assert {d.fields["ApprovedBy"] for d in ours} == {"Priya Shah"}
        assert {d.fields["SendStatus"] for d in ours} != {SendStatus.DRAFT.value}
        assert {d.fields["SendStatus"] for d in others} == {SendStatus.DRAFT.value}
        assert (await office.sweep()).nothing_new  # clearing the tick is the app's own

    in_office(tmp_path, test)


# -- email, post and the record ------------------------------------------------------------

@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_approved_letters_reach_each_parent_once_by_the_way_they_asked(
        tmp_path: Path) -> None:
    async def test(office: Office) -> None:
        await office.sweep()
        review = office.typed[("Meetings", "402")]
        mine = [d for d in await office.letters() if d.fields.get("MeetingId") == review]
        await office.approve(mine)
        report = await office.sweep()
        assert sorted(s.outcome for s in report.letters) == ["emailed", "in the print pack"]

        (message,) = office.mail()  # Chris asked for email; Dana for post
        assert message["To"] == "Chris Ellis <chris.ellis@example.org>"
        assert message["Cc"] is None and message["Bcc"] is None
        names = [a.get_filename() for a in message.iter_attachments()]
        assert len(names) == 2 and "Covering letter" in names[0] and "AIM plan" in names[1]
        assert all(n.endswith(".pdf") for n in names)

        by_carer = {d.fields["CarerId"]: d for d in await office.letters()
                    if d.fields.get("MeetingId") == review}
        chris, dana = by_carer[office.carer("c2")], by_carer[office.carer("c1")]
        assert chris.fields["SendStatus"] == SendStatus.SENT.value
        assert "emailed to Chris Ellis (chris.ellis@example.org)" in chris.fields["SendNote"]
        assert dana.fields["SendStatus"] == SendStatus.TO_POST.value
        (pack,) = await office.packs()
        assert pack.fields["SendStatus"] == SendStatus.READY_TO_POST.value
        # At the library's root: Case Files > Letters to post.
        assert pack.web_url.replace("%20", " ").endswith(
            "/Case Files/Letters to post/2026-11-22 Letters to post.pdf"), pack.web_url
        assert "Dana Ellis" in pack.fields["SendNote"]
        assert "Chris Ellis" not in pack.fields["SendNote"]
        (contact,) = await office.contacts()  # the email's; the post waits for the pack
        assert contact.fields["ContactMode"] == "Email"

        reader = PdfReader(io.BytesIO(await office.content(pack)))
        cover = reader.pages[0].extract_text()
        assert "Letters to post" in cover and "Dana Ellis" in cover
        assert "Chris Ellis" not in cover

        await office.mark_posted(pack)
        await office.sweep()
        (pack,) = await office.packs()
        assert pack.fields["SendStatus"] == SendStatus.POSTED_RECORDED.value
        dana = next(d for d in await office.letters() if d.id == dana.id)
        assert dana.fields["SendStatus"] == SendStatus.SENT.value
        assert "Posted on 22 November 2026" in dana.fields["SendNote"]
        contacts = await office.contacts()
        posted = [c for c in contacts if c.fields["ContactMode"] == "Letter"]
        assert len(contacts) == 2 and len(posted) == 1
        assert posted[0].fields["Title"] == ("Covering letter with a copy of the plan posted "
                                             "to Dana Ellis")
        assert posted[0].fields["CarersInvolvedLookupId"] == [office.carer("c1")]
        assert "Printed and posted to 4 Mill Lane, Stroud, GL5 1AA" in \
            posted[0].fields["Summary"]
        assert "approved by Priya Shah" in posted[0].fields["Summary"]

        for _ in range(2):  # run again: nothing is sent or recorded twice
            again = await office.sweep()
            assert not again.letters
        assert len(office.mail()) == 1 and len(await office.contacts()) == 2

        # The state store keeps ids, keys and digests: no name, no address, no file name.
        kept = everything_in(office.tmp / "state.sqlite")
        assert named_in(kept, {"Dana", "Chris", "Ellis", "Jordan", "Mill"}) == []
        assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", kept)  # no email address
        assert ".docx" not in kept and ".pdf" not in kept

    in_office(tmp_path, test)


# -- bad input -------------------------------------------------------------------------------

def _carers(**changes: dict[str, Any]) -> list[dict[str, Any]]:
    carers: list[dict[str, Any]] = example(CASE)["carers"]
    return [{**c, **changes.get(c["id"], {})} for c in carers]


def test_a_parent_with_no_address_and_no_email_gets_no_letter_and_the_meeting_says_why(
        tmp_path: Path) -> None:
    async def test(office: Office) -> None:
        await office.sweep()
        meetings = office.site.lists["Meetings"].id
        item = await office.site.app.get_item(meetings, office.typed[("Meetings", "402")])
        assert "there is no postal or email address" in item.fields["GenerationMessage"]
        assert office.mail() == [] and await office.contacts() == []

    in_office(tmp_path, test, carers=_carers(c1={"address": ""}))


def test_an_email_that_does_not_look_right_and_no_address_is_not_sent_and_the_carer_says_why(
        tmp_path: Path) -> None:
    async def test(office: Office) -> None:
        await office.sweep()
        await office.approve(await office.letters())
        await office.sweep()
        dana = [d for d in await office.letters() if d.fields["CarerId"] == office.carer("c1")]
        assert dana and {d.fields["SendStatus"] for d in dana} == {SendStatus.NOT_SENT.value}
        assert all("There is no postal address for Dana Ellis and their email address does "
                   "not look right" in d.fields["SendNote"] for d in dana)
        carer = await office.site.app.get_item(office.site.lists[CARERS].id, office.carer("c1"))
        assert "correct the email address or add a postal address" in \
            carer.fields["LettersProblem"]
        assert not [c for c in await office.contacts() if "Dana" in c.fields["Title"]]
        assert await office.packs() == []

    in_office(tmp_path, test, carers=_carers(c1={"address": "",
                                                 "email": "dana.ellis(at)example.org"}))


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_an_address_exchange_refuses_falls_back_to_the_post_and_the_carer_says_so(
        tmp_path: Path) -> None:
    async def test(office: Office) -> None:
        await office.sweep()
        await office.approve(await office.letters())
        await office.sweep()
        assert office.mail() == []
        chris = [d for d in await office.letters() if d.fields["CarerId"] == office.carer("c2")]
        assert {d.fields["SendStatus"] for d in chris} == {SendStatus.TO_POST.value}
        assert all("Exchange refused the email address for Chris Ellis" in d.fields["SendNote"]
                   and "It goes by post instead." in d.fields["SendNote"] for d in chris)
        carer = await office.site.app.get_item(office.site.lists[CARERS].id, office.carer("c2"))
        assert "Exchange refused the email address" in carer.fields["LettersProblem"]
        assert not [c for c in await office.contacts() if c.fields["ContactMode"] == "Email"]
        assert len(await office.packs()) == 1

    in_office(tmp_path, test, carers=_carers(c2={
        "email": "chris.ellis@example_school.org", "address": "9 Brook Road\nStroud\nGL5 2BB"}))


def test_with_no_mailbox_set_letters_go_by_post_and_say_why(tmp_path: Path) -> None:
    async def test(office: Office) -> None:
        await office.sweep()
        await office.approve(await office.letters())
        await office.sweep()
        assert office.mail() == []
        chris = [d for d in await office.letters() if d.fields["CarerId"] == office.carer("c2")]
        assert all("no school mailbox is set" in d.fields["SendNote"] for d in chris)
        # No postal address for Chris: nothing can be sent, and the note says both.
        assert {d.fields["SendStatus"] for d in chris} == {SendStatus.NOT_SENT.value}
        assert all("no postal address for Chris Ellis" in d.fields["SendNote"] for d in chris)

    in_office(tmp_path, test, mailbox="")


# -- exactly once, whatever fails ------------------------------------------------------------

@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_at_20_percent_faults_each_letter_goes_once_and_is_recorded_once(
        tmp_path: Path) -> None:
    """Every letter of the case approved, then swept with a fifth of Graph's answers
    throttled, refused or dropped, the pack marked posted, and swept again: each email went
    at most once and has exactly one contact, unless its answer was lost (then its letter
    says "We may have emailed" and it has none); each posted letter has one contact."""

    async def settle(office: Office) -> None:
        for _ in range(30):
            try:
                await office.processor.sweep()
            except Exception:  # a sweep Graph failed outright: the next one goes on
                continue
            statuses = {d.fields.get("SendStatus") for d in await office.letters()}
            if not statuses & {SendStatus.APPROVED.value, SendStatus.SEND_AGAIN.value}:
                return

    async def test(office: Office) -> None:
        await office.sweep()
        await office.approve(await office.letters())
        office.tenant.set_mail_pacing(False)
        office.tenant.set_faults(0.2)
        await settle(office)
        office.tenant.set_faults(0.0)
        for pack in await office.packs():
            await office.mark_posted(pack)
        office.tenant.set_faults(0.2)
        for _ in range(30):
            try:
                await office.processor.sweep()
            except Exception:
                continue
            if all(p.fields.get("SendStatus") == SendStatus.POSTED_RECORDED.value
                   for p in await office.packs()):
                break
        assert sum(office.tenant.faults.values()) > 0
        office.tenant.set_faults(0.0)
        await settle(office)

        letters = await office.letters()
        contacts = await office.contacts()
        emailed = [d for d in letters if d.fields["CarerId"] == office.carer("c2")]
        posted = [d for d in letters if d.fields["CarerId"] == office.carer("c1")]
        mails = office.mail()
        assert len(mails) <= len(emailed)  # never a letter twice
        for mail in mails:
            reference = mail["x-casework-letter"]
            mine = [c for c in contacts if reference in c.fields["Summary"]]
            assert len(mine) <= 1
            if not mine:
                assert any("We may have emailed" in d.fields["SendNote"] for d in emailed)
        by_email = [c for c in contacts if c.fields["ContactMode"] == "Email"]
        assert len(by_email) <= len(mails)  # no contact without a sending
        by_post = [c for c in contacts if c.fields["ContactMode"] == "Letter"]
        recorded = [d for d in posted if d.fields["SendStatus"] == SendStatus.SENT.value]
        assert mails and recorded  # the faults slowed the letters; they did not stop them
        assert len(by_post) == len(recorded)  # one contact a posted letter, none twice
        assert len({c.fields["Summary"] for c in by_post}) == len(by_post)

    in_office(tmp_path, test)


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_a_letter_is_sent_again_only_when_staff_choose_send_again(tmp_path: Path) -> None:
    async def test(office: Office) -> None:
        await office.sweep()
        chris = [d for d in await office.letters() if d.fields["CarerId"] == office.carer("c2")]
        await office.approve(chris[:1])
        await office.sweep()
        assert len(office.mail()) == 1
        await office.approve(chris[:1])  # approved again: it was sent, nothing happens
        await office.sweep()
        assert len(office.mail()) == 1
        await office.site.staff.update_fields(office.site.lists[LIBRARY].id, chris[0].id,
                                              {"SendStatus": SendStatus.SEND_AGAIN.value})
        report = await office.sweep()
        assert [s.outcome for s in report.letters] == ["emailed"]
        assert len(office.mail()) == 2 and len(await office.contacts()) == 2
        for _ in range(2):
            await office.sweep()
        assert len(office.mail()) == 2 and len(await office.contacts()) == 2

    in_office(tmp_path, test)


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_a_mailbox_the_app_may_not_send_as_puts_letters_in_the_post_and_says_why(
        tmp_path: Path) -> None:
    async def test(office: Office) -> None:
        office.tenant.set_mail_senders(["someone.else@brookfield.example.org"])
        await office.sweep()
        await office.approve(await office.letters())
        await office.sweep()
        assert office.mail() == []
        chris = [d for d in await office.letters() if d.fields["CarerId"] == office.carer("c2")]
        assert {d.fields["SendStatus"] for d in chris} == {SendStatus.TO_POST.value}
        assert all(f"The app may not send email as {MAILBOX}" in d.fields["SendNote"]
                   and "It goes by post instead." in d.fields["SendNote"] for d in chris)
        carer = await office.site.app.get_item(office.site.lists[CARERS].id, office.carer("c2"))
        assert not carer.fields.get("LettersProblem")  # not the parent's to put right

    in_office(tmp_path, test, carers=_carers(c2={"address": "9 Brook Road\nStroud\nGL5 2BB"}))

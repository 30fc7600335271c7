"""The Penalty Notice Register moves on by itself (issue 19 point 4), against the dev tenant
whose default site stands in for the LA's site, with the register items created as the
casework app would create them.

Sources: the Education (Penalty Notices) (England) Regulations 2007 as amended by the
Education (Penalty Notices) (England) (Amendment) Regulations 2024 (SI 2024/210), regulation
4 (£80 within 21 days of receipt, else £160 within 28; a second notice within 3 years £160
with no reduction), regulation 5 (28 days), regulation 9 (withdrawal), regulation 20 (the
LA's record); DfE, Working together to improve school attendance (2024), national framework
for penalty notices; Education Act 1996 s444.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from function_app.adapters.graph.client import GraphClient
from function_app.adapters.graph.records import ListItem
from function_app.bootstrap import DEV_APP_ID
from function_app.devtenant import DevTenant
from function_app.domain import load_profile
from function_app.domain.penalty_register import RegisteredNotice, ServedBy, standing
from function_app.services.penalty_notices.register_items import (
    REGISTER_LIST,
    notice_fields,
)
from function_app.services.penalty_notices.register_state import (
    UNPAID_TITLE,
    move_register_on,
)
from function_app.services.provisioning.list_schema import LA_SITE_SCHEMA_DIR, load_lists
from function_app.services.provisioning.provision import provision
from tests.integration.helpers import client

pytestmark = pytest.mark.integration

NATIONAL = load_profile("national-2024")
POSTED = date(2026, 3, 6)  # a Friday: received Tuesday 10 March (the second working day)
DAY_21, DAY_22 = date(2026, 3, 30), date(2026, 3, 31)  # the last day at £80; the first at £160
DAY_28, DAY_29 = date(2026, 4, 6), date(2026, 4, 7)  # the last day to pay; unpaid from here


def notice(number: str, **overrides: Any) -> RegisteredNotice:
    values: dict[str, Any] = {
        "number": number, "child": "A123456789012", "parent": "dana ellis",
        "school": "Severn Vale Academy", "issued_on": POSTED, "served_by": ServedBy.POST,
        "sent_on": POSTED}
    return RegisteredNotice(**(values | overrides))


@dataclass
class Register:
    """The LA site's register on a dev tenant: the app's client, the officer's, the list."""

    app: GraphClient
    officer: GraphClient
    list_id: str
    ids: dict[str, str] = field(default_factory=dict)  # notice number -> item id

    async def add(self, n: RegisteredNotice, on: date = date(2026, 3, 9)) -> str:
        """An item as the casework app creates it when the notice is issued."""
        created = await self.app.create_item(self.list_id, notice_fields(
            n, standing(n, NATIONAL, on), parent_name="Dana Ellis"))
        self.ids[n.number] = created.id
        return created.id

    async def item(self, number: str) -> ListItem:
        return await self.app.get_item(self.list_id, self.ids[number])

    async def fields(self, number: str) -> dict[str, Any]:
        return (await self.item(number)).fields

    async def officer_sets(self, number: str, fields: dict[str, Any]) -> None:
        await self.officer.update_fields(self.list_id, self.ids[number], fields)


def on_register(test: Callable[[Register], Awaitable[None]], tmp_path: Path) -> None:
    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            app = client(tenant, tenant.app_token, DEV_APP_ID)
            await provision(app, load_lists(LA_SITE_SCHEMA_DIR))
            list_id = (await app.lists())[REGISTER_LIST].id
            await test(Register(app, client(tenant, tenant.user_token("Ann Officer")),
                                list_id))
    asyncio.run(run())


@dataclass
class Poster:
    """Stands in for TeamsPoster.post_notice: the LA officers' channel."""

    said: list[tuple[str, str]] = field(default_factory=list)
    answer: bool = True
    buttons: list[tuple[tuple[str, str], ...]] = field(default_factory=list)

    async def post_notice(self, title: str, text: str,
                          links: Sequence[tuple[str, str]] = ()) -> bool:
        self.said.append((title, text))
        self.buttons.append(tuple(links))
        return self.answer


def test_register_moves_on_at_21_and_28_days_and_tells_the_officers_once(
        tmp_path: Path) -> None:
    """Regulations 4 and 5: £80 to the 21st day of receipt, £160 to the 28th; unpaid after
    that, the LA considers prosecution for the absence under Education Act 1996 s444 (or
    withdraws the notice, regulation 9). The register says so by itself, each day."""
    async def test(reg: Register) -> None:
        await reg.add(notice("PN-2026-0001"))
        assert (await reg.fields("PN-2026-0001"))["StateNote"] == (
            "Issued: £80 due by 30 March 2026, then £160 by 6 April 2026.")
        poster = Poster()

        on_21 = await move_register_on(reg.app, NATIONAL, DAY_21, poster)
        assert (on_21.read, on_21.moved, on_21.up_to_date) == (1, [], 1)

        on_22 = await move_register_on(reg.app, NATIONAL, DAY_22, poster)
        assert [(m.before, m.after) for m in on_22.moved] == [("Issued", "Issued")]
        f = await reg.fields("PN-2026-0001")
        assert (f["State"], f["StateNote"]) == ("Issued", "Issued: £160 due by 6 April 2026.")
        assert not on_22.newly_unpaid and not poster.said

        assert not (await move_register_on(reg.app, NATIONAL, DAY_28, poster)).moved

        on_29 = await move_register_on(reg.app, NATIONAL, DAY_29, poster)
        assert [m.number for m in on_29.newly_unpaid] == ["PN-2026-0001"]
        f = await reg.fields("PN-2026-0001")
        assert f["State"] == "Unpaid: consider prosecution"
        assert f["StateNote"].startswith("Unpaid: the days to pay ended on 6 April 2026. "
                                         "Consider prosecution")
        assert "s444" in f["StateNote"]
        [(title, text)] = poster.said
        assert title == UNPAID_TITLE
        assert text.startswith("Penalty notice PN-2026-0001, issued at Severn Vale Academy, "
                               "is unpaid. Unpaid: the days to pay ended on 6 April 2026.")
        assert "Dana" not in text and "Ellis" not in text  # the message names no one
        # No request carried evidence (entered by hand): said, with the register's own page.
        assert text.endswith("No evidence bundle came with its request: ask the school for it.")
        [buttons] = poster.buttons
        assert buttons == (("Open the notice on the register",
                            (await reg.item("PN-2026-0001")).web_url),)
        assert on_29.told == ["PN-2026-0001"]
        assert "Newly unpaid, for the LA's officers to consider prosecution: PN-2026-0001." \
            in on_29.summary()

        version = (await reg.item("PN-2026-0001")).version
        again = await move_register_on(reg.app, NATIONAL, date(2026, 4, 8), poster)
        assert (again.moved, again.newly_unpaid, again.up_to_date) == ([], [], 1)
        assert len(poster.said) == 1  # told once
        assert (await reg.item("PN-2026-0001")).version == version  # nothing written

    on_register(test, tmp_path)


def test_the_unpaid_card_opens_the_evidence_the_request_carried(tmp_path: Path) -> None:
    """Issue 19 point 4: an unpaid notice prompts the officer to consider prosecution, with
    the case's bundle: the copy the school's request carried into the LA's library, which
    the notice's register item keeps (its Evidence, as the request had it)."""
    async def test(reg: Register) -> None:
        copy = ("https://contoso.sharepoint.com/sites/la/Penalty%20Notices/Severn%20Vale%20"
                "Academy/ATT-2026-0113/PNR-ATT-2026-0113-1%202026-03-05%20Evidence%20bundle"
                "%20ATT-2026-0113.pdf")
        item_id = await reg.add(notice("PN-ATT-2026-0113-1-1"))
        await reg.app.update_fields(reg.list_id, item_id, {
            "Evidence": f"The case's evidence bundle of 9 exhibits, as filed.\n{copy}"})
        poster = Poster()
        await move_register_on(reg.app, NATIONAL, DAY_29, poster)
        [(_, text)] = poster.said
        assert text.endswith("The evidence bundle the school sent with its request is linked "
                             "below, as the LA received it.")
        [buttons] = poster.buttons
        assert ("Open the evidence bundle", copy) in buttons

    on_register(test, tmp_path)


def test_second_notice_has_no_reduced_amount_on_the_register(tmp_path: Path) -> None:
    """Regulation 4 as amended 2024: a second notice to the same parent for the same child
    within 3 years is £160 from the day it is received, with no reduced amount; the register
    says so from the start and turns unpaid after the 28th day."""
    async def test(reg: Register) -> None:
        await reg.add(notice("PN-2026-0002", second=True))
        f = await reg.fields("PN-2026-0002")
        assert (f["State"], f["StateNote"], f["Second"]) == (
            "Issued", "Issued: £160 due by 6 April 2026.", True)
        assert not (await move_register_on(reg.app, NATIONAL, DAY_22)).moved
        report = await move_register_on(reg.app, NATIONAL, DAY_29)
        assert [m.number for m in report.newly_unpaid] == ["PN-2026-0002"]

    on_register(test, tmp_path)


def test_withdrawn_notice_stays_withdrawn_and_is_never_made_unpaid(tmp_path: Path) -> None:
    """Regulation 9: the LA may withdraw a notice; regulation 20: the register records when
    and why. The framework: a withdrawn notice does not count towards the limit. It is not
    made unpaid after the 28 days, and nobody is told to consider prosecution."""
    async def test(reg: Register) -> None:
        await reg.add(notice("PN-2026-0003"))
        await reg.add(notice("PN-2026-0004"))
        await reg.officer_sets("PN-2026-0003", {
            "WithdrawnOn": "2026-03-16T00:00:00Z",
            "WithdrawnBecause": "served at the wrong address"})
        # An officer who picks Withdrawn but gives no date: said, and left as it is.
        await reg.officer_sets("PN-2026-0004", {"State": "Withdrawn"})
        poster = Poster()
        report = await move_register_on(reg.app, NATIONAL, DAY_29, poster)
        f = await reg.fields("PN-2026-0003")
        assert f["State"] == "Withdrawn"
        assert f["StateNote"] == ("Withdrawn on 16 March 2026: served at the wrong address. "
                                  "It does not count towards the limit.")
        assert not report.newly_unpaid and not poster.said
        [unreadable] = report.unreadable
        assert unreadable.number == "PN-2026-0004"
        assert "'Withdrawn on' is empty but State says Withdrawn" in unreadable.message
        assert (await reg.fields("PN-2026-0004"))["State"] == "Withdrawn"
        later = await move_register_on(reg.app, NATIONAL, date(2026, 6, 1), poster)
        assert not later.moved and not poster.said

    on_register(test, tmp_path)


def test_paid_and_prosecuted_notices(tmp_path: Path) -> None:
    """Regulation 4: a notice paid at £80 within 21 days is discharged and stays paid; one the
    LA has taken to prosecution (s444) is the officers' to move, not the register's."""
    async def test(reg: Register) -> None:
        await reg.add(notice("PN-2026-0005"))
        await reg.add(notice("PN-2026-0006"))
        await reg.officer_sets("PN-2026-0005", {"PaidOn": "2026-03-20T00:00:00Z",
                                                "AmountPaid": 80})
        await reg.officer_sets("PN-2026-0006", {"State": "Prosecution", "Prosecuted": True})
        report = await move_register_on(reg.app, NATIONAL, DAY_29, Poster())
        f = await reg.fields("PN-2026-0005")
        assert (f["State"], f["StateNote"]) == ("Paid within 21 days",
                                                "Paid at £80 on 20 March 2026.")
        assert report.prosecution == ["PN-2026-0006"]
        assert (await reg.fields("PN-2026-0006"))["State"] == "Prosecution"
        assert not report.newly_unpaid

    on_register(test, tmp_path)

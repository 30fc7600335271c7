"""Exactly once, whatever fails: `casework process` killed mid-sweep, a state store that
answers 503, responses lost on the way back. Real processes, real HTTP, real kills.

Each test types the same cases into a dev tenant, breaks the sweeps in its own way, then
runs them to the end, and compares with a clean sweep of the same cases on a second
tenant: the same files, each exactly once, and no item that ever says a letter was made
that is not in the folder.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from function_app.devtenant import DevTenant

from .chaos_support import (
    FlakyProxy,
    Worker,
    assert_every_letter_once,
    cases,
    claims_on_items,
    reference_files,
    typed,
)

pytestmark = pytest.mark.integration
CASES = 60
SMALL = 30  # cases for the slower runs (Table storage over HTTP)
KILL_AFTER = (0, 7, 40, 90)  # files filed by a sweep before it is killed (0: while reading)


def test_sweeps_killed_at_several_points_still_file_every_letter_once(tmp_path: Path) -> None:
    """`casework process` killed with SIGKILL four times during a 60-case sweep, against a
    dev tenant over HTTP with latency and faults, then run to the end: every letter the
    cases call for is in its folder exactly once, and after every kill no item says a
    letter was made that is not in the folder."""
    data = cases(CASES)
    expected = reference_files(tmp_path, data)
    assert sum(expected.values()) > 3 * CASES  # letters per parent, plans, records

    async def run() -> None:
        with DevTenant(tmp_path / "tenant", seed=14) as tenant:
            site = await typed(tenant, data)
            tenant.set_faults(0.03, latency_ms=2)
            worker = Worker.for_tenant(tenant, tmp_path / "state.sqlite")
            counts = []
            for files in KILL_AFTER:
                counts.append(await asyncio.to_thread(worker.kill_after_files, files))
                assert await claims_on_items(site) == []
            assert counts[-1] < sum(expected.values())  # the kills did land mid-sweep
            await asyncio.to_thread(worker.settle)
            tenant.set_faults(0.0)
            said = await assert_every_letter_once(site, expected)
            assert said["Generated"] > 0

    asyncio.run(run())


def test_a_state_store_answering_503_loses_no_letter(tmp_path: Path, azurite: str) -> None:
    """With the state in Table storage (Azurite) behind a proxy that answers 503 ServerBusy
    in bursts, and one sweep killed, the sweeps run to the end with every letter filed
    exactly once; cases the store failed are kept for the next sweep, never said to be
    done."""
    from tests.azurite_support import connection_string

    data = cases(SMALL)
    expected = reference_files(tmp_path, data)
    port = int(azurite.split("TableEndpoint=http://127.0.0.1:", 1)[1].split("/", 1)[0])

    async def run() -> None:
        with DevTenant(tmp_path / "tenant", seed=15) as tenant, \
                FlakyProxy(port, [(150, 10), (500, 10)]) as proxy:
            site = await typed(tenant, data)
            worker = Worker.for_tenant(tenant, tmp_path / "unused.sqlite",
                                       CASEWORK_STATE_CONNECTION=connection_string(proxy.port))
            await asyncio.to_thread(worker.kill_after_files, 20)
            assert await claims_on_items(site) == []
            await asyncio.to_thread(worker.settle)
            assert proxy.refused > 0
            await assert_every_letter_once(site, expected)

    asyncio.run(run())


def test_answers_lost_after_the_write_neither_double_nor_lose_a_letter(tmp_path: Path) -> None:
    """With one request in ten saved by the dev tenant and then its answer lost (the
    connection dropped on the way back), as SharePoint apps attributed to "SharePoint App"
    without their id, the sweeps end with every letter once and no item claiming a file
    that is not there."""
    data = cases(SMALL)
    expected = reference_files(tmp_path, data)

    async def run() -> None:
        with DevTenant(tmp_path / "tenant", seed=16, app_identity="both-no-id") as tenant:
            site = await typed(tenant, data)
            tenant.set_faults(0.1, kinds=("lost",))
            worker = Worker.for_tenant(tenant, tmp_path / "state.sqlite")
            await asyncio.to_thread(worker.settle)
            assert tenant.faults["lost"] > 0
            tenant.set_faults(0.0)
            await assert_every_letter_once(site, expected)

    asyncio.run(run())


MAILBOX = "attendance@chaos.example.org"


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_workers_killed_while_sending_never_send_a_letter_twice(tmp_path: Path) -> None:
    """Every letter of 10 cases approved at once, then `casework process` killed with
    SIGKILL three times while it emails and posts them, over HTTP with faults, and run to
    the end: no letter emailed twice; each email that went has one contact, unless its
    answer was lost with the worker (then its letter says "We may have emailed" and staff
    look in Sent Items); one print pack holds each letter to post once."""
    from collections import Counter

    data = cases(10)

    async def run() -> None:
        with DevTenant(tmp_path / "tenant", seed=18, mail_dir=tmp_path / "mail") as tenant:
            tenant.set_mail_senders([MAILBOX])
            tenant.set_mail_pacing(False)
            site = await typed(tenant, data)
            worker = Worker.for_tenant(tenant, tmp_path / "state.sqlite",
                                       CASEWORK_MAILBOX=MAILBOX)
            await asyncio.to_thread(worker.settle)  # the letters, filed as drafts
            library = site.lists["Case Files"].id
            drafts = [i for i in await site.app.all_items(library)
                      if i.fields.get("SendStatus") == "Draft: approve to send"]
            assert len(drafts) > 20
            await site.staff.update_fields_batch(
                library, {i.id: {"SendStatus": "Approved: send it"} for i in drafts})
            tenant.set_faults(0.03, latency_ms=2)
            kills = 0
            for emails in (1, 4, 9):
                kills += await asyncio.to_thread(
                    worker.kill_when, lambda n=emails: len(tenant.sent_mail(MAILBOX)) >= n)
            assert kills >= 2  # they landed while letters were going
            await asyncio.to_thread(worker.settle)
            tenant.set_faults(0.0)
            await asyncio.to_thread(worker.settle)

            mails = tenant.sent_mail(MAILBOX)
            assert mails
            # A letter's reference is its own (its document, parent and version): a letter
            # emailed twice would show it twice.
            letters = Counter(m["x-casework-letter"] for m in mails)
            assert [ref for ref, n in letters.items() if n > 1] == []
            items = await site.app.all_items(library)
            notes = [str(i.fields.get("SendNote") or "") for i in items]
            contacts = [str(c.fields.get("Summary")) for c in
                        await site.app.all_items(site.lists["Contacts"].id)]
            for mail in mails:
                reference = mail["x-casework-letter"]
                mine = [c for c in contacts if f"Email reference {reference}." in c]
                assert len(mine) == 1 or (not mine and any(
                    "We may have emailed" in n and reference in n for n in notes))
            assert not [i for i in items if i.fields.get("SendStatus") == "Approved: send it"]
            packs = [i for i in items if i.fields.get("DocumentKind") == "letters_to_post"]
            to_post = [i for i in items if i.fields.get("SendStatus") == "In the print pack"]
            assert packs and to_post
            listed = Counter(line.split(". ", 1)[1] for p in packs
                             for line in str(p.fields["SendNote"]).splitlines()[1:])
            assert sum(listed.values()) == len(to_post)  # each letter in one pack, once

    asyncio.run(run())

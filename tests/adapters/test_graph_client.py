"""The Graph adapter over the real msgraph-sdk stack and HTTP, against the local dev tenant:
list changes, files, file columns, subscriptions and batching."""

from __future__ import annotations

import asyncio
import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from function_app.adapters.graph.client import CHUNK, SMALL_UPLOAD_LIMIT, GraphClient
from function_app.adapters.graph.errors import (
    NotFoundError,
    PreconditionFailedError,
    ResyncRequiredError,
)
from function_app.adapters.graph.records import DeltaPage, ListItem
from function_app.devtenant import DevTenant
from function_app.devtenant.backend import DEFAULT_RETENTION_SECONDS
from function_app.services.provisioning.list_schema import load_lists
from function_app.services.provisioning.provision import provision

from .graph_support import Webhook, failure_of, simple_list, tenant_client

pytestmark = pytest.mark.integration

SCHOOL = "Ysgol Gymraeg Bro Taf"
CASE_FOLDER = f"{SCHOOL}/O'Brien, Siân/2026-27 Blwyddyn 9"
STAFF = "Attendance Officer"


async def _all_pages(client: GraphClient, list_id: str, link: str = "") -> list[DeltaPage]:
    pages = [await client.delta(list_id, link)]
    while pages[-1].next_link:
        pages.append(await client.delta(list_id, pages[-1].next_link))
    return pages


async def _new_list(client: GraphClient, title: str, items: int) -> tuple[str, list[ListItem]]:
    info = await client.create_list(simple_list(title))
    created = await asyncio.gather(*(client.create_item(info.id, {"Title": f"Pupil {n}"})
                                     for n in range(items)))
    return info.id, list(created)


def test_delta_reads_a_new_list_in_pages_then_gives_a_delta_link(tenant: DevTenant) -> None:
    """Reading a list's changes from the start follows next links page by page, ends with a
    delta link and no next link, and yields every item once with its fields."""

    async def scenario() -> None:
        staff = tenant_client(tenant, tenant.user_token(STAFF))
        app = tenant_client(tenant)
        list_id, created = await _new_list(staff, "Paged Pupils", 205)
        pages = await _all_pages(app, list_id)
        assert [len(page.items) for page in pages] == [200, 5]
        assert all(page.next_link and not page.delta_link for page in pages[:-1])
        assert pages[-1].delta_link and not pages[-1].next_link
        read = {item.id: item for page in pages for item in page.items}
        assert sorted(read) == sorted(item.id for item in created)
        assert read[created[7].id].fields["Title"] == "Pupil 7"
        assert not any(item.modified_by_app for item in read.values())
        assert {item.modified_by for item in read.values()} == {STAFF}

    asyncio.run(scenario())


def test_a_later_change_comes_in_the_next_delta_and_our_own_writes_are_recognised(
        tenant: DevTenant) -> None:
    """After a delta link, a colleague's edit, the app's own write-back and a deletion come
    in the next delta, the write-back marked as ours only for our app id; then nothing."""

    async def scenario() -> None:
        staff = tenant_client(tenant, tenant.user_token(STAFF))
        app = tenant_client(tenant)
        someone_else = tenant_client(tenant, app_id="11111111-2222-3333-4444-555555555555")
        list_id, (edited, written_back, deleted, _) = await _new_list(staff, "Changes", 4)
        link = (await _all_pages(app, list_id))[-1].delta_link

        await staff.update_fields(list_id, edited.id, {"Status": "Open"})
        await app.update_fields(list_id, written_back.id, {"Note": "Generated 2 documents"})
        await staff.delete_item(list_id, deleted.id)

        pages = await _all_pages(app, list_id, link)
        changed = {item.id: item for page in pages for item in page.items}
        assert set(changed) == {edited.id, written_back.id, deleted.id}
        assert changed[edited.id].fields["Status"] == "Open"
        assert (changed[edited.id].modified_by_app, changed[edited.id].modified_by) == (
            False, STAFF)
        assert changed[written_back.id].modified_by_app
        assert changed[written_back.id].version == "2"
        assert changed[deleted.id].deleted

        theirs = await _all_pages(someone_else, list_id, link)
        assert not any(item.modified_by_app for page in theirs for item in page.items)

        quiet = await _all_pages(app, list_id, pages[-1].delta_link)
        assert [page.items for page in quiet] == [()]
        assert quiet[-1].delta_link

    asyncio.run(scenario())


def test_a_delta_link_whose_changes_were_pruned_raises_resync_required(
        tenant: DevTenant) -> None:
    """A 410 on an old delta link raises ResyncRequiredError carrying the Location that
    starts the list again from the beginning."""

    async def scenario() -> None:
        app = tenant_client(tenant)
        list_id, (first, *_) = await _new_list(app, "Pruned", 3)
        link = await app.latest_delta_link(list_id)
        tenant.set_delta_retention(0)
        try:
            await app.update_fields(list_id, first.id, {"Status": "Closed"})
            error = await failure_of(app.delta(list_id, link))
        finally:
            tenant.set_delta_retention(DEFAULT_RETENTION_SECONDS)
        assert isinstance(error, ResyncRequiredError) and error.status == 410
        assert error.location
        again = await _all_pages(app, list_id, error.location)
        assert len([item for page in again for item in page.items]) == 3

    asyncio.run(scenario())


def test_small_and_large_files_land_byte_identical_in_nested_folders(tenant: DevTenant) -> None:
    """A small file (one PUT) and one over 4 MB (an upload session, in ranges) land in nested
    folders whose names hold apostrophes and accents, byte for byte, and a second upload of
    the same name replaces the first rather than adding a copy."""
    small = "Llythyr pryder – Siân O'Brien.docx"
    large = "Cofnod presenoldeb (Medi–Rhagfyr) – O'Brien.xlsx"
    small_bytes = random.Random(1).randbytes(50_000)
    large_bytes = random.Random(2).randbytes(SMALL_UPLOAD_LIMIT + 500_000)

    async def scenario() -> GraphClient:
        app = tenant_client(tenant)
        first = await app.upload(CASE_FOLDER, small, b"an older draft")
        replaced = await app.upload(CASE_FOLDER, small, small_bytes)
        assert replaced.id == first.id and replaced.size == len(small_bytes)
        uploaded = await app.upload(CASE_FOLDER, large, large_bytes)
        assert (uploaded.name, uploaded.size) == (large, len(large_bytes))
        return app

    app = asyncio.run(scenario())
    folder = tenant.files_root / CASE_FOLDER
    assert sorted(p.name for p in folder.iterdir()) == sorted([small, large])
    assert (folder / small).read_bytes() == small_bytes
    assert (folder / large).read_bytes() == large_bytes
    assert app.requests["upload file"] == 2  # the small ones: one PUT each
    assert app.requests["start upload"] == 1
    assert app.requests["upload range"] == math.ceil(len(large_bytes) / CHUNK)


def test_an_upload_into_a_folder_deleted_meanwhile_makes_it_again(tenant: DevTenant) -> None:
    """When someone deletes a case folder the client already knew, the next upload into it
    recreates the folder instead of failing with 404."""
    folder = f"{SCHOOL}/Ní Bhriain, Órla"

    async def scenario() -> None:
        app = tenant_client(tenant)
        await app.upload(folder, "one.txt", b"1")
        drive = await app.drive_id()
        await app.send("delete folder", "DELETE", f"/drives/{drive}/root:/{SCHOOL}/"
                       "N%C3%AD%20Bhriain%2C%20%C3%93rla")
        await app.upload(folder, "two.txt", b"2")

    asyncio.run(scenario())
    assert sorted(p.name for p in (tenant.files_root / folder).iterdir()) == ["two.txt"]


def test_file_columns_are_set_on_a_case_file_after_provisioning(tenant: DevTenant) -> None:
    """After provisioning, a document uploaded into the Case Files library gets its columns,
    which read back as set, and it lies in that library's folder on disk."""
    name = "2026-11-22 AIM plan – O'Brien, Siân.docx"
    columns = {"CaseRef": "ATT-2026-0042", "DocumentKind": "aim_plan", "MeetingId": "7",
               "SourceVersion": "3", "GeneratedAt": "2026-11-22T10:15:00Z"}

    async def scenario() -> None:
        app = tenant_client(tenant)
        await provision(app, load_lists())
        library = (await app.lists())["Case Files"]
        await app.use_library(library.id)
        uploaded = await app.upload(CASE_FOLDER, name, b"PK\x03\x04 a document")
        written = await app.set_file_fields(uploaded.id, columns)
        assert {k: written[k] for k in columns} == columns
        drive = await app.drive_id()
        read = await app.json("read file columns", "GET",
                              f"/drives/{drive}/items/{uploaded.id}/listItem/fields")
        assert {k: read[k] for k in columns} == columns

    asyncio.run(scenario())
    on_disk = tenant.files_root.parent / "Case Files" / CASE_FOLDER / name
    assert on_disk.read_bytes() == b"PK\x03\x04 a document"


def test_a_subscription_is_validated_renewed_notified_and_deleted(tenant: DevTenant) -> None:
    """Subscribing makes Graph validate our endpoint; a renewal moves the expiry; a change
    to an item notifies us with our clientState; after deleting it, renewing is NotFound."""
    state = "s3cret-client-state"

    async def scenario() -> None:
        app = tenant_client(tenant)
        staff = tenant_client(tenant, tenant.user_token(STAFF))
        list_id, (item, *_) = await _new_list(app, "Watched", 1)
        soon = datetime.now(UTC) + timedelta(days=1)
        later = soon + timedelta(days=2)
        async with Webhook() as hook:
            created = await app.subscribe(list_id, hook.url, state, _iso(soon))
            assert len(hook.validations) == 1
            assert created["clientState"] == state
            assert created["resource"].endswith(f"/lists/{list_id}")

            renewed = await app.renew(created["id"], _iso(later))
            assert abs(_when(renewed["expirationDateTime"]) - later) < timedelta(seconds=1)

            await staff.update_fields(list_id, item.id, {"Status": "Open"})
            note = (await hook.next_notification(seen=0))["value"][0]
            assert (note["clientState"], note["subscriptionId"]) == (state, created["id"])
            assert list_id in note["resource"]

            await app.unsubscribe(created["id"])
            error = await failure_of(app.renew(created["id"], _iso(later)))
            assert isinstance(error, NotFoundError)
            await staff.update_fields(list_id, item.id, {"Status": "Closed"})
            await asyncio.to_thread(tenant.wait_for_notifications)
            assert len(hook.notifications) == 1

    asyncio.run(scenario())


def test_updates_in_a_batch_give_each_item_its_own_result(tenant: DevTenant) -> None:
    """update_fields_batch writes 45 items in three $batch requests and answers per item:
    the updated fields, or the error for the one that does not exist; a stale eTag on a
    single update is PreconditionFailedError."""

    async def scenario() -> None:
        app = tenant_client(tenant)
        list_id, items = await _new_list(app, "Batched", 45)
        updates = {item.id: {"Status": f"Reviewed {n}"} for n, item in enumerate(items)}
        updates["9999"] = {"Status": "Ghost"}
        before = app.requests["batch"]
        results = await app.update_fields_batch(list_id, updates)
        assert app.requests["batch"] - before == 3
        assert list(results) == list(updates)
        missing = results.pop("9999")
        assert isinstance(missing, NotFoundError)
        assert all(isinstance(r, dict) and r["Status"] == updates[i]["Status"]
                   for i, r in results.items())
        read = {item.id: item.fields["Status"] for item in await app.all_items(list_id)}
        assert read == {i: u["Status"] for i, u in updates.items() if i != "9999"}

        stale = items[0].etag
        error = await failure_of(app.update_fields(list_id, items[0].id, {"Note": "x"}, stale))
        assert isinstance(error, PreconditionFailedError)

    asyncio.run(scenario())


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.0000000Z")


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)

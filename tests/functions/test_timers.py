"""The timers: subscriptions made and kept alive, a sweep without notifications, and the
daily review reminders, on a UK clock."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from function_app import bootstrap
from function_app.adapters.state.sqlite import SqliteStateStore
from function_app.devtenant import DevTenant
from function_app.domain import DEFAULT_PROFILE, assess, load_profile
from function_app.services import clock
from function_app.services.case_files.case_input import case_from_dict
from function_app.services.casework_sweep.subscriptions import (
    MAX_LIFETIME,
    SUBSCRIBED,
    iso,
    parse_time,
)
from function_app.services.reminders.reviews import ReminderReport
from function_app.triggers.timers import SubscriptionsIncomplete
from tests.integration.helpers import Site, example, files_under

from .support import (
    CLIENT_STATE,
    MONDAY_9AM,
    Webhook,
    daily_reminders,
    renew_subscriptions,
    send_letters,
    sweep_changes,
    timer,
    use_tenant,
)

pytestmark = pytest.mark.functions


async def live(site: Site) -> dict[str, dict[str, Any]]:
    page = await site.app.json("list subscriptions", "GET", "/subscriptions")
    return {s["id"]: s for s in page["value"]}


def held(state: Path) -> dict[str, dict[str, Any]]:
    store = SqliteStateStore(state)
    return {k: json.loads(store.recall("subscription", k)) for k in store.keys("subscription")}


def test_the_renew_timer_creates_then_renews_subscriptions(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """First run: one subscription per casework list and the Case Files library (staff
    approve letters there), each handshake answered by the
    notifications function, lasting Graph's maximum. Later runs keep those, renew the ones
    ending within two days, remake one Graph lost, remake all when the secret rotates, and
    after the state store is lost replace what is live rather than doubling it."""
    state = tmp_path / "state.sqlite"

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant, Webhook() as hook:
            use_tenant(monkeypatch, tenant, state, hook.url)
            site = await Site.ready(tenant)
            await asyncio.to_thread(renew_subscriptions, timer())
            subs = await live(site)
            assert len(subs) == len(SUBSCRIBED) == len(held(state))
            assert hook.answers.count(200) == len(SUBSCRIBED)  # the handshakes
            ids = {site.lists[name].id for name in SUBSCRIBED}
            assert {s["resource"].rsplit("/", 1)[-1] for s in subs.values()} == ids
            assert {s["clientState"] for s in subs.values()} == {CLIENT_STATE}
            now = datetime.now(UTC)
            for sub in subs.values():
                assert parse_time(sub["expirationDateTime"]) > now + MAX_LIFETIME - \
                    timedelta(minutes=10)

            await asyncio.to_thread(renew_subscriptions, timer())  # nothing due: all kept
            assert await live(site) == subs

            soon = list(subs)[:3]
            for sub_id in soon:  # as if 28 days had passed for these three
                await site.app.renew(sub_id, iso(now + timedelta(days=1)))
            lost = list(subs)[3]
            await site.app.unsubscribe(lost)
            await asyncio.to_thread(renew_subscriptions, timer())
            after = await live(site)
            assert len(after) == len(SUBSCRIBED) and lost not in after
            for sub_id in soon:
                assert parse_time(after[sub_id]["expirationDateTime"]) > now + timedelta(days=29)
            assert {h["id"] for h in held(state).values()} == set(after)

            monkeypatch.setenv("CASEWORK_CLIENT_STATE", "a-new-secret-after-rotation")
            await asyncio.to_thread(renew_subscriptions, timer())
            rotated = await live(site)
            assert len(rotated) == len(SUBSCRIBED) and not set(rotated) & set(after)
            assert {s["clientState"] for s in rotated.values()} == {"a-new-secret-after-rotation"}

            monkeypatch.setenv("CASEWORK_STATE", str(tmp_path / "a-new-state.sqlite"))
            await asyncio.to_thread(renew_subscriptions, timer())  # the state store was lost
            fresh = await live(site)
            assert len(fresh) == len(SUBSCRIBED) and not set(fresh) & set(rotated)

    asyncio.run(run())


def test_the_renew_timer_fails_loudly_on_a_site_without_the_lists(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before `casework provision` there is nothing to subscribe to: the run fails, so
    monitoring shows it, and subscribes nothing."""
    with DevTenant(tmp_path / "tenant") as tenant, Webhook() as hook:
        use_tenant(monkeypatch, tenant, tmp_path / "state.sqlite", hook.url)
        with pytest.raises(SubscriptionsIncomplete, match="missing"):
            renew_subscriptions(timer())
    assert held(tmp_path / "state.sqlite") == {}


def test_the_sweep_timer_files_documents_with_no_notification_at_all(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        set_clock: Callable[[datetime], None]) -> None:
    """With no subscription (or a lost notification), the 15-minute sweep still files the
    case's documents."""
    set_clock(MONDAY_9AM)

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            use_tenant(monkeypatch, tenant, tmp_path / "state.sqlite")
            site = await Site.ready(tenant)
            await site.type_case(example("aim-review-no-engagement.json"))
            await asyncio.to_thread(sweep_changes, timer())
            assert len(files_under(tenant.files_root.parent / "Case Files")) == 6

    asyncio.run(run())


class Recorded:
    """The Reminders port, recording what it is given."""

    def __init__(self) -> None:
        self.sent: list[ReminderReport] = []

    async def send(self, report: ReminderReport) -> None:
        self.sent.append(report)


def expected_reviews(data: dict[str, Any], today: date) -> tuple[list[Any], list[Any]]:
    """Straight from the domain: (due within 7 days, overdue) as (case_ref, due)."""
    case = case_from_dict(data)
    assessment = assess(case, load_profile(case.profile or DEFAULT_PROFILE), today)
    due, overdue = [], []
    for view in assessment.meetings:
        if view.review is None:
            continue
        if view.review_overdue:
            overdue.append((case.case_ref, view.review.due))
        elif today <= view.review.due <= today + timedelta(days=7):
            due.append((case.case_ref, view.review.due))
    return due, overdue


def review_held_on(day: str) -> dict[str, Any]:
    data = example("aim-review-no-engagement.json")
    data["meetings"][1]["date"] = day
    return data


@pytest.mark.parametrize("data", [
    example("aim-review-no-engagement.json"),  # its AIM review's own review is overdue
    review_held_on("2026-11-02"),  # ... or, held later, due within the week
], ids=["overdue", "due-this-week"])
def test_the_reminders_timer_hands_reviews_due_and_overdue_to_the_port(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        set_clock: Callable[[datetime], None], data: dict[str, Any]) -> None:
    """At 09:00 on a UK Monday: each open case's reviews due within 7 days and those
    overdue, as the domain's assess() gives them, go to the Reminders port once a day."""
    port = Recorded()
    monkeypatch.setattr(bootstrap, "reminders", lambda settings: port)
    set_clock(MONDAY_9AM)
    today = MONDAY_9AM.date()

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            use_tenant(monkeypatch, tenant, tmp_path / "state.sqlite")
            site = await Site.ready(tenant)
            await site.type_case(data)
            await asyncio.to_thread(daily_reminders, timer())
            await asyncio.to_thread(daily_reminders, timer())  # 08:00 UTC in summer: a repeat

    asyncio.run(run())
    assert len(port.sent) == 1
    report = port.sent[0]
    due, overdue = expected_reviews(data, today)
    assert due or overdue, "the example should have a review to remind about"
    assert [(r.case_ref, r.due) for r in report.due_soon] == due
    assert [(r.case_ref, r.due) for r in report.overdue] == overdue
    assert report.cases == 1 and report.unreadable == 0


@pytest.mark.parametrize("moment", [
    datetime(2026, 11, 23, 7, 0, tzinfo=UTC),  # 07:00 GMT: the winter run an hour early
    datetime(2026, 11, 21, 9, 0, tzinfo=UTC),  # a Saturday (a late run after a weekend)
    datetime(2026, 11, 23, 18, 30, tzinfo=UTC),  # after the school day
])
def test_the_reminders_timer_sends_nothing_outside_a_uk_weekday_morning(
        monkeypatch: pytest.MonkeyPatch, set_clock: Callable[[datetime], None],
        moment: datetime) -> None:
    """Outside 08:00-18:00 on a UK weekday the run reads nothing and sends nothing."""
    port = Recorded()
    monkeypatch.setattr(bootstrap, "reminders", lambda settings: port)
    monkeypatch.setattr(bootstrap, "graph_client", lambda *a: pytest.fail("read Graph"))
    set_clock(moment)
    daily_reminders(timer())
    assert port.sent == []


def test_uk_time_follows_british_summer_time() -> None:
    """The hand-written BST rule agrees with the tz database, hour by hour around every
    change from 2024 to 2032, and 07:00 UTC is 08:00 in the UK in summer."""
    zoneinfo = pytest.importorskip("zoneinfo")
    try:
        london = zoneinfo.ZoneInfo("Europe/London")
    except zoneinfo.ZoneInfoNotFoundError:
        pytest.skip("no tz database on this machine")
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    while moment.year < 2033:
        ours = clock.uk_time(moment)
        theirs = moment.astimezone(london)
        assert ours.utcoffset() == theirs.utcoffset(), moment
        assert ours.replace(tzinfo=None) == theirs.replace(tzinfo=None)
        moment += timedelta(minutes=30)
    assert clock.uk_time(datetime(2026, 7, 1, 7, tzinfo=UTC)).hour == 8
    assert clock.uk_time(datetime(2026, 12, 1, 7, tzinfo=UTC)).hour == 7


@pytest.mark.parametrize(("url", "secret"), [("", CLIENT_STATE), ("not a url", CLIENT_STATE),
                                             ("https://app.example/api/notifications", ""),
                                             ("https://app.example/api/notifications",
                                              "x" * 129)])
def test_subscriptions_are_not_made_without_a_url_and_a_secret(url: str, secret: str) -> None:
    """A missing or malformed CASEWORK_NOTIFICATION_URL or CASEWORK_CLIENT_STATE is a
    configuration error said in words, before anything is asked of Graph."""
    from function_app.services.casework_sweep.subscriptions import ensure_subscriptions

    class NoGraph:
        def __getattr__(self, name: str) -> Any:
            pytest.fail(f"Graph was asked: {name}")

    with pytest.raises(ValueError, match="CASEWORK_"):
        asyncio.run(ensure_subscriptions(NoGraph(), None, url, secret,  # type: ignore[arg-type]
                                         datetime.now(UTC)))


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_the_letters_timer_sends_approved_letters_between_sweeps(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        set_clock: Callable[[datetime], None]) -> None:
    """Letters staff approve go within the minute, without waiting for the 15-minute
    sweep: the parent who asked for email gets theirs, once, and a minute with nothing to
    send sends nothing."""
    set_clock(MONDAY_9AM)
    mailbox = "attendance@oakfield.example.org"

    async def run() -> None:
        with DevTenant(tmp_path / "tenant", mail_dir=tmp_path / "mail") as tenant:
            use_tenant(monkeypatch, tenant, tmp_path / "state.sqlite")
            monkeypatch.setenv("CASEWORK_MAILBOX", mailbox)
            tenant.set_mail_senders([mailbox])
            site = await Site.ready(tenant)
            await site.type_case(example("aim-review-no-engagement.json"))
            await asyncio.to_thread(sweep_changes, timer())
            library = site.lists["Case Files"].id
            drafts = [i for i in await site.app.all_items(library)
                      if i.fields.get("SendStatus") == "Draft: approve to send"]
            assert len(drafts) == 4 and tenant.sent_mail(mailbox) == []
            for item in drafts:
                await site.staff.update_fields(library, item.id,
                                               {"SendStatus": "Approved: send it"})
            await asyncio.to_thread(send_letters, timer())
            mails = tenant.sent_mail(mailbox)  # Chris Ellis's two; Dana's go by post
            assert [m["To"] for m in mails] == ["Chris Ellis <chris.ellis@example.org>"] * 2
            await asyncio.to_thread(send_letters, timer())
            assert len(tenant.sent_mail(mailbox)) == 2

    asyncio.run(run())

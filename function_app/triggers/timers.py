"""Timers: renew the subscriptions, sweep every list, and the daily review reminders.

NCRONTAB schedules are in UTC (WEBSITE_TIME_ZONE is not supported on every plan), so the
reminders run at 07:00 and 08:00 UTC on weekdays and send only at the one that is 08:00
or later in the UK (``services.clock``), once a day.

Like the queue functions, these are plain functions that run their async work with
asyncio.run on the worker's thread pool, away from the worker's own event loop.
"""

import asyncio
import logging
from datetime import date
from typing import TYPE_CHECKING

import azure.functions as func

from function_app.services import clock

from . import support

if TYPE_CHECKING:  # heavy: imported on call below
    from function_app.services.reminders.reviews import ReminderReport
    from function_app.settings import Settings

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # its __init__ is unannotated
log = logging.getLogger(__name__)
REMINDER_HOURS = range(8, 18)  # a run missed at 08:00 still sends during the school day
REMINDER_SCOPE = "reminders"


class SubscriptionsIncomplete(RuntimeError):
    """Some casework list has no live subscription: fail the run so it shows in monitoring."""


@bp.function_name("renew_subscriptions")
@bp.timer_trigger(arg_name="timer", schedule="0 0 */6 * * *")
def renew_subscriptions(timer: func.TimerRequest) -> None:
    """Every 6 hours: each casework list has a live subscription, renewed before its last
    two days (Graph allows a list subscription under 30 days)."""
    from function_app import bootstrap
    from function_app.domain.wording import counted
    from function_app.services.casework_sweep.subscriptions import ensure_subscriptions

    support.quiet_libraries()
    config = support.settings()
    if config.serves_many_schools:
        _renew_every_school(config)
        return
    state = bootstrap.state_store(config)
    try:
        report = asyncio.run(ensure_subscriptions(
            bootstrap.graph_client(config), state, config.notification_url,
            config.client_state, clock.utc_now()))
    finally:
        support.close(state)
    log.info("subscriptions: %d created, %d renewed, %d kept, %d removed, %d lists missing, "
             "%d failed", len(report.created), len(report.renewed), len(report.kept),
             report.removed, len(report.missing_lists), len(report.failed))
    if not report.ok:
        raise SubscriptionsIncomplete(
            f"{counted(len(report.failed), 'list')} could not be subscribed and "
            f"{len(report.missing_lists)} are missing (run `casework provision`)")


def _renew_every_school(config: "Settings") -> None:
    """Each school's lists, in its own site; fails the run (after doing every school) when
    any school's could not all be subscribed, so it shows in monitoring."""
    from function_app import bootstrap

    done = asyncio.run(bootstrap.renew_every_school(config, clock.utc_now()))
    short = 0
    for school, report, _why in done:
        if report is None or not report.ok:
            short += 1
            log.warning("subscriptions for school site %s incomplete: %s", school.site,
                        "failed" if report is None else
                        f"{len(report.failed)} failed, {len(report.missing_lists)} missing")
            continue
        log.info("subscriptions for school site %s: %d created, %d renewed, %d kept",
                 school.site, len(report.created), len(report.renewed), len(report.kept))
    if short:
        raise SubscriptionsIncomplete(f"{short} of {len(done)} schools' sites are not fully "
                                      "subscribed (run `casework doctor`)")


@bp.function_name("sweep_changes")
@bp.timer_trigger(arg_name="timer", schedule="0 */15 * * * *")
def sweep_changes(timer: func.TimerRequest) -> None:
    """Every 15 minutes, whatever the notifications did: a lost notification (Graph gives
    up after four hours; a subscription may lapse) never means a lost document."""
    report = asyncio.run(support.sweep(support.settings()))
    support.log_sweep(report, "timer")


@bp.function_name("send_letters")
@bp.timer_trigger(arg_name="timer", schedule="0 * * * * *")
def send_letters(timer: func.TimerRequest) -> None:
    """Every minute: approved letters sent and posted packs recorded, in each school's
    site. Exchange Online lets a mailbox send 30 messages a minute, and a sweep sends that
    many at most, so 500 letters approved at once go at that pace, not one sweep's worth
    every 15 minutes. A minute with nothing to send costs one read per school."""
    from function_app import bootstrap

    support.quiet_libraries()
    done = asyncio.run(bootstrap.send_every_school(
        support.settings(), clock.uk_time(clock.utc_now()).date(), support.worker_name()))
    for school, letters, _why in done:
        if letters is None:
            log.warning("letters for school site %s not sent this minute: its site could not "
                        "be read", school.site)
        elif letters:
            log.info("letters for school site %s: %d changed (%s)", school.site, len(letters),
                     ", ".join(sorted({s.outcome for s in letters})))


@bp.function_name("penalty_notices")
@bp.timer_trigger(arg_name="timer", schedule="0 */5 * * * *")
def penalty_notices(timer: func.TimerRequest) -> None:
    """Every 5 minutes, on the LA's site: the officers' decisions on schools' penalty notice
    requests acted on (notices issued and entered on the register, each school told on its
    case); once a day the register moved on at 21 and 28 days. Nothing without an LA site."""
    from function_app import bootstrap

    support.quiet_libraries()
    run = asyncio.run(bootstrap.penalty_notices(
        support.settings(), clock.uk_time(clock.utc_now()).date(), support.worker_name()))
    if run is None:
        return
    d = run.decisions
    log.info("penalty notices: %d decisions told to schools, %d notices issued, %d refused "
             "at the limit, %d waiting", len(d.told), len(d.issued), len(d.refused_at_limit),
             len(d.waiting))


@bp.function_name("daily_reminders")
@bp.timer_trigger(arg_name="timer", schedule="0 0 7,8 * * 1-5")
def daily_reminders(timer: func.TimerRequest) -> None:
    """At 08:00 UK time on weekdays: reviews due in the next 7 days and those overdue, to
    the Reminders port (for now it only logs the counts: the Teams adapter is not built)."""
    now = clock.uk_time(clock.utc_now())
    today = now.date().isoformat()
    if now.weekday() >= 5 or now.hour not in REMINDER_HOURS:
        log.info("reminders: not sent at %02d:%02d UK time", now.hour, now.minute)
        return
    from function_app import bootstrap

    support.quiet_libraries()
    config = support.settings()
    state = bootstrap.state_store(config)
    try:
        if state.recall(REMINDER_SCOPE, "last-sent") == today:
            log.info("reminders: already sent today")
            return
        if config.serves_many_schools:
            _remind_every_school(config, now.date())
            state.remember(REMINDER_SCOPE, "last-sent", today)
            return
        report = asyncio.run(_reviews(config, now.date()))
        state.remember(REMINDER_SCOPE, "last-sent", today)
    finally:
        support.close(state)
    log.info("reminders: %d due soon, %d overdue, %d open cases", len(report.due_soon),
             len(report.overdue), report.cases)


def _remind_every_school(config: "Settings", today: date) -> None:
    """Each school's reminders from its own site; a school that failed is logged by its
    site, and the others are sent all the same."""
    from function_app import bootstrap

    for school, report, _why in asyncio.run(bootstrap.remind_every_school(config, today)):
        if report is None:
            log.warning("reminders for school site %s not sent: its site could not be read",
                        school.site)
            continue
        log.info("reminders for school site %s: %d due soon, %d overdue, %d open cases",
                 school.site, len(report.due_soon), len(report.overdue), report.cases)


async def _reviews(config: "Settings", today: date) -> "ReminderReport":
    from function_app import bootstrap
    from function_app.services.reminders.reviews import reviews_due

    report = await reviews_due(bootstrap.graph_client(config), today, config.profile)
    await bootstrap.reminders(config).send(report)
    return report

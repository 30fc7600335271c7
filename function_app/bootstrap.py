"""The one place that turns settings into working parts: Graph, state, templates.

Nothing here runs at import: each function builds on call, and heavy libraries (msgraph,
azure-identity, docxtpl) are imported only then, so a cold start pays only for what it uses.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from function_app.adapters.graph.client import GraphClient, GraphTarget
from function_app.adapters.log_privacy import protect_logs
from function_app.adapters.sharepoint_rest import SharePointRest
from function_app.adapters.state.sqlite import SqliteStateStore
from function_app.adapters.state.tables import TableStateStore
from function_app.adapters.teams.poster import TeamsPoster
from function_app.documents.context import Options
from function_app.documents.engine import TemplateSet
from function_app.documents.logo import load_logo
from function_app.domain import DEFAULT_PROFILE
from function_app.services.attendance_import.import_cases import CasesList
from function_app.services.casework_sweep.processor import ChangeProcessor
from function_app.services.casework_sweep.subscriptions import SubscriptionReport
from function_app.services.casework_sweep.sweep_report import (
    ProcessorConfig,
    SetupError,
    SweepReport,
)
from function_app.services.filing import Filer, process_owner
from function_app.services.legal.legal_referral import LegalReferrals
from function_app.services.penalty_notices.requesting import PenaltyRequests
from function_app.services.ports import StateStore
from function_app.services.reminders.reviews import (
    LoggedReminders,
    ReminderReport,
    Reminders,
    TeamsReminders,
)
from function_app.services.schools.registry import LIST_TITLE as SCHOOLS_LIST
from function_app.services.schools.registry import (
    Registry,
    School,
    registry_from_items,
    single_school,
)
from function_app.services.schools.routing import school_of_subscription
from function_app.services.schools.sweep import (
    SWEEP_BOUND,
    SchoolSwept,
    failure_reason,
    sweep_schools,
    tell_once,
)
from function_app.services.site_state import SiteState
from function_app.settings import Settings, site_parts

if TYPE_CHECKING:  # heavy (the penalty notice template's renderer): imported on call
    from function_app.services.delivery.sending import LetterSent
    from function_app.services.penalty_notices.deciding import PenaltyNoticeRun

log = logging.getLogger(__name__)
DEV_APP_ID = "00000000-0000-0000-0000-00000000ca5e"  # the dev tenant's application id


def graph_client(settings: Settings, token: str = "", site_url: str = "") -> GraphClient:
    """Graph for a site (``site_url``, else SHAREPOINT_SITE): the dev token on loopback,
    else app-only Azure auth."""
    from function_app.adapters.graph.auth import (
        azure_auth_provider,
        dev_token_provider,
        is_loopback,
        request_adapter,
    )

    protect_logs()  # no names in any log line from here on, at any level (log_privacy)
    hostname, path = site_parts(site_url) if site_url else settings.site
    base = settings.graph_base_url
    dev = token or settings.dev_token
    if dev or is_loopback(base):
        auth = dev_token_provider(base, dev or "dev-app-token")
        app_id = settings.client_id or DEV_APP_ID
    else:
        auth = azure_auth_provider(settings.client_id, settings.tenant_id,
                                   settings.certificate_path)
        app_id = settings.client_id
    return GraphClient(GraphTarget(base, hostname, path, app_id), request_adapter(base, auth))


def cases_list(graph: GraphClient) -> CasesList:
    """The Cases list, for an attendance import to open cases and update their figures."""
    from function_app.adapters.graph.cases_list import GraphCasesList

    return GraphCasesList(graph)


def sharepoint_rest(settings: Settings, token: str = "") -> SharePointRest:
    """SharePoint REST for the configured site (views, formatters, form, validation).

    Against the dev tenant (Graph on loopback) it is served at the same origin under the
    site's path, with the dev token; else at the site's own address, with the Graph app's
    certificate or managed identity for the scope https://{host}/.default.
    """
    from urllib.parse import urlparse

    from function_app.adapters.graph.auth import is_loopback
    from function_app.adapters.sharepoint_rest.auth import azure_token, dev_token

    hostname, path = settings.site
    base = settings.graph_base_url
    dev = token or settings.dev_token
    if dev or is_loopback(base):
        origin = urlparse(base)
        web_url = f"{origin.scheme}://{origin.netloc}{path}"
        return SharePointRest(web_url, dev_token(web_url, dev or "dev-app-token"))
    return SharePointRest(f"https://{hostname}{path}",
                          azure_token(hostname, settings.client_id, settings.tenant_id,
                                      settings.certificate_path))


def state_store(settings: Settings) -> SqliteStateStore | TableStateStore:
    """Azure Table Storage when CASEWORK_STATE_CONNECTION is set, else the SQLite file."""
    protect_logs()
    if settings.state_connection:
        return TableStateStore(settings.state_connection)
    return SqliteStateStore(settings.state_path)


def document_options(settings: Settings) -> Options:
    return Options(settings.protective_marking,
                   load_logo(settings.logo) if settings.logo else None)


def penalty_requests(settings: Settings, site_url: str) -> PenaltyRequests:
    """A school's requests for penalty notices, sent to the LA site's lists with the LA
    site's client (SHAREPOINT_LA_SITE); without an LA site a request says it cannot go."""
    if not settings.serves_many_schools:
        return PenaltyRequests(None, site_url)
    return PenaltyRequests(lambda: graph_client(settings, site_url=settings.la_site_url),
                           site_url)


def clock_for(today: date | None) -> Callable[[], datetime]:
    """The sweep's clock: now; for a sweep as on another day (the demo's term, a rerun of a
    missed day), that day at now's time of day, so what it records (when a letter was
    made, emailed or posted) is never after the day it judges the case on."""
    if today is None or today == date.today():
        return lambda: datetime.now(UTC)
    # Before 22:00 UTC, so that UK time (UTC+1 in summer) is still on that day.
    return lambda: datetime.combine(today, min(datetime.now(UTC).time(), time(21, 59)),
                                    tzinfo=UTC)


def processor(settings: Settings, graph: GraphClient, state: StateStore,
              today: date | None = None, owner: str = "",
              school: School | None = None) -> ChangeProcessor:
    """The change processor for one school's site (``school``, else SHAREPOINT_SITE's);
    close it (``await processor.close()``) when done."""
    site_url = school.site_url if school else settings.site_url
    config = ProcessorConfig(owner=owner or socket.gethostname(), today=today or date.today(),
                             clock=clock_for(today),
                             options=document_options(settings),
                             folder_pattern=settings.folder_pattern,
                             profile=(school.profile if school else "") or settings.profile
                             or DEFAULT_PROFILE,
                             site_path=urlsplit(site_url).path or "/",
                             mailbox=(school.mailbox if school else "") or settings.mailbox)
    templates = TemplateSet(overrides=settings.templates_dir)
    work = ChangeProcessor(graph, state, templates, config,
                           alerts=alert_poster(settings, (school,) if school else ()),
                           legal=legal_referrals(graph, state, templates, config, settings),
                           penalty=penalty_requests(settings, site_url))
    work.filer.retention_label = settings.retention_label  # CASEWORK_RETENTION_LABEL
    return work


async def registry(settings: Settings) -> Registry:
    """The schools this deployment serves: the LA site's Schools list when
    SHAREPOINT_LA_SITE is set (RegistryError if two entries name one site), else the one
    school of SHAREPOINT_SITE."""
    if not settings.serves_many_schools:
        return single_school(settings.site_url)
    graph = graph_client(settings, site_url=settings.la_site_url)
    try:
        lists = await graph.lists()
        if SCHOOLS_LIST not in lists:
            raise SetupError("The LA site has no Schools list. Run `casework provision "
                             "--la-site` to create it, then add a school in each item.")
        items = await graph.all_items(lists[SCHOOLS_LIST].id)
    finally:
        await graph.aclose()
    return registry_from_items((item.id, item.fields) for item in items)


def school_state(settings: Settings, state: StateStore, school: School) -> StateStore:
    """A school's own part of the state store when the deployment serves many schools (two
    schools' claims, delta links and facts never meet); the store itself for one school,
    as before, so an existing deployment keeps its state."""
    return SiteState(state, school.site) if settings.serves_many_schools else state


async def sweep_every_school(settings: Settings, today: date, owner: str, *,
                             bound: int = SWEEP_BOUND,
                             subscription_id: str = "") -> list[SchoolSwept]:
    """One sweep of each school's site, ``bound`` at once; a failing site is told to the
    LA's officers once (services/schools/sweep.py). For a change notification
    (``subscription_id``), only the school whose lists it watches, when one holds it
    (services/schools/routing.py); else every school."""
    schools = await registry(settings)
    for problem in schools.problems:
        log.warning("Schools list: %s", problem)
    state = state_store(settings)
    to_sweep = schools.schools
    notified = school_of_subscription(schools.schools,
                                      lambda school: school_state(settings, state, school),
                                      subscription_id)
    if notified is not None:
        to_sweep = (notified,)

    async def one(school: School) -> SweepReport:
        graph = graph_client(settings, site_url=school.site_url)
        work = processor(settings, graph, school_state(settings, state, school), today, owner,
                         school)
        try:
            return await work.sweep()
        finally:
            await work.close()
            await graph.aclose()

    try:
        results = await sweep_schools(to_sweep, one, bound=bound)
        poster = alert_poster(settings)
        if poster is not None:
            async with poster:
                await tell_once(results, state, lambda school, reason: poster.post_notice(
                    "A school's site was not swept", reason))
        return results
    finally:
        closer = getattr(state, "close", None)
        if callable(closer):
            closer()


def legal_referrals(graph: GraphClient, state: StateStore, templates: TemplateSet,
                    config: ProcessorConfig, settings: Settings | None = None
                    ) -> LegalReferrals:
    """Evidence bundles for legal intervention, filed through Graph (PDF by ?format=pdf),
    shared with CASEWORK_LEGAL_OFFICERS and labelled with CASEWORK_RETENTION_LABEL."""
    # A process's own name: a restarted worker retakes its own claims at once, so two
    # workers on one host must not share a name (services/filing.py).
    settings = settings or Settings()
    return LegalReferrals(graph, state, templates, config.options, process_owner(config.owner),
                          officers=settings.legal_officers,
                          retention_label=settings.retention_label)


async def renew_every_school(settings: Settings, now: datetime
                             ) -> list[tuple[School, SubscriptionReport | None, str]]:
    """Each school's lists subscribed or renewed, in its own site and state: (school, its
    report, '') or (school, None, why it failed); one school failing stops no other."""
    from function_app.services.casework_sweep.subscriptions import ensure_subscriptions

    schools = await registry(settings)
    state = state_store(settings)
    done: list[tuple[School, SubscriptionReport | None, str]] = []
    try:
        for school in schools.schools:
            graph = graph_client(settings, site_url=school.site_url)
            try:
                report = await ensure_subscriptions(
                    graph, school_state(settings, state, school), settings.notification_url,
                    settings.client_state, now)
            except Exception as exc:  # said by kind, as a sweep's failure is
                done.append((school, None, failure_reason(school, exc)))
                continue
            finally:
                await graph.aclose()
            done.append((school, report, ""))
    finally:
        closer = getattr(state, "close", None)
        if callable(closer):
            closer()
    return done


def alert_poster(settings: Settings, schools: Sequence[School] = ()) -> TeamsPoster | None:
    """Teams, when any Workflows webhook is set; else None (alerts are then listed only).
    A school whose registry entry names a Teams channel gets that channel's webhook
    (a key of CASEWORK_TEAMS_SCHOOL_WEBHOOKS) for its own cards."""
    from function_app.adapters.teams.poster import TeamsPoster, webhooks_from_settings

    urls = webhooks_from_settings(settings.teams_la_webhook, settings.teams_school_webhooks,
                                  settings.teams_legal_webhook)
    for school in schools:
        if school.teams_channel and school.teams_channel in urls:
            urls = {**urls, school.name: urls[school.teams_channel]}
    return TeamsPoster(urls, show_names=settings.cards_show_names) if urls else None


def reminders(settings: Settings, schools: Sequence[School] = ()) -> Reminders:
    """Where the daily review reminders go: each school's Teams channel when a webhook is
    set (the registry's channel for a school that names one); else only logged, with
    counts."""
    poster = alert_poster(settings, schools)
    return TeamsReminders(poster) if poster is not None else LoggedReminders()


async def remind_every_school(settings: Settings, today: date
                              ) -> list[tuple[School, ReminderReport | None, str]]:
    """The day's review reminders of each school, read from its own site and sent to its
    own channel; (school, its report, '') or (school, None, why it failed), one school's
    failure stopping no other."""
    from function_app.services.reminders.reviews import reviews_due

    done: list[tuple[School, ReminderReport | None, str]] = []
    for school in (await registry(settings)).schools:
        graph = graph_client(settings, site_url=school.site_url)
        try:
            report = await reviews_due(graph, today, school.profile or settings.profile)
            await reminders(settings, (school,)).send(report)
        except Exception as exc:  # said by kind, as a sweep's failure is
            done.append((school, None, failure_reason(school, exc)))
            continue
        finally:
            await graph.aclose()
        done.append((school, report, ""))
    return done


async def send_every_school(settings: Settings, today: date, owner: str
                            ) -> list[tuple[School, list[LetterSent] | None, str]]:
    """Each school's approved letters sent, and its posted packs recorded, between sweeps
    (services/delivery/sending.py): a sweep sends one minute's worth from a mailbox, so the
    rest go a minute at a time. (school, its letters that changed, '') or (school, None,
    why it failed); one school's failure stops no other."""
    from function_app.services.casework_sweep.sweep_report import LIBRARY

    done: list[tuple[School, list[LetterSent] | None, str]] = []
    schools = await registry(settings)
    state = state_store(settings)
    try:
        for school in schools.schools:
            graph = graph_client(settings, site_url=school.site_url)
            work = processor(settings, graph, school_state(settings, state, school), today,
                             owner, school)
            try:
                lists = await graph.lists()
                if LIBRARY not in lists:
                    done.append((school, [], ""))
                    continue
                await graph.use_library(lists[LIBRARY].id)
                done.append((school, await work.sender.run(lists), ""))
            except Exception as exc:  # said by kind, as a sweep's failure is
                done.append((school, None, failure_reason(school, exc)))
            finally:
                await work.close()
                await graph.aclose()
    finally:
        closer = getattr(state, "close", None)
        if callable(closer):
            closer()
    return done


async def penalty_notices(settings: Settings, today: date, owner: str
                          ) -> PenaltyNoticeRun | None:
    """The LA's penalty notice work on its own site (services/penalty_notices/): the
    officers' decisions on schools' requests acted on (each school told on its case), and
    once a day the register moved on (21 and 28 days; the officers told of each notice
    newly unpaid). None without an LA site."""
    from function_app.domain import load_profile
    from function_app.services.penalty_notices.deciding import (
        Authority,
        Decisions,
        PenaltyNoticeRun,
    )
    from function_app.services.penalty_notices.register_items import RegisterMissing
    from function_app.services.penalty_notices.register_state import move_register_on
    from function_app.services.schools.registry import site_key

    if not settings.serves_many_schools:
        return None
    la = graph_client(settings, site_url=settings.la_site_url)
    store = state_store(settings)
    state = SiteState(store, site_key(settings.la_site_url))
    poster = alert_poster(settings)
    profile = load_profile(settings.profile or DEFAULT_PROFILE)

    async def tell_school(site_url: str, case_item: str, fields: dict[str, object]) -> None:
        school = graph_client(settings, site_url=site_url)
        try:
            cases = (await school.lists())["Cases"].id
            await school.update_fields(cases, case_item, dict(fields))
        finally:
            await school.aclose()

    authority = Authority(settings.la_name, tuple(
        line.strip() for line in settings.la_address.split(";") if line.strip()),
        settings.penalty_how_to_pay, settings.la_phone, settings.la_email)
    try:
        decided = await Decisions(la, state, Filer(la, state, owner), tell_school, profile,
                                  authority, today, clock_for(today)).run()
        moved = None
        if state.recall("penalty-register", "moved-on") != today.isoformat():
            try:
                moved = await move_register_on(la, profile, today, poster)
            except RegisterMissing:
                moved = None
            state.remember("penalty-register", "moved-on", today.isoformat())
        return PenaltyNoticeRun(decided, moved)
    finally:
        await la.aclose()
        closer = getattr(poster, "aclose", None)
        if closer is not None:
            await closer()
        store_closer = getattr(store, "close", None)
        if callable(store_closer):
            store_closer()


def settings_for_dev_tenant(base_url: str, hostname: str, site_path: str, workspace: Path,
                            base: Settings | None = None) -> Settings:
    """Settings pointing at a local dev tenant, keeping the document settings given."""
    from dataclasses import replace

    return replace(base or Settings(), site_url=f"https://{hostname}{site_path}",
                   graph_base_url=base_url, dev_token="dev-app-token",
                   state_path=workspace / "state.sqlite")

"""DevTenant: the local Microsoft Graph server, run in a background thread.

with DevTenant(Path("data")) as tenant:
    tenant.base_url   # http://127.0.0.1:PORT/v1.0
    tenant.app_token  # "dev-app-token"
    school = tenant.add_site("/sites/oak-primary", members=["Attendance Officer"])
    tenant.grant_site(school.id, ["write"])  # what Sites.Selected needs (sites_selected=True)
"""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import web

from .access_storage import Membership
from .backend import DEFAULT_EMAIL_DOMAIN, Backend
from .background import BackgroundLoop
from .faults import KEEP, KINDS, Faults, Keep
from .identity import ADMIN_TOKEN, APP_ID, APP_NAME, APP_TOKEN, application, user_email, user_token
from .mail_sink import MailFolder
from .metrics import RequestCounter
from .routes_access import DEFAULT_RETENTION_SETTINGS, grant_site
from .rows import Site
from .server import Server
from .shapes import site_url

T = TypeVar("T")
HOST = "127.0.0.1"
RetentionLabels = Iterable[str] | Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """A site of the dev tenant, as tests and the demo need it."""

    id: str  # Graph's "hostname,GUID,GUID"
    hostname: str
    path: str  # server-relative, "/sites/oak-primary"
    web_url: str  # https://hostname/sites/oak-primary
    drive_id: str  # its "Documents" library
    files_root: Path  # that library's files, as real files


def _labels(labels: RetentionLabels) -> dict[str, dict[str, Any]]:
    """name -> retentionSettings; names alone get DEFAULT_RETENTION_SETTINGS."""
    if isinstance(labels, Mapping):
        return {str(k): {**DEFAULT_RETENTION_SETTINGS, **dict(v)} for k, v in labels.items()}
    return {str(name): dict(DEFAULT_RETENTION_SETTINGS) for name in labels}


def _senders(mailboxes: Iterable[str] | None) -> frozenset[str] | None:
    if isinstance(mailboxes, str):
        raise TypeError("mail_senders takes a list of mailboxes, not one string")
    return None if mailboxes is None else frozenset(m.strip().lower() for m in mailboxes)


class DevTenant(BackgroundLoop):
    """A Microsoft Graph v1.0-compatible tenant on loopback, persisting to data_dir.

    The site (hostname + site_path) and its default library "Documents" exist from the first
    start. fault_rate (0..1) makes that share of requests answer 429 (Retry-After), 503 or
    drop the connection, drawn from a RNG seeded with seed; latency_ms delays every request.

    fault_kinds picks the faults drawn (faults.ALL_KINDS; the default, faults.KINDS, is
    throttled, unavailable and dropped): "lost" processes the request, then drops the
    connection before answering. retry_after_seconds (0..300) makes injected 429 and 503
    both say Retry-After that long (default: 1 s on 429, none on 503). app_identity shapes
    createdBy / lastModifiedBy of the app's writes: "app", "both" or "both-no-id"
    (identity.py says what each gives).

    More sites: add_site(path, members=[...]) (each with its own lists and drive; a site
    with members lets only them in). sites_selected=True limits the app token to the sites
    granted to it (grant_site, or POST /sites/{id}/permissions with the admin token).
    external_sharing=False refuses invitations to people outside email_domain;
    retention_labels names the labels that exist (access.py, routes_access.py).

    Mail (routes_mail.py): POST /users/{upn}/sendMail keeps each accepted message as an
    .eml file under mail_dir (default: the data folder's sibling "mail", so
    casework-demo/tenant mails into casework-demo/mail); sent_mail() reads them back.
    mail_senders lists the mailboxes the app may send as (default None: any; others get
    403 ErrorAccessDenied). mail_pacing (default on) answers 429 with Retry-After when a
    mailbox goes over Exchange Online's 30 messages a minute or 10,000 recipients a day.
    """

    app_token = APP_TOKEN
    admin_token = ADMIN_TOKEN  # an administrator's app: every site, and may grant sites
    app_id = APP_ID

    thread_name = "dev tenant"

    def __init__(
        self,
        data_dir: Path,
        port: int = 0,
        fault_rate: float = 0.0,
        latency_ms: int = 0,
        seed: int | None = None,
        hostname: str = "devtenant.sharepoint.local",
        site_path: str = "/sites/attendance",
        *,
        fault_kinds: Sequence[str] = KINDS,
        retry_after_seconds: int | None = None,
        app_identity: str = "app",
        sites_selected: bool = False,
        external_sharing: bool = True,
        email_domain: str = DEFAULT_EMAIL_DOMAIN,
        retention_labels: RetentionLabels = (),
        mail_dir: Path | None = None,
        mail_senders: Iterable[str] | None = None,
        mail_pacing: bool = True,
    ) -> None:
        super().__init__()
        self.email_domain = email_domain.lower()
        self.data_dir = Path(data_dir)
        self.mail_dir = Path(mail_dir) if mail_dir is not None else self.data_dir.parent / "mail"
        self._mail = MailFolder(self.mail_dir)
        self._settings: dict[str, Any] = {
            "sites_selected": sites_selected,
            "external_sharing": external_sharing,
            "email_domain": self.email_domain,
            "retention_labels": _labels(retention_labels),
            "mail": self._mail,
            "mail_senders": _senders(mail_senders),
            "mail_pacing": mail_pacing,
        }
        self.hostname = hostname
        self.site_path = "/" + site_path.strip("/")
        self._port = port
        self._faults = Faults(fault_rate, latency_ms, seed, kinds=fault_kinds,
                              retry_after_seconds=retry_after_seconds)
        self._application = application(app_identity)
        self._counter = RequestCounter()
        self._batch_counter = RequestCounter()
        self._runner: web.AppRunner | None = None
        self._backend: Backend | None = None
        self._base_url = ""
        self._site_id = ""
        self._files_root: Path | None = None

    # -- life cycle --------------------------------------------------------------------------

    def __enter__(self) -> DevTenant:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _before_start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)

    async def _startup(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((HOST, self._port))
        port = listener.getsockname()[1]
        origin = f"http://{HOST}:{port}"
        backend = Backend(self.data_dir, origin, self._faults, self._counter, self._batch_counter)
        backend.application = self._application
        for name, value in self._settings.items():
            setattr(backend, name, value)
        site = backend.bootstrap(self.hostname, self.site_path)
        await backend.notifier.start()
        runner = web.AppRunner(Server(backend).app(), access_log=None, handle_signals=False)
        await runner.setup()
        await web.SockSite(runner, listener).start()
        self._backend, self._runner = backend, runner
        self._base_url = backend.base_url
        self._site_id = site.id
        self._files_root = backend.library.root_folder(backend.site_drive(site))

    async def _shutdown(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._backend is not None:
            await self._backend.notifier.close()
            self._backend.close()
        self._runner = self._backend = None

    # -- what clients need -------------------------------------------------------------------

    def _running(self) -> None:
        if self._thread is None or not self._base_url:
            raise RuntimeError("the dev tenant is not running; use it as a context manager")

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT/v1.0"""
        self._running()
        return self._base_url

    @property
    def port(self) -> int:
        self._running()
        return int(self._base_url.rsplit(":", 1)[1].split("/")[0])

    @property
    def site_id(self) -> str:
        """The site's Graph id: "hostname,GUID,GUID"."""
        self._running()
        return self._site_id

    @property
    def files_root(self) -> Path:
        """The folder holding the default library's files, as a person would open them."""
        self._running()
        assert self._files_root is not None
        return self._files_root

    @staticmethod
    def user_token(name: str) -> str:
        """The bearer token of a member of staff: writes are attributed to them by name."""
        return user_token(name)

    def user_email(self, name: str) -> str:
        """A member of staff's email address: "Attendance Officer" ->
        attendance.officer@<email_domain> (whom an invitation to that address lets in)."""
        return user_email(name, self.email_domain)

    # -- sites, membership and grants --------------------------------------------------------

    def _backend_now(self) -> Backend:
        self._running()
        assert self._backend is not None
        return self._backend

    def _on_loop(self, work: Any) -> Any:
        """Run work(backend) on the server's loop (the store is used only there)."""
        backend = self._backend_now()

        async def apply() -> Any:
            return work(backend)

        return self._call(apply())

    def _find_site(self, backend: Backend, site: str) -> Site:
        """A site by Graph id or by server-relative path on the tenant's hostname."""
        found = (backend.store.site_by_path(self.hostname, "/" + site.strip("/"))
                 if site.startswith("/") else backend.store.site(site))
        if found is None:
            raise KeyError(f"the dev tenant has no site {site!r}")
        return found

    def _info(self, backend: Backend, site: Site) -> SiteInfo:
        drive = backend.site_drive(site)
        return SiteInfo(site.id, site.hostname, site.path, site_url(site), drive.id,
                        backend.library.root_folder(drive))

    def add_site(self, path: str, *, members: Sequence[str] | None = None,
                 visitors: Sequence[str] = (), display_name: str | None = None,
                 hostname: str | None = None) -> SiteInfo:
        """Make a site (with its "Documents" library) at a server-relative path, or return
        the one there. members (display names, as in user_token) may read and write it and
        visitors read it; nobody else among the staff gets in. members=None leaves a new
        site open to all staff, and an existing site's membership as it is."""

        def work(backend: Backend) -> SiteInfo:
            site = backend.create_site(hostname or self.hostname, path, display_name)
            if members is not None:
                backend.store.set_membership(site.id, Membership(tuple(members),
                                                                 tuple(visitors)))
            return self._info(backend, site)

        info: SiteInfo = self._on_loop(work)
        return info

    def site(self, site: str) -> SiteInfo:
        """An existing site, by Graph id or server-relative path."""
        info: SiteInfo = self._on_loop(lambda b: self._info(b, self._find_site(b, site)))
        return info

    def set_site_members(self, site: str, members: Sequence[str] | None,
                         visitors: Sequence[str] = ()) -> None:
        """Replace a site's members and visitors; members=None opens it to all staff."""

        def work(backend: Backend) -> None:
            found = self._find_site(backend, site)
            membership = None if members is None else Membership(tuple(members),
                                                                  tuple(visitors))
            backend.store.set_membership(found.id, membership)

        self._on_loop(work)

    def grant_site(self, site: str, roles: Sequence[str] = ("write",), *,
                   app_id: str = APP_ID, display_name: str = APP_NAME) -> dict[str, Any]:
        """Grant an application (the app, by default) roles on a site, as
        POST /sites/{id}/permissions does: what the app needs under sites_selected. Granting
        it again replaces its roles. Returns the permission as Graph shows it."""
        body = {"roles": list(roles),
                "grantedToIdentities": [{"application": {"id": app_id,
                                                         "displayName": display_name}}]}

        def work(backend: Backend) -> dict[str, Any]:
            permission, _created = grant_site(backend, self._find_site(backend, site), body)
            return permission

        granted: dict[str, Any] = self._on_loop(work)
        return granted

    def site_grants(self, site: str) -> list[dict[str, Any]]:
        """The application permissions on a site (GET /sites/{id}/permissions)."""
        grants: list[dict[str, Any]] = self._on_loop(
            lambda b: b.store.site_permissions(self._find_site(b, site).id))
        return grants

    def revoke_site_grants(self, site: str) -> None:
        """Remove every application permission from a site."""

        def work(backend: Backend) -> None:
            found = self._find_site(backend, site)
            for permission in backend.store.site_permissions(found.id):
                backend.store.delete_site_permission(found.id, permission["id"])

        self._on_loop(work)

    # -- tenant settings -------------------------------------------------------------------

    def _setting(self, name: str, value: Any) -> None:
        self._settings[name] = value
        if self._backend is not None:
            self._on_loop(lambda b: setattr(b, name, value))

    def set_sites_selected(self, on: bool) -> None:
        """Limit the app token to the sites granted to it (True), or let it reach all."""
        self._setting("sites_selected", on)

    def set_external_sharing(self, on: bool) -> None:
        """Allow (True) or refuse invitations to addresses outside email_domain."""
        self._setting("external_sharing", on)

    def set_retention_labels(self, labels: RetentionLabels) -> None:
        """The retention labels that exist: names (a retaining, non-record label each) or
        name -> retentionSettings overrides."""
        self._setting("retention_labels", _labels(labels))

    def add_guest(self, email: str) -> None:
        """Make an outside address an existing guest of the tenant, whom the app may invite
        ("New guests can't be invited using app-only access", driveitem-invite.md)."""
        self._on_loop(lambda b: b.guests.add(email.strip().lower()))

    # -- mail ------------------------------------------------------------------------------

    def set_mail_senders(self, mailboxes: Iterable[str] | None) -> None:
        """The mailboxes the app may send as (Exchange's RBAC for Applications or an
        application access policy); None lets it send as any. Others get 403."""
        self._setting("mail_senders", _senders(mailboxes))

    def set_mail_pacing(self, on: bool) -> None:
        """Answer 429 with Retry-After when a mailbox goes over Exchange Online's sending
        limits (True, the default), or let every message through (False). Turning it on
        again starts the count afresh."""
        self._setting("mail_pacing", on)
        if self._backend is not None:
            self._on_loop(lambda b: b.mail_pacer.reset())

    def sent_mail(self, mailbox: str | None = None) -> list[EmailMessage]:
        """The messages sendMail accepted, oldest first: one mailbox's (by address) or
        all. Read from mail_dir, so also after the tenant stopped."""
        return self._mail.messages(mailbox)

    def sent_mail_files(self, mailbox: str | None = None) -> list[Path]:
        """The .eml files of those messages, oldest first."""
        return self._mail.files(mailbox)

    @property
    def invitations_sent(self) -> list[dict[str, Any]]:
        """Invitation emails the tenant "sent" (invite with sendInvitation: true), oldest
        first: {"email", "message", "driveId", "itemId", "webUrl", "roles"}."""
        sent: list[dict[str, Any]] = self._on_loop(lambda b: list(b.invitations_sent))
        return sent

    # -- counting, faults and knobs for tests ------------------------------------------------

    @property
    def requests(self) -> Counter[str]:
        """HTTP requests received, per "METHOD route-template" (a snapshot)."""
        return self._counter.snapshot()

    @property
    def batch_requests(self) -> Counter[str]:
        """The requests inside $batch calls, per route template (a snapshot)."""
        return self._batch_counter.snapshot()

    @property
    def faults(self) -> Counter[str]:
        """Faults injected so far, per kind: throttled, unavailable, dropped, lost (a
        snapshot)."""
        return self._faults.counts.snapshot()

    def reset_counts(self) -> None:
        self._counter.reset()
        self._batch_counter.reset()
        self._faults.counts.reset()

    def set_faults(self, rate: float, latency_ms: int = 0, *,
                   kinds: Sequence[str] | None = None,
                   retry_after_seconds: int | Keep | None = KEEP) -> None:
        """The share of requests that fault and the latency; also the kinds drawn and the
        Retry-After injected 429/503 say, when given (else they stay as they are)."""
        self._faults.configure(rate, latency_ms, kinds=kinds,
                               retry_after_seconds=retry_after_seconds)

    def strike_next(self, kind: str, count: int = 1, method: str | None = None,
                    route: str | None = None) -> None:
        """Make the next ``count`` requests (of ``method``, and to the ``route`` template,
        when given) fault with ``kind`` (faults.ALL_KINDS), whatever the fault rate: e.g.
        strike_next("lost", method="POST") before an import, to lose the answer to its
        first create."""
        self._faults.strike_next(kind, count, method, route)

    def set_delta_retention(self, seconds: float) -> None:
        """How long list change logs are kept; delta tokens older than that get 410 Gone."""
        self._running()
        backend = self._backend
        assert backend is not None

        async def apply() -> None:
            backend.delta_retention_seconds = seconds

        self._call(apply())

    def wait_for_notifications(self) -> None:
        """Block until every change notification sent so far was delivered or given up."""
        self._running()
        assert self._backend is not None
        self._call(self._backend.notifier.idle())

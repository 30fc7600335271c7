"""The dev tenant's state behind the routes: the store, lists, library, notifier and links.

One Backend per running server, used only on its event-loop thread.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from .calls import Call, Reply
from .errors import GraphError, error_body, not_found
from .faults import Faults
from .identity import APPLICATION, SYSTEM, Identity
from .library import Library
from .lists import Lists
from .mail_sink import MailFolder, MailPacer
from .metrics import RequestCounter
from .notifications import Notifier
from .shapes import DriveItemView, ItemView, drive_item_json
from .store import DriveItemRow, DriveRow, ItemRow, ListRow, Site, Store
from .util import TENANT_ID, iso, name_guid, new_guid, now

DEFAULT_RETENTION_SECONDS = 30 * 24 * 3600
DOWNLOAD_URL_SECONDS = 3600  # pre-authenticated download links last an hour
DEFAULT_EMAIL_DOMAIN = "devtenant.onmicrosoft.com"


async def _no_batches(call: Call) -> Reply:
    raise GraphError(501, "notSupported", "Batching is not wired up.")


class Backend:
    def __init__(
        self,
        data_dir: Path,
        origin: str,
        faults: Faults,
        counter: RequestCounter,
        batch_counter: RequestCounter,
    ) -> None:
        self.data_dir = data_dir
        self.origin = origin
        self.base_url = f"{origin}/v1.0"
        self.faults = faults
        self.counter = counter
        self.batch_counter = batch_counter
        self.store = Store(data_dir / "tenant.sqlite")
        self.notifier = Notifier()
        self.lists = Lists(self.store, self._list_changed)
        self.library = Library(self.store, self.lists, data_dir)
        self.delta_retention_seconds: float = DEFAULT_RETENTION_SECONDS
        # Who the app token is, and so how the app's writes are attributed (identity.py).
        self.application: Identity = APPLICATION
        self._secret = secrets.token_bytes(32)
        self.main_site: Site | None = None
        # Tenant settings (access.py, routes_access.py): the app limited to the sites granted
        # to it; sharing outside the tenant; the email domain of its people, the guests it
        # already has, and the retention labels that exist (name -> retentionSettings).
        self.sites_selected = False
        self.external_sharing = True
        self.email_domain = DEFAULT_EMAIL_DOMAIN
        self.guests: set[str] = set()
        self.retention_labels: dict[str, dict[str, Any]] = {}
        # Invitations sent by email (invite with sendInvitation), oldest first.
        self.invitations_sent: list[dict[str, Any]] = []
        # Mail (routes_mail.py): where sent messages are kept, the mailboxes the app may
        # send as (None: any), and Exchange Online's sending limits (on: 429 when over).
        self.mail = MailFolder(data_dir.parent / "mail")
        self.mail_senders: frozenset[str] | None = None
        self.mail_pacing = True
        self.mail_pacer = MailPacer()
        self.pdf_lock = asyncio.Lock()
        # Set by the server: runs one sub-request of a JSON batch through the same pipeline.
        self.run_subrequest: Callable[[Call], Awaitable[Reply]] = _no_batches

    def close(self) -> None:
        self.store.close()

    def error_reply(self, error: GraphError, call: Call | None) -> Reply:
        """Graph's error body for a failure, with the request ids Graph puts in it."""
        client_id = (call.headers.get("client-request-id") if call else None) or new_guid()
        request_id = new_guid()
        body = error_body(
            error.code,
            error.message,
            date=now().strftime("%Y-%m-%dT%H:%M:%S"),
            request_id=request_id,
            client_request_id=client_id,
            inner_code=error.inner_code,
        )
        headers = {"request-id": request_id, "client-request-id": client_id, **error.headers}
        return Reply(error.status, body=body, headers=headers)

    # -- first start -------------------------------------------------------------------------

    def bootstrap(self, hostname: str, site_path: str) -> Site:
        """The site and its "Documents" library, made on the first start and kept after."""
        site = self.create_site(hostname, site_path)
        self.main_site = site
        return site

    def create_site(self, hostname: str, site_path: str, display_name: str | None = None
                    ) -> Site:
        """A site with its "Documents" library (its default drive), made if it is not there;
        an existing site is returned as it is. Each site has its own lists and drive."""
        path = "/" + site_path.strip("/")
        site = self.store.site_by_path(hostname, path)
        if site is None:
            when = iso(now())
            name = path.rpartition("/")[2] or "root"
            site = Site(
                id=f"{hostname},{name_guid('site', hostname + path)},{name_guid('web', path)}",
                hostname=hostname,
                path=path,
                name=name,
                display_name=display_name or name.replace("-", " ").title(),
                created=when,
                modified=when,
            )
            with self.store.transaction():
                self.store.add_site(site)
                library = self.lists.create_list(
                    site,
                    {
                        "displayName": "Documents",
                        "name": "Shared Documents",
                        "list": {"template": "documentLibrary"},
                    },
                    SYSTEM,
                )
                self.library.create_drive(site, library, SYSTEM)
        return site

    # -- resolving ids in URLs ---------------------------------------------------------------

    def site(self, key: str) -> Site:
        if key.lower() == "root" and self.main_site is not None:
            return self.main_site
        site = self.store.site(key)
        if site is None:
            raise not_found("Requested site could not be found")
        return site

    def site_by_path(self, hostname: str, path: str) -> Site:
        site = self.store.site_by_path(hostname, "/" + path.strip("/"))
        if site is None:
            raise not_found("Requested site could not be found")
        return site

    def find_list(self, site: Site, key: str) -> ListRow:
        lst = self.store.find_list(site.id, key)
        if lst is None:
            raise not_found(
                f"List '{key}' does not exist at site with URL "
                f"'https://{site.hostname}{site.path}'."
            )
        return lst

    def item(self, lst: ListRow, key: str) -> ItemRow:
        row = self.store.item(lst.id, int(key)) if key.isdigit() else None
        if row is None:
            raise not_found("The specified list item was not found.")
        return row

    def drive(self, key: str) -> DriveRow:
        drive = self.store.drive(key)
        if drive is None:
            raise not_found("The drive was not found.")
        return drive

    def site_drive(self, site: Site) -> DriveRow:
        drives = self.store.drives(site.id)
        if not drives:
            raise not_found("The site has no document library.")
        return drives[0]

    def list_drive(self, lst: ListRow) -> DriveRow:
        drive = self.store.drive_for_list(lst.id)
        if drive is None:
            raise GraphError(
                400,
                "invalidRequest",
                f"The list '{lst.display_name}' is not a document library, so it has no drive.",
            )
        return drive

    def drive_context(self, drive: DriveRow) -> tuple[Site, ListRow]:
        site = self.store.site(drive.site_id)
        lst = self.store.list_by_id(drive.list_id)
        assert site is not None and lst is not None
        return site, lst

    # -- JSON helpers that need the store ----------------------------------------------------

    def item_view(self, site: Site, lst: ListRow, item: ItemRow | None = None) -> ItemView:
        drive_item = None
        if lst.is_library and item is not None:
            drive = self.store.drive_for_list(lst.id)
            if drive is not None:
                drive_item = self.store.drive_item_for_list_item(drive.id, item.id)
        return ItemView(self.base_url, site, lst, drive_item)

    def drive_item_json(
        self, drive: DriveRow, item: DriveItemRow, *, context: bool = False
    ) -> dict[str, Any]:
        site, lst = self.drive_context(drive)
        return drive_item_json(
            DriveItemView(self.base_url, site, lst, drive),
            item,
            version=self.library.version(drive, item),
            size=self.library.folder_size(item),
            child_count=self.store.child_count(item.id) if item.is_folder else 0,
            download_url=None if item.is_folder else self.download_url(drive.id, item.id),
            context=context,
        )

    # -- pre-authenticated download links ----------------------------------------------------

    def _sign(self, text: str) -> str:
        digest = hmac.new(self._secret, text.encode("utf-8"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:18]).decode("ascii")

    def download_url(self, drive_id: str, item_id: str, kind: str = "file") -> str:
        expires = int(time.time()) + DOWNLOAD_URL_SECONDS
        text = f"{kind}|{drive_id}|{item_id}|{expires}"
        token = base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")
        return f"{self.origin}/download/{token}.{self._sign(text)}"

    def check_download(self, token: str) -> tuple[str, str, str]:
        """(kind, drive id, item id) of a download token that is ours and unexpired."""
        encoded, _, signature = token.rpartition(".")
        try:
            text = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8")
            kind, drive_id, item_id, expires = text.split("|")
        except ValueError:
            raise not_found("The download link is not valid.") from None
        if not hmac.compare_digest(signature, self._sign(text)) or int(expires) < time.time():
            raise GraphError(
                401,
                "unauthenticated",
                "The download link has expired or is not valid; ask Graph for a new one.",
            )
        return kind, drive_id, item_id

    # -- change notifications ----------------------------------------------------------------

    def _list_changed(self, list_id: str) -> None:
        moment = time.time()
        for sub in self.store.documents("subscriptions"):
            if sub["_listId"] != list_id or sub["_expires"] <= moment:
                continue
            self.notifier.send(
                sub["notificationUrl"],
                [
                    {
                        "id": new_guid(),
                        "subscriptionId": sub["id"],
                        "subscriptionExpirationDateTime": sub["expirationDateTime"],
                        "clientState": sub.get("clientState"),
                        "changeType": "updated",
                        "resource": sub["resource"],
                        "tenantId": TENANT_ID,
                        # List notifications name no item: the receiver reads the list's delta.
                        "resourceData": {"@odata.type": "#Microsoft.Graph.ListItem"},
                    }
                ],
            )

"""One frozen settings object, read once from the environment.

Documents
- CASEWORK_PROTECTIVE_MARKING: a line at the top of every document, e.g.
  OFFICIAL-SENSITIVE; none by default.
- CASEWORK_LOGO: a PNG or JPEG shown in the letterhead; none by default.
- CASEWORK_TEMPLATES_DIR: a folder of the LA's own templates; a file there replaces the
  shipped template of the same name; none by default.
- CASEWORK_PROFILE: the policy profile when a case names none; national-2024.
- CASEWORK_FOLDER_PATTERN: where a case's documents are filed in the Case Files library;
  default "{school}/{case_ref} {surname}, {forename}".

Microsoft Graph and SharePoint
- SHAREPOINT_SITE: the site, as https://contoso.sharepoint.com/sites/attendance: the one
  school's site, when there is no LA site.
- SHAREPOINT_LA_SITE: the LA's (or trust's) own site, whose Schools list names each school
  and its site (services/schools/registry.py); when set, every school listed is swept, each
  in its own site with its own state, and SHAREPOINT_SITE is not used for casework.
- GRAPH_BASE_URL: default https://graph.microsoft.com/v1.0; the dev tenant's for local use.
- AZURE_CLIENT_ID, AZURE_TENANT_ID: the Entra app (or user-assigned managed identity).
- GRAPH_CERTIFICATE_PATH: a certificate for app-only auth outside Azure; without it, a
  managed identity is used.
- GRAPH_DEV_TOKEN: the dev tenant's token; only ever sent to a loopback address.

Change notifications (the Functions app)
- CASEWORK_NOTIFICATION_URL: where Graph posts list changes: the app's `notifications`
  function, e.g. https://casework.azurewebsites.net/api/notifications.
- CASEWORK_CLIENT_STATE: a random secret of at most 128 characters, given to Graph with
  each subscription and checked on every notification; without it every one is refused.

Teams alerts (Workflows webhooks: secrets)
- CASEWORK_TEAMS_LA_WEBHOOK: the LA officers' channel, for consultations and legal steps.
- CASEWORK_TEAMS_LEGAL_WEBHOOK: the Lead Officer for Legal Intervention's channel, told when
  an evidence bundle is ready; without it, those cards go to CASEWORK_TEAMS_LA_WEBHOOK.
- CASEWORK_TEAMS_SCHOOL_WEBHOOKS: schools' channels as JSON {"School name": url}, with a
  "school" entry for schools without their own: reminders and generation failures.
- CASEWORK_CARDS_SHOW_NAMES: "true" to show pupils' full names on cards; initials otherwise.

Legal referral and records
- CASEWORK_LEGAL_OFFICERS: the legal officers' email addresses, comma-separated; each
  evidence bundle (its PDF) is shared with each of them, read only, sign-in required, for
  90 days, when it is filed (services/legal/bundle_sharing.py); none by default (not shared).
- CASEWORK_RETENTION_LABEL: a Microsoft Purview retention label published to the sites,
  applied to every document and bundle filed (services/filing.py); none by default.

Letters to parents (issue 18)
- CASEWORK_MAILBOX: the shared mailbox letters to parents are emailed from (Graph sendMail
  as that mailbox; Mail.Send limited to it by Exchange RBAC for Applications), when the
  school's item in the Schools list names none; empty: approved letters go by post, in the
  day's print pack (services/delivery/sending.py).

Penalty notices (issue 19; the LA's own details, printed on each notice it issues)
- CASEWORK_LA_NAME: the local authority's name, e.g. Anyshire County Council.
- CASEWORK_LA_ADDRESS: its postal address, lines separated by ";".
- CASEWORK_LA_PHONE, CASEWORK_LA_EMAIL: how parents contact its penalty notice officers.
- CASEWORK_PENALTY_HOW_TO_PAY: the ways to pay and where, in the LA's own words.
  Without a name, address and how to pay, no notice is issued: the request says so.

State
- CASEWORK_STATE_CONNECTION: an Azure Storage connection string; when set, delta links,
  claims and facts are kept in Azure Table Storage there (tables casework*, created on
  first use), e.g. the Functions app's own storage account. Else SQLite at CASEWORK_STATE.
- CASEWORK_STATE: the SQLite file for delta links and claims when
  CASEWORK_STATE_CONNECTION is not set; default .casework/state.sqlite.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

DEFAULT_GRAPH = "https://graph.microsoft.com/v1.0"
DEFAULT_FOLDERS = "{school}/{case_ref} {surname}, {forename}"


@dataclass(frozen=True, slots=True)
class Settings:
    protective_marking: str = ""
    templates_dir: Path | None = None
    logo: Path | None = None
    profile: str = ""
    folder_pattern: str = DEFAULT_FOLDERS
    site_url: str = ""
    la_site_url: str = ""
    graph_base_url: str = DEFAULT_GRAPH
    client_id: str = ""
    tenant_id: str = ""
    certificate_path: str = ""
    dev_token: str = ""
    notification_url: str = ""
    client_state: str = ""
    teams_la_webhook: str = ""
    teams_school_webhooks: str = ""
    teams_legal_webhook: str = ""
    cards_show_names: bool = False
    state_path: Path = Path(".casework/state.sqlite")
    state_connection: str = ""
    legal_officers: tuple[str, ...] = ()
    retention_label: str = ""
    mailbox: str = ""  # CASEWORK_MAILBOX
    la_name: str = ""  # CASEWORK_LA_NAME
    la_address: str = ""  # CASEWORK_LA_ADDRESS: lines separated by ";"
    la_phone: str = ""  # CASEWORK_LA_PHONE
    la_email: str = ""  # CASEWORK_LA_EMAIL
    penalty_how_to_pay: str = ""  # CASEWORK_PENALTY_HOW_TO_PAY

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        def get(name: str, default: str = "") -> str:
            return env.get(name, default).strip() or default

        def path(name: str) -> Path | None:
            value = get(name)
            return Path(value) if value else None

        return cls(
            protective_marking=get("CASEWORK_PROTECTIVE_MARKING"),
            templates_dir=path("CASEWORK_TEMPLATES_DIR"),
            logo=path("CASEWORK_LOGO"),
            profile=get("CASEWORK_PROFILE"),
            folder_pattern=get("CASEWORK_FOLDER_PATTERN", DEFAULT_FOLDERS),
            site_url=get("SHAREPOINT_SITE"),
            la_site_url=get("SHAREPOINT_LA_SITE"),
            graph_base_url=get("GRAPH_BASE_URL", DEFAULT_GRAPH),
            client_id=get("AZURE_CLIENT_ID"),
            tenant_id=get("AZURE_TENANT_ID"),
            certificate_path=get("GRAPH_CERTIFICATE_PATH"),
            dev_token=get("GRAPH_DEV_TOKEN"),
            notification_url=get("CASEWORK_NOTIFICATION_URL"),
            teams_la_webhook=get("CASEWORK_TEAMS_LA_WEBHOOK"),
            teams_school_webhooks=get("CASEWORK_TEAMS_SCHOOL_WEBHOOKS"),
            teams_legal_webhook=get("CASEWORK_TEAMS_LEGAL_WEBHOOK"),
            cards_show_names=get("CASEWORK_CARDS_SHOW_NAMES").lower() in ("1", "true", "yes"),
            client_state=get("CASEWORK_CLIENT_STATE"),
            state_path=Path(get("CASEWORK_STATE", ".casework/state.sqlite")),
            state_connection=get("CASEWORK_STATE_CONNECTION"),
            legal_officers=email_list(get("CASEWORK_LEGAL_OFFICERS")),
            retention_label=get("CASEWORK_RETENTION_LABEL"),
            mailbox=get("CASEWORK_MAILBOX"),
            la_name=get("CASEWORK_LA_NAME"),
            la_address=get("CASEWORK_LA_ADDRESS"),
            la_phone=get("CASEWORK_LA_PHONE"),
            la_email=get("CASEWORK_LA_EMAIL"),
            penalty_how_to_pay=get("CASEWORK_PENALTY_HOW_TO_PAY"),
        )

    @property
    def site(self) -> tuple[str, str]:
        """(hostname, server-relative path) of SHAREPOINT_SITE."""
        return site_parts(self.site_url, "SHAREPOINT_SITE")

    @property
    def serves_many_schools(self) -> bool:
        return bool(self.la_site_url)


def email_list(text: str) -> tuple[str, ...]:
    """Comma- (or semicolon-) separated addresses, each once (compared case-insensitively)."""
    found: dict[str, str] = {}
    for part in text.replace(";", ",").split(","):
        email = part.strip()
        if email:
            found.setdefault(email.casefold(), email)
    return tuple(found.values())


def site_parts(url: str, setting: str = "The site address") -> tuple[str, str]:
    """(hostname, server-relative path) of a site's address."""
    parsed = urlparse(url)
    if not parsed.hostname or not parsed.path.strip("/"):
        raise ValueError(f"{setting} must be the site's address, e.g. "
                         "https://contoso.sharepoint.com/sites/attendance")
    return parsed.hostname, "/" + parsed.path.strip("/")

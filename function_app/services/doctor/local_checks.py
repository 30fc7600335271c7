"""`casework doctor`'s checks of this machine, made before Microsoft Graph is asked anything:
the settings, the credential, the document settings, the templates, the state store, the
change notifications' address and secret, and the Teams webhooks."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlparse

from function_app import bootstrap
from function_app.adapters.graph.auth import is_loopback
from function_app.domain import known_profiles
from function_app.domain.errors import CaseworkError
from function_app.settings import Settings

from .check import EXAMPLE_SITE, Check, connection_part, first_line

MIN_CLIENT_STATE = 32  # our rule: long enough not to be guessed
MAX_CLIENT_STATE = 128  # Graph's limit for a subscription's clientState
# Teams Workflows webhooks, one per audience (docs/deployment.md, infra/main.bicep): the LA
# officers' channel, and {school name: URL} as JSON (a "school" entry for the rest), as
# function_app.adapters.teams.poster.webhooks_from_settings takes them.
TEAMS_LA_WEBHOOK = "CASEWORK_TEAMS_LA_WEBHOOK"
TEAMS_SCHOOL_WEBHOOKS = "CASEWORK_TEAMS_SCHOOL_WEBHOOKS"
# Set by Azure Functions (App Service) where a managed identity is available.
MANAGED_IDENTITY_MARKERS = ("IDENTITY_ENDPOINT", "MSI_ENDPOINT")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def site_setting(settings: Settings) -> Check:
    name = "Site address (Schools list)" if settings.serves_many_schools else "SHAREPOINT_SITE"
    fix = (f"set the school's Site address in the LA site's Schools list, e.g. {EXAMPLE_SITE}"
           if settings.serves_many_schools else
           f"set SHAREPOINT_SITE to the site's address, e.g. {EXAMPLE_SITE}")
    if not settings.site_url:
        return Check(name, False, "not set", fix)
    parsed = urlparse(settings.site_url)
    problem = ""
    if parsed.scheme != "https":
        problem = "must start with https://"
    elif parsed.query or parsed.fragment:
        problem = "must be the site's address alone, without ?… or #…"
    else:
        try:
            host, path = settings.site
        except ValueError:
            problem = "names no site: it needs the site's path, such as /sites/attendance"
    if problem:
        return Check(name, False, f"{settings.site_url} {problem}", fix)
    return Check(name, True, f"{settings.site_url} (host {host}, site {path})")


def graph_base(settings: Settings) -> Check:
    name = "GRAPH_BASE_URL"
    url = settings.graph_base_url
    parsed = urlparse(url)
    fix = "leave GRAPH_BASE_URL unset (https://graph.microsoft.com/v1.0), or set the dev tenant's"
    if not parsed.hostname:
        return Check(name, False, f"{url!r} is not an address", fix)
    if parsed.scheme == "https":
        return Check(name, True, url)
    if parsed.scheme == "http" and is_loopback(url):
        return Check(name, True, f"{url}: the local dev tenant on this machine")
    return Check(name, False, f"{url} must use https (plain http only to this machine)", fix)


def credential(settings: Settings, env: Mapping[str, str]) -> Check:
    name = "Credential"
    if is_loopback(settings.graph_base_url):
        return Check(name, True, "the local dev tenant's development token (loopback only)")
    if settings.dev_token:
        return Check(name, False, "GRAPH_DEV_TOKEN is set, but Microsoft Graph is not on this "
                                  "machine; that token is for the local dev tenant only and is "
                                  "never sent anywhere else", "remove GRAPH_DEV_TOKEN")
    ids = _id_problems(settings)
    if settings.certificate_path:
        problems = ids + _certificate_problems(Path(settings.certificate_path))
        if problems:
            return Check(name, False, "; ".join(problems),
                         "a certificate credential needs GRAPH_CERTIFICATE_PATH (a PEM or PFX "
                         "file with the private key, registered on the Entra app), "
                         "AZURE_CLIENT_ID (the app's client id) and AZURE_TENANT_ID")
        return Check(name, True, f"certificate {settings.certificate_path} for the Entra app "
                                 f"{settings.client_id} in tenant {settings.tenant_id}")
    if not any(env.get(marker) for marker in MANAGED_IDENTITY_MARKERS):
        return Check(name, False, "none: GRAPH_CERTIFICATE_PATH is not set, and this is not "
                                  "Azure, so there is no managed identity to use",
                     "outside Azure, set GRAPH_CERTIFICATE_PATH (a certificate with its private "
                     "key, registered on the Entra app), AZURE_CLIENT_ID (the app's client id) "
                     "and AZURE_TENANT_ID; in Azure the app's managed identity is used. To try "
                     "things out without a tenant, set GRAPH_BASE_URL to the local dev "
                     "tenant's address (casework dev-tenant)")
    if not settings.client_id:
        return Check(name, False, "a managed identity, but AZURE_CLIENT_ID is not set, so the "
                                  "system-assigned identity would be used and the app has only a "
                                  "user-assigned one (infra/main.bicep)",
                     "set AZURE_CLIENT_ID to the managed identity's client id")
    if ids:
        return Check(name, False, "; ".join(ids), "set AZURE_CLIENT_ID to the managed identity's "
                                                  "client id (a GUID)")
    return Check(name, True, f"the managed identity {settings.client_id}")


def _id_problems(settings: Settings) -> list[str]:
    problems = []
    if settings.client_id and not _GUID.match(settings.client_id):
        problems.append(f"AZURE_CLIENT_ID {settings.client_id!r} is not a GUID")
    if settings.certificate_path:
        if not settings.client_id:
            problems.append("AZURE_CLIENT_ID is not set")
        if not settings.tenant_id:
            problems.append("AZURE_TENANT_ID is not set")
    return problems


def _certificate_problems(path: Path) -> list[str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [f"the certificate {path} cannot be read ({exc.strerror or type(exc).__name__})"]
    if not data:
        return [f"the certificate {path} is empty"]
    if data.lstrip().startswith(b"-----BEGIN") and b"PRIVATE KEY" not in data:
        return [f"the certificate {path} holds no private key"]
    return []


def document_settings(settings: Settings) -> Check:
    problems, fixes = [], []
    if settings.profile and settings.profile not in known_profiles():
        problems.append(f"CASEWORK_PROFILE {settings.profile!r} is not a known profile")
        fixes.append(f"set CASEWORK_PROFILE to one of {', '.join(known_profiles())}")
    try:
        settings.folder_pattern.format(school="S", case_ref="R", surname="N", forename="F")
    except (KeyError, IndexError, ValueError) as exc:
        problems.append(f"CASEWORK_FOLDER_PATTERN {settings.folder_pattern!r} cannot be filled "
                        f"({type(exc).__name__}: {exc})")
        fixes.append("use only {school}, {case_ref}, {surname} and {forename} in "
                     "CASEWORK_FOLDER_PATTERN")
    if settings.logo:
        from function_app.documents.logo import load_logo

        try:
            load_logo(settings.logo)
        except CaseworkError as exc:
            problems.append(f"CASEWORK_LOGO: {exc}")
            fixes.append("point CASEWORK_LOGO at a PNG or JPEG file, or leave it empty")
    if problems:
        return Check("Document settings", False, "; ".join(problems), "; ".join(fixes))
    return Check("Document settings", True,
                 f"profile {settings.profile or 'national-2024 (the default)'}; folders "
                 f"{settings.folder_pattern!r}; marking "
                 f"{settings.protective_marking or '(none)'}; logo {settings.logo or '(none)'}")


def templates(settings: Settings) -> Check:
    from function_app.documents.checker import check_templates

    name = "Templates"
    folder = settings.templates_dir
    if folder is not None and not folder.is_dir():
        return Check(name, False, f"CASEWORK_TEMPLATES_DIR {folder} is not a folder",
                     "set CASEWORK_TEMPLATES_DIR to the folder of your own templates, or leave "
                     "it empty to use the shipped ones")
    try:
        reports = check_templates(folder)
    except CaseworkError as exc:
        return Check(name, False, str(exc), "run casework templates check for the details")
    bad = [r for r in reports if not r.ok]
    if bad:
        return Check(name, False,
                     f"{len(bad)} of {len(reports)} have problems: "
                     + "; ".join(f"{r.kind}: {r.problems[0]}" for r in bad),
                     "run casework templates check"
                     + (f" --dir {folder}" if folder else "")
                     + " to see every problem, and correct the templates in Word")
    own = f", with your own from {folder} where they exist" if folder else ""
    return Check(name, True, f"all {len(reports)} document templates render the sample case "
                             f"and hostile text{own}")


def state_store(settings: Settings) -> Check:
    """The store opens and answers a read (Table storage creates its tables on first use)."""
    if settings.state_connection:
        account = connection_part(settings.state_connection, "AccountName") or "(unnamed)"
        where = f"Azure Table Storage in the account {account}"
        fix = ("check CASEWORK_STATE_CONNECTION: the storage account's connection string, "
               "with its AccountKey (infra/main.bicep sets it)")
    else:
        where, fix = f"{settings.state_path}", ("set CASEWORK_STATE to a file in a folder "
                                                "this account can write")
    try:
        store = bootstrap.state_store(settings)
        try:
            store.delta_link("casework-doctor")
        finally:
            store.close()
    except (CaseworkError, OSError, sqlite3.Error) as exc:
        return Check("State store", False, f"{where} cannot be used ({first_line(exc)})", fix)
    return Check("State store", True, f"{where} opens and answers")


def notifications(url: str, client_state: str) -> list[Check]:
    if not url:
        return [Check("CASEWORK_NOTIFICATION_URL", True,
                      "not set: no change notifications are asked for from here; the timed "
                      "sweep still finds every change")]
    parsed = urlparse(url)
    shown = _safe_url(url)
    checks = []
    if not parsed.hostname:
        checks.append(Check("CASEWORK_NOTIFICATION_URL", False, f"{shown} is not an address",
                            "set it to https://<the function app's host>/api/notifications"))
    elif parsed.scheme != "https" and not (parsed.scheme == "http" and is_loopback(url)):
        checks.append(Check("CASEWORK_NOTIFICATION_URL", False,
                            f"{shown} must use https: Microsoft Graph delivers only to https",
                            "set it to https://<the function app's host>/api/notifications"))
    else:
        checks.append(Check("CASEWORK_NOTIFICATION_URL", True, f"notifications go to {shown}"))
    fix = (f"set CASEWORK_CLIENT_STATE to {MIN_CLIENT_STATE}-{MAX_CLIENT_STATE} random "
           "characters, e.g. the output of: openssl rand -hex 32")
    if not client_state:
        checks.append(Check("CASEWORK_CLIENT_STATE", False, "not set, so notifications from "
                                                            "Microsoft Graph cannot be told "
                                                            "from anyone else's", fix))
    elif len(client_state) < MIN_CLIENT_STATE:
        checks.append(Check("CASEWORK_CLIENT_STATE", False,
                            f"only {len(client_state)} characters; at least "
                            f"{MIN_CLIENT_STATE} are needed", fix))
    elif len(client_state) > MAX_CLIENT_STATE:
        checks.append(Check("CASEWORK_CLIENT_STATE", False,
                            f"{len(client_state)} characters; Microsoft Graph takes at most "
                            f"{MAX_CLIENT_STATE}", fix))
    else:
        checks.append(Check("CASEWORK_CLIENT_STATE", True,
                            f"set ({len(client_state)} characters, not shown)"))
    return checks


def teams(env: Mapping[str, str]) -> Check:
    from function_app.adapters.teams.errors import WebhookSettingError
    from function_app.adapters.teams.poster import WORKFLOW_TEMPLATE, webhooks_from_settings

    name = "Teams alerts"
    try:
        urls = webhooks_from_settings(env.get(TEAMS_LA_WEBHOOK, ""),
                                      env.get(TEAMS_SCHOOL_WEBHOOKS, ""))
    except WebhookSettingError as exc:  # names the entry, never its URL
        return Check(name, False, str(exc),
                     f"in the channel, add the workflow \"{WORKFLOW_TEMPLATE}\" (trigger: When "
                     f"a Teams webhook request is received) and put its URL in "
                     f"{TEAMS_LA_WEBHOOK}, or in {TEAMS_SCHOOL_WEBHOOKS} as "
                     '{"School name": "https://..."} (docs/deployment.md, step 7)')
    if not urls:
        return Check(name, True, f"neither {TEAMS_LA_WEBHOOK} nor {TEAMS_SCHOOL_WEBHOOKS} is "
                                 "set, so no alerts are posted to Teams")
    shown = [f"{key} via {urlparse(url).hostname}" for key, url in urls.items()]
    return Check(name, True, "; ".join(shown) + " (addresses not shown)")


def webhook_secrets(env: Mapping[str, str]) -> list[str]:
    """Every webhook address in the settings, and the settings themselves."""
    import json

    secrets = [env.get(TEAMS_LA_WEBHOOK, ""), env.get(TEAMS_SCHOOL_WEBHOOKS, "")]
    try:
        schools = json.loads(secrets[1]) if secrets[1].strip() else {}
    except ValueError:
        schools = {}
    if isinstance(schools, dict):
        secrets += [str(url) for url in schools.values()]
    return [s.strip() for s in secrets]


def _safe_url(url: str) -> str:
    """An address without its query or credentials, which may carry keys."""
    parsed = urlparse(url)
    host = parsed.hostname or ""
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{host}{port}{parsed.path}" + ("?…" if parsed.query else "")

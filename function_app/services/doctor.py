"""`casework doctor`: is this installation ready to run, and if not, what to do about it.

Each check names what it looked at, says in plain words what it found and, when something
is wrong, the one thing to do next. The settings and the credential are checked first;
Microsoft Graph is asked only when they are right (so a machine with no credential never
reaches out to look for one). Secrets (the client state, the dev token, Teams webhook
addresses, anything in a notification URL's query) never appear in what is returned.

    checks = await diagnose(Settings.from_environment())
    print(format_checks(checks))
    exit_code = 0 if all(check.ok for check in checks) else 1
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlparse

from function_app import bootstrap
from function_app.adapters.graph.auth import is_loopback
from function_app.adapters.graph.client import GraphClient
from function_app.adapters.graph.errors import (
    AccessDeniedError,
    GraphError,
    GraphUnavailableError,
    NotFoundError,
)
from function_app.adapters.graph.records import ListInfo
from function_app.domain import known_profiles
from function_app.domain.errors import CaseworkError
from function_app.settings import Settings

from .list_schema import load_lists
from .provisioning_plan import plan_provisioning

GraphFactory = Callable[[Settings], GraphClient]

LIBRARY = "Case Files"
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
EXAMPLE_SITE = "https://contoso.sharepoint.com/sites/attendance"


class Check(NamedTuple):
    name: str
    ok: bool
    detail: str  # what was found, in plain words
    fix: str = ""  # what to do about it; empty when all is well


async def diagnose(settings: Settings, graph_factory: GraphFactory = bootstrap.graph_client,
                   env: Mapping[str, str] | None = None) -> list[Check]:
    """Every check, in the order a person would fix them; secrets masked.

    ``env`` (default: the process environment) is where the Teams webhooks are read (they
    are not on ``Settings`` yet) and how a managed identity is recognised.
    """
    env = os.environ if env is None else env
    essentials = [_site_setting(settings), _graph_base(settings), _credential(settings, env)]
    checks = [*essentials, _document_settings(settings)]
    if all(check.ok for check in essentials):
        checks += await _graph_checks(settings, graph_factory)
    else:
        checks.append(Check("SharePoint site", False,
                            "not asked: the settings above must be right first",
                            "fix the settings above, then run casework doctor again"))
    checks += [_templates(settings), _state_store(settings)]
    checks += _notifications(settings.notification_url, settings.client_state)
    checks.append(_teams(env))
    secrets = [settings.dev_token, settings.client_state, settings.state_connection,
               *_connection_keys(settings.state_connection),
               *_webhook_secrets(env),
               *_query_values(settings.notification_url)]
    return [_masked(check, secrets) for check in checks]


def format_checks(checks: Sequence[Check]) -> str:
    """The checks as a person reads them: one line each, a fix under each failure."""
    lines = []
    for check in checks:
        lines.append(f"{'ok  ' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
        if not check.ok and check.fix:
            lines.append(f"      to fix: {check.fix}")
    failed = sum(not check.ok for check in checks)
    lines.append("")
    lines.append("All good: nothing to fix." if not failed else
                 f"{failed} problem{'s' if failed > 1 else ''} to fix, each with what to do.")
    return "\n".join(lines)


def grant_call(settings: Settings) -> str:
    """The Graph call a SharePoint administrator makes to give the app write on the site."""
    base = settings.graph_base_url.rstrip("/")
    app = settings.client_id or "<AZURE_CLIENT_ID>"
    try:
        host, path = settings.site
        lookup = f"GET {base}/sites/{host}:{path}?$select=id"
    except ValueError:
        lookup = f"GET {base}/sites/<host>:<site path>?$select=id"
    body = ('{"roles": ["write"], "grantedToIdentities": [{"application": '
            f'{{"id": "{app}", "displayName": "Attendance Casework"}}}}]}}')
    return (f"grant Sites.Selected write on this site: as a SharePoint administrator, {lookup}, "
            f"then POST {base}/sites/{{that id}}/permissions with {body}. The app also needs "
            "the Microsoft Graph application permission Sites.Selected with admin consent "
            "(docs/deployment.md, steps 3 and 4)")


# -- settings -------------------------------------------------------------------------------


def _site_setting(settings: Settings) -> Check:
    name = "SHAREPOINT_SITE"
    fix = f"set SHAREPOINT_SITE to the site's address, e.g. {EXAMPLE_SITE}"
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


def _graph_base(settings: Settings) -> Check:
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


def _credential(settings: Settings, env: Mapping[str, str]) -> Check:
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


def _document_settings(settings: Settings) -> Check:
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


# -- Microsoft Graph ------------------------------------------------------------------------


async def _graph_checks(settings: Settings, factory: GraphFactory) -> list[Check]:
    try:
        graph = factory(settings)
    except (ValueError, CaseworkError) as exc:
        return [Check("SharePoint site", False, f"no connection could be set up: {exc}",
                      "check AZURE_CLIENT_ID, AZURE_TENANT_ID and GRAPH_CERTIFICATE_PATH")]
    site = await _site(settings, graph)
    if not site.ok:
        return [site]
    try:
        lists = await graph.lists()
    except GraphError as exc:
        return [site, Check("SharePoint lists", False, f"the site's lists could not be read: "
                                                       f"{_first_line(exc)}",
                            _fix_for(exc, settings))]
    return [site, *_lists(settings, lists)]


async def _site(settings: Settings, graph: GraphClient) -> Check:
    name = "SharePoint site"
    try:
        site_id = await graph.site_id()
    except GraphError as exc:
        return Check(name, False, _site_problem(settings, exc), _fix_for(exc, settings))
    return Check(name, True, f"{settings.site_url} answers (site id {site_id})")


def _site_problem(settings: Settings, exc: GraphError) -> str:
    if isinstance(exc, NotFoundError):
        return f"there is no site at {settings.site_url}"
    if isinstance(exc, AccessDeniedError) and not exc.status:
        return f"no token for Microsoft Graph could be had ({_first_line(exc)})"
    if isinstance(exc, AccessDeniedError):
        return f"{settings.site_url} refused this app ({exc.status} {exc.code})".strip()
    if isinstance(exc, GraphUnavailableError):
        return f"Microsoft Graph did not answer ({_first_line(exc)})"
    return _first_line(exc)


def _fix_for(exc: GraphError, settings: Settings) -> str:
    if isinstance(exc, NotFoundError):
        return ("check SHAREPOINT_SITE: open it in a browser; it should be the site's home "
                f"page, e.g. {EXAMPLE_SITE}")
    if isinstance(exc, AccessDeniedError) and not exc.status:
        return ("check the credential: in Azure, that AZURE_CLIENT_ID is the managed "
                "identity's client id; elsewhere, that the certificate is the one registered "
                "on the Entra app named by AZURE_CLIENT_ID")
    if isinstance(exc, AccessDeniedError):
        return grant_call(settings)
    if isinstance(exc, GraphUnavailableError):
        return "check the network and GRAPH_BASE_URL, then run casework doctor again"
    return "run casework doctor again; if it goes on failing, report the message above"


def _lists(settings: Settings, lists: dict[str, ListInfo]) -> list[Check]:
    provision = f"run casework provision --site {settings.site_url}"
    desired = load_lists()
    try:
        plan = plan_provisioning(desired, [info.raw for info in lists.values()])
    except CaseworkError as exc:
        return [Check("SharePoint lists", False, str(exc), provision)]
    wanted = [d["displayName"] for d in desired if d["displayName"] != LIBRARY]
    missing = [step.list_name for step in plan.create_lists if step.list_name != LIBRARY]
    columns = [f"{step.list_name}/{step.column['name']}" for step in plan.add_columns]
    checks = []
    if missing or columns:
        found = []
        if missing:
            found.append(f"{len(missing)} of {len(wanted)} lists missing: "
                         f"{', '.join(missing)}")
        if columns:
            found.append(f"{len(columns)} column{'s' if len(columns) > 1 else ''} missing: "
                         f"{_some(columns)}")
        checks.append(Check("SharePoint lists", False, "; ".join(found), provision))
    else:
        note = f" ({len(plan.differences)} differences left as they are)" \
            if plan.differences else ""
        checks.append(Check("SharePoint lists", True,
                            f"all {len(wanted)} lists are there with their columns{note}"))
    library = lists.get(LIBRARY)
    if library is None:
        checks.append(Check(f"{LIBRARY} library", False, "missing", provision))
    elif library.template != "documentLibrary":
        checks.append(Check(f"{LIBRARY} library", False,
                            f"{LIBRARY} is a {library.template or 'list'}, not a document "
                            "library", f"rename that list, then {provision}"))
    else:
        checks.append(Check(f"{LIBRARY} library", True, "there, as a document library"))
    return checks


# -- local parts ----------------------------------------------------------------------------


def _templates(settings: Settings) -> Check:
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


def _state_store(settings: Settings) -> Check:
    """The store opens and answers a read (Table storage creates its tables on first use)."""
    if settings.state_connection:
        account = _connection_part(settings.state_connection, "AccountName") or "(unnamed)"
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
        return Check("State store", False, f"{where} cannot be used ({_first_line(exc)})", fix)
    return Check("State store", True, f"{where} opens and answers")


def _notifications(url: str, client_state: str) -> list[Check]:
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


def _teams(env: Mapping[str, str]) -> Check:
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


def _webhook_secrets(env: Mapping[str, str]) -> list[str]:
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


# -- helpers --------------------------------------------------------------------------------


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _some(names: Sequence[str], shown: int = 5) -> str:
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more" if more > 0 else "")


def _safe_url(url: str) -> str:
    """An address without its query or credentials, which may carry keys."""
    parsed = urlparse(url)
    host = parsed.hostname or ""
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{host}{port}{parsed.path}" + ("?…" if parsed.query else "")


def _connection_part(connection: str, name: str) -> str:
    """One ``Name=value`` part of a storage connection string."""
    for part in connection.split(";"):
        key, _, value = part.partition("=")
        if key.strip().lower() == name.lower():
            return value.strip()
    return ""


def _connection_keys(connection: str) -> list[str]:
    return [v for v in (_connection_part(connection, "AccountKey"),
                        _connection_part(connection, "SharedAccessSignature")) if v]


def _query_values(url: str) -> list[str]:
    from urllib.parse import parse_qsl

    return [value for _, value in parse_qsl(urlparse(url).query)] if url else []


def _masked(check: Check, secrets: Sequence[str]) -> Check:
    """The check with every secret (of 4 characters or more) replaced by ****."""
    detail, fix = check.detail, check.fix
    for secret in sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True):
        detail, fix = detail.replace(secret, "****"), fix.replace(secret, "****")
    return check._replace(detail=detail, fix=fix)

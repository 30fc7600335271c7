"""`casework doctor`'s checks through Microsoft Graph: the site answers this app, and has
the lists, their columns and the Case Files library that provisioning makes; and what can
be said of the retention label and the legal officers the bundles are shared with."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from function_app.adapters.graph.client import GraphClient
from function_app.adapters.graph.errors import (
    AccessDeniedError,
    GraphError,
    GraphUnavailableError,
    NotFoundError,
)
from function_app.adapters.graph.records import ListInfo
from function_app.domain.errors import CaseworkError
from function_app.services.provisioning.list_schema import load_lists
from function_app.services.provisioning.provisioning_plan import plan_provisioning
from function_app.settings import Settings

from .check import EXAMPLE_SITE, Check, first_line

GraphFactory = Callable[[Settings], GraphClient]

LIBRARY = "Case Files"


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


async def graph_checks(settings: Settings, factory: GraphFactory) -> list[Check]:
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
                                                       f"{first_line(exc)}",
                            _fix_for(exc, settings))]
    return [site, *_lists(settings, lists), *records_checks(settings)]


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
        return f"no token for Microsoft Graph could be had ({first_line(exc)})"
    if isinstance(exc, AccessDeniedError):
        return f"{settings.site_url} refused this app ({exc.status} {exc.code})".strip()
    if isinstance(exc, GraphUnavailableError):
        return f"Microsoft Graph did not answer ({first_line(exc)})"
    return first_line(exc)


def _fix_for(exc: GraphError, settings: Settings) -> str:
    if isinstance(exc, NotFoundError):
        where = ("the school's Site address in the LA site's Schools list"
                 if settings.serves_many_schools else "SHAREPOINT_SITE")
        return (f"check {where}: open it in a browser; it should be the site's home "
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


def records_checks(settings: Settings) -> list[Check]:
    """CASEWORK_RETENTION_LABEL and CASEWORK_LEGAL_OFFICERS, when set.

    Whether the label exists cannot be asked by this app: Graph lists retention labels
    (GET /security/labels/retentionLabels) to a signed-in person only (RecordsManagement.
    Read.All, delegated; "Application: Not supported"), so the check says it is unchecked
    and where to look; a label the tenant lacks is refused at the first document filed
    (logged once; the document is filed without it: services/filing.py)."""
    checks = []
    label = settings.retention_label
    if label:
        checks.append(Check(
            "Retention label", True,
            f"CASEWORK_RETENTION_LABEL is '{label}', not checked: Microsoft Graph lets only a "
            "signed-in person list retention labels, not this app. If the tenant has no label "
            "of that name published to the site, every document is filed without it and the "
            "app's log says so once: check the name in Microsoft Purview (Records management, "
            "File plan) and that its label policy includes this site"))
    officers = settings.legal_officers
    if officers:
        odd = [e for e in officers if not _looks_like_email(e)]
        if odd:
            checks.append(Check("Legal officers", False,
                                f"not email addresses: {', '.join(odd)}",
                                "set CASEWORK_LEGAL_OFFICERS to the legal officers' email "
                                "addresses, separated by commas"))
        else:
            checks.append(Check(
                "Legal officers", True,
                f"each evidence bundle is shared, read only, with {', '.join(officers)}; "
                "someone outside your organisation gets it only where the tenant allows "
                "sharing outside it and they are already a guest (the app may not invite a "
                "new guest); else the item and the card say it was not shared"))
    return checks


def _looks_like_email(text: str) -> bool:
    local, at, domain = text.rpartition("@")
    return bool(at and local and "." in domain and " " not in text)


def _some(names: Sequence[str], shown: int = 5) -> str:
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more" if more > 0 else "")

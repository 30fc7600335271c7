"""`casework doctor`'s check of the LA's own site (SHAREPOINT_LA_SITE), when there is one:
its lists (Schools, Penalty Notice Requests and Register, the Penalty Notices library) and
their columns, as `casework provision --la-site` makes them. A version that adds a column
(the register's Evidence, the requests' On the register) is named here before the LA's run
meets it."""

from __future__ import annotations

from dataclasses import replace

from function_app.adapters.graph.errors import GraphError
from function_app.domain.errors import CaseworkError
from function_app.services.provisioning.list_schema import LA_SITE_SCHEMA_DIR, load_lists
from function_app.services.provisioning.provisioning_plan import plan_provisioning
from function_app.settings import Settings

from .check import Check, first_line
from .site_checks import GraphFactory

NAME = "LA site lists"
PROVISION = "run casework provision --la-site"


async def la_site_lists(settings: Settings, factory: GraphFactory) -> list[Check]:
    """One check, or none when the deployment has no LA site."""
    if not settings.la_site_url:
        return []
    try:
        graph = factory(replace(settings, site_url=settings.la_site_url))
    except (ValueError, CaseworkError) as exc:
        return [Check(NAME, False, f"no connection could be set up: {exc}",
                      "check SHAREPOINT_LA_SITE and the credential")]
    try:
        lists = await graph.lists()
    except GraphError as exc:
        return [Check(NAME, False, f"{settings.la_site_url}'s lists could not be read: "
                                   f"{first_line(exc)}",
                      "check SHAREPOINT_LA_SITE and the app's access to the LA's site, then "
                      "run casework doctor again")]
    finally:
        closer = getattr(graph, "aclose", None)
        if closer is not None:
            await closer()
    desired = load_lists(LA_SITE_SCHEMA_DIR)
    try:
        plan = plan_provisioning(desired, [info.raw for info in lists.values()])
    except CaseworkError as exc:
        return [Check(NAME, False, str(exc), PROVISION)]
    missing = [step.list_name for step in plan.create_lists]
    columns = [f"{step.list_name}/{step.column['name']}" for step in plan.add_columns]
    if not (missing or columns):
        return [Check(NAME, True, f"all {len(desired)} lists and libraries are there with "
                                  "their columns")]
    found = []
    if missing:
        found.append(f"{len(missing)} of {len(desired)} missing: {', '.join(missing)}")
    if columns:
        found.append(f"{len(columns)} column{'s' if len(columns) > 1 else ''} missing: "
                     f"{', '.join(columns)}")
    return [Check(NAME, False, "; ".join(found), PROVISION)]

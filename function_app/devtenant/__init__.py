"""The local dev tenant: a Microsoft Graph v1.0-compatible server on loopback.

Sites (any number, each with its own lists and library, members and app grants), lists
with columns and items, list delta, a document library whose files are real files under
the data folder, sharing invitations and retention labels on files, upload sessions,
subscriptions that POST change notifications, JSON batching, and injected faults
(throttling, outages, dropped connections, answers lost after the write); and, under the
site's path, the SharePoint REST that provisioning needs
for views, formatting, forms and validation. The production Graph and SharePoint REST
adapters run against it unchanged; only the base URL differs.

    from function_app.devtenant import DevTenant
    with DevTenant(Path("data")) as tenant:
        ...  # tenant.base_url, tenant.app_token, tenant.site_id, tenant.files_root

Modules: tenant (the public class), server (aiohttp), router, routes_* (one per resource),
store (SQLite), lists, columns, library (drive items and files), uploads, notifications,
faults, shapes (Graph's JSON), calls, errors, identity; access, access_storage and
routes_access (membership, Sites.Selected grants, sharing, retention labels); sp_rest
and routes_sp_rest (SharePoint REST: views, fields, content types, list settings).
"""

from __future__ import annotations

from .tenant import DevTenant

__all__ = ["DevTenant"]

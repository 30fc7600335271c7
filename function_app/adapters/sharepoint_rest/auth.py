"""Bearer tokens for SharePoint REST: app-only, never a secret in code.

SharePoint Online accepts app-only tokens for its REST API only when they were obtained with a
certificate (or a managed identity), for the scope ``https://{tenant}.sharepoint.com/.default``
(https://learn.microsoft.com/sharepoint/dev/solution-guidance/security-apponly-azuread).
The certificate and app are the ones Graph uses (GRAPH_CERTIFICATE_PATH, AZURE_CLIENT_ID,
AZURE_TENANT_ID); only the scope differs. Against the local dev tenant, its fixed
development token is sent, and only to loopback.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from function_app.adapters.graph.auth import app_credential, is_loopback

from .errors import PERMISSION_ADVICE, RestAccessDeniedError

TokenSource = Callable[[], Awaitable[str]]


def sharepoint_scope(hostname: str) -> str:
    return f"https://{hostname}/.default"


def dev_token(base_url: str, token: str) -> TokenSource:
    """The dev tenant's token; refused for any host that is not loopback."""
    if not is_loopback(base_url):
        raise ValueError("the development token is only ever sent to the local dev tenant on "
                         "loopback")

    async def source() -> str:
        return token

    return source


def azure_token(hostname: str, client_id: str = "", tenant_id: str = "",
                certificate_path: str = "") -> TokenSource:
    """A certificate credential when a certificate is set, else the managed identity."""
    from azure.core.exceptions import ClientAuthenticationError

    credential = app_credential(client_id, tenant_id, certificate_path)
    scope = sharepoint_scope(hostname)

    async def source() -> str:
        try:
            token = await credential.get_token(scope)
        except ClientAuthenticationError as exc:
            raise RestAccessDeniedError(f"No token for SharePoint ({scope}): "
                                        f"{PERMISSION_ADVICE}") from exc
        return str(token.token)

    return source

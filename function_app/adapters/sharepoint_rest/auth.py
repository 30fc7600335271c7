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

from function_app.adapters.graph.auth import app_credential, is_loopback, origin

from .errors import PERMISSION_ADVICE, RestAccessDeniedError, SharePointRestError

TokenSource = Callable[[], Awaitable[str]]


def sharepoint_scope(hostname: str) -> str:
    return f"https://{hostname}/.default"


class DevToken:
    """The dev tenant's token: only for its own loopback address (a TokenSource).

    SharePointRest asks with each request's URL (``for_url``) and gets the token only for an
    address on the dev tenant's loopback origin; any other is refused, naming only the host.
    """

    def __init__(self, base_url: str, token: str) -> None:
        if not is_loopback(base_url):
            raise ValueError("the development token is only ever sent to the local dev tenant "
                             "on loopback")
        self.origin = origin(base_url)
        self._token = token

    async def __call__(self) -> str:
        return self._token

    async def for_url(self, url: str) -> str:
        if not (is_loopback(url) and origin(url) == self.origin):
            raise SharePointRestError("the development token is only ever sent to the local "
                                      f"dev tenant ({self.origin}), not to {origin(url)}")
        return self._token


def dev_token(base_url: str, token: str) -> DevToken:
    """The dev tenant's token; refused for any host that is not loopback."""
    return DevToken(base_url, token)


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

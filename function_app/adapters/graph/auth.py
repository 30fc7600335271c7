"""Credentials for Graph: app-only, never a secret in code.

- In Azure: a managed identity (azure-identity), optionally user-assigned by client id.
- Elsewhere: a certificate registered on the Entra app (path in settings).
- Against the local dev tenant only: its fixed development token, sent to loopback hosts.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse, urlsplit

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
GRAPH_SCOPE = "https://graph.microsoft.com/.default"


class DevTokenRefusedError(ValueError):
    """The development token was asked for an address that is not the dev tenant's."""


def _host(url: str) -> str:
    try:
        return urlparse(url).hostname or ""
    except ValueError:  # not a URL at all
        return ""


def is_loopback(url: str) -> bool:
    return _host(url) in LOOPBACK


def origin(url: str) -> str:
    """scheme://host:port of a URL, lower case, with the scheme's default port made plain:
    a token is only ever sent to the origin it is for."""
    try:
        parts = urlsplit(url)
        port = parts.port or {"https": 443, "http": 80}.get(parts.scheme.lower(), 0)
    except ValueError:  # not a URL, or a port that is not a number
        return "(not a URL)"
    return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}:{port}"


def dev_token_provider(base_url: str, token: str) -> Any:
    """A bearer token for the dev tenant; refused for any host that is not loopback."""
    from kiota_abstractions.authentication import (
        AccessTokenProvider,
        AllowedHostsValidator,
        BaseBearerTokenAuthenticationProvider,
    )

    if not is_loopback(base_url):
        raise DevTokenRefusedError("the development token is only ever sent to the local dev "
                                   f"tenant on loopback, not to {_host(base_url)}")
    host = _host(base_url)

    class StaticToken(AccessTokenProvider):
        """kiota asks for the token with each request's URL; kiota's own providers check it
        against their AllowedHostsValidator, and so does this one: the token is given only
        for the dev tenant's loopback host, never for a link that points elsewhere."""

        async def get_authorization_token(self, uri: str,
                                          additional_authentication_context: Any = None) -> str:
            if not (is_loopback(uri) and self.get_allowed_hosts_validator()
                    .is_url_host_valid(uri)):
                raise DevTokenRefusedError(
                    "the development token is only ever sent to the local dev tenant on "
                    f"{host}, not to {_host(uri) or 'an address without a host'}")
            return token

        def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
            return AllowedHostsValidator([host])

    return BaseBearerTokenAuthenticationProvider(StaticToken())


def app_credential(client_id: str = "", tenant_id: str = "",
                   certificate_path: str = "") -> Any:
    """The app's own async credential: a certificate when one is set, else the managed
    identity. Graph and SharePoint REST both sign in with it, for their own scopes."""
    from azure.identity.aio import CertificateCredential, ManagedIdentityCredential

    if certificate_path:
        if not (client_id and tenant_id):
            raise ValueError("a certificate credential needs AZURE_CLIENT_ID and "
                             "AZURE_TENANT_ID")
        return CertificateCredential(tenant_id, client_id, certificate_path)
    return ManagedIdentityCredential(client_id=client_id or None)


def azure_auth_provider(client_id: str = "", tenant_id: str = "",
                        certificate_path: str = "") -> Any:
    """Managed identity in Azure, or a certificate credential; both app-only."""
    from kiota_authentication_azure.azure_identity_authentication_provider import (
        AzureIdentityAuthenticationProvider,
    )

    credential = app_credential(client_id, tenant_id, certificate_path)
    return AzureIdentityAuthenticationProvider(credential, scopes=[GRAPH_SCOPE])


def request_adapter(base_url: str, auth_provider: Any) -> Any:
    """msgraph-sdk's GraphRequestAdapter with its default middleware, pointed at base_url."""
    from kiota_http.middleware.options import RetryHandlerOption
    from msgraph.graph_request_adapter import GraphRequestAdapter
    from msgraph_core import GraphClientFactory

    # This RetryHandler option covers only the POSTs GraphClient does not retry itself
    # (creating items, lists, columns, subscriptions): it repeats them on 429/503/504 only,
    # honouring Retry-After (uncapped, with a real sleep). For every other request
    # GraphClient switches the handler off and retries itself (client.RetryPolicy: also
    # dropped connections and 500/502, an injectable sleep), because with both layers on a
    # dead Graph took 24 requests and 26 s to report. A base delay shorter than the SDK's
    # 3 s default keeps a burst of 429s from stalling a whole sweep.
    http = GraphClientFactory.create_with_default_middleware(
        options={RetryHandlerOption.get_key(): RetryHandlerOption(delay=0.5, max_retries=3)})
    adapter = GraphRequestAdapter(auth_provider, client=http)
    adapter.base_url = base_url.rstrip("/")
    return adapter

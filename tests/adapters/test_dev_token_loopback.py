"""The dev tenant's token never leaves loopback, and no token follows a link off our host.

Every request is intercepted at the transport layer (httpx.MockTransport under msgraph-sdk's
own middleware pipeline), so the tests see exactly what would have gone on the wire: a link
to https://example.com must never be requested, let alone with an Authorization header.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from function_app.adapters.graph.auth import DevTokenRefusedError, dev_token_provider
from function_app.adapters.graph.client import GraphClient, GraphTarget, RetryPolicy
from function_app.adapters.graph.errors import GraphError
from function_app.adapters.graph.transport import same_origin
from function_app.adapters.sharepoint_rest import SharePointRest, SharePointRestError
from function_app.adapters.sharepoint_rest.auth import dev_token

BASE = "http://127.0.0.1:8765/v1.0"
HOST = "devtenant.sharepoint.local"
SITE = "site-1"
FOREIGN = "https://example.com/v1.0"
TOKEN = "the-dev-token"


class Wire:
    """What reached the transport: every request, and canned Graph answers."""

    def __init__(self, next_link: str = "") -> None:
        self.sent: list[httpx.Request] = []
        self.next_link = next_link

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        path = request.url.path
        if path.endswith(f"/sites/{HOST}:/sites/attendance"):
            return httpx.Response(200, json={"id": SITE})
        page: dict[str, Any] = {"value": []}
        if request.url.host == "127.0.0.1" and "skiptoken" not in str(request.url):
            if self.next_link:
                page["@odata.nextLink"] = self.next_link
            if path.endswith("/delta"):
                page["@odata.deltaLink"] = f"{BASE}/sites/{SITE}/lists/L/items/delta?token=z"
        return httpx.Response(200, json=page)

    def hosts(self) -> set[str]:
        return {r.url.host for r in self.sent}

    def authorised_hosts(self) -> set[str]:
        return {r.url.host for r in self.sent if "Authorization" in r.headers}


def client(wire: Wire, base: str = BASE, auth: Any = None) -> GraphClient:
    """The production GraphClient over msgraph-sdk's adapter and default middleware, with
    the dev token, its HTTP intercepted by ``wire``."""
    from msgraph.graph_request_adapter import GraphRequestAdapter
    from msgraph_core import GraphClientFactory

    http = GraphClientFactory.create_with_default_middleware(
        client=httpx.AsyncClient(transport=httpx.MockTransport(wire)))
    adapter = GraphRequestAdapter(auth or dev_token_provider(base, TOKEN), client=http)
    adapter.base_url = base
    return GraphClient(GraphTarget(base, HOST, "/sites/attendance", "app"), adapter,
                       retry=RetryPolicy(attempts=1))


@pytest.mark.parametrize("link", [f"{FOREIGN}/sites/{SITE}/lists/L/items?$skiptoken=2",
                                  "http://127.0.0.1:9999/v1.0/sites/site-1/lists?$skiptoken=2",
                                  "https://127.0.0.1:8765/v1.0/sites/site-1/lists?$skiptoken=2",
                                  "http://127.0.0.1.example.com:8765/v1.0/x?$skiptoken=2",
                                  "http://localhost@example.com:8765/v1.0/x?$skiptoken=2"])
@pytest.mark.parametrize("follow", ["all_items", "lists"])
def test_a_next_link_to_another_address_is_not_followed(link: str, follow: str) -> None:
    """A page whose @odata.nextLink points anywhere but our own scheme, host and port is an
    error naming only the address; nothing is sent there, so no token goes with it."""
    wire = Wire(next_link=link)
    graph = client(wire)

    async def run() -> None:
        if follow == "all_items":
            await graph.all_items("L")
        else:
            await graph.lists()

    with pytest.raises(GraphError, match="link to another address") as raised:
        asyncio.run(run())
    assert "skiptoken" not in str(raised.value) and SITE not in str(raised.value)
    assert wire.hosts() == {"127.0.0.1"}
    assert all(r.url.port == 8765 and r.url.scheme == "http" for r in wire.sent)
    assert all(r.headers["Authorization"] == f"Bearer {TOKEN}" for r in wire.sent)


def test_a_next_link_on_our_host_is_followed_with_the_token() -> None:
    """The usual case still works: a next link on the configured origin is read."""
    wire = Wire(next_link=f"{BASE}/sites/{SITE}/lists/L/items?$skiptoken=2")
    assert asyncio.run(client(wire).all_items("L")) == []
    assert len(wire.sent) == 3  # site, first page, next page
    assert wire.authorised_hosts() == {"127.0.0.1"}


def test_a_stored_change_link_to_another_host_is_read_from_ours() -> None:
    """A delta or next link of the change feed, stored or handed back, is read from the
    configured Graph: example.com is never asked."""
    wire = Wire()
    page = asyncio.run(client(wire).delta("L", f"{FOREIGN}/sites/{SITE}/lists/L/items/delta"
                                               "?token=abc"))
    assert page.delta_link.startswith(BASE)
    assert wire.hosts() == {"127.0.0.1"}
    assert str(wire.sent[-1].url).startswith(f"{BASE}/sites/{SITE}/lists/L/items/delta")


@pytest.mark.parametrize("url", [f"{FOREIGN}/me", "http://127.0.0.1.example.com/v1.0/me",
                                 "http://localhost@example.com/v1.0/me",
                                 "http://[::1]:8765/v1.0/me"])
def test_the_dev_token_provider_refuses_any_other_host(url: str) -> None:
    """Below our transport's own check: kiota asks the provider for a token with the URL of
    each request, and the dev token is given only for the dev tenant's loopback host. A
    request built any other way (the SDK's fluent API, a link followed by other code) is
    refused before it is sent, so nothing reaches the wire."""
    from kiota_abstractions.method import Method
    from kiota_abstractions.request_information import RequestInformation

    provider = dev_token_provider(BASE, TOKEN)
    info = RequestInformation(Method.GET)
    info.url = url
    with pytest.raises(DevTokenRefusedError, match="only ever sent to the local dev tenant"):
        asyncio.run(provider.authenticate_request(info))
    assert not info.headers.contains("Authorization")

    wire = Wire()
    graph = client(wire)
    info = graph._info("GET", url, None, "application/json", None)
    with pytest.raises(DevTokenRefusedError):
        asyncio.run(graph.request_adapter.send_primitive_async(info, "bytes", None))
    assert wire.sent == []


def test_the_dev_token_provider_gives_the_token_for_the_dev_tenant() -> None:
    from kiota_abstractions.method import Method
    from kiota_abstractions.request_information import RequestInformation

    info = RequestInformation(Method.GET)
    info.url = f"{BASE}/sites/{SITE}"
    asyncio.run(dev_token_provider(BASE, TOKEN).authenticate_request(info))
    assert info.headers.get("Authorization") == {f"Bearer {TOKEN}"}
    info = RequestInformation(Method.GET)
    info.url = "not a url"
    with pytest.raises(DevTokenRefusedError):
        asyncio.run(dev_token_provider(BASE, TOKEN).authenticate_request(info))
    with pytest.raises(ValueError, match="loopback"):
        dev_token_provider("https://graph.microsoft.com/v1.0", TOKEN)


def test_graph_with_any_credential_sends_nothing_off_its_own_host() -> None:
    """The check is the transport's, not the dev token's: with the Azure credential (whose
    kiota provider allows every host unless told otherwise) a link to another host is refused
    before the SDK is asked to send anything."""

    class NoAdapter:
        async def send_primitive_async(self, *args: Any) -> Any:
            raise AssertionError("nothing may be sent")

    graph = GraphClient(GraphTarget("https://graph.microsoft.com/v1.0", "contoso.sharepoint.com",
                                    "/sites/a"), NoAdapter(), retry=RetryPolicy(attempts=1))
    with pytest.raises(GraphError, match=r"another address \(https://example.com:443\)"):
        asyncio.run(graph.json("get items", "GET", f"{FOREIGN}/sites/x/lists/y/items"))
    assert same_origin("/sites/x", "https://graph.microsoft.com/v1.0")
    assert same_origin("https://GRAPH.microsoft.com:443/v1.0/x", "https://graph.microsoft.com/v1.0")
    assert not same_origin("http://graph.microsoft.com/v1.0/x", "https://graph.microsoft.com/v1.0")


def test_sharepoint_rest_sends_the_dev_token_to_loopback_only() -> None:
    """SharePoint REST asks the dev token for each request's URL: loopback gets it; any
    other host is refused and nothing is sent."""
    sent: list[httpx.Request] = []

    def wire(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"value": []})

    web = "http://127.0.0.1:8765/sites/attendance"

    async def run() -> None:
        rest = SharePointRest(web, dev_token(web, TOKEN), transport=httpx.MockTransport(wire))
        try:
            assert await rest.views("Cases") == []
            rest.web_url = "https://example.com/sites/attendance"  # however it came about
            with pytest.raises(SharePointRestError, match="only ever sent to the local dev"):
                await rest.views("Cases")
        finally:
            await rest.aclose()

    asyncio.run(run())
    assert [r.url.host for r in sent] == ["127.0.0.1"]
    assert sent[0].headers["Authorization"] == f"Bearer {TOKEN}"
    token = dev_token(web, TOKEN)
    assert asyncio.run(token.for_url(f"{web}/_api/web")) == TOKEN
    for other in ("https://example.com/sites/attendance/_api/web",
                  "http://127.0.0.1:9999/sites/attendance/_api/web"):
        with pytest.raises(SharePointRestError):
            asyncio.run(token.for_url(other))
    with pytest.raises(ValueError, match="loopback"):
        dev_token("https://contoso.sharepoint.com/sites/attendance", TOKEN)

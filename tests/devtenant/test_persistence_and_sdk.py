"""The data folder survives restarts, and the msgraph-sdk runs against the dev tenant unchanged."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from function_app.devtenant import DevTenant

from .helpers import Graph

pytestmark = pytest.mark.integration


def test_a_restart_keeps_the_site_lists_items_and_files(tmp_path: Path) -> None:
    """Stopping and starting on the same folder keeps ids, items, versions and files."""
    with DevTenant(tmp_path) as first:
        graph = Graph(first)
        lst = graph.new_list([{"name": "Status", "text": {}}], title="Cases")
        graph.post(graph.items_url(lst["id"]), {"fields": {"Title": "A", "Status": "Open"}})
        graph.patch(f"{graph.items_url(lst['id'])}/1/fields", {"Status": "Closed"})
        graph.put(f"/sites/{first.site_id}/drive/root:/Kept/Zoë.txt:/content", b"kept")
        link = graph.get(f"{graph.items_url(lst['id'])}/delta").json()["@odata.deltaLink"]
        site_id, drive_id = first.site_id, graph.drive_id()
        graph.close()
    assert (tmp_path / "tenant.sqlite").exists()
    assert (tmp_path / "sites" / "attendance" / "Documents" / "Kept" / "Zoë.txt").exists()
    with DevTenant(tmp_path) as second:
        graph = Graph(second)
        assert (second.site_id, graph.drive_id()) == (site_id, drive_id)
        item = graph.get(f"/sites/{site_id}/lists/Cases/items/1?expand=fields").json()
        assert (item["fields"]["Status"], item["fields"]["_UIVersionString"]) == ("Closed", "2.0")
        graph.post(graph.items_url(lst["id"]), {"fields": {"Title": "B"}})
        new_link = link.replace(link.split("/v1.0")[0], second.base_url.removesuffix("/v1.0"))
        assert [i["id"] for i in graph.get(new_link).json()["value"]] == ["2"]
        assert graph.get(f"/drives/{drive_id}/root:/Kept/Zoë.txt").status == 200
        graph.close()


def test_public_surface(tmp_path: Path) -> None:
    """The DevTenant attributes the Graph adapter and the CLI rely on are there."""
    with DevTenant(tmp_path, hostname="school.sharepoint.local", site_path="sites/attendance") as t:
        assert t.base_url.startswith("http://127.0.0.1:") and t.base_url.endswith("/v1.0")
        assert t.app_token == "dev-app-token"
        assert t.user_token("Head Teacher") == "dev-user:Head Teacher"
        assert t.hostname == "school.sharepoint.local"
        assert t.site_path == "/sites/attendance"
        assert t.site_id.startswith("school.sharepoint.local,")
        assert t.files_root == tmp_path / "sites" / "attendance" / "Documents"
        assert t.files_root.is_dir()
        assert dict(t.requests) == {}
        t.set_faults(0.0, latency_ms=0)
        t.reset_counts()
    with pytest.raises(RuntimeError):
        _ = t.base_url


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the SDK's own generated classes
def test_msgraph_sdk_runs_against_the_dev_tenant(tmp_path: Path) -> None:
    """The SDK, given only the dev tenant's base URL and token, provisions, writes and reads."""
    pytest.importorskip("msgraph")
    from kiota_abstractions.authentication import (
        AccessTokenProvider,
        AllowedHostsValidator,
        BaseBearerTokenAuthenticationProvider,
    )
    from msgraph.generated.models.column_definition import ColumnDefinition
    from msgraph.generated.models.drive_item import DriveItem
    from msgraph.generated.models.field_value_set import FieldValueSet
    from msgraph.generated.models.folder import Folder
    from msgraph.generated.models.list_ import List_
    from msgraph.generated.models.list_info import ListInfo
    from msgraph.generated.models.list_item import ListItem
    from msgraph.generated.models.text_column import TextColumn
    from msgraph.graph_request_adapter import GraphRequestAdapter
    from msgraph.graph_service_client import GraphServiceClient

    class Token(AccessTokenProvider):
        async def get_authorization_token(self, uri: str, context: Any = None) -> str:
            return "dev-app-token"

        def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
            return AllowedHostsValidator(["127.0.0.1"])

    async def scenario(tenant: DevTenant) -> None:
        adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(Token()))
        adapter.base_url = tenant.base_url
        client = GraphServiceClient(request_adapter=adapter)
        site = await client.sites.by_site_id(f"{tenant.hostname}:{tenant.site_path}:").get()
        assert site is not None and site.id == tenant.site_id
        lists = client.sites.by_site_id(site.id).lists
        made = await lists.post(
            List_(
                display_name="Cases",
                columns=[ColumnDefinition(name="Status", text=TextColumn())],
                list_=ListInfo(template="genericList"),
            )
        )
        assert made is not None and made.id is not None
        items = lists.by_list_id(made.id).items
        created = await items.post(
            ListItem(fields=FieldValueSet(additional_data={"Title": "A", "Status": "Open"}))
        )
        assert created is not None and created.id == "1"
        await items.by_list_item_id("1").fields.patch(
            FieldValueSet(additional_data={"Status": "Closed"})
        )
        first = await items.delta.get()
        assert first is not None and first.odata_delta_link
        await items.post(ListItem(fields=FieldValueSet(additional_data={"Title": "B"})))
        later = await items.delta.with_url(first.odata_delta_link).get()
        assert later is not None and [i.id for i in later.value or []] == ["2"]
        drive = await client.sites.by_site_id(site.id).drive.get()
        assert drive is not None and drive.id is not None
        folder = (
            await client.drives.by_drive_id(drive.id)
            .items.by_drive_item_id("root")
            .children.post(DriveItem(name="Case O'Brien", folder=Folder()))
        )
        assert folder is not None and folder.id is not None
        uploaded = (
            await client.drives.by_drive_id(drive.id)
            .items.by_drive_item_id(f"{folder.id}:/Zoë's letter.docx:")
            .content.put(b"PK document")
        )
        assert uploaded is not None and uploaded.name == "Zoë's letter.docx"
        content = (
            await client.drives.by_drive_id(drive.id)
            .items.by_drive_item_id(str(uploaded.id))
            .content.get()
        )
        assert content == b"PK document"

    with DevTenant(tmp_path) as tenant:
        asyncio.run(scenario(tenant))
        assert tenant.requests["GET /sites/{site-id}/lists/{list-id}/items/delta()"] == 1
        assert (tenant.files_root / "Case O'Brien" / "Zoë's letter.docx").exists()

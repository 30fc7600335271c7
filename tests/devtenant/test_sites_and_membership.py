"""Many sites, each with its own lists and drive; members of staff reach only the sites
they belong to (403 accessDenied elsewhere, on every kind of request); sites made without
members stay open to all staff."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from function_app.devtenant import DevTenant
from function_app.devtenant.tenant import SiteInfo

from .access_helpers import assert_access_denied, fresh_tenant, upload
from .helpers import Graph, assert_documented_shape, example, unique

pytestmark = pytest.mark.integration

OFFICER = "Oak Attendance Officer"
VISITOR = "Oak Governor"
OUTSIDER = "Elm Attendance Officer"


@pytest.fixture(scope="module")
def tenant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTenant]:
    yield from fresh_tenant(tmp_path_factory.mktemp("sites"))


@pytest.fixture(scope="module")
def oak(tenant: DevTenant) -> SiteInfo:
    return tenant.add_site("/sites/oak-primary", members=[OFFICER], visitors=[VISITOR],
                           display_name="Oak Primary")


@pytest.fixture(scope="module")
def elm(tenant: DevTenant) -> SiteInfo:
    return tenant.add_site("/sites/elm-academy", members=[OUTSIDER])


def client(tenant: DevTenant, name: str | None = None) -> Graph:
    return Graph(tenant, tenant.user_token(name) if name else None)


def test_many_sites_are_served_by_path_and_id_each_with_its_own_drive(
    tenant: DevTenant, oak: SiteInfo, elm: SiteInfo
) -> None:
    app = client(tenant)
    documented = example("site-getbypath")["response"]
    more = [tenant.add_site(f"/sites/school-{n}") for n in range(3)]
    sites = [oak, elm, *more]
    assert len({s.id for s in sites}) == len({s.drive_id for s in sites}) == len(sites)
    for site in sites:
        for url in (f"/sites/{site.hostname}:{site.path}", f"/sites/{site.id}"):
            got = app.get(url)
            assert got.status == documented["status"], got.body
            assert_documented_shape(documented["body"], got.json())
            assert got.json()["id"] == site.id
            assert got.json()["webUrl"] == site.web_url
        assert app.get(f"/sites/{site.id}/drive").json()["id"] == site.drive_id
    assert oak.files_root != elm.files_root
    assert app.get(f"/sites/{oak.id}").json()["displayName"] == "Oak Primary"
    # Adding a site again returns the same site.
    assert tenant.add_site("/sites/oak-primary").id == oak.id
    assert tenant.site(oak.id) == tenant.site("/sites/oak-primary") == oak
    app.close()


def test_sites_keep_their_lists_and_files_apart(
    tenant: DevTenant, oak: SiteInfo, elm: SiteInfo
) -> None:
    app = client(tenant)
    title = unique("Cases")
    body = {"displayName": title, "list": {"template": "genericList"}}
    assert app.post(f"/sites/{oak.id}/lists", body).status == 201
    assert app.get(f"/sites/{oak.id}/lists/{title}").status == 200
    assert app.get(f"/sites/{elm.id}/lists/{title}").status == 404
    assert app.post(f"/sites/{elm.id}/lists", body).status == 201  # same title, other site
    upload(app, oak.drive_id, "oak-only.txt")
    assert app.get(f"/drives/{oak.drive_id}/root:/oak-only.txt").status == 200
    assert app.get(f"/drives/{elm.drive_id}/root:/oak-only.txt").status == 404
    assert (oak.files_root / "oak-only.txt").exists()
    assert not (elm.files_root / "oak-only.txt").exists()
    app.close()


def test_members_read_and_write_their_site(tenant: DevTenant, oak: SiteInfo) -> None:
    staff = client(tenant, OFFICER)
    assert staff.get(f"/sites/{oak.id}").status == 200
    lst = staff.post(f"/sites/{oak.id}/lists",
                     {"displayName": unique("Letters"), "list": {"template": "genericList"}})
    assert lst.status == 201
    items = f"/sites/{oak.id}/lists/{lst.json()['id']}/items"
    assert staff.post(items, {"fields": {"Title": "C-1"}}).status == 201
    assert staff.get(f"{items}/delta").status == 200
    created = upload(staff, oak.drive_id, "member.txt")
    assert staff.get(f"/drives/{oak.drive_id}/items/{created['id']}/content").status == 302
    # Display names are matched as SharePoint matches accounts: case does not matter.
    other_case = client(tenant, OFFICER.upper())
    assert other_case.get(f"/sites/{oak.id}/lists").status == 200
    staff.close()
    other_case.close()


def test_everything_in_a_site_is_refused_to_staff_who_are_not_members(
    tenant: DevTenant, oak: SiteInfo
) -> None:
    app, outsider = client(tenant), client(tenant, OUTSIDER)
    lst = app.post(f"/sites/{oak.id}/lists",
                   {"displayName": unique("Pupils"), "list": {"template": "genericList"}}).json()
    items = f"/sites/{oak.id}/lists/{lst['id']}/items"
    item = app.post(items, {"fields": {"Title": "P-1"}}).json()
    file = upload(app, oak.drive_id, "secret.txt")
    by_path = f"/sites/{oak.hostname}:{oak.path}"
    reads = [
        f"/sites/{oak.id}", by_path, f"{by_path}:/lists", f"/sites/{oak.id}/lists",
        f"/sites/{oak.id}/lists/{lst['id']}", f"/sites/{oak.id}/lists/{lst['id']}/columns",
        items, f"{items}/{item['id']}", f"{items}/{item['id']}/fields", f"{items}/delta",
        f"/sites/{oak.id}/drive", f"/sites/{oak.id}/drives", f"/drives/{oak.drive_id}",
        f"/drives/{oak.drive_id}/root/children", f"/sites/{oak.id}/drive/root/children",
        f"/drives/{oak.drive_id}/items/{file['id']}",
        f"/drives/{oak.drive_id}/items/{file['id']}/content",
        f"/drives/{oak.drive_id}/root:/secret.txt",
        f"/drives/{oak.drive_id}/root:/secret.txt:/content",
    ]
    for url in reads:
        assert_access_denied(outsider.get(url))
    assert_access_denied(outsider.post(items, {"fields": {"Title": "P-2"}}))
    assert_access_denied(outsider.patch(f"{items}/{item['id']}/fields", {"Title": "x"}))
    assert_access_denied(outsider.delete(f"{items}/{item['id']}"))
    assert_access_denied(outsider.put(f"/drives/{oak.drive_id}/root:/new.txt:/content", b"x"))
    assert_access_denied(outsider.post(f"/drives/{oak.drive_id}/root:/big.bin:/createUploadSession",
                                       {}))
    assert_access_denied(outsider.delete(f"/drives/{oak.drive_id}/items/{file['id']}"))
    # Nothing was written.
    assert app.get(f"{items}/{item['id']}/fields").json()["Title"] == "P-1"
    assert app.get(f"/drives/{oak.drive_id}/root:/new.txt").status == 404
    app.close()
    outsider.close()


def test_batch_sub_requests_are_refused_one_by_one(
    tenant: DevTenant, oak: SiteInfo, elm: SiteInfo
) -> None:
    outsider = client(tenant, OUTSIDER)
    got = outsider.post("/$batch", {"requests": [
        {"id": "1", "method": "GET", "url": f"/sites/{oak.id}/lists"},
        {"id": "2", "method": "GET", "url": f"/sites/{elm.id}/lists"},
        {"id": "3", "method": "PUT", "url": f"/drives/{oak.drive_id}/root:/b.txt:/content",
         "headers": {"Content-Type": "text/plain"}, "body": "eA=="},
    ]})
    assert got.status == 200
    answers = {a["id"]: a for a in got.json()["responses"]}
    assert answers["1"]["status"] == 403
    assert answers["1"]["body"]["error"]["code"] == "accessDenied"
    assert answers["2"]["status"] == 200
    assert answers["3"]["status"] == 403
    outsider.close()


def test_visitors_read_but_do_not_write(tenant: DevTenant, oak: SiteInfo) -> None:
    visitor = client(tenant, VISITOR)
    assert visitor.get(f"/sites/{oak.id}/lists").status == 200
    assert visitor.get(f"/drives/{oak.drive_id}/root/children").status == 200
    assert_access_denied(visitor.post(f"/sites/{oak.id}/lists",
                                      {"displayName": unique("No"),
                                       "list": {"template": "genericList"}}))
    assert_access_denied(visitor.put(f"/drives/{oak.drive_id}/root:/v.txt:/content", b"x"))
    visitor.close()


def test_subscriptions_and_sharepoint_rest_are_checked_too(
    tenant: DevTenant, oak: SiteInfo
) -> None:
    app, outsider = client(tenant), client(tenant, OUTSIDER)
    title = unique("Watched")
    lst = app.post(f"/sites/{oak.id}/lists",
                   {"displayName": title, "list": {"template": "genericList"}}).json()
    got = outsider.post("/subscriptions", {
        "changeType": "updated", "notificationUrl": "http://127.0.0.1:9/none",
        "resource": f"sites/{oak.id}/lists/{lst['id']}",
        "expirationDateTime": "2099-01-01T00:00:00Z"})
    assert_access_denied(got)
    url = (f"http://127.0.0.1:{tenant.port}{oak.path}/_api/web/lists/"
           f"GetByTitle('{quote(title)}')")
    refused = outsider.get(url)
    assert refused.status == 403
    assert "UnauthorizedAccessException" in refused.body.decode()
    assert client(tenant, OFFICER).get(url).status == 200
    app.close()
    outsider.close()


def test_sites_without_members_stay_open_and_membership_can_change(
    tenant: DevTenant,
) -> None:
    anyone = client(tenant, "Anybody At All")
    assert anyone.get(f"/sites/{tenant.site_id}/lists").status == 200  # the first site
    open_site = tenant.add_site(f"/sites/{unique('open').replace(' ', '-')}")
    assert anyone.put(f"/drives/{open_site.drive_id}/root:/a.txt:/content", b"a").status == 201
    tenant.set_site_members(open_site.id, ["Someone Else"])
    assert_access_denied(anyone.get(f"/sites/{open_site.id}"))
    tenant.set_site_members(open_site.path, None)
    assert anyone.get(f"/sites/{open_site.id}").status == 200
    anyone.close()


def test_the_app_reaches_every_site_by_default(tenant: DevTenant, oak: SiteInfo,
                                               elm: SiteInfo) -> None:
    app = client(tenant)
    for site in (oak, elm):
        assert app.get(f"/sites/{site.id}/lists").status == 200
        assert app.put(f"/drives/{site.drive_id}/root:/app.txt:/content", b"a").status in (200,
                                                                                        201)
    app.close()


def test_an_unknown_site_is_still_404(tenant: DevTenant) -> None:
    outsider = client(tenant, OUTSIDER)
    assert outsider.get(f"/sites/{tenant.hostname}:/sites/nowhere").status == 404
    outsider.close()


def test_sites_persist_across_restarts(tmp_path: Path) -> None:
    with DevTenant(tmp_path) as first:
        made = first.add_site("/teams/beech", members=["Beech Officer"])
    with DevTenant(tmp_path) as again:
        assert again.site("/teams/beech") == made
        refused = Graph(again, again.user_token("Not Beech"))
        assert_access_denied(refused.get(f"/sites/{made.id}"))
        refused.close()
    assert made.files_root.parts[-3:] == ("teams", "beech", "Documents")

"""Sites.Selected: with the tenant's sites_selected switch on, the app token reaches only
the sites granted to it through POST /sites/{site-id}/permissions (as documented), with
the roles granted; GET lists and reads the grants."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from function_app.devtenant import DevTenant
from function_app.devtenant.tenant import SiteInfo

from .access_helpers import assert_access_denied, assert_permission_shape, fresh_tenant
from .helpers import Graph, example, unique

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def tenant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTenant]:
    yield from fresh_tenant(tmp_path_factory.mktemp("selected"), sites_selected=True)


@pytest.fixture
def app(tenant: DevTenant) -> Iterator[Graph]:
    client = Graph(tenant)
    yield client
    client.close()


@pytest.fixture
def admin(tenant: DevTenant) -> Iterator[Graph]:
    client = Graph(tenant, tenant.admin_token)
    yield client
    client.close()


def new_site(tenant: DevTenant) -> SiteInfo:
    return tenant.add_site(f"/sites/{unique('school').replace(' ', '-')}")


def grant_body(tenant: DevTenant, roles: list[str]) -> dict[str, object]:
    """The documented request body, naming this tenant's app."""
    body = dict(example("site-post-permissions")["request"]["body"])
    body["roles"] = roles
    body["grantedToIdentities"] = [{"application": {"id": tenant.app_id,
                                                    "displayName": "Attendance Casework"}}]
    return body


def new_list(tenant: DevTenant) -> dict[str, object]:
    return {"displayName": unique("List"), "list": {"template": "genericList"}}


def test_the_app_is_refused_every_site_it_was_not_granted(tenant: DevTenant, app: Graph) -> None:
    site = new_site(tenant)
    assert_access_denied(app.get(f"/sites/{site.id}"))
    assert_access_denied(app.get(f"/sites/{site.hostname}:{site.path}"))
    assert_access_denied(app.get(f"/sites/{site.id}/lists"))
    assert_access_denied(app.get(f"/drives/{site.drive_id}/root/children"))
    assert_access_denied(app.put(f"/drives/{site.drive_id}/root:/x.txt:/content", b"x"))
    assert_access_denied(app.get(f"/sites/{tenant.site_id}"))  # even the first site


def test_a_documented_grant_lets_the_app_into_that_site_only(
    tenant: DevTenant, app: Graph, admin: Graph
) -> None:
    site, other = new_site(tenant), new_site(tenant)
    doc = example("site-post-permissions")
    got = admin.post(f"/sites/{site.id}/permissions", grant_body(tenant, ["write"]))
    assert got.status == doc["response"]["status"] == 201
    assert_permission_shape(doc["response"]["body"], got.json())
    assert got.json()["roles"] == ["write"]
    assert got.json()["grantedToIdentitiesV2"][0]["application"]["id"] == tenant.app_id
    assert app.get(f"/sites/{site.id}").status == 200
    assert app.post(f"/sites/{site.id}/lists", new_list(tenant)).status == 201
    assert app.put(f"/drives/{site.drive_id}/root:/x.txt:/content", b"x").status == 201
    assert_access_denied(app.get(f"/sites/{other.id}"))
    # A batch reaches the granted site and is refused the other, request by request.
    batch = app.post("/$batch", {"requests": [
        {"id": "1", "method": "GET", "url": f"/sites/{site.id}/lists"},
        {"id": "2", "method": "GET", "url": f"/sites/{other.id}/lists"}]}).json()
    assert {a["id"]: a["status"] for a in batch["responses"]} == {"1": 200, "2": 403}


def test_a_read_grant_reads_but_does_not_write(
    tenant: DevTenant, app: Graph, admin: Graph
) -> None:
    site = new_site(tenant)
    assert admin.post(f"/sites/{site.id}/permissions",
                      grant_body(tenant, ["read"])).status == 201
    assert app.get(f"/sites/{site.id}/lists").status == 200
    assert app.get(f"/drives/{site.drive_id}/root/children").status == 200
    assert_access_denied(app.post(f"/sites/{site.id}/lists", new_list(tenant)))
    assert_access_denied(app.put(f"/drives/{site.drive_id}/root:/x.txt:/content", b"x"))
    # Granting again replaces the roles and keeps the permission.
    again = admin.post(f"/sites/{site.id}/permissions", grant_body(tenant, ["write"])).json()
    assert len(admin.get(f"/sites/{site.id}/permissions").json()["value"]) == 1
    assert again["roles"] == ["write"]
    assert app.post(f"/sites/{site.id}/lists", new_list(tenant)).status == 201


def test_grants_are_listed_read_and_deleted_as_documented(
    tenant: DevTenant, app: Graph, admin: Graph
) -> None:
    site = new_site(tenant)
    created = admin.post(f"/sites/{site.id}/permissions", grant_body(tenant, ["write"])).json()
    other_app = {"roles": ["read"], "grantedToIdentities": [
        {"application": {"id": "22f09bb7-dd29-403e-bec2-ab5cde52c2b3",
                         "displayName": "Fabrikam Dashboard App"}}]}
    assert admin.post(f"/sites/{site.id}/permissions", other_app).status == 201
    listed = admin.get(f"/sites/{site.id}/permissions")
    documented = example("site-list-permissions")["response"]
    assert listed.status == documented["status"]
    assert_permission_shape(documented["body"], listed.json())
    assert [p["roles"] for p in listed.json()["value"]] == [["write"], ["read"]]
    one = admin.get(f"/sites/{site.id}/permissions/{created['id']}")
    documented = example("site-get-permission")["response"]
    assert one.status == documented["status"]
    assert_permission_shape(documented["body"], one.json())
    assert one.json()["id"] == created["id"]
    assert admin.get(f"/sites/{site.id}/permissions/nope").status == 404
    # The app with "write" may not read or make grants (Sites.FullControl.All's work).
    assert_access_denied(app.get(f"/sites/{site.id}/permissions"))
    assert_access_denied(app.post(f"/sites/{site.id}/permissions", grant_body(tenant, ["read"])))
    assert admin.delete(f"/sites/{site.id}/permissions/{created['id']}").status == 204
    assert_access_denied(app.get(f"/sites/{site.id}"))


def test_members_of_staff_cannot_grant_sites(tenant: DevTenant) -> None:
    site = new_site(tenant)
    staff = Graph(tenant, tenant.user_token("Head Teacher"))
    assert_access_denied(staff.post(f"/sites/{site.id}/permissions",
                                    grant_body(tenant, ["write"])))
    assert_access_denied(staff.get(f"/sites/{site.id}/permissions"))
    staff.close()


def test_bad_grants_are_refused(tenant: DevTenant, admin: Graph) -> None:
    site = new_site(tenant)
    for body in (
        grant_body(tenant, ["admin"]),
        grant_body(tenant, []),
        {"roles": ["write"], "grantedToIdentities": [{"user": {"id": "x"}}]},
        {"roles": ["write"]},
    ):
        got = admin.post(f"/sites/{site.id}/permissions", body)
        assert got.status == 400, body
        assert got.error_code == "invalidRequest"


def test_the_python_api_grants_as_the_endpoint_does(tenant: DevTenant, app: Graph) -> None:
    site = new_site(tenant)
    permission = tenant.grant_site(site.id, ["fullcontrol"])
    assert tenant.site_grants(site.path) == [permission]
    assert app.get(f"/sites/{site.id}/lists").status == 200
    assert app.get(f"/sites/{site.id}/permissions").status == 200  # fullcontrol reads grants
    tenant.revoke_site_grants(site.id)
    assert_access_denied(app.get(f"/sites/{site.id}/lists"))


def test_the_switch_turns_off_again(tenant: DevTenant, app: Graph) -> None:
    site = new_site(tenant)
    tenant.set_sites_selected(False)
    try:
        assert app.get(f"/sites/{site.id}").status == 200
    finally:
        tenant.set_sites_selected(True)
    assert_access_denied(app.get(f"/sites/{site.id}"))

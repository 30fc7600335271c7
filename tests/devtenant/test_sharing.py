"""Sharing a file with named people: POST .../items/{item-id}/invite as documented, the
permissions it makes (listed, read and deleted per item), what the invitation lets an
invited member of staff do, and the refusals of people outside the tenant."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from function_app.devtenant import DevTenant
from function_app.devtenant.tenant import SiteInfo

from .access_helpers import assert_access_denied, assert_permission_shape, fresh_tenant, upload
from .helpers import Graph, example, unique

pytestmark = pytest.mark.integration

OFFICER = "Oak Attendance Officer"
SOCIAL_WORKER = "Local Authority Officer"  # in the tenant, not a member of the school's site


@pytest.fixture(scope="module")
def tenant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTenant]:
    yield from fresh_tenant(tmp_path_factory.mktemp("sharing"))


@pytest.fixture(scope="module")
def oak(tenant: DevTenant) -> SiteInfo:
    return tenant.add_site("/sites/oak-primary", members=[OFFICER])


@pytest.fixture
def staff(tenant: DevTenant) -> Iterator[Graph]:
    client = Graph(tenant, tenant.user_token(OFFICER))
    yield client
    client.close()


def invitation(emails: list[str], **changes: Any) -> dict[str, Any]:
    """The documented request body, for SharePoint: no password (OneDrive Personal only)."""
    body = dict(example("driveitem-invite")["request"]["body"])
    body.pop("password")
    later = datetime.now(UTC) + timedelta(days=14)
    body.update({"recipients": [{"email": e} for e in emails], "roles": ["read"],
                 "expirationDateTime": later.strftime("%Y-%m-%dT%H:%M:%S.000Z")})
    body.update(changes)
    return body


def new_file(graph: Graph, oak: SiteInfo) -> dict[str, Any]:
    return upload(graph, oak.drive_id, f"{unique('letter').replace(' ', '-')}.docx", b"doc")


def test_invite_answers_the_documented_permission_collection(
    tenant: DevTenant, oak: SiteInfo, staff: Graph
) -> None:
    doc = example("driveitem-invite")
    file = new_file(staff, oak)
    email = tenant.user_email(SOCIAL_WORKER)
    body = invitation([email])
    got = staff.post(f"/drives/{oak.drive_id}/items/{file['id']}/invite", body)
    assert got.status == doc["response"]["status"] == 200, got.body
    assert_permission_shape(doc["response"]["body"], got.json(), skip=("hasPassword",))
    [permission] = got.json()["value"]
    people_link = example("permission-specific-people-link")["response"]["body"]
    assert_permission_shape(people_link, permission, skip=("application",))
    assert permission["roles"] == ["read"]
    assert permission["invitation"] == {**permission["invitation"], "email": email,
                                        "signInRequired": True}
    assert permission["expirationDateTime"] == body["expirationDateTime"].replace(".000", "")
    assert permission["grantedToV2"]["user"]["displayName"] == SOCIAL_WORKER
    assert permission["grantedToIdentitiesV2"][0]["user"]["email"] == email
    assert permission["link"]["webUrl"].startswith(f"https://{oak.hostname}/:w:/")
    assert "hasPassword" not in permission
    sent = tenant.invitations_sent[-1]
    assert sent["email"] == email and sent["message"] == body["message"]
    assert sent["itemId"] == file["id"] and sent["webUrl"] == permission["link"]["webUrl"]


def test_an_items_permissions_are_listed_read_and_deleted(
    tenant: DevTenant, oak: SiteInfo, staff: Graph
) -> None:
    file = new_file(staff, oak)
    base = f"/drives/{oak.drive_id}/items/{file['id']}"
    first = staff.post(f"{base}/invite", invitation([tenant.user_email("Reader One")])).json()
    staff.post(f"{base}/invite", invitation([tenant.user_email("Reader Two")],
                                            sendInvitation=False))
    listed = staff.get(f"{base}/permissions")
    documented = example("driveitem-list-permissions")["response"]
    assert listed.status == documented["status"]
    value = listed.json()["value"]
    invited = [p for p in value if "invitation" in p]
    assert [p["invitation"]["email"] for p in invited] == [
        tenant.user_email("Reader One"), tenant.user_email("Reader Two")]
    for permission in invited:
        assert_permission_shape(documented["body"]["value"][0], permission)  # id, roles, link
    # The site's groups come too, as SharePoint lists what an item inherits.
    groups = [p["grantedToV2"]["siteGroup"]["displayName"] for p in value if "invitation" not in p]
    assert groups == ["Oak Primary Owners", "Oak Primary Members", "Oak Primary Visitors"]
    # Inviting the same person again updates their permission rather than adding one.
    again = staff.post(f"{base}/invite", invitation([tenant.user_email("Reader One")],
                                                    roles=["write"])).json()
    assert again["value"][0]["id"] == first["value"][0]["id"]
    assert again["value"][0]["roles"] == ["write"]
    permission_id = first["value"][0]["id"]
    one = staff.get(f"{base}/permissions/{permission_id}")
    assert one.status == 200 and one.json()["roles"] == ["write"]
    assert staff.delete(f"{base}/permissions/{permission_id}").status == 204
    assert staff.get(f"{base}/permissions/{permission_id}").status == 404
    emails = [p["invitation"]["email"] for p in staff.get(f"{base}/permissions").json()["value"]
              if "invitation" in p]
    assert emails == [tenant.user_email("Reader Two")]
    # Also by path, and on the site's drive alias.
    by_path = staff.get(f"/sites/{oak.id}/drive/root:/{file['name']}:/permissions")
    assert by_path.status == 200 and len(by_path.json()["value"]) == 4


def test_an_invited_member_of_staff_reads_that_file_and_nothing_else(
    tenant: DevTenant, oak: SiteInfo, staff: Graph
) -> None:
    shared, other = new_file(staff, oak), new_file(staff, oak)
    invited = Graph(tenant, tenant.user_token(SOCIAL_WORKER))
    base = f"/drives/{oak.drive_id}/items"
    assert_access_denied(invited.get(f"{base}/{shared['id']}"))
    staff.post(f"{base}/{shared['id']}/invite", invitation([tenant.user_email(SOCIAL_WORKER)]))
    assert invited.get(f"{base}/{shared['id']}").status == 200
    assert invited.get(f"{base}/{shared['id']}/content").status == 302
    assert_access_denied(invited.put(f"{base}/{shared['id']}/content", b"changed"))
    assert_access_denied(invited.get(f"{base}/{other['id']}"))
    assert_access_denied(invited.get(f"/sites/{oak.id}/lists"))
    invited.close()


def test_people_outside_the_tenant(tenant: DevTenant, oak: SiteInfo, staff: Graph) -> None:
    file = new_file(staff, oak)
    url = f"/drives/{oak.drive_id}/items/{file['id']}/invite"
    outside = "parent@example.org"
    tenant.set_external_sharing(False)
    try:
        assert_access_denied(staff.post(url, invitation([outside])))
    finally:
        tenant.set_external_sharing(True)
    got = staff.post(url, invitation([outside]))
    assert got.status == 200
    [permission] = got.json()["value"]
    assert "grantedToV2" not in permission  # known only once they redeem it
    assert permission["invitation"]["email"] == outside
    # "New guests can't be invited using app-only access": the app may invite known guests.
    app = Graph(tenant)
    assert_access_denied(app.post(url, invitation(["new.guest@example.net"])))
    tenant.add_guest("Known.Guest@example.net")
    by_app = app.post(url, invitation(["known.guest@example.net"]))
    assert by_app.status == 200
    assert by_app.json()["value"][0]["grantedToV2"]["user"]["email"] == "known.guest@example.net"
    assert "application" in by_app.json()["value"][0]["invitation"]["invitedBy"]
    app.close()


def test_nothing_is_shared_when_one_recipient_is_refused(
    tenant: DevTenant, oak: SiteInfo, staff: Graph
) -> None:
    file = new_file(staff, oak)
    base = f"/drives/{oak.drive_id}/items/{file['id']}"
    tenant.set_external_sharing(False)
    try:
        got = staff.post(f"{base}/invite", invitation([tenant.user_email("Fine Person"),
                                                       "outside@example.org"]))
    finally:
        tenant.set_external_sharing(True)
    assert_access_denied(got)
    assert not [p for p in staff.get(f"{base}/permissions").json()["value"]
                if "invitation" in p]


@pytest.mark.parametrize("change", [
    {"roles": ["owner"]},
    {"roles": []},
    {"recipients": []},
    {"recipients": [{"objectId": "0000"}]},
    {"message": "x" * 2001},
    {"password": "password123"},
    {"expirationDateTime": "2001-01-01T00:00:00Z"},
    {"requireSignIn": "yes"},
])
def test_bad_invitations_are_refused(
    tenant: DevTenant, oak: SiteInfo, staff: Graph, change: dict[str, Any]
) -> None:
    file = new_file(staff, oak)
    got = staff.post(f"/drives/{oak.drive_id}/items/{file['id']}/invite",
                     invitation([tenant.user_email("Someone")], **change))
    assert got.status == 400, got.body


def test_staff_outside_the_site_cannot_share_its_files(
    tenant: DevTenant, oak: SiteInfo, staff: Graph
) -> None:
    file = new_file(staff, oak)
    outsider = Graph(tenant, tenant.user_token("Elm Officer"))
    assert_access_denied(outsider.post(f"/drives/{oak.drive_id}/items/{file['id']}/invite",
                                       invitation([tenant.user_email("Elm Officer")])))
    assert_access_denied(outsider.get(f"/drives/{oak.drive_id}/items/{file['id']}/permissions"))
    outsider.close()

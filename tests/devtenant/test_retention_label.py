"""Retention labels on drive items: PATCH .../retentionLabel {"name"} as documented (201
the first time, 200 after), GET it back, DELETE it (204); only labels the tenant has."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from function_app.devtenant import DevTenant
from function_app.devtenant.tenant import SiteInfo

from .access_helpers import assert_access_denied, fresh_tenant, upload
from .helpers import Graph, assert_documented_shape, example, unique

pytestmark = pytest.mark.integration

LABELS = ["Pupil attendance record", "Retention label for Contracts"]


@pytest.fixture(scope="module")
def tenant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTenant]:
    yield from fresh_tenant(tmp_path_factory.mktemp("labels"), retention_labels=LABELS)


@pytest.fixture(scope="module")
def oak(tenant: DevTenant) -> SiteInfo:
    return tenant.add_site("/sites/oak-primary", members=["Oak Officer"])


@pytest.fixture
def app(tenant: DevTenant) -> Iterator[Graph]:
    client = Graph(tenant)
    yield client
    client.close()


def label_url(oak: SiteInfo, item_id: str) -> str:
    return f"/drives/{oak.drive_id}/items/{item_id}/retentionLabel"


def new_file(graph: Graph, oak: SiteInfo) -> dict[str, object]:
    return upload(graph, oak.drive_id, f"{unique('record').replace(' ', '-')}.pdf", b"%PDF")


def test_setting_a_label_answers_the_documented_item_retention_label(
    tenant: DevTenant, oak: SiteInfo, app: Graph
) -> None:
    doc = example("driveitem-setretentionlabel")
    file = new_file(app, oak)
    member = Graph(tenant, tenant.user_token("Oak Officer"))  # the example's labelAppliedBy
    first = member.patch(label_url(oak, str(file["id"])), doc["request"]["body"])
    assert first.status == 201, first.body  # "the first time"
    assert_documented_shape(doc["response"]["body"], first.json())
    assert first.json()["name"] == "Retention label for Contracts"
    assert first.json()["labelAppliedBy"]["user"]["displayName"] == "Oak Officer"
    assert first.json()["isLabelAppliedExplicitly"] is True
    again = member.patch(label_url(oak, str(file["id"])), doc["request"]["body"])
    assert again.status == doc["response"]["status"] == 200  # "subsequent updates"
    assert_documented_shape(doc["response"]["body"], again.json())
    member.close()
    # The app's label is attributed to the application, as its other writes are.
    other = app.patch(label_url(oak, str(file["id"])), {"name": LABELS[0]})
    assert other.status == 200 and other.json()["name"] == LABELS[0]
    assert other.json()["labelAppliedBy"] == {
        "application": {"id": tenant.app_id, "displayName": "Attendance Casework"}}
    got = app.get(label_url(oak, str(file["id"])))
    assert got.status == 200
    assert got.json() == other.json()


def test_a_label_is_kept_per_item_and_removed_as_documented(
    oak: SiteInfo, app: Graph
) -> None:
    labelled, plain = new_file(app, oak), new_file(app, oak)
    assert app.patch(label_url(oak, str(labelled["id"])), {"name": LABELS[0]}).status == 201
    assert app.get(label_url(oak, str(plain["id"]))).status == 404
    by_path = app.get(f"/drives/{oak.drive_id}/root:/{labelled['name']}:/retentionLabel")
    assert by_path.status == 200 and by_path.json()["name"] == LABELS[0]
    removed = app.delete(label_url(oak, str(labelled["id"])))
    assert removed.status == example("driveitem-removeretentionlabel")["response"]["status"]
    assert app.get(label_url(oak, str(labelled["id"]))).status == 404
    assert app.patch(label_url(oak, str(labelled["id"])), {"name": LABELS[0]}).status == 201


def test_unknown_labels_and_other_properties_are_refused(oak: SiteInfo, app: Graph) -> None:
    file = new_file(app, oak)
    for body in ({"name": "No such label"}, {"name": ""}, {},
                 {"name": LABELS[0], "retentionSettings": {"isDeleteAllowed": True}}):
        got = app.patch(label_url(oak, str(file["id"])), body)
        assert got.status == 400, body
        assert got.error_code == "invalidRequest"
    assert app.get(label_url(oak, str(file["id"]))).status == 404


def test_labels_can_be_configured_with_their_settings(
    tenant: DevTenant, oak: SiteInfo, app: Graph
) -> None:
    file = new_file(app, oak)
    tenant.set_retention_labels({"Record": {"isRecordLocked": True, "isDeleteAllowed": False}})
    try:
        got = app.patch(label_url(oak, str(file["id"])), {"name": "Record"})
        assert got.status == 201
        assert got.json()["retentionSettings"]["isRecordLocked"] is True
        assert app.patch(label_url(oak, str(file["id"])), {"name": LABELS[0]}).status == 400
    finally:
        tenant.set_retention_labels(LABELS)


def test_staff_outside_the_site_cannot_label_its_files(
    tenant: DevTenant, oak: SiteInfo, app: Graph
) -> None:
    file = new_file(app, oak)
    outsider = Graph(tenant, tenant.user_token("Elm Officer"))
    assert_access_denied(outsider.patch(label_url(oak, str(file["id"])), {"name": LABELS[0]}))
    assert_access_denied(outsider.get(label_url(oak, str(file["id"]))))
    outsider.close()

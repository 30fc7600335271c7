"""What "exactly once" rests on, served as SharePoint serves it: a column that enforces unique
values refuses a second item with the value, a create whose answer is lost is recognised by
its case reference when sent again, and the app's writes can be attributed as SharePoint
attributes them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from function_app.adapters.graph.errors import DuplicateValueError
from function_app.adapters.graph.records import ListItem, parse_list_item
from function_app.bootstrap import DEV_APP_ID
from function_app.devtenant import DevTenant
from function_app.devtenant.lists import UNIQUE_REFUSED
from function_app.services.attendance_import.import_cases import open_case_once
from tests.adapters.graph_support import failure_of, tenant_client

from .helpers import Graph

pytestmark = pytest.mark.integration

UNIQUE_REF = {"name": "CaseRef", "text": {}, "enforceUniqueValues": True, "indexed": True}
CREATE = "POST /sites/{site-id}/lists/{list-id}/items"
PUPIL = {"Title": "ATT-2026-0042", "SchoolName": "Severn Vale Academy",
         "PupilForename": "Jordan", "PupilSurname": "Ellis", "Upn": "K801200000044"}


def _cases_list(graph: Graph, title: str | None = None) -> dict[str, Any]:
    """A list like Cases: its Title (the case reference) enforcing unique values, as
    provisioning makes it (Title PATCHed: indexed, enforceUniqueValues)."""
    lst = graph.new_list([{"name": n, "text": {}} for n in
                          ("SchoolName", "PupilForename", "PupilSurname", "Upn")], title)
    column = f"/sites/{graph.tenant.site_id}/lists/{lst['id']}/columns/Title"
    named = graph.patch(column, {"indexed": True, "enforceUniqueValues": True})
    assert named.status == 200, named.body
    return lst


def test_a_value_a_unique_column_holds_is_refused_as_graph_refuses_it(graph: Graph) -> None:
    """A create or update that would repeat another item's value (in any case) in a column
    that enforces unique values gets 400 invalidRequest "One or more fields with unique
    constraints already has the provided value." and writes nothing."""
    lst = graph.new_list([UNIQUE_REF, {"name": "Note", "text": {}}])
    url = graph.items_url(lst["id"])
    first = graph.post(url, {"fields": {"CaseRef": "ATT-1", "Note": "a"}})
    other = graph.post(url, {"fields": {"CaseRef": "ATT-2"}})
    assert first.status == other.status == 201
    again = graph.post(url, {"fields": {"CaseRef": "att-1", "Note": "b"}})
    assert again.status == 400
    assert again.json()["error"]["code"] == "invalidRequest"
    assert again.json()["error"]["message"] == UNIQUE_REFUSED
    assert set(again.json()["error"]["innerError"]) >= {"date", "request-id"}
    moved = graph.patch(f"{url}/{other.json()['id']}/fields", {"CaseRef": "ATT-1"})
    assert moved.status == 400 and moved.error_code == "invalidRequest"
    kept = graph.get(f"{url}/{other.json()['id']}/fields").json()
    assert kept["CaseRef"] == "ATT-2" and kept["_UIVersionString"] == "1.0"
    own = graph.patch(f"{url}/{first.json()['id']}/fields", {"CaseRef": "ATT-1", "Note": "c"})
    assert own.status == 200  # an item keeps its own value
    blanks = [graph.post(url, {"fields": {"Note": f"no ref {n}"}}).status for n in range(2)]
    assert blanks == [201, 201]  # blanks are not compared
    values = graph.get(f"{url}?expand=fields").json()["value"]
    assert sorted(str(v["fields"].get("CaseRef")) for v in values) == [
        "ATT-1", "ATT-2", "None", "None"]


def test_the_adapter_names_the_refusal_a_duplicate_value(tenant: DevTenant,
                                                         graph: Graph) -> None:
    """Through the production adapter the refusal is DuplicateValueError (a ConflictError)
    with Graph's status and code, for a create and for one item of a $batch update."""
    lst = _cases_list(graph)
    url = graph.items_url(lst["id"])
    graph.post(url, {"fields": dict(PUPIL)})
    second = graph.post(url, {"fields": {"Title": "ATT-2026-0043"}}).json()

    async def scenario() -> tuple[Any, Any]:
        app = tenant_client(tenant)
        created = await failure_of(app.create_item(lst["id"], dict(PUPIL)))
        batch = await app.update_fields_batch(lst["id"],
                                              {second["id"]: {"Title": PUPIL["Title"]}})
        return created, batch[second["id"]]

    created, updated = asyncio.run(scenario())
    for error in (created, updated):
        assert isinstance(error, DuplicateValueError)
        assert (error.status, error.code) == (400, "invalidRequest")
        assert "must be unique" in str(error)


def _items(tenant: DevTenant, list_id: str) -> list[ListItem]:
    async def read() -> list[ListItem]:
        return await tenant_client(tenant).all_items(list_id)

    return asyncio.run(read())


def test_a_lost_create_of_a_unique_valued_item_is_recognised(tenant: DevTenant,
                                                             graph: Graph) -> None:
    """The first create is saved but its answer lost; sent again it is refused as a
    duplicate, and open_case_once looks the item up by its case reference and returns its
    id: one item, two POSTs."""
    lst = _cases_list(graph)

    async def scenario() -> str:
        app = tenant_client(tenant)
        await app.site_id()

        async def create() -> str:
            return (await app.create_item(lst["id"], dict(PUPIL))).id

        async def existing() -> list[ListItem]:
            return await app.all_items(lst["id"])

        tenant.strike_next("lost", method="POST")
        return await open_case_once(create, existing, PUPIL)

    tenant.reset_counts()  # the requests and the faults counted (the tenant is shared)
    item_id = asyncio.run(scenario())
    assert tenant.requests[CREATE] == 2
    items = _items(tenant, lst["id"])
    assert [(i.id, i.fields["Title"]) for i in items] == [(item_id, PUPIL["Title"])]
    assert tenant.faults["lost"] == 1


def test_another_pupil_s_case_holding_the_reference_is_not_taken_for_ours(
        tenant: DevTenant, graph: Graph) -> None:
    """When the item holding the reference is another pupil's, the duplicate is not
    recognised: DuplicateValueError reaches the caller and nothing is written."""
    lst = _cases_list(graph)
    graph.post(graph.items_url(lst["id"]), {"fields": {**PUPIL, "PupilForename": "Kai",
                                                       "Upn": "K801200000099"}})

    async def scenario() -> Any:
        app = tenant_client(tenant)

        async def create() -> str:
            return (await app.create_item(lst["id"], dict(PUPIL))).id

        async def existing() -> list[ListItem]:
            return await app.all_items(lst["id"])

        return await failure_of(open_case_once(create, existing, PUPIL))

    assert isinstance(asyncio.run(scenario()), DuplicateValueError)
    assert [i.fields["PupilForename"] for i in _items(tenant, lst["id"])] == ["Kai"]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Any]:
    """A tenant of its own with every list provisioned (Cases' Title unique and indexed)."""
    from tests.integration.helpers import Site

    with DevTenant(tmp_path / "tenant") as dev:
        yield dev, asyncio.run(Site.ready(dev))


def test_provisioned_cases_refuse_a_second_case_with_the_same_reference(site: Any) -> None:
    """Provisioning from sharepoint_schema/cases.json gives the Cases list's case reference
    unique values, so the dev tenant refuses a second case with it."""
    _dev, ready = site
    title = next(c for c in ready.lists["Cases"].columns if c["name"] == "Title")
    assert title["enforceUniqueValues"] is True and title["indexed"] is True

    async def scenario() -> Any:
        cases = ready.lists["Cases"].id
        fields = {**PUPIL, "Title": "ATT-2026-0500", "Stage": "Monitoring",
                  "PupilDateOfBirth": "2012-04-09T00:00:00Z", "YearGroup": 9}
        await ready.staff.create_item(cases, dict(fields))
        return await failure_of(ready.staff.create_item(cases, dict(fields)))

    assert isinstance(asyncio.run(scenario()), DuplicateValueError)


def test_an_import_whose_create_answer_is_lost_opens_each_case_once(
        site: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """`casework import attendance` whose first case create is saved but answered by a
    dropped connection sends it again, recognises the case by its reference, and reports
    it opened: one Cases item per pupil who needs one."""
    from function_app.cli import main
    from tests.imports import builder

    dev, ready = site
    monkeypatch.setenv("GRAPH_BASE_URL", dev.base_url)
    monkeypatch.setenv("GRAPH_DEV_TOKEN", dev.app_token)
    dev.reset_counts()
    dev.strike_next("lost", method="POST")
    code = main(["import", "attendance", str(builder.detailed_grid_file(tmp_path)), "--site",
                 f"https://{dev.hostname}{dev.site_path}", "--school", builder.SCHOOL,
                 "--phase", "secondary", "--today", builder.TODAY])
    out = capsys.readouterr().out
    assert code == 0, out
    assert dev.faults["lost"] == 1
    cases = _items(dev, ready.lists["Cases"].id)
    refs = [c.fields["Title"] for c in cases]
    upns = [c.fields.get("Upn") for c in cases]
    assert len(refs) == len(set(refs)) and len(upns) == len(set(upns)) == builder.NEED_A_CASE
    assert dev.requests[CREATE] == builder.NEED_A_CASE + 1  # the lost one, sent again
    assert f"opened {builder.NEED_A_CASE}" in out and "ATT-2026-0001" in out


def test_typing_a_case_whose_create_answer_is_lost_makes_one_case(site: Any) -> None:
    """The demo's typist, opening a case whose Cases create is saved but not answered,
    sends it again, recognises the item and links the carers to it: one Cases item."""
    from function_app.demo.scenario import WEEKS, OpenCase
    from function_app.demo.typing import Typist
    from tests.integration.helpers import client

    dev, ready = site
    step = next(s for week in WEEKS for s in week.steps if isinstance(s, OpenCase))
    staff: dict[str, Any] = {}

    def as_staff(school: str, name: str) -> Any:  # the demo's school, typed in this site
        return staff.setdefault(name, client(dev, dev.user_token(name)))

    async def scenario() -> str:
        typist = Typist(as_staff, {step.school: ready.lists})
        dev.reset_counts()
        dev.strike_next("lost", method="POST")
        return await typist.type(step)

    assert asyncio.run(scenario()) == "opened"
    assert dev.faults["lost"] == 1
    cases = _items(dev, ready.lists["Cases"].id)
    assert [c.fields["Title"] for c in cases] == [step.case_ref]
    carers = _items(dev, ready.lists["Carers"].id)
    assert len(carers) == len(step.carers)
    assert {str(c.fields.get("CaseLookupId")) for c in carers} == {cases[0].id}
    assert dev.requests[CREATE] == 2 + len(step.carers) + len(step.siblings)


@pytest.mark.parametrize(("shape", "expected"), [
    ("app", {"application": {"id": DEV_APP_ID, "displayName": "Attendance Casework"}}),
    ("both", {"application": {"id": DEV_APP_ID, "displayName": "Attendance Casework"},
              "user": {"displayName": "SharePoint App"}}),
    ("both-no-id", {"application": {"displayName": "Attendance Casework"},
                    "user": {"displayName": "SharePoint App"}}),
])
def test_app_identity_shapes_the_app_s_writes(tmp_path: Path, shape: str,
                                              expected: dict[str, Any]) -> None:
    """app_identity="both" adds SharePoint's "SharePoint App" user beside the application
    in createdBy and lastModifiedBy (also of files), "both-no-id" leaves out the
    application's id; a member of staff's writes stay theirs alone."""
    with DevTenant(tmp_path, app_identity=shape) as dev:
        app, person = Graph(dev), Graph(dev, dev.user_token("Priya Shah"))
        lst = app.new_list([{"name": "Status", "text": {}}])
        url = app.items_url(lst["id"])
        item = app.post(url, {"fields": {"Title": "Pupil"}}).json()
        read = app.get(f"{url}/{item['id']}?expand=fields").json()
        assert item["createdBy"] == item["lastModifiedBy"] == read["lastModifiedBy"] == expected
        assert read["fields"]["AppEditorLookupId"] == "1"
        assert parse_list_item(read).modified_by == "Attendance Casework"
        person.patch(f"{url}/{item['id']}/fields", {"Status": "Open"})
        edited = app.get(f"{url}/{item['id']}").json()
        assert edited["lastModifiedBy"] == {"user": {"displayName": "Priya Shah",
                                                     "id": edited["lastModifiedBy"]["user"]["id"]}}
        assert edited["createdBy"] == expected
        uploaded = app.put(f"/sites/{dev.site_id}/drive/root:/Shapes/a.txt:/content", b"x")
        assert uploaded.json()["createdBy"] == expected
        app.close()
        person.close()
    with pytest.raises(ValueError, match="app_identity"):
        DevTenant(tmp_path, app_identity="robot")

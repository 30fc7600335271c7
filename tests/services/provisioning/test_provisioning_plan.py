"""Planning the site: create what is missing, report what differs, never change or delete."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from function_app.services.provisioning.list_schema import load_lists
from function_app.services.provisioning.provisioning_plan import (
    AddColumn,
    ProvisioningError,
    ProvisioningPlan,
    creation_order,
    lookup_targets,
    plan_provisioning,
    resolve_lookups,
)

pytestmark = pytest.mark.unit

DESIRED = load_lists()
EMPTY_SITE: dict[str, Any] = {"value": []}


def built_in_columns(template: str) -> list[dict[str, Any]]:
    """What SharePoint puts on a new list, as GET ...?$expand=columns shows it (shortened)."""
    title = {"id": "fa564e0f-0c70-4ab9-b863-0177e6ddd247", "name": "Title",
             "displayName": "Title", "description": "", "required": template == "genericList",
             "hidden": False, "readOnly": False,
             "text": {"allowMultipleLines": False, "maxLength": 255}}
    own = [{"name": "ID", "displayName": "ID", "readOnly": True, "number": {}},
           {"name": "Created", "displayName": "Created", "readOnly": True,
            "dateTime": {"format": "dateTime"}},
           {"name": "Author", "displayName": "Created By", "readOnly": True,
            "personOrGroup": {}},
           {"name": "ContentType", "displayName": "Content Type", "hidden": True},
           {"name": "_UIVersionString", "displayName": "Version", "readOnly": True,
            "text": {}}]
    if template == "documentLibrary":
        own.append({"name": "FileLeafRef", "displayName": "Name", "text": {}})
    return [title, *own]


def carry_out(plan: ProvisioningPlan, site: dict[str, Any]) -> dict[str, Any]:
    """The site after the plan, as a fake Graph would list it."""
    lists = copy.deepcopy(site["value"])
    ids = dict(plan.list_ids)
    for step in plan.create_lists:
        body = resolve_lookups(step.body, ids)
        ids[step.list_name] = f"guid-{len(lists)}"
        columns = built_in_columns(body["list"]["template"]) + \
            [c | {"id": f"col-{i}"} for i, c in enumerate(body["columns"])]
        lists.append({"id": ids[step.list_name], "displayName": body["displayName"],
                      "name": body["displayName"].replace(" ", ""), "list": body["list"],
                      "columns": columns})
    by_name = {lst["displayName"]: lst for lst in lists}
    for naming in plan.name_columns:
        column = next(c for c in by_name[naming.list_name]["columns"]
                      if c["name"] == naming.column_name)
        column.update(naming.changes)
    for added in plan.add_columns:
        by_name[added.list_name]["columns"].append(resolve_lookups(added.column, ids))
    return {"value": lists}


def full_site() -> dict[str, Any]:
    return carry_out(plan_provisioning(DESIRED, EMPTY_SITE), EMPTY_SITE)


def site_list(site: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(lst for lst in site["value"] if lst["displayName"] == name)
    return found


def site_column(site: dict[str, Any], list_name: str, column: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in site_list(site, list_name)["columns"]
                                 if c["name"] == column)
    return found


def test_an_empty_site_gets_every_list_each_after_the_lists_it_looks_up() -> None:
    """On an empty site every list is created, lookups' targets first, with nothing else to add."""
    plan = plan_provisioning(DESIRED, EMPTY_SITE)
    created = [step.list_name for step in plan.create_lists]
    assert sorted(created) == sorted(d["displayName"] for d in DESIRED)
    for i, step in enumerate(plan.create_lists):
        assert lookup_targets(step.body) <= set(created[:i]) | {step.list_name}
    assert plan.add_columns == () and plan.differences == ()


def test_created_lists_leave_out_title_and_name_it_afterwards() -> None:
    """A new list's body has no Title column (SharePoint makes it); a naming step gives it ours."""
    plan = plan_provisioning(DESIRED, EMPTY_SITE)
    cases = next(step for step in plan.create_lists if step.list_name == "Cases")
    assert "Title" not in {c["name"] for c in cases.body["columns"]}
    naming = next(n for n in plan.name_columns if n.list_name == "Cases")
    assert naming.column_name == "Title"
    assert naming.changes["displayName"] == "Case reference"
    assert naming.changes["enforceUniqueValues"] is True
    assert "text" not in naming.changes
    libraries = {d["displayName"] for d in DESIRED if d["list"]["template"] == "documentLibrary"}
    assert not libraries & {n.list_name for n in plan.name_columns}


def test_a_site_that_has_it_all_needs_nothing() -> None:
    """Planning again on the site the plan produced gives nothing to do and nothing to report."""
    plan = plan_provisioning(DESIRED, full_site())
    assert plan.nothing_to_do
    assert plan.differences == ()
    assert set(plan.list_ids) == {d["displayName"] for d in DESIRED}


def test_only_the_missing_column_is_added() -> None:
    """A list that lacks one column gets that column added, and nothing else happens."""
    site = full_site()
    meetings = site_list(site, "Meetings")
    meetings["columns"] = [c for c in meetings["columns"] if c["name"] != "ReviewDate"]
    plan = plan_provisioning(DESIRED, site)
    wanted = next(c for c in next(d for d in DESIRED if d["displayName"] == "Meetings")["columns"]
                  if c["name"] == "ReviewDate")
    assert plan.add_columns == (AddColumn("Meetings", wanted),)
    assert plan.create_lists == () and plan.name_columns == () and plan.differences == ()


def test_a_missing_lookup_column_is_added_with_its_placeholder_to_resolve() -> None:
    """A missing lookup is added with {{list:Cases}}, which resolves to the existing list's id."""
    site = full_site()
    carers = site_list(site, "Carers")
    carers["columns"] = [c for c in carers["columns"] if c["name"] != "Case"]
    plan = plan_provisioning(DESIRED, site)
    (added,) = plan.add_columns
    assert added.column["lookup"]["listId"] == "{{list:Cases}}"
    resolved = resolve_lookups(added.column, plan.list_ids)
    assert resolved["lookup"]["listId"] == site_list(site, "Cases")["id"]


def test_a_column_with_other_choices_is_reported_and_left_alone() -> None:
    """Different choices are a difference to report, naming what is missing and what is extra."""
    site = full_site()
    stage = site_column(site, "Cases", "Stage")
    stage["choice"]["choices"] = [c for c in stage["choice"]["choices"] if c != "Prosecution"] \
        + ["Warning letter"]
    before = copy.deepcopy(site)
    plan = plan_provisioning(DESIRED, site)
    assert plan.nothing_to_do
    (difference,) = plan.differences
    assert (difference.list_name, difference.column_name) == ("Cases", "Stage")
    assert difference.message == ('choices differ: missing "Prosecution"; has "Warning letter", '
                                  "which the schema does not")
    assert site == before


def test_a_column_of_another_type_is_reported() -> None:
    """A column the schema wants as a date but the site holds as text is reported, not changed."""
    site = full_site()
    column = site_column(site, "Meetings", "ReviewDate")
    del column["dateTime"]
    column["text"] = {"allowMultipleLines": False}
    plan = plan_provisioning(DESIRED, site)
    assert plan.nothing_to_do
    assert [str(d) for d in plan.differences] == [
        'Meetings, column "ReviewDate": is a text column here; the schema wants dateTime']


def test_an_extra_column_we_do_not_know_is_reported_but_sharepoints_own_are_not() -> None:
    """A column someone added is reported; SharePoint's own (ID, Created, hidden ones) are not."""
    site = full_site()
    site_list(site, "Cases")["columns"].append(
        {"name": "Notes", "displayName": "Notes", "text": {"allowMultipleLines": True}})
    plan = plan_provisioning(DESIRED, site)
    assert plan.nothing_to_do
    assert [(d.list_name, d.column_name) for d in plan.differences] == [("Cases", "Notes")]


def test_an_existing_list_with_sharepoints_title_gets_ours_and_a_renamed_one_is_kept() -> None:
    """Title still called "Title" is named; a Title someone renamed is left as they named it."""
    site = full_site()
    site_column(site, "Cases", "Title")["displayName"] = "Title"
    site_column(site, "Carers", "Title")["displayName"] = "Parent's name"
    plan = plan_provisioning(DESIRED, site)
    assert [(n.list_name, n.column_name) for n in plan.name_columns] == [("Cases", "Title")]
    assert plan.differences == ()


def test_a_list_of_another_kind_is_reported() -> None:
    """A Cases that is a document library on the site is reported, not replaced."""
    site = full_site()
    site_list(site, "Cases")["list"] = {"template": "documentLibrary"}
    plan = plan_provisioning(DESIRED, site)
    assert [str(d) for d in plan.differences] == [
        "Cases: is a documentLibrary here; the schema wants a genericList"]


def test_a_lookup_to_another_list_is_reported() -> None:
    """A Case column that looks up some other list is reported."""
    site = full_site()
    site_column(site, "Meetings", "Case")["lookup"]["listId"] = "0000-other"
    (difference,) = plan_provisioning(DESIRED, site).differences
    assert difference.message == "looks up another list; the schema wants Cases"


def test_resolving_a_placeholder_for_a_list_without_an_id_fails_clearly() -> None:
    """A lookup to a list that has no id yet is an error naming the list."""
    with pytest.raises(ProvisioningError, match="'Cases'"):
        resolve_lookups({"lookup": {"listId": "{{list:Cases}}"}}, {})


def test_a_lookup_to_a_list_not_in_the_schema_is_refused() -> None:
    """Planning refuses a schema whose lookup names a list it does not define."""
    orphan = {"displayName": "Orphans", "list": {"template": "genericList"},
              "columns": [{"name": "Parent", "lookup": {"listId": "{{list:Nowhere}}"}}]}
    with pytest.raises(ProvisioningError, match="Nowhere"):
        creation_order([orphan])

"""The registry of schools (issue 17: "a school is a site"): one item per school in the LA
site's Schools list; refused whole when two entries name one site (each school's data
kept to that school, UK GDPR), and a school left out with the item and column to mend
when its own entry is wrong."""

from __future__ import annotations

import pytest

from function_app.services.schools.registry import (
    RegistryError,
    registry_from_items,
    single_school,
)

HILLSIDE = {"Title": "Hillside Primary", "SiteUrl": "https://contoso.sharepoint.com/sites/hillside",
            "Phase": "Primary", "PolicyProfile": "national-2024", "TeamsChannel": "north"}
OAKFIELD = {"Title": "Oakfield Academy",
            "SiteUrl": {"Url": "https://contoso.sharepoint.com/sites/Oakfield/",
                        "Description": "Oakfield"}, "Phase": "Secondary"}


def test_schools_are_read_from_their_items_in_name_order() -> None:
    registry = registry_from_items([("2", OAKFIELD), ("1", HILLSIDE)])
    assert [s.name for s in registry.schools] == ["Hillside Primary", "Oakfield Academy"]
    oak = registry.schools[1]
    assert oak.site_url == "https://contoso.sharepoint.com/sites/Oakfield"  # a link column
    assert oak.site == "contoso.sharepoint.com/sites/oakfield"
    assert registry.schools[0].teams_channel == "north" and registry.problems == ()


def test_a_paused_school_is_left_out_quietly() -> None:
    registry = registry_from_items([("1", HILLSIDE), ("2", {**OAKFIELD, "Paused": True})])
    assert [s.name for s in registry.schools] == ["Hillside Primary"]
    assert registry.problems == ()


def test_two_schools_with_one_site_are_refused_naming_both() -> None:
    same = {**OAKFIELD, "SiteUrl": "https://contoso.sharepoint.com/sites/HILLSIDE/"}
    with pytest.raises(RegistryError) as refused:
        registry_from_items([("1", HILLSIDE), ("2", same)])
    message = str(refused.value)
    assert "Hillside Primary and Oakfield Academy name the same site" in message
    assert "no school was swept" in message and "items 1, 2" in message


def test_a_site_listed_twice_is_refused() -> None:
    with pytest.raises(RegistryError, match="Hillside Primary is listed 2 times"):
        registry_from_items([("1", HILLSIDE), ("5", HILLSIDE)])


@pytest.mark.parametrize(("fields", "said"), [
    ({**HILLSIDE, "Title": " "}, "item 1: the School name is empty"),
    ({**HILLSIDE, "SiteUrl": "hillside"}, "the Site address 'hillside' is not a SharePoint site"),
    ({**HILLSIDE, "SiteUrl": "https://contoso.sharepoint.com/"}, "is not a SharePoint site"),
    ({**HILLSIDE, "PolicyProfile": "kent"}, "the Policy profile 'kent' is not one we know"),
])
def test_a_wrong_entry_leaves_out_that_school_naming_item_and_column(
        fields: dict[str, object], said: str) -> None:
    registry = registry_from_items([("1", fields), ("2", OAKFIELD)])
    assert [s.name for s in registry.schools] == ["Oakfield Academy"]
    assert len(registry.problems) == 1 and said in registry.problems[0]
    assert registry.problems[0].startswith("The Schools list, item 1")


def test_without_an_la_site_the_one_site_is_the_one_school() -> None:
    registry = single_school("https://contoso.sharepoint.com/sites/attendance")
    assert [s.site for s in registry.schools] == ["contoso.sharepoint.com/sites/attendance"]

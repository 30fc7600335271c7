"""How provisioning decides that what a site has is what the schema wants: JSON by meaning,
CAML by its XML, so that SharePoint's own spelling of the same thing is not a difference."""

from __future__ import annotations

import json

import pytest

from function_app.services.provisioning.list_formatting import view_query
from function_app.services.provisioning.provision_formatting import (
    form_formatter,
    same_json,
    same_query,
)
from tests.sharepoint.test_formatting import FORMATTING

pytestmark = pytest.mark.unit


def test_a_formatter_read_back_with_other_spacing_and_key_order_is_the_same() -> None:
    """JSON that SharePoint returns re-spaced or reordered is not a difference; another
    value is."""
    formatter = FORMATTING["Cases"]["columns"]["Tier"]
    ours = json.dumps(formatter)
    assert same_json(ours, json.dumps(dict(reversed(list(formatter.items()))), indent=4))
    assert not same_json(ours, json.dumps({**formatter, "elmType": "span"}))
    assert not same_json(ours, "")


def test_a_form_layout_read_back_reformatted_is_the_same() -> None:
    """The form's layout (JSON strings inside JSON) compares by meaning, part by part."""
    form = FORMATTING["Meetings"]["form"]
    ours = form_formatter(form)
    parts = json.loads(ours)
    respaced = {k: json.dumps(json.loads(v), indent=2) if v else v for k, v in parts.items()}
    assert same_json(ours, json.dumps(respaced))
    changed = {**parts, "footerJSONFormatter": ""}
    assert not same_json(ours, json.dumps(changed))


def test_a_view_query_read_back_in_sharepoints_spelling_is_the_same() -> None:
    """Self-closing tags, spaces, single quotes and a GroupLimit SharePoint adds are not
    differences; another filter value is."""
    view = next(v for v in FORMATTING["Cases"]["views"] if v["name"] == "By school and tier")
    ours = view_query(view)
    theirs = (ours.replace('"/>', '" />').replace('"', "'")
              .replace("<GroupBy ", '<GroupBy GroupLimit="30" '))
    assert same_query(ours, theirs)
    assert not same_query(ours, ours.replace(">Open<", ">Closed<"))

"""SiteState: one school's site's part of a shared state store (issue 17)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from function_app.adapters.state.sqlite import SqliteStateStore
from function_app.services.site_state import SiteState, site_key

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
KEY = "case/ATT-2026-0001/Cases/12/letter_of_concern/letter_of_concern/-"


def test_two_sites_over_one_store_never_see_each_other(tmp_path: Path) -> None:
    """The same case reference, item id, list id and scope on two sites are two entries."""
    store = SqliteStateStore(tmp_path / "state.sqlite")
    a = SiteState(store, "contoso.sharepoint.com/sites/hillside")
    b = SiteState(store, "contoso.sharepoint.com/sites/riverside")
    assert a.claim(KEY, "w", NOW, 600) and b.claim(KEY, "w", NOW, 600)
    a.complete(KEY, "w", "item:01A")
    done, open_b = a.get_claim(KEY), b.get_claim(KEY)
    assert done is not None and (done.key, done.state, done.result) == (KEY, "done", "item:01A")
    assert open_b is not None and (open_b.key, open_b.state) == (KEY, "claimed")
    assert a.open_claims() == [] and [c.key for c in b.open_claims()] == [KEY]
    a.save_delta_link("list-1", "link-a")
    assert (a.delta_link("list-1"), b.delta_link("list-1")) == ("link-a", "")
    a.remember("retry", "Cases/12", "why a")
    b.remember("retry", "Cases/12", "why b")
    b.remember("retry", "Meetings/3", "why b")
    assert (a.recall("retry", "Cases/12"), b.recall("retry", "Cases/12")) == ("why a", "why b")
    assert a.keys("retry") == ["Cases/12"] and b.keys("retry") == ["Cases/12", "Meetings/3"]
    a.forget("retry", "Cases/12")
    assert a.keys("retry") == [] and b.recall("retry", "Cases/12") == "why b"
    assert b.forget_claims(["case/ATT-2026-0001/"]) == 1
    assert b.get_claim(KEY) is None and a.get_claim(KEY) is not None
    b.release(KEY, "w")
    assert store.keys("retry") == [] and store.open_claims() == []  # nothing unprefixed
    store.close()


def test_a_site_keeps_its_key_whatever_the_spelling_of_its_address(tmp_path: Path) -> None:
    """The key is 16 hex digits, the same for the same site (case, a trailing "/"), and the
    site's address is not stored."""
    assert site_key("Contoso.SharePoint.com/sites/Hillside/") == site_key(
        "contoso.sharepoint.com/sites/hillside")
    assert len(site_key("x")) == 16 and site_key("x") != site_key("y")
    store = SqliteStateStore(tmp_path / "state.sqlite")
    SiteState(store, "contoso.sharepoint.com/sites/hillside").remember("s", "k", "v")
    assert SiteState(store, "CONTOSO.sharepoint.com/sites/hillside/").recall("s", "k") == "v"
    store.close()
    assert b"hillside" not in (tmp_path / "state.sqlite").read_bytes()
    with pytest.raises(ValueError):
        SiteState(store, " ")

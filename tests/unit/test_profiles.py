"""Policy profiles as data: each loads, each rule cites its source, and superseded local
wording is kept for display but never applied."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest

from function_app.domain.errors import UnknownProfileError
from function_app.domain.policy import RULES, known_profiles, load_profile

pytestmark = pytest.mark.unit

SHIPPED = sorted(
    p.name.removesuffix(".json")
    for p in resources.files("function_app.domain.profiles").iterdir()
    if p.name.endswith(".json")
)
CITATION = re.compile(r"seeds? 00\d|DfE|Regulations|Act 19\d\d|Act 20\d\d")


def raw(name: str) -> dict[str, object]:
    text = resources.files("function_app.domain.profiles").joinpath(f"{name}.json").read_text(
        "utf-8")
    data: dict[str, object] = json.loads(text)
    return data


def test_the_four_profiles_are_shipped() -> None:
    """The national rules and the three local variants the seeds describe are all available."""
    assert known_profiles() == SHIPPED
    assert set(SHIPPED) >= {"national-2024", "gloucestershire-aim", "devon-2023",
                            "tiered-support"}


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_profile_loads(name: str) -> None:
    """Every profile file loads with a title and a value for every rule."""
    profile = load_profile(name)
    assert profile.name == name
    assert profile.title
    assert set(profile.sources) == set(RULES)


@pytest.mark.parametrize("name", SHIPPED)
def test_every_rule_cites_a_source(name: str) -> None:
    """Each rule a profile sets says where it comes from: a seed, the DfE guidance or a statute;
    a rule that sets nothing still says why."""
    profile = load_profile(name)
    for rule in RULES:
        assert profile.source(rule).strip(), rule
    rules = raw(name)["rules"]
    assert isinstance(rules, dict)
    for rule, entry in rules.items():
        if entry["value"] in (None, [], {}):
            continue
        assert CITATION.search(entry["source"]), f"{name}: {rule} cites {entry['source']!r}"


@pytest.mark.parametrize("name", SHIPPED)
def test_superseded_wording_names_what_replaced_it(name: str) -> None:
    """Superseded local wording is kept with its source and what superseded it."""
    for s in load_profile(name).superseded:
        assert s.rule in RULES
        assert s.text and s.source and s.superseded_by


def test_unknown_profile_lists_the_known_ones() -> None:
    """Asking for a profile that is not shipped says so and lists every one that is."""
    with pytest.raises(UnknownProfileError) as raised:
        load_profile("kent-2025")
    message = str(raised.value)
    assert "kent-2025" in message
    for name in SHIPPED:
        assert name in message
    assert raised.value.known == SHIPPED


def test_devon_keeps_its_superseded_wording() -> None:
    """Seed 003's 2023 text 'A maximum 2 fixed penalty notices can be issued per year, per
    child.' is kept, marked as superseded by the national rule of 2 in a rolling 3 years."""
    devon = load_profile("devon-2023")
    [old] = [s for s in devon.superseded if s.rule == "penalty_notice_limit"]
    assert old.text == "A maximum 2 fixed penalty notices can be issued per year, per child."
    assert "seed 003" in old.source
    assert "3 years" in old.superseded_by


def test_devon_applies_the_national_limit() -> None:
    """Devon applies the national limit of 2 notices per parent per child in a rolling 3 years
    (DfE 2024), not its 2023 'per year' wording."""
    devon, national = load_profile("devon-2023"), load_profile("national-2024")
    assert (devon.penalty_notice_limit, devon.penalty_notice_rolling_years) == (2, 3)
    assert devon.source("penalty_notice_limit") == national.source("penalty_notice_limit")
    assert devon.penalty_amounts == national.penalty_amounts


def test_devon_shows_but_does_not_apply_its_100_session_period() -> None:
    """Seed 003's 2023 '100 sessions (50 days)' period is kept as superseded wording; Devon
    applies the national 10 sessions in a rolling 10 school weeks (DfE 2024)."""
    devon = load_profile("devon-2023")
    [old] = [s for s in devon.superseded if s.rule == "penalty_notice_threshold"]
    assert "100 sessions (50 days)" in old.text
    assert "seed 003" in old.source
    rule = devon.penalty_threshold
    assert (rule.sessions, rule.school_weeks) == (10, 10)


def test_proceed_rule_per_profile() -> None:
    """Gloucestershire uses seed 000's proceed matrix; the national profile seed 001's rule."""
    assert load_profile("gloucestershire-aim").aim_proceed_rule == "matrix"
    assert load_profile("national-2024").aim_proceed_rule == "hold_in_absence"


@pytest.mark.parametrize("name", SHIPPED)
def test_review_intervals_make_sense(name: str) -> None:
    """Every review interval has min <= default <= max weeks, so a review date can be found."""
    for kind, i in load_profile(name).review_intervals.items():
        assert 1 <= i.min_weeks <= i.default_weeks <= i.max_weeks, kind


def test_national_review_intervals_follow_the_seeds() -> None:
    """Seed 002: support review in 3 weeks (2-4), a further review "no more than 3 weeks
    later" with no earliest date, so its minimum is 1 week, the least any interval may be
    (used only to move a worked-out date back off a holiday); seeds 000/001: AIMs every 4
    weeks."""
    got = {k.value: (i.default_weeks, i.min_weeks, i.max_weeks)
           for k, i in load_profile("national-2024").review_intervals.items()}
    assert got == {"support": (3, 2, 4), "review": (3, 1, 3), "aim": (4, 4, 4),
                   "aim_review": (4, 4, 4)}

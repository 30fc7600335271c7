"""A notice about the service to the LA officers' channel (issue 17: a school's site that
cannot be swept is "skipped by sweeps with a message to the LA channel once"): a valid
Adaptive Card 1.5, posted through the dev tenant's Teams sink (which refuses what Teams
refuses), and not sent without the LA officers' webhook."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from jsonschema import Draft6Validator

from function_app.adapters.teams.cards import notice_card
from function_app.adapters.teams.poster import TeamsPoster
from function_app.devtenant.teams_sink import TeamsSink

SCHEMA = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "schemas" / \
    "adaptive-card-1.5.json"
REASON = ("Hillside Primary's site (https://contoso.sharepoint.com/sites/hillside) refused "
          "the app. Grant the app access to the site (Sites.Selected, write), then the next "
          "sweep catches up.")


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[TeamsSink]:
    with TeamsSink(tmp_path) as running:
        yield running


def test_the_notice_card_is_valid_adaptive_card_1_5() -> None:
    card = notice_card("A school's site was not swept", REASON)
    errors = list(Draft6Validator(json.loads(SCHEMA.read_text())).iter_errors(card))
    assert errors == []
    assert card["body"][1]["inlines"][0]["text"] == REASON  # typed text: a TextRun
    assert "refused the app" in card["fallbackText"]


def test_the_notice_goes_to_the_la_officers_channel(sink: TeamsSink) -> None:
    poster = TeamsPoster({"la_officers": sink.url_for("la_officers"),
                          "school": sink.url_for("school")})
    assert asyncio.run(poster.post_notice("A school's site was not swept", REASON)) is True
    [card] = sink.cards("la_officers")
    assert card == notice_card("A school's site was not swept", REASON)
    assert sink.cards("school") == []


def test_without_the_la_officers_webhook_nothing_is_sent(sink: TeamsSink) -> None:
    poster = TeamsPoster({"school": sink.url_for("school")})
    assert asyncio.run(poster.post_notice("A school's site was not swept", REASON)) is False
    assert sink.cards("school") == []

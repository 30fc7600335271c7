"""The evidence-bundle card (issue 10) goes to the legal officer's channel when
CASEWORK_TEAMS_LEGAL_WEBHOOK is set, else to the LA officers' channel; each bundle of a new
case state is its own alert."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from function_app.adapters.teams.poster import TeamsPoster, webhooks_from_settings
from function_app.devtenant.teams_sink import TeamsSink
from function_app.domain.alerts import Alert, legal_bundle_ready
from function_app.domain.model import Stage

pytestmark = pytest.mark.integration


def bundle_alert(variant: str = "a1") -> Alert:
    return legal_bundle_ready("ATT-2026-0042", "Severn Vale Academy", "Ready: every required "
                              "step is evidenced.", stage=Stage.LEGAL_CONSULTATION,
                              pupil_initials="JE", pupil_name="Jordan Ellis", variant=variant)


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[TeamsSink]:
    with TeamsSink(tmp_path) as running:
        yield running


def post(urls: dict[str, str], item: Alert) -> bool:
    async def run() -> bool:
        async with TeamsPoster(urls) as poster:
            return (await poster.post(item)).posted
    return asyncio.run(run())


def test_the_legal_channel_gets_the_card_when_set(sink: TeamsSink) -> None:
    """With a legal webhook, the card lands there and not with the LA officers."""
    urls = webhooks_from_settings(sink.url_for("la_officers"), "", sink.url_for("la_legal"))
    assert post(urls, bundle_alert())
    assert len(sink.cards("la_legal")) == 1 and sink.cards("la_officers") == []


def test_without_a_legal_channel_the_la_officers_get_it(sink: TeamsSink) -> None:
    """Without one, the LA officers' channel (CASEWORK_TEAMS_LA_WEBHOOK) is used."""
    assert post(webhooks_from_settings(sink.url_for("la_officers")), bundle_alert())
    assert len(sink.cards("la_officers")) == 1


def test_each_case_state_has_its_own_alert() -> None:
    """Two bundles of one stage (the case changed between them) are two alerts, not one."""
    assert bundle_alert("a1").dedupe_key != bundle_alert("b2").dedupe_key

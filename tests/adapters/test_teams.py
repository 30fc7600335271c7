"""Teams: Adaptive Cards valid against the 1.5 schema, and posting them through the sink.

Cards are checked against the vendored schema in tests/fixtures/schemas (draft-06, every
$ref local). Posts go to the dev tenant's Teams sink, which refuses what Teams refuses.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft6Validator

from function_app.adapters.teams.cards import (
    CARD_BUDGET,
    CARD_CONTENT_TYPE,
    CaseLinks,
    card_for,
    message,
    message_body,
)
from function_app.adapters.teams.errors import WebhookSettingError
from function_app.adapters.teams.poster import (
    PostOutcome,
    PostRetry,
    TeamsPoster,
    webhooks_from_settings,
)
from function_app.devtenant.teams_sink import MAX_MESSAGE_BYTES, TeamsSink
from function_app.domain import DEFAULT_PROFILE, Assessment, assess, load_profile
from function_app.domain.alerts import (
    Alert,
    AlertReason,
    Digest,
    alerts_for,
    generation_failed,
    legal_bundle_ready,
    penalty_notice_requested,
    reminder_digest,
)
from function_app.domain.model import Stage
from function_app.services.case_files.case_input import read_case_path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SCHEMA = ROOT / "tests" / "fixtures" / "schemas" / "adaptive-card-1.5.json"
SHIPPED_SCHEMA = ROOT / "function_app" / "schemas" / "adaptive-card-1.5.json"
TODAY = dt.date(2026, 11, 22)
LINKS = CaseLinks("https://contoso.sharepoint.com/sites/attendance/Case%20Files/ATT-2026-0042",
                  "https://contoso.sharepoint.com/sites/attendance/Lists/Cases/DispForm.aspx?ID=42")


def assessed(example: str) -> Assessment:
    case = read_case_path(EXAMPLES / example)
    return assess(case, load_profile(case.profile or DEFAULT_PROFILE), TODAY)


def alert(example: str, reason: AlertReason) -> Alert:
    return next(a for a in alerts_for(assessed(example)) if a.reason is reason)


def every_kind() -> dict[str, Alert | Digest]:
    """One item of every card kind the product sends."""
    overdue = assessed("aim-review-no-engagement.json")
    due = read_case_path(EXAMPLES / "tiered-support-tier-2-apdr.json")
    due_same_school = assess(replace(due, school=overdue.case.school),
                             load_profile(due.profile or DEFAULT_PROFILE), TODAY)
    digest = reminder_digest([overdue, due_same_school], TODAY)
    return {
        AlertReason.CONSULTATION_NEEDED.value:
            alert("aim-review-no-engagement.json", AlertReason.CONSULTATION_NEEDED),
        AlertReason.REVIEW_OVERDUE.value:
            alert("aim-review-no-engagement.json", AlertReason.REVIEW_OVERDUE),
        AlertReason.REVIEW_DUE.value:
            alert("tiered-support-tier-2-apdr.json", AlertReason.REVIEW_DUE),
        AlertReason.GENERATION_FAILED.value:
            generation_failed("ATT-2026-0042", "Severn Vale Academy",
                              "the template aim_plan.docx is missing", stage=Stage.AIM),
        AlertReason.LEGAL_BUNDLE_READY.value:
            legal_bundle_ready("ATT-2026-0042", "Severn Vale Academy",
                               "Not ready: 1 step missing: Education Supervision Order "
                               "considered. Evidence bundle of 6 exhibits in the case "
                               "folder's Legal subfolder.", stage=Stage.LEGAL_CONSULTATION,
                               pupil_initials="JE", pupil_name="Jordan Ellis",
                               variant="3f2a9c"),
        AlertReason.PENALTY_NOTICE_REQUESTED.value:
            penalty_notice_requested("ATT-2026-0113", "Wycliffe Road Academy",
                                     "PNR-ATT-2026-0113-1", 2, stage=Stage.NOTICE_TO_IMPROVE,
                                     pupil_initials="MC", pupil_name="Mason Clarke"),
        "penalty_consultation":
            alert("penalty-notice-limit-two-notices-in-three-years.json",
                  AlertReason.CONSULTATION_NEEDED),
        "digest": digest["Severn Vale Academy"],
    }


KINDS = every_kind()


@pytest.fixture(scope="module")
def validator() -> Draft6Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft6Validator.check_schema(schema)
    return Draft6Validator(schema)


def problems(validator: Draft6Validator, card: dict[str, Any]) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(card)]


def texts(node: Any, kind: str) -> Iterator[str]:
    """Every ``text`` of the elements of one type, anywhere in a card."""
    if isinstance(node, dict):
        if node.get("type") == kind and isinstance(node.get("text"), str):
            yield node["text"]
        for value in node.values():
            yield from texts(value, kind)
    elif isinstance(node, list):
        for value in node:
            yield from texts(value, kind)


def links_for(item: Alert | Digest) -> dict[str, CaseLinks]:
    refs = [a.case_ref for a in item.alerts] if isinstance(item, Digest) else [item.case_ref]
    return {ref: LINKS for ref in refs}


# -- cards --------------------------------------------------------------------------------


@pytest.mark.unit
def test_the_schema_copies_are_the_vendored_file() -> None:
    """Both copies of the schema are byte for byte microsoft/AdaptiveCards' blob 8301d0ef."""
    data = SCHEMA.read_bytes()
    assert SHIPPED_SCHEMA.read_bytes() == data
    blob = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # git's object id
    assert blob == "8301d0efef25d6626b52d6e38b20dc81dc59502e"


@pytest.mark.unit
def test_every_alert_reason_has_a_card_kind_here() -> None:
    """A new alert reason cannot skip the schema check below."""
    assert {r.value for r in AlertReason} <= set(KINDS)


@pytest.mark.unit
@pytest.mark.parametrize("show_names", [False, True])
@pytest.mark.parametrize("with_links", [False, True])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_card_kind_is_valid_adaptive_card_1_5(
        validator: Draft6Validator, kind: str, with_links: bool, show_names: bool) -> None:
    """Each kind, with and without links and names, passes the Adaptive Card 1.5 schema."""
    item = KINDS[kind]
    card = card_for(item, links_for(item) if with_links else None, show_names=show_names)
    assert problems(validator, card) == []
    assert card["version"] == "1.5" and card["fallbackText"]
    envelope = message(card)
    assert envelope == {"type": "message", "attachments": [
        {"contentType": CARD_CONTENT_TYPE, "contentUrl": None, "content": card}]}


@pytest.mark.unit
def test_a_card_shows_reference_school_tier_attendance_stage_why_and_dates() -> None:
    """The consultation card carries what the LA officer needs to act, the attendance with
    its sessions among it, and two buttons."""
    item = KINDS[AlertReason.CONSULTATION_NEEDED.value]
    assert isinstance(item, Alert)
    card = card_for(item, links_for(item))
    runs = list(texts(card, "TextRun"))
    for shown in ("ATT-2026-0042", "Severn Vale Academy", "Tier 3 (79-51%)",
                  "78.0% (78 of 100 possible sessions)",
                  "Attendance Improvement Meeting (AIM)", "AIM review, 21 October 2026",
                  "18 November 2026", item.why):
        assert shown in runs
    assert [(a["type"], a["title"], a["url"]) for a in card["actions"]] == [
        ("Action.OpenUrl", "Open the case folder", LINKS.folder_url),
        ("Action.OpenUrl", "Open the case", LINKS.item_url)]


@pytest.mark.unit
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_cards_show_initials_unless_names_are_allowed(kind: str) -> None:
    """By default a card names the pupil by initials; the full name only when allowed."""
    item = KINDS[kind]
    default = json.dumps(card_for(item, links_for(item)), ensure_ascii=False)
    named = json.dumps(card_for(item, links_for(item), show_names=True), ensure_ascii=False)
    people = [a for a in (item.alerts if isinstance(item, Digest) else (item,)) if a.pupil_name]
    for a in people:
        assert a.pupil_name not in default
        assert f"({a.pupil_initials})" in default
        assert a.pupil_name in named
    for surname in ("Ellis", "Walsh", "Ahmed"):
        assert surname not in default


@pytest.mark.unit
def test_a_link_that_is_not_https_gets_no_button() -> None:
    """A javascript: or plain-http link to another machine is left off the card."""
    item = KINDS[AlertReason.REVIEW_DUE.value]
    assert isinstance(item, Alert)
    bad = {item.case_ref: CaseLinks("javascript:alert(1)", "http://intranet.example.org/case")}
    assert "actions" not in card_for(item, bad)


@pytest.mark.unit
def test_typed_text_is_never_read_as_markdown(validator: Draft6Validator) -> None:
    """A case reference or message with Markdown in it appears only in TextRuns, as typed."""
    typed = "ATT-*7*_[x](https://example.org)"
    failure = generation_failed(typed, "St Aidan's <CofE> & Co", "**bold** `code` {{ x }} 🙂")
    card = card_for(failure)
    assert problems(validator, card) == []
    runs = list(texts(card, "TextRun"))
    assert typed in runs and "St Aidan's <CofE> & Co" in runs
    assert any("**bold** `code` {{ x }} 🙂" in run for run in runs)
    assert not [t for t in texts(card, "TextBlock") if typed in t or "**" in t]


@pytest.mark.unit
def test_a_long_digest_is_cut_to_fit_teams(validator: Draft6Validator) -> None:
    """Four hundred reminders still make one valid card within the size budget, saying how many
    were left out."""
    one = KINDS[AlertReason.REVIEW_DUE.value]
    assert isinstance(one, Alert)
    many = tuple(replace(one, case_ref=f"ATT-2026-{n:04d}") for n in range(400))
    digest = Digest("Larkspur Primary School", TODAY, many)
    card = card_for(digest, {a.case_ref: LINKS for a in many})
    assert len(message_body(card)) <= CARD_BUDGET
    assert problems(validator, card) == []
    assert any(t.startswith("And ") and "more" in t for t in texts(card, "TextRun"))


@pytest.mark.unit
def test_no_office_365_connector_url_anywhere_in_the_app() -> None:
    """Office 365 connector webhooks are retired: the app names none of their hosts."""
    hosts = ("webhook.office" + ".com", "outlook.office" + ".com")
    found = [f"{p.relative_to(ROOT)}: {h}" for p in (ROOT / "function_app").rglob("*")
             if p.is_file() and p.suffix in {".py", ".json", ".md", ".txt"}
             for h in hosts if h in p.read_text(encoding="utf-8", errors="replace")]
    assert found == []


@pytest.mark.unit
def test_a_retired_connector_url_is_refused_without_repeating_it() -> None:
    """A connector URL in the settings is refused, naming the entry, never the URL."""
    url = "https://contoso.webhook.office" + ".com/webhookb2/abc/IncomingWebhook/def/ghi"
    with pytest.raises(WebhookSettingError) as raised:
        webhooks_from_settings(la_webhook=url)
    assert "la_officers" in str(raised.value) and url not in str(raised.value)
    with pytest.raises(WebhookSettingError):
        webhooks_from_settings(school_webhooks='{"Severn Vale Academy": "http://example.org/x"}')
    with pytest.raises(WebhookSettingError):
        webhooks_from_settings(school_webhooks="{not json")


@pytest.mark.unit
def test_settings_become_the_posters_urls() -> None:
    """The LA's URL and the schools' JSON make one mapping of audience or school to URL."""
    urls = webhooks_from_settings(
        "https://prod-01.uksouth.logic.azure.com/workflows/a/triggers/manual/paths/invoke?sig=1",
        '{"Severn Vale Academy": "https://prod-01.uksouth.logic.azure.com/workflows/b", '
        '"school": "https://prod-01.uksouth.logic.azure.com/workflows/c"}')
    assert sorted(urls) == ["Severn Vale Academy", "la_officers", "school"]


# -- posting ------------------------------------------------------------------------------


class Sleeps:
    """Records the waits asked for, and waits not at all."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[TeamsSink]:
    with TeamsSink(tmp_path) as running:
        yield running


def post(poster: TeamsPoster, item: Alert | Digest,
         links: dict[str, CaseLinks] | None = None) -> Any:
    async def run() -> Any:
        async with poster:
            return await poster.post(item, links)
    return asyncio.run(run())


@pytest.mark.integration
def test_posting_to_the_sink_stores_the_card(sink: TeamsSink, tmp_path: Path) -> None:
    """A consultation posted to the LA's webhook is kept as the card Teams would show."""
    item = KINDS[AlertReason.CONSULTATION_NEEDED.value]
    poster = TeamsPoster({"la_officers": sink.url_for("la_officers")})
    result = post(poster, item, links_for(item))
    assert (result.outcome, result.attempts, result.key) == (
        PostOutcome.POSTED, 1, "ATT-2026-0042|consultation_needed|aim")
    assert sink.cards("la_officers") == [card_for(item, links_for(item))]
    [kept] = (tmp_path / "teams" / "la_officers").glob("*.json")
    assert kept.name.endswith("-00001.json")


@pytest.mark.integration
def test_school_items_go_to_the_schools_own_channel_or_the_default(sink: TeamsSink) -> None:
    """A digest goes to its school's own webhook; a school without one uses "school"."""
    digest = KINDS["digest"]
    failure = generation_failed("ATT-2026-0118", "Larkspur Primary School", "no template")
    poster = TeamsPoster({"Severn Vale Academy": sink.url_for("Severn Vale Academy"),
                          "school": sink.url_for("school")}, show_names=True)
    assert post(poster, digest).posted
    assert post(poster, failure).posted
    [card] = sink.cards("Severn Vale Academy")
    assert "Jordan Ellis" in json.dumps(card) and "Lily Ahmed" in json.dumps(card)
    assert len(sink.cards("school")) == 1


@pytest.mark.integration
def test_a_429_then_success_is_retried_after_retry_after(sink: TeamsSink) -> None:
    """Teams' 429 with Retry-After: 2 is waited out for 2 seconds, then the post succeeds."""
    sleeps = Sleeps()
    sink.throttle(times=1, retry_after=2)
    poster = TeamsPoster({"la_officers": sink.url_for("la_officers")},
                         retry=PostRetry(sleep=sleeps))
    result = post(poster, KINDS[AlertReason.CONSULTATION_NEEDED.value])
    assert (result.posted, result.attempts, sleeps.asked) == (True, 2, [2.0])
    assert [status for _, status in sink.answers] == [429, 202]
    assert len(sink.cards("la_officers")) == 1


@pytest.mark.integration
def test_a_failed_post_is_reported_not_raised(sink: TeamsSink) -> None:
    """Teams down for every attempt gives a failed result to retry on the next sweep."""
    sleeps = Sleeps()
    sink.fail(times=10, status=503)
    poster = TeamsPoster({"la_officers": sink.url_for("la_officers")},
                         retry=PostRetry(attempts=3, sleep=sleeps))
    result = post(poster, KINDS[AlertReason.CONSULTATION_NEEDED.value])
    assert (result.outcome, result.attempts, result.status) == (PostOutcome.FAILED, 3, 503)
    assert result.retry_later and "503" in result.reason
    assert len(sleeps.asked) == 2 and sink.cards("la_officers") == []


@pytest.mark.integration
def test_a_long_retry_after_is_left_for_the_next_sweep(sink: TeamsSink) -> None:
    """A Retry-After beyond the longest wait allowed is not slept on: the post is reported."""
    sleeps = Sleeps()
    sink.throttle(times=1, retry_after=300)
    poster = TeamsPoster({"la_officers": sink.url_for("la_officers")},
                         retry=PostRetry(sleep=sleeps))
    result = post(poster, KINDS[AlertReason.CONSULTATION_NEEDED.value])
    assert (result.posted, result.attempts, result.retry_later, sleeps.asked) == (
        False, 1, True, [])


@pytest.mark.integration
def test_a_deleted_workflow_is_reported_at_once(sink: TeamsSink) -> None:
    """A 404 from the webhook is not retried: it says to check the workflow and its URL."""
    sink.fail(times=1, status=404)
    poster = TeamsPoster({"la_officers": sink.url_for("la_officers")},
                         retry=PostRetry(sleep=Sleeps()))
    result = post(poster, KINDS[AlertReason.CONSULTATION_NEEDED.value])
    assert (result.posted, result.attempts, result.status) == (False, 1, 404)
    assert "workflow" in result.reason


@pytest.mark.unit
def test_no_webhook_for_an_audience_is_reported() -> None:
    """An alert for an audience with no URL set fails with a reason, without a request."""
    poster = TeamsPoster({"school": "https://prod-01.uksouth.logic.azure.com/workflows/c"})
    result = post(poster, KINDS[AlertReason.CONSULTATION_NEEDED.value])
    assert (result.posted, result.attempts, result.audience) == (False, 0, "la_officers")
    assert "No Teams webhook is set" in result.reason


@pytest.mark.unit
@pytest.mark.parametrize(("answer", "attempts", "retry_later"), [
    (httpx.ConnectError("refused"), 3, True),
    (httpx.ReadTimeout("slow"), 3, True),
    (httpx.Response(413, json={"error": {"code": "MessageTooLarge"}}), 1, False),
    (httpx.Response(400, text="Bad card"), 1, False),
])
def test_httpx_failures_become_results_not_exceptions(
        answer: Exception | httpx.Response, attempts: int, retry_later: bool) -> None:
    """Transport errors and refusals never escape the poster as httpx exceptions."""
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(answer, Exception):
            raise answer
        return answer

    poster = TeamsPoster({"la_officers": "https://prod-01.uksouth.logic.azure.com/w?sig=s"},
                         retry=PostRetry(attempts=3, sleep=Sleeps()),
                         transport=httpx.MockTransport(handler))
    result = post(poster, KINDS[AlertReason.CONSULTATION_NEEDED.value])
    assert (result.posted, result.attempts, result.retry_later) == (False, attempts, retry_later)


@pytest.mark.integration
def test_no_webhook_url_in_the_logs(sink: TeamsSink, caplog: pytest.LogCaptureFixture) -> None:
    """Posting, retrying and failing log the audience, never the URL or its sig."""
    caplog.set_level(logging.DEBUG)
    # The Functions app quiets httpx (triggers/support.py); here it must speak, to be scrubbed.
    caplog.set_level(logging.DEBUG, logger="httpx")
    url = sink.url_for("la_officers")
    poster = TeamsPoster({"la_officers": url}, retry=PostRetry(attempts=2, sleep=Sleeps()))
    item = KINDS[AlertReason.CONSULTATION_NEEDED.value]
    sink.throttle(times=1, retry_after=1)
    assert post(poster, item).posted
    sink.fail(times=5, status=502)
    assert not post(poster, item).posted
    assert "HTTP Request" in caplog.text  # httpx's own request log was there to be scrubbed
    assert "la_officers" in caplog.text
    assert sink.secret not in caplog.text and url not in caplog.text


@pytest.mark.integration
def test_the_sink_refuses_what_teams_would_refuse(sink: TeamsSink) -> None:
    """Not JSON, not a message, not a card attachment, a schema error, too big, a wrong sig."""
    url = sink.url_for("la_officers")
    good = card_for(KINDS[AlertReason.REVIEW_DUE.value])
    no_text = {**good, "body": [{"type": "TextBlock"}]}
    too_big = {**good, "body": [{"type": "TextBlock", "text": "x" * MAX_MESSAGE_BYTES}]}
    attempts: list[tuple[str, bytes]] = [
        ("not JSON", b"{nope"),
        ("not a message", json.dumps({"text": "hello"}).encode()),
        ("not an Adaptive Card attachment", json.dumps({"type": "message", "attachments": [
            {"contentType": "application/vnd.microsoft.card.hero", "content": {}}]}).encode()),
        ("text", message_body(no_text)),
        ("28 KB", message_body(too_big)),
    ]
    with httpx.Client() as client:
        for reason, body in attempts:
            answer = client.post(url, content=body, headers={"Content-Type": "application/json"})
            assert answer.status_code == 400, reason
            assert reason in answer.json()["error"]["message"], answer.text
        forged = client.post(url.replace(sink.secret, "forged"), content=message_body(good))
        assert forged.status_code == 401
        assert client.post(url, content=message_body(good)).status_code == 202
    assert len(sink.cards("la_officers")) == 1

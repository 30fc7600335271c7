"""Adaptive Cards 1.5 for Teams, built as plain dicts: one per alert, one per digest.

A card shows the case reference, the school, the tier, the attendance with its sessions
("77.8% (296 of 380 possible sessions)", the one rule of ``display_figure``), the stage, why
it was raised, the key dates, and buttons that open the case folder and the case item: a
reference, a figure and a link, not a child's record (design.md, "Least privilege and
minimal data"). The pupil appears by initials; the full name only when ``show_names`` is
set (CASEWORK_CARDS_SHOW_NAMES).

Anything a person typed (case references, school names, a failure's message) goes into
TextRuns, which Adaptive Cards never read as Markdown, so it shows exactly as typed
(design.md: user text is data, never markup). Headings are our own words.

Cards go to a Teams Workflows webhook ("When a Teams webhook request is received") inside
the ``message`` envelope. Office 365 connector webhooks are retired and never used.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from function_app.domain.alerts import Alert, AlertReason, Digest, stage_name
from function_app.domain.wording import day

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA_URL = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.5"
MESSAGE_LIMIT = 28 * 1024  # Teams refuses a message over about 28 KB
CARD_BUDGET = 24 * 1024  # what we let a message use, leaving Teams room for its own wrapping
FALLBACK_LIMIT = 1000
MESSAGE_TEXT_LIMIT = 1500  # a generation failure's message, as shown on the card
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})

Card = dict[str, Any]


OPEN_CASE = "Open the case"


@dataclass(frozen=True, slots=True)
class CaseLinks:
    """Where a case lives in SharePoint: its documents folder and its Cases list item (or,
    for a card to the LA, the item on the LA's site it is about, with its own title: the
    LA's officers cannot open a school's site)."""

    folder_url: str = ""
    item_url: str = ""
    item_title: str = OPEN_CASE


def card_for(item: Alert | Digest, links: Mapping[str, CaseLinks] | None = None, *,
             show_names: bool = False) -> Card:
    """The card for an alert or a digest; ``links`` is keyed by case reference."""
    links = links or {}
    if isinstance(item, Digest):
        return digest_card(item, links, show_names=show_names)
    return alert_card(item, links.get(item.case_ref), show_names=show_names)


def notice_card(title: str, text: str, links: Sequence[tuple[str, str]] = ()) -> Card:
    """A notice for the LA's officers (a school's site that cannot be swept, a penalty
    notice unpaid): our heading, the reason as typed text (a school's name is the only name
    in it), and a button for each (title, address) in ``links`` (addresses that name no
    one: a register item's page, the LA's copy of a request's evidence)."""
    card = _card([_heading(title, "attention"), _paragraph(_clip(text, MESSAGE_TEXT_LIMIT))],
                 _clip(f"{title}: {text}", FALLBACK_LIMIT))
    buttons = [{"type": "Action.OpenUrl", "title": label, "url": url}
               for label, url in links if _safe_url(url)]
    if buttons:
        card["actions"] = buttons
    return card


def message(card: Card) -> dict[str, Any]:
    """The body a Teams Workflows webhook takes: one Adaptive Card attachment."""
    return {"type": "message",
            "attachments": [{"contentType": CARD_CONTENT_TYPE, "contentUrl": None,
                             "content": card}]}


def message_body(card: Card) -> bytes:
    """The envelope as the bytes posted: compact UTF-8 JSON, the size Teams measures."""
    return json.dumps(message(card), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# -- one alert ----------------------------------------------------------------------------


def alert_card(alert: Alert, links: CaseLinks | None = None, *, show_names: bool = False) -> Card:
    """A card for one alert: heading, why, the facts, the sources, and buttons."""
    pupil = _pupil(alert, show_names)
    body: list[dict[str, Any]] = [
        _heading(alert.reason.heading, _colour(alert.reason)),
        _paragraph(_clip(alert.why, MESSAGE_TEXT_LIMIT)),
        *_facts(_alert_facts(alert, pupil)),
    ]
    sources = list(dict.fromkeys(g.source for g in alert.grounds))
    if sources:
        body.append({"type": "RichTextBlock", "spacing": "medium", "inlines": [
            _run("Source: " + "; ".join(sources), size="small", isSubtle=True)]})
    card = _card(body, _fallback(alert, pupil))
    actions = _bundle_buttons(alert) + _open_buttons(links)
    if actions:
        card["actions"] = actions
    return card


def _alert_facts(alert: Alert, pupil: str) -> list[tuple[str, str]]:
    facts = [("Case reference", alert.case_ref)]
    if pupil:
        facts.append(("Pupil", pupil))
    facts.append(("School", alert.school))
    if alert.tier is not None:
        facts.append(("Tier", _tier(alert)))
    if alert.attendance:
        facts.append(("Attendance", alert.attendance))
    if alert.stage is not None:
        facts.append(("Stage", _capital(stage_name(alert.stage))))
    if alert.last_meeting is not None:
        what = _capital(alert.last_meeting_kind) + ", " if alert.last_meeting_kind else ""
        facts.append(("Last meeting", what + day(alert.last_meeting)))
    if alert.review_due is not None:
        overdue = " (overdue)" if alert.reason is AlertReason.REVIEW_OVERDUE else ""
        facts.append(("Review due", day(alert.review_due) + overdue))
    return facts


def _fallback(alert: Alert, pupil: str) -> str:
    who = f"{alert.case_ref} ({pupil})" if pupil else alert.case_ref
    attendance = f" Attendance {alert.attendance}." if alert.attendance else ""
    return _clip(f"{alert.reason.heading}: {who}, {alert.school}.{attendance} {alert.why}",
                 FALLBACK_LIMIT)


def _bundle_buttons(alert: Alert) -> list[dict[str, Any]]:
    """The buttons to the evidence bundle: on the legal card each officer's sharing link
    (it opens for that officer, in another organisation's tenant too where sharing outside
    allows; never the file's own address, which names the school's case folder, and so the
    pupil); on a penalty notice request's card the LA's own copy, filed under the case
    reference. One link: "Open the evidence bundle"; more: each button names its officer."""
    shown = [(email, url) for email, url in alert.bundle_links if _safe_url(url)]
    if len(shown) == 1:
        return [{"type": "Action.OpenUrl", "title": "Open the evidence bundle",
                 "url": shown[0][1]}]
    return [{"type": "Action.OpenUrl", "title": f"Open the evidence bundle ({email})",
             "url": url} for email, url in shown]


def _open_buttons(links: CaseLinks | None) -> list[dict[str, Any]]:
    if links is None:
        return []
    buttons = []
    for title, url in (("Open the case folder", links.folder_url),
                       (links.item_title, links.item_url)):
        if _safe_url(url):
            buttons.append({"type": "Action.OpenUrl", "title": title, "url": url})
    return buttons


# -- a school's digest --------------------------------------------------------------------


def digest_card(digest: Digest, links: Mapping[str, CaseLinks] | None = None, *,
                show_names: bool = False) -> Card:
    """A school's reviews overdue and due this week; a row opens its case where linked.

    A long list is cut to keep the message within Teams' size limit, saying how many more.
    """
    links = links or {}
    rows = list(digest.alerts)
    shown = len(rows)
    while True:
        card = _digest(digest, rows[:shown], len(rows) - shown, links, show_names)
        if len(message_body(card)) <= CARD_BUDGET or shown == 0:
            return card
        shown = max(0, shown - max(1, shown // 10))


def _digest(digest: Digest, rows: list[Alert], left_out: int, links: Mapping[str, CaseLinks],
            show_names: bool) -> Card:
    body: list[dict[str, Any]] = [
        _heading("Reviews overdue or due this week", "default"),
        _paragraph(f"{digest.school}, {day(digest.day)}", subtle=True),
    ]
    for title, colour, reason in (("Overdue", "attention", AlertReason.REVIEW_OVERDUE),
                                  ("Due in the next 7 days", "default", AlertReason.REVIEW_DUE)):
        group = [a for a in rows if a.reason is reason]
        if not group:
            continue
        body.append({"type": "TextBlock", "text": f"{title} ({len(group)})", "weight": "bolder",
                     "color": colour, "spacing": "medium", "wrap": True})
        body += [_digest_row(a, links.get(a.case_ref), show_names) for a in group]
    if left_out:
        body.append(_paragraph(f"And {left_out} more: see the Cases list in SharePoint.",
                               subtle=True))
    return _card(body, _digest_fallback(digest, show_names))


def _digest_row(alert: Alert, links: CaseLinks | None, show_names: bool) -> dict[str, Any]:
    pupil = _pupil(alert, show_names)
    assert alert.review_due is not None
    row: dict[str, Any] = {"type": "ColumnSet", "spacing": "small", "columns": [
        _column(f"{alert.case_ref} ({pupil})" if pupil else alert.case_ref, 3),
        _column(_capital(alert.last_meeting_kind) or "Plan", 3),
        _column(day(alert.review_due), 3),
    ]}
    if links is not None and _safe_url(links.item_url):
        row["selectAction"] = {"type": "Action.OpenUrl", "title": "Open the case",
                               "url": links.item_url}
    return row


def _digest_fallback(digest: Digest, show_names: bool) -> str:
    parts = []
    for alert in digest.alerts:
        pupil = _pupil(alert, show_names)
        assert alert.review_due is not None
        status = "overdue since" if alert.reason is AlertReason.REVIEW_OVERDUE else "due"
        parts.append(f"{alert.case_ref}{f' ({pupil})' if pupil else ''} {status} "
                     f"{day(alert.review_due)}")
    head = (f"Reviews at {digest.school}: {len(digest.overdue)} overdue, {len(digest.due)} due "
            "in the next 7 days. ")
    return _clip(head + "; ".join(parts) + ".", FALLBACK_LIMIT)


# -- elements -----------------------------------------------------------------------------


def _card(body: list[dict[str, Any]], fallback: str) -> Card:
    return {"type": "AdaptiveCard", "$schema": SCHEMA_URL, "version": CARD_VERSION,
            "fallbackText": fallback, "lang": "en", "body": body}


def _heading(text: str, colour: str) -> dict[str, Any]:
    """Our own words only: a TextBlock is read as Markdown."""
    return {"type": "TextBlock", "text": text, "style": "heading", "size": "medium",
            "weight": "bolder", "color": colour, "wrap": True}


def _run(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextRun", "text": text, **style}


def _paragraph(text: str, subtle: bool = False) -> dict[str, Any]:
    run = _run(text, isSubtle=True) if subtle else _run(text)
    return {"type": "RichTextBlock", "inlines": [run]}


def _column(text: str, width: int, **style: Any) -> dict[str, Any]:
    return {"type": "Column", "width": width, "items": [
        {"type": "RichTextBlock", "inlines": [_run(text, **style)]}]}


def _facts(facts: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Label and value side by side; a FactSet would read the values as Markdown."""
    return [{"type": "ColumnSet", "spacing": "small", "columns": [
        _column(label, 2, weight="bolder"), _column(value, 5)]} for label, value in facts]


def _colour(reason: AlertReason) -> str:
    return "default" if reason is AlertReason.REVIEW_DUE else "attention"


def _pupil(alert: Alert, show_names: bool) -> str:
    return alert.pupil_name if show_names and alert.pupil_name else alert.pupil_initials


def _tier(alert: Alert) -> str:
    return f"Tier {alert.tier} ({alert.tier_label})" if alert.tier_label else f"Tier {alert.tier}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _safe_url(url: str) -> bool:
    """https anywhere; http only on this machine (the dev tenant)."""
    parts = urlsplit(url)
    if not parts.hostname:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK)

"""The dev tenant's Teams: a local stand-in for Teams Workflows webhooks.

    with TeamsSink(Path("workspace")) as sink:
        url = sink.url_for("la_officers")      # give this to the TeamsPoster
        ...
        sink.cards("la_officers")              # the cards accepted, oldest first

Each accepted card is kept as JSON under WORKSPACE/teams/<audience>/<timestamp>-<n>.json,
so a person can open what Teams would have shown. It refuses what Teams would refuse, with
400 and a reason: a body that is not JSON or over about 28 KB, an envelope that is not a
message with Adaptive Card attachments, or a card that breaks the Adaptive Card 1.5 schema.
An accepted post answers 202, as a workflow's webhook trigger does. ``throttle`` and
``fail`` make the next posts answer 429 (with Retry-After) or a 5xx, for tests.

Each URL carries a ``sig`` that the sink checks (401 if wrong), like a workflow's URL, so
tests can show the secret never reaches the logs. A separate small aiohttp app, run in its
own thread beside the Graph server.
"""

from __future__ import annotations

import json
import re
import secrets
import socket
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote

from aiohttp import web

from .background import BackgroundLoop

HOST = "127.0.0.1"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA_FILE = "adaptive-card-1.5.json"
MAX_MESSAGE_BYTES = 28 * 1024  # Teams: "the message size limit is 28 KB"
SUPPORTED_VERSION = (1, 5)
TRIGGER_PATH = "/workflows/{audience}/triggers/manual/paths/invoke"


@cache
def adaptive_card_schema() -> dict[str, Any]:
    """The Adaptive Card 1.5 schema shipped in function_app/schemas (draft-06)."""
    text = resources.files("function_app.schemas").joinpath(SCHEMA_FILE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def card_problems(card: object, limit: int = 5) -> list[str]:
    """What is wrong with a card under the 1.5 schema, each with its JSON path; [] if none."""
    from jsonschema import Draft6Validator  # kept off the import path of the dev tenant

    validator = Draft6Validator(adaptive_card_schema())
    found: list[str] = []
    for error in sorted(validator.iter_errors(card), key=lambda e: list(e.absolute_path)):
        for leaf in _explain(error):
            path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}"
                           for p in leaf.absolute_path)
            found.append(f"card{path}: {leaf.message[:200]}")
    found = list(dict.fromkeys(found))[:limit]
    if not found and isinstance(card, dict):
        found += _version_problems(card.get("version"))
    return found


def _explain(error: Any) -> list[Any]:
    """The errors that say what is wrong, not "not valid under any of the given schemas".

    Elements and actions are an anyOf with one alternative per type. The alternatives for
    other types fail on ``type`` (and on their own required properties), so only the errors
    of the alternative whose type matches are kept; if none matches, the type is unknown.
    """
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        return [error]
    alternatives: dict[Any, list[Any]] = {}
    for sub in error.context:
        alternatives.setdefault(sub.relative_schema_path[0], []).append(sub)
    matching = [subs for subs in alternatives.values()
                if not any(sub.validator == "enum" and list(sub.relative_path) == ["type"]
                           for sub in subs)]
    if not matching:
        return [error]
    return [leaf for subs in matching for sub in subs for leaf in _explain(sub)]


def _version_problems(version: object) -> list[str]:
    if not isinstance(version, str):
        return ["card.version: a top-level card must say which version it needs"]
    parts = version.split(".")
    if not all(p.isdigit() for p in parts) or len(parts) != 2:
        return [f"card.version: {version!r} is not a version such as '1.5'"]
    if (int(parts[0]), int(parts[1])) > SUPPORTED_VERSION:
        return [f"card.version: {version} is newer than the 1.5 this sink checks"]
    return []


def envelope_problems(body: bytes) -> tuple[list[str], list[dict[str, Any]]]:
    """Why Teams would refuse this webhook body, and the cards it carries."""
    if len(body) > MAX_MESSAGE_BYTES:
        return [f"the message is {len(body)} bytes; Teams accepts about 28 KB "
                f"({MAX_MESSAGE_BYTES} bytes)"], []
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return [f"the body is not JSON: {exc}"], []
    if not isinstance(data, dict) or data.get("type") != "message":
        return ['the body is not a message: expected {"type": "message", "attachments": '
                "[...]}"], []
    attachments = data.get("attachments")
    if not isinstance(attachments, list) or not attachments:
        return ["the message has no attachments"], []
    problems: list[str] = []
    cards: list[dict[str, Any]] = []
    for i, attachment in enumerate(attachments):
        where = f"attachments[{i}]"
        if not isinstance(attachment, dict) or attachment.get("contentType") != CARD_CONTENT_TYPE:
            problems.append(f"{where} is not an Adaptive Card attachment (contentType "
                            f"{CARD_CONTENT_TYPE!r})")
            continue
        card = attachment.get("content")
        if not isinstance(card, dict):
            problems.append(f"{where}.content is not an Adaptive Card object")
            continue
        problems += [f"{where}.{p}" for p in card_problems(card)]
        cards.append(card)
    return problems, cards


@dataclass
class _Knobs:
    throttled: int = 0
    retry_after: float = 1.0
    failing: int = 0
    fail_status: int = 503


class TeamsSink(BackgroundLoop):
    """Teams Workflows webhooks on loopback, keeping each accepted card under ``folder``."""

    thread_name = "Teams sink"
    call_timeout = 30.0

    def __init__(self, folder: Path, port: int = 0) -> None:
        super().__init__()
        self.folder = Path(folder)
        self.root = self.folder / "teams"
        self._port = port
        self._sig = secrets.token_urlsafe(24)
        self._knobs = _Knobs()
        self._lock = threading.Lock()
        self._count = 0
        self.answers: list[tuple[str, int]] = []  # (audience, status) for every post
        self._runner: web.AppRunner | None = None
        self._origin = ""

    # -- life cycle --------------------------------------------------------------------------

    def __enter__(self) -> TeamsSink:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    def _before_start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        adaptive_card_schema()  # read once here, not inside the first request

    def _after_stop(self) -> None:
        self._origin = ""

    async def _startup(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((HOST, self._port))
        app = web.Application(client_max_size=1024 * 1024)  # larger ones get our 400 too
        app.router.add_post(TRIGGER_PATH, self._receive)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        await web.SockSite(runner, listener).start()
        self._runner = runner
        self._origin = f"http://{HOST}:{listener.getsockname()[1]}"

    async def _shutdown(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None

    # -- what tests and the demo use ---------------------------------------------------------

    def url_for(self, audience: str) -> str:
        """The webhook URL for an audience ("la_officers", "school" or a school's name)."""
        if not self._origin:
            raise RuntimeError("the Teams sink is not running; use it as a context manager")
        path = TRIGGER_PATH.format(audience=quote(folder_name(audience), safe=""))
        return f"{self._origin}{path}?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0" \
               f"&sig={self._sig}"

    @property
    def secret(self) -> str:
        """The ``sig`` in every URL: what must never appear in a log."""
        return self._sig

    def cards(self, audience: str) -> list[dict[str, Any]]:
        """The cards accepted for an audience, oldest first."""
        folder = self.root / folder_name(audience)
        if not folder.is_dir():
            return []
        return [json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))]

    def throttle(self, times: int = 1, retry_after: float = 1.0) -> None:
        """The next ``times`` posts answer 429 with Retry-After: ``retry_after`` seconds."""
        with self._lock:
            self._knobs.throttled, self._knobs.retry_after = times, retry_after

    def fail(self, times: int = 1, status: int = 503) -> None:
        """The next ``times`` posts answer ``status`` (a 5xx, or 404 for a deleted workflow)."""
        with self._lock:
            self._knobs.failing, self._knobs.fail_status = times, status

    # -- the webhook ------------------------------------------------------------------------

    async def _receive(self, request: web.Request) -> web.Response:
        audience = request.match_info["audience"]
        answer = self._answer(audience, request.query.get("sig", ""), await request.read())
        with self._lock:
            self.answers.append((audience, answer.status))
        return answer

    def _answer(self, audience: str, sig: str, body: bytes) -> web.Response:
        if not secrets.compare_digest(sig, self._sig):
            return _error(401, "DirectApiAuthorizationRequired",
                          "The request signature (sig) is not valid for this workflow.")
        with self._lock:
            knobs = self._knobs
            if knobs.throttled > 0:
                knobs.throttled -= 1
                return _error(429, "TooManyRequests", "Rate limit reached (injected by the "
                              "sink).", {"Retry-After": f"{knobs.retry_after:g}"})
            if knobs.failing > 0:
                knobs.failing -= 1
                return _error(knobs.fail_status, "ServiceUnavailable",
                              "Failure injected by the sink.")
        problems, cards = envelope_problems(body)
        if problems:
            return _error(400, "InvalidCard", "; ".join(problems))
        for card in cards:
            self._keep(audience, card)
        return web.Response(status=202)

    def _keep(self, audience: str, card: dict[str, Any]) -> Path:
        with self._lock:
            self._count += 1
            n = self._count
        folder = self.root / folder_name(audience)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        path = folder / f"{stamp}-{n:05d}.json"
        path.write_text(json.dumps(card, ensure_ascii=False, indent=2), encoding="utf-8")
        return path


def folder_name(audience: str) -> str:
    """A safe folder name for an audience: "Severn Vale Academy" -> "severn-vale-academy"."""
    name = re.sub(r"[^a-z0-9_]+", "-", audience.lower()).strip("-")
    return name or "unnamed"


def _error(status: int, code: str, message: str,
           headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status,
                             headers=headers)

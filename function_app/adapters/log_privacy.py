"""Logs that carry no names, at any level, from any library.

Graph addresses files by path (``/drives/{id}/root:/Case Files/ATT-2026-0001 Mason Kerr/
2026-09-11 Letter of concern - Jo Kerr.docx:/content``), and the HTTP libraries under the
SDK (httpx, httpcore, urllib3, azure.core's HTTP logging policy, kiota) log request lines
and headers at INFO and DEBUG. A pupil's or a parent's name in such a line would reach
Application Insights. ``protect_logs`` makes that impossible whatever the log levels:

- every log record is scrubbed as it is made (a wrapper around the record factory), so a
  handler added later (the Functions worker's, pytest's) only ever sees scrubbed records;
- the same filter sits on the root logger's handlers and on the chatty libraries' loggers,
  for records made some other way (``logging.makeLogRecord``).

Scrubbing replaces, in the formatted message, any exception text and any stack text:

- the path after Graph's path addressing (``root:/...`` and ``items/{id}:/...``, up to the
  closing ``:`` or the query) by ``<path #1a2b3c4d>``;
- the values of ``$filter`` and ``$search``, ``search(q='...')``, ``filename=`` (as in a
  Content-Disposition header), SharePoint's ``ServerRelativeUrl``/``ServerRelativePath``
  arguments, and a pre-authenticated upload URL's ``tempauth`` by ``<#1a2b3c4d>``.

The digest is an HMAC keyed afresh in each process: lines about the same file can be matched
within one run, but a digest cannot be reversed by trying likely names. Methods, hosts,
status codes, list and item ids and timings are left as they are, so the lines stay useful.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Callable
from typing import Any

# The libraries that log request lines or headers. Their child loggers (httpcore.http11,
# urllib3.connectionpool, azure.core.pipeline.policies.http_logging_policy, ...) get the
# filter too when they exist; the record factory covers the ones made later.
CHATTY_LOGGERS = ("httpx", "httpcore", "urllib3", "azure", "msal", "kiota_http",
                  "kiota_abstractions", "kiota_authentication_azure", "msgraph",
                  "msgraph_core", "aiohttp")
_KEY = secrets.token_bytes(32)
_MARK = "_casework_no_names"
_END = r"[?#\"'<>\n]"  # where a path in a URL ends, when no closing colon does
_COLON = r"(?::|%3[Aa])"
_PATH_ADDRESSED = re.compile(
    rf"(?P<lead>\broot|/items/[^/\s:?#\"'<>]+)(?P<colon>{_COLON})(?P<path>/[^?#\"'<>\n]*?)"
    rf"(?P<end>{_COLON}(?=[/?#\"'<>\s]|$)|(?={_END})|$)")
_VALUES = (
    # $filter=..., $search=... (also percent-encoded) up to the next parameter
    re.compile(r"(?P<lead>(?:\$|%24)(?:filter|search)=)(?P<value>[^&#\"\n]*)", re.IGNORECASE),
    # drive search: search(q='...')
    re.compile(r"(?P<lead>\bsearch\(q=)(?P<value>'(?:[^']|'')*'|[^)\n]*)", re.IGNORECASE),
    # Content-Disposition: attachment; filename="..." / filename*=UTF-8''...
    re.compile(r"(?P<lead>\bfilename\*?=)(?P<value>\"[^\"\n]*\"|[^;\s'\")]+)", re.IGNORECASE),
    # SharePoint REST addressing by path: GetFileByServerRelativeUrl('...'), ...Path(...)
    re.compile(r"(?P<lead>ServerRelative(?:Url|Path)(?:\(|=|%28)(?:decodedurl=)?)"
               r"(?P<value>'(?:[^']|'')*'|[^)&\s\n]*)", re.IGNORECASE),
    # a pre-authenticated upload URL's credential
    re.compile(r"(?P<lead>\btempauth=)(?P<value>[^&#\s\"'<>]+)", re.IGNORECASE),
)
_FORMATTER = logging.Formatter()


def digest(text: str) -> str:
    """A short, per-process keyed digest: the same text gives the same digest in one run."""
    return hmac.new(_KEY, text.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:8]


def redact(text: str) -> str:
    """The text with every file path and query value that may hold a name replaced."""
    if not text:
        return text

    def path(match: re.Match[str]) -> str:
        raw = match["path"]
        kept = raw[len(raw.rstrip()):]  # the space before `"HTTP/1.1 200 OK"` stays
        return f"{match['lead']}{match['colon']}/<path #{digest(raw.rstrip())}>{kept}{match['end']}"

    def value(match: re.Match[str]) -> str:
        raw = match["value"]
        return f"{match['lead']}<#{digest(raw)}>" if raw else match.group(0)

    text = _PATH_ADDRESSED.sub(path, text)
    for pattern in _VALUES:
        text = pattern.sub(value, text)
    return text


def scrub(record: logging.LogRecord) -> None:
    """Replace the record's message, exception text and stack text by redacted ones.

    The message's arguments are kept when nothing needed redacting; else the record
    carries the redacted, formatted message and no arguments. Idempotent."""
    if record.__dict__.get(_MARK):
        return
    record.__dict__[_MARK] = True
    try:
        message = record.getMessage()
    except Exception:  # arguments that do not fit: keep neither them nor a raw message
        record.msg, record.args = (redact(str(record.msg)) +
                                   " (arguments dropped: they did not fit the message)"), None
    else:
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
    if record.exc_info and not record.exc_text:
        record.exc_text = _FORMATTER.formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


class NoNamesFilter(logging.Filter):
    """A logging filter that scrubs every record it sees (and lets it through)."""

    def filter(self, record: logging.LogRecord) -> bool:
        scrub(record)
        return True


FILTER = NoNamesFilter()


def _scrubbing(factory: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        scrub(record)
        return record

    setattr(make, _MARK, True)
    return make


def protect_logs() -> None:
    """Scrub names out of every log record from now on; safe to call again and again.

    Called where Graph is wired (bootstrap) and by the command line's ``main``: the
    record factory is wrapped once, and the filter is added to the root logger's handlers
    and the chatty libraries' loggers (and their children) that do not have it yet."""
    factory = logging.getLogRecordFactory()
    if not getattr(factory, _MARK, False):
        logging.setLogRecordFactory(_scrubbing(factory))
    for handler in logging.getLogger().handlers:
        if FILTER not in handler.filters:
            handler.addFilter(FILTER)
    existing = [name for name, logger in logging.Logger.manager.loggerDict.items()
                if isinstance(logger, logging.Logger)
                and name.split(".", 1)[0] in CHATTY_LOGGERS]
    for name in (*CHATTY_LOGGERS, *existing):
        logger = logging.getLogger(name)
        if FILTER not in logger.filters:
            logger.addFilter(FILTER)

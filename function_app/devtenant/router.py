"""Matching request paths to handlers by route template, as Graph spells its URLs.

Templates read like Graph's documentation ("/sites/{site-id}/lists/{list-id}/items"); the
template of the matched route is also the key the request counter uses. Before matching, the
path forms Graph offers as aliases are rewritten: /sites/{hostname}:/{path}:/..., and the
drive of a site or library (/sites/{site-id}/drive/...) to /drives/{drive-id}/....
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from .backend import Backend
from .calls import Call, Reply
from .errors import GraphError

Handler = Callable[[Backend, Call, dict[str, str]], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    template: str
    handler: Handler


@dataclass(frozen=True, slots=True)
class Match:
    handler: Handler
    params: dict[str, str]
    template: str  # e.g. "GET /sites/{site-id}/lists"


def _compile(template: str) -> re.Pattern[str]:
    pattern = ""
    for literal, name in re.findall(r"([^{]*)(?:\{([^}]+)\})?", template):
        pattern += re.escape(literal)
        if name:
            group = name.replace("-", "_")
            pattern += f"(?P<{group}>[^:]+)" if name == "path" else f"(?P<{group}>[^/:]+)"
    return re.compile(pattern + "$")


_SITE_BY_PATH = re.compile(r"^/sites/(?P<host>[^/:,]+):(?P<path>/[^:]*)(?::(?P<rest>/.*)?)?$")
_SITE_DRIVE = re.compile(r"^/sites/(?P<site>[^/:]+)/drive(?P<rest>/.*)$")
_SITE_DRIVES = re.compile(r"^/sites/(?P<site>[^/:]+)/drives/(?P<drive>[^/:]+)(?P<rest>/.*)?$")
_LIST_DRIVE = re.compile(r"^/sites/(?P<site>[^/:]+)/lists/(?P<list>[^/:]+)/drive(?P<rest>/.*)$")


async def _raise(error: GraphError) -> Reply:
    raise error


class Router:
    def __init__(self, routes: Iterable[Route]) -> None:
        self._routes = [(route, _compile(route.template)) for route in routes]

    def match(self, backend: Backend, method: str, path: str) -> Match:
        """The handler for a request; an error-raising one (still counted) when none fits."""
        try:
            path, prefix = self._rewrite(backend, path)
        except GraphError as error:
            return self._failure(error, method, "(unknown site)")
        allowed = False
        for route, pattern in self._routes:
            found = pattern.match(path)
            if not found:
                continue
            if route.method != method:
                allowed = True
                continue
            params = {k.replace("_", "-"): v for k, v in found.groupdict().items()}
            template = route.template
            if prefix:
                template = prefix[1] + template[len(prefix[0]) :]
            return Match(route.handler, params, f"{method} {template}")
        if allowed:
            refused = GraphError(
                405,
                "Request_BadRequest",
                "Specified HTTP method is not allowed for the request target.",
            )
            return self._failure(refused, method, path)
        segment = path.rstrip("/").rpartition("/")[2] or path
        unknown = GraphError(400, "BadRequest", f"Resource not found for the segment '{segment}'.")
        return self._failure(unknown, method, "(no route)")

    @staticmethod
    def _failure(error: GraphError, method: str, what: str) -> Match:
        async def handler(_backend: Backend, _call: Call, _params: dict[str, str]) -> Reply:
            return await _raise(error)

        return Match(handler, {}, f"{method} {what}")

    @staticmethod
    def _rewrite(backend: Backend, path: str) -> tuple[str, tuple[str, str] | None]:
        """(path to match, (template prefix matched, template prefix to count) or None)."""
        found = _SITE_BY_PATH.match(path)
        if found:
            site = backend.site_by_path(found["host"], found["path"])
            head = "/sites/{hostname}:/{server-relative-path}"
            rest = found["rest"] or ""
            path = f"/sites/{site.id}{rest}"
            if rest:
                head += ":"
            deeper, inner = Router._rewrite(backend, path)
            if inner:
                return deeper, (inner[0], head + inner[1][len("/sites/{site-id}") :])
            return path, ("/sites/{site-id}", head)
        found = _SITE_DRIVE.match(path)
        if found:
            drive = backend.site_drive(backend.site(found["site"]))
            return f"/drives/{drive.id}{found['rest']}", (
                "/drives/{drive-id}",
                "/sites/{site-id}/drive",
            )
        found = _SITE_DRIVES.match(path)
        if found:
            return f"/drives/{found['drive']}{found['rest'] or ''}", (
                "/drives/{drive-id}",
                "/sites/{site-id}/drives/{drive-id}",
            )
        found = _LIST_DRIVE.match(path)
        if found:
            site = backend.site(found["site"])
            drive = backend.list_drive(backend.find_list(site, found["list"]))
            return f"/drives/{drive.id}{found['rest']}", (
                "/drives/{drive-id}",
                "/sites/{site-id}/lists/{list-id}/drive",
            )
        return path, None

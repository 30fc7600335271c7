"""SharePoint REST under the site's path: ``/sites/<site>/_api/web/lists/GetByTitle('..')/...``.

What Graph v1.0 cannot do and provisioning needs: list views (create, change, delete, their
fields), field, content type and list settings (formatters, form, validation). The verbs and
headers are SharePoint's
(https://learn.microsoft.com/sharepoint/dev/sp-add-ins/complete-basic-operations-using-sharepoint-rest-endpoints):
GET reads; POST creates, or with ``X-HTTP-Method: MERGE`` (and ``IF-MATCH``) updates, or with
``X-HTTP-Method: DELETE`` deletes. Answers follow the ``Accept`` header: ``odata=verbose``
wraps them in ``{"d": ...}`` (collections in ``results``), ``odata=nometadata`` gives the
properties (collections in ``value``); errors are ``{"error": ...}`` or ``{"odata.error": ...}``
with ``{"code", "message": {"lang", "value"}}``
(https://learn.microsoft.com/sharepoint/dev/general-development/json-light-support-rest-request-and-response).

Supported: ``web/lists/GetByTitle('T')`` and ``web/lists(guid'..')``, then ``/fields``,
``/fields/getbyinternalnameortitle('F')``, ``/views``, ``/views/getbytitle('V')``,
``/views('id')``, ``.../ViewFields``, ``.../ViewFields/addviewfield('F')``,
``.../ViewFields/removeallviewfields``, ``/contenttypes``, ``/contenttypes('0x..')``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from . import sp_rest
from .access import site_access
from .backend import Backend
from .calls import Call, Reply
from .sp_rest import BAD_QUERY, DENIED, SpRestError
from .store import ListRow, Site

API = "/_api/"
NOMETADATA = "application/json;odata=nometadata;streaming=true;charset=utf-8"
VERBOSE = "application/json;odata=verbose;charset=utf-8"
_SEGMENT = re.compile(r"([A-Za-z_.]+)(?:\(((?:[^()']|'(?:[^']|'')*')*)\))?(?:/|$)")


def is_sp_rest(path: str) -> bool:
    return API in path


def template(path: str) -> str:
    """The request's route for counting: arguments replaced by (…)."""
    rest = path.partition(API)[2]
    return "/sites/{site}" + API + re.sub(r"\([^)]*\)", "(…)", rest)


def _verbose(call: Call) -> bool:
    return "odata=verbose" in (call.headers.get("Accept") or "").lower()


def error_reply(error: SpRestError, call: Call) -> Reply:
    body = {"code": error.code, "message": {"lang": "en-US", "value": error.message}}
    key = "error" if _verbose(call) else "odata.error"
    return Reply(error.status, body={key: body}, headers=error.headers,
                 content_type=VERBOSE if _verbose(call) else NOMETADATA)


def fault_reply(kind: str, retry_after: int, call: Call) -> Reply:
    """An injected fault (faults.py), as SharePoint says it: 429 throttled or 503, both with
    Retry-After."""
    throttled = kind == "throttled"
    error = SpRestError(429 if throttled else 503,
                        "-2147024860, Microsoft.SharePoint.SPQueryThrottledException"
                        if throttled else "-1, System.Exception",
                        "The request has been throttled (a fault injected by the dev tenant)."
                        if throttled else "The service is temporarily unavailable.",
                        {"Retry-After": str(retry_after)})
    return error_reply(error, call)


def unauthorised(call: Call) -> Reply:
    return error_reply(SpRestError(401, DENIED, "Access denied. You do not have permission to "
                                                "perform this action or access this resource.",
                                   {"WWW-Authenticate": 'Bearer realm="", '
                                                        'client_id="00000003-0000-0ff1-ce00-'
                                                        '000000000000"'}), call)


def _argument(raw: str | None) -> str:
    if raw is None:
        raise SpRestError(400, BAD_QUERY, "A parameter was expected.")
    raw = raw.strip()
    if raw.lower().startswith("guid'"):
        raw = raw[4:]
    if len(raw) >= 2 and raw[0] == raw[-1] == "'":
        return raw[1:-1].replace("''", "'")
    return raw


def _segments(rest: str) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    position = 0
    while position < len(rest):
        found = _SEGMENT.match(rest, position)
        if not found or found.end() == position:
            raise SpRestError(400, BAD_QUERY, f"The expression \"{rest}\" is not valid.")
        out.append((found[1].lower(), found[2]))
        position = found.end()
    return out


def _body(call: Call) -> dict[str, Any]:
    if not call.body.strip():
        return {}
    try:
        value = json.loads(call.body)
    except (ValueError, UnicodeDecodeError):
        raise SpRestError(400, BAD_QUERY, "Invalid JSON. The request body is not valid "
                                          "JSON.") from None
    if not isinstance(value, dict):
        raise SpRestError(400, BAD_QUERY, "Invalid JSON. An object was expected.")
    value.pop("__metadata", None)
    return value


class _Answer:
    """Shapes a successful answer for the caller's Accept header."""

    def __init__(self, call: Call, site: Site) -> None:
        self.call, self.site = call, site
        self.verbose = _verbose(call)

    def _select(self, entity: dict[str, Any]) -> dict[str, Any]:
        chosen = self.call.option("select")
        if not chosen:
            return entity
        wanted = {name.strip().casefold() for name in chosen.split(",") if name.strip()}
        return {k: v for k, v in entity.items() if k.casefold() in wanted}

    def entity(self, entity: dict[str, Any], type_name: str, status: int = 200) -> Reply:
        entity = self._select(entity)
        if self.verbose:
            entity = {"__metadata": {"type": type_name}, **{
                k: ({"__metadata": {"type": "Collection(Edm.String)"}, "results": v}
                    if isinstance(v, list) else v) for k, v in entity.items()}}
            return Reply(status, body={"d": entity}, content_type=VERBOSE)
        return Reply(status, body=entity, content_type=NOMETADATA)

    def collection(self, entities: list[dict[str, Any]], type_name: str) -> Reply:
        chosen = [self._select(e) for e in entities]
        if self.verbose:
            results = [{"__metadata": {"type": type_name}, **e} for e in chosen]
            return Reply(200, body={"d": {"results": results}}, content_type=VERBOSE)
        return Reply(200, body={"value": chosen}, content_type=NOMETADATA)

    def done(self, method_name: str) -> Reply:
        """A service operation that returns nothing (addviewfield, removeallviewfields)."""
        if self.verbose:
            return Reply(200, body={"d": {method_name: None}}, content_type=VERBOSE)
        return Reply(200, body={"odata.null": True}, content_type=NOMETADATA)


def _verb(call: Call) -> str:
    if call.method == "GET":
        return "GET"
    if call.method == "POST":
        return (call.headers.get("X-HTTP-Method") or "POST").upper()
    if call.method in ("PATCH", "MERGE", "PUT", "DELETE"):
        return "MERGE" if call.method in ("PATCH", "PUT") else call.method
    raise SpRestError(405, BAD_QUERY, f"The HTTP method '{call.method}' is not supported.")


async def handle(b: Backend, call: Call) -> Reply:
    """Answer one SharePoint REST request (authenticated by the server)."""
    try:
        head, _, rest = call.path.partition(API)
        site = _site(b, head)
        level = site_access(b, call.identity, site) if call.identity else "write"
        if level is None or (level == "read" and _verb(call) != "GET"):
            raise SpRestError(403, DENIED, "Access denied. You do not have permission to "
                              "perform this action or access this resource.")
        return _dispatch(b, call, site, _segments(rest.strip("/")))
    except SpRestError as error:
        return error_reply(error, call)


def _site(b: Backend, path: str) -> Site:
    main = b.main_site
    site = b.store.site_by_path(main.hostname, path) if main is not None else None
    if site is None:
        raise SpRestError(404, "-2147024894, System.IO.FileNotFoundException",
                          "File Not Found.")
    return site


def _dispatch(b: Backend, call: Call, site: Site,
              segments: list[tuple[str, str | None]]) -> Reply:
    answer = _Answer(call, site)
    verb = _verb(call)
    if len(segments) < 2 or segments[0] != ("web", None) or \
            segments[1][0] not in ("lists", "getlistbytitle"):
        raise SpRestError(400, BAD_QUERY, "The dev tenant answers SharePoint REST only for "
                                          "web/lists/GetByTitle('...') and what is below it.")
    name, argument = segments[1]
    rest = segments[2:]
    if name == "lists" and argument is None:
        if not rest or rest[0][0] != "getbytitle":
            raise SpRestError(400, BAD_QUERY, "Name the list: lists/GetByTitle('Title').")
        lst = sp_rest.find_list(b, site, _argument(rest[0][1]))
        rest = rest[1:]
    else:
        key = _argument(argument)
        by_id = b.store.list_by_id(key) if name == "lists" else None
        lst = by_id or sp_rest.find_list(b, site, key)
    if not rest:
        return _list(b, call, site, lst, verb, answer)
    handler = _HANDLERS.get(rest[0][0])
    if handler is None:
        raise SpRestError(400, BAD_QUERY, f"The dev tenant does not answer '{rest[0][0]}' on "
                                          "a list over SharePoint REST.")
    return handler(b, call, site, lst, verb, answer, rest)


def _list(b: Backend, call: Call, site: Site, lst: ListRow, verb: str,
          answer: _Answer) -> Reply:
    if verb == "GET":
        return answer.entity(sp_rest.list_entity(b, site, lst), "SP.List")
    if verb == "MERGE":
        sp_rest.update_list(b, lst, _body(call))
        return Reply(204)
    raise SpRestError(405, BAD_QUERY, f"{verb} is not allowed on a list here.")


Rest = list[tuple[str, str | None]]


def _fields(b: Backend, call: Call, site: Site, lst: ListRow, verb: str, answer: _Answer,
            rest: Rest) -> Reply:
    if len(rest) == 1 and verb == "GET":
        return answer.collection(sp_rest.fields(b, lst), "SP.Field")
    if len(rest) == 2 and rest[1][0] in ("getbyinternalnameortitle", "getbytitle"):
        key = _argument(rest[1][1])
        if verb == "GET":
            return answer.entity(sp_rest.find_field(b, lst, key), "SP.Field")
        if verb == "MERGE":
            sp_rest.update_field(b, lst, key, _body(call))
            return Reply(204)
        if verb == "DELETE":
            sp_rest.delete_field(b, lst, key)
            return Reply(200)
    raise SpRestError(400, BAD_QUERY, "Use fields, or fields/getbyinternalnameortitle('Name') "
                                      "with GET, MERGE or DELETE.")


def _without_fields(view: dict[str, Any]) -> dict[str, Any]:
    """A view as SharePoint answers for it: its ViewFields only when $expand asks."""
    return {k: v for k, v in view.items() if k != "ViewFields"}


def _views(b: Backend, call: Call, site: Site, lst: ListRow, verb: str, answer: _Answer,
           rest: Rest) -> Reply:
    argument = rest[0][1]
    if argument is None and len(rest) == 1:
        if verb == "GET":
            found = sp_rest.views(b, site, lst)
            if "viewfields" in (call.option("expand") or "").lower():
                found = [{**v, "ViewFields": sp_rest.view_fields_entity(v)} for v in found]
            else:
                found = [_without_fields(view) for view in found]
            return answer.collection(found, "SP.View")
        if verb == "POST":
            view = sp_rest.create_view(b, site, lst, _body(call))
            return answer.entity(_without_fields(view), "SP.View", status=201)
    if argument is None and len(rest) >= 2 and rest[1][0] == "getbytitle":
        view = sp_rest.find_view(b, site, lst, title=_argument(rest[1][1]))
        deeper = rest[2:]
    elif argument is not None:
        view = sp_rest.find_view(b, site, lst, view_id=_argument(argument))
        deeper = rest[1:]
    else:
        raise SpRestError(400, BAD_QUERY, "Name the view: views('id') or "
                                          "views/getbytitle('Title').")
    if not deeper:
        if verb == "GET":
            return answer.entity(_without_fields(view), "SP.View")
        if verb == "MERGE":
            sp_rest.update_view(b, lst, view, _body(call))
            return Reply(204)
        if verb == "DELETE":
            sp_rest.delete_view(b, lst, view)
            return Reply(200)
    elif deeper[0][0] == "viewfields":
        operation = deeper[1] if len(deeper) > 1 else None
        if operation is None and verb == "GET":
            return answer.entity(sp_rest.view_fields_entity(view), "SP.ViewFieldCollection")
        if operation is not None and verb == "POST":
            if operation[0] == "addviewfield":
                field = _argument(operation[1])
                names = [n for n in view["ViewFields"] if n.casefold() != field.casefold()]
                sp_rest.set_view_fields(b, lst, view, [*names, field])
                return answer.done("AddViewField")
            if operation[0] == "removeallviewfields":
                sp_rest.set_view_fields(b, lst, view, [])
                return answer.done("RemoveAllViewFields")
    raise SpRestError(400, BAD_QUERY, "This operation on a view is not supported by the dev "
                                      "tenant.")


def _content_types(b: Backend, call: Call, site: Site, lst: ListRow, verb: str,
                   answer: _Answer, rest: Rest) -> Reply:
    argument = rest[0][1]
    if argument is None and len(rest) == 1 and verb == "GET":
        return answer.collection(sp_rest.content_types(b, lst), "SP.ContentType")
    if argument is not None and len(rest) == 1:
        content_type = sp_rest.find_content_type(b, lst, _argument(argument))
        if verb == "GET":
            return answer.entity(content_type, "SP.ContentType")
        if verb == "MERGE":
            sp_rest.update_content_type(b, lst, content_type, _body(call))
            return Reply(204)
    raise SpRestError(400, BAD_QUERY, "Use contenttypes, or contenttypes('0x...') with GET or "
                                      "MERGE.")


_HANDLERS: dict[str, Callable[[Backend, Call, Site, ListRow, str, _Answer, Rest], Reply]] = {
    "fields": _fields, "views": _views, "contenttypes": _content_types}

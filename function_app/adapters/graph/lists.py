"""The site's lists through Microsoft Graph: the site, its lists and columns, list items and
their changes (delta), many items read or written through $batch, and change subscriptions.

GraphLists is the middle of GraphClient (function_app.adapters.graph.client): it sends
through GraphTransport and is extended by the document library's operations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote, urlsplit

from .errors import GraphError, GraphUnavailableError, error_for
from .records import DeltaPage, ListInfo, ListItem, parse_list_item
from .transport import IDEMPOTENT, GraphTransport

BATCH_LIMIT = 20  # Graph: at most 20 requests in one $batch
FILTER_VALUES = 15  # values or'd in one $filter: short filters, the rest in other requests
BY_ID = "id"  # an ItemQuery's column for items read by their ids
# (list id, column, values): the items whose column (an indexed one: "CaseLookupId") holds
# one of the values; with column BY_ID the items of those ids; with column "" every item.
ItemQuery = tuple[str, str, Sequence[str]]


@dataclass
class GraphLists(GraphTransport):
    """The site, its lists and their items."""

    _site_id: str = ""
    # Whether Graph takes "or" in a list item $filter; False once one was refused, and each
    # value is then asked for on its own.
    or_filters: bool = True

    # -- site and lists ----------------------------------------------------------------

    async def site_id(self) -> str:
        if not self._site_id:
            path = quote(self.target.site_path)
            site = await self.json("get site", "GET",
                                   f"/sites/{self.target.hostname}:{path}")
            self._site_id = site["id"]
        return self._site_id

    async def lists(self) -> dict[str, ListInfo]:
        """Every list and library of the site, by display name, with its columns."""
        site = await self.site_id()
        found: dict[str, ListInfo] = {}
        url: str | None = f"/sites/{site}/lists?$expand=columns"
        while url:
            page = await self.json("get lists", "GET", url)
            for raw in page["value"]:
                found[raw["displayName"]] = ListInfo(
                    raw["id"], raw["displayName"], tuple(raw.get("columns", [])),
                    raw.get("list", {}).get("template", ""), raw)
            url = page.get("@odata.nextLink")
        return found

    async def create_list(self, definition: dict[str, Any]) -> ListInfo:
        site = await self.site_id()
        raw = await self.json("create list", "POST", f"/sites/{site}/lists", definition)
        return ListInfo(raw["id"], raw["displayName"], tuple(raw.get("columns", [])),
                        raw.get("list", {}).get("template", ""), raw)

    async def add_column(self, list_id: str, column: dict[str, Any]) -> dict[str, Any]:
        site = await self.site_id()
        created: dict[str, Any] = await self.json(
            "add column", "POST", f"/sites/{site}/lists/{list_id}/columns", column)
        return created

    async def update_column(self, list_id: str, column_id: str,
                            changes: dict[str, Any]) -> dict[str, Any]:
        site = await self.site_id()
        updated: dict[str, Any] = await self.json(
            "update column", "PATCH", f"/sites/{site}/lists/{list_id}/columns/{column_id}",
            changes)
        return updated

    # -- list items --------------------------------------------------------------------

    async def _items_url(self, list_id: str) -> str:
        return f"/sites/{await self.site_id()}/lists/{list_id}/items"

    async def create_item(self, list_id: str, fields: dict[str, Any]) -> ListItem:
        raw = await self.json("create item", "POST", await self._items_url(list_id),
                              {"fields": fields})
        return parse_list_item(raw, self.target.app_id)

    async def get_item(self, list_id: str, item_id: str) -> ListItem:
        raw = await self.json("get item", "GET",
                              f"{await self._items_url(list_id)}/{item_id}?$expand=fields")
        return parse_list_item(raw, self.target.app_id)

    async def all_items(self, list_id: str) -> list[ListItem]:
        """Every item with its fields, following @odata.nextLink."""
        url: str | None = f"{await self._items_url(list_id)}?$expand=fields&$top=500"
        items: list[ListItem] = []
        while url:
            page = await self.json("get items", "GET", url)
            items += [parse_list_item(raw, self.target.app_id) for raw in page["value"]]
            url = page.get("@odata.nextLink")
        return items

    async def update_fields(self, list_id: str, item_id: str, fields: dict[str, Any],
                            etag: str = "") -> dict[str, Any]:
        headers = {"If-Match": etag} if etag else None
        updated: dict[str, Any] = await self.json(
            "update item", "PATCH", f"{await self._items_url(list_id)}/{item_id}/fields",
            fields, headers=headers)
        return updated

    async def delete_item(self, list_id: str, item_id: str) -> None:
        await self.send("delete item", "DELETE", f"{await self._items_url(list_id)}/{item_id}")

    async def delta(self, list_id: str, link: str = "") -> DeltaPage:
        """One page of changes: from a stored next or delta link, or from the start."""
        url = self._on_our_host(link) if link else \
            f"{await self._items_url(list_id)}/delta?$expand=fields"
        page = await self.json("read changes", "GET", url)
        return DeltaPage(
            items=tuple(parse_list_item(raw, self.target.app_id) for raw in page["value"]),
            next_link=page.get("@odata.nextLink", ""),
            delta_link=page.get("@odata.deltaLink", ""))

    def _on_our_host(self, link: str) -> str:
        """A stored link, on the configured Graph host: a link kept from another address
        (the dev tenant restarted on a new port, say) is read from ours, and a token is
        never sent to a host we were not configured for."""
        from urllib.parse import urlsplit, urlunsplit

        ours, theirs = urlsplit(self.base), urlsplit(link)
        if theirs.netloc == ours.netloc and theirs.scheme == ours.scheme:
            return link
        return urlunsplit(theirs._replace(scheme=ours.scheme, netloc=ours.netloc))

    async def latest_delta_link(self, list_id: str) -> str:
        page = await self.json("read changes", "GET",
                               f"{await self._items_url(list_id)}/delta?token=latest")
        link: str = page["@odata.deltaLink"]
        return link

    # -- subscriptions -----------------------------------------------------------------

    async def subscribe(self, list_id: str, notification_url: str, client_state: str,
                        expires: str) -> dict[str, Any]:
        site = await self.site_id()
        created: dict[str, Any] = await self.json("create subscription", "POST", "/subscriptions", {
            "changeType": "updated", "notificationUrl": notification_url,
            "resource": f"sites/{site}/lists/{list_id}", "expirationDateTime": expires,
            "clientState": client_state})
        return created

    async def renew(self, subscription_id: str, expires: str) -> dict[str, Any]:
        renewed: dict[str, Any] = await self.json(
            "renew subscription", "PATCH", f"/subscriptions/{subscription_id}",
            {"expirationDateTime": expires})
        return renewed

    async def unsubscribe(self, subscription_id: str) -> None:
        await self.send("delete subscription", "DELETE", f"/subscriptions/{subscription_id}")

    # -- batching ----------------------------------------------------------------------

    async def batch(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Up to 20 requests in one round trip; each answer is returned, not raised."""
        # Repeating a whole $batch is harmless when every request in it is.
        harmless = all(str(r.get("method", "")).upper() in IDEMPOTENT for r in requests)
        answers: list[dict[str, Any]] = []
        for start in range(0, len(requests), BATCH_LIMIT):
            chunk = requests[start:start + BATCH_LIMIT]
            result = await self.json("batch", "POST", "/$batch", {"requests": chunk},
                                     retry_all=harmless)
            by_id = {str(r["id"]).lower(): r for r in result["responses"]}
            answers += [by_id[str(r["id"]).lower()] for r in chunk]
        return answers

    async def read_items(self, queries: Sequence[ItemQuery],
                         per_filter: int = FILTER_VALUES,
                         with_files: bool = False) -> list[list[ListItem]]:
        """Items of several lists in as few round trips as $batch allows: per query (see
        ``ItemQuery``), the items found, each once and in id order, following
        @odata.nextLink pages in the next batch. An id not found is left out. Filters go on
        indexed columns only (Graph refuses others with 400); at most ``per_filter`` values
        are or'd in one request, the rest spread over other requests of the same batch. A
        sub-request Graph was too busy for is sent again, as update_fields_batch does; any
        other failure is raised. ``with_files``: a library's items come with their files
        (``ListItem.file``: $expand=driveItem).
        """
        found: list[dict[str, ListItem]] = [{} for _ in queries]
        pending: list[_Read] = []
        for n, (list_id, column, values) in enumerate(queries):
            items = await self._items_url(list_id)
            unique = list(dict.fromkeys(str(v) for v in values))
            if column == BY_ID:
                pending += [_Read(n, f"{items}/{quote(v, safe='')}?$expand=fields", BY_ID)
                            for v in unique]
            elif column:
                size = max(1, per_filter) if self.or_filters else 1
                pending += [_Read(n, _filtered(items, column, unique[i:i + size]), column,
                                  tuple(unique[i:i + size]))
                            for i in range(0, len(unique), size)]
            else:
                pending.append(_Read(n, f"{items}?$expand=fields&$top=500"))
        if with_files:
            pending = [replace(r, url=r.url.replace("$expand=fields", "$expand=fields,driveItem",
                                                    1)) for r in pending]
        attempt = 0
        while pending:
            answers = await self.batch([{"id": str(i), "method": "GET", "url": r.url}
                                        for i, r in enumerate(pending)])
            following: list[_Read] = []
            busy: list[_Read] = []
            waits: list[float] = []
            for read, answer in zip(pending, answers, strict=True):
                outcome = _batch_outcome("read items", answer)
                if isinstance(outcome, dict):
                    for raw in outcome.get("value", [outcome]):
                        item = parse_list_item(raw, self.target.app_id)
                        found[read.query][item.id] = item
                    if outcome.get("@odata.nextLink"):
                        following.append(_Read(read.query, self._relative(
                            str(outcome["@odata.nextLink"])), read.column, read.values))
                elif outcome.status == 404 and read.column == BY_ID:
                    continue  # an item not there (deleted meanwhile)
                elif outcome.status == 400 and len(read.values) > 1:
                    self.or_filters = False  # "or" refused: one value a request
                    items = read.url.split("?", 1)[0]
                    following += [_Read(read.query, _filtered(items, read.column, (v,)),
                                        read.column, (v,)) for v in read.values]
                elif (isinstance(outcome, GraphUnavailableError)
                        and self.retry.defers(outcome.retry_after)):
                    raise self.retry.deferred(outcome)
                elif (isinstance(outcome, GraphUnavailableError)
                        and attempt + 1 < self.retry.attempts):
                    busy.append(read)
                    waits.append(outcome.retry_after or 0.0)
                else:
                    raise outcome
            if busy:
                self.retries["read items (batch)"] += len(busy)
                await self.retry.sleep(self.retry.delay(attempt, max(waits) or None))
                attempt += 1
            pending = following + busy
        return [sorted(by_id.values(), key=_by_number) for by_id in found]

    def _relative(self, link: str) -> str:
        """A next link as a $batch request names it: relative to the version root."""
        ours = self._on_our_host(link)
        if ours.startswith(self.base):
            return ours[len(self.base):]
        parts = urlsplit(ours)
        return f"{parts.path}?{parts.query}" if parts.query else parts.path

    async def create_items_batch(self, list_id: str, many: Sequence[dict[str, Any]]
                                 ) -> list[ListItem | GraphError]:
        """Create items through $batch, 20 a request; per item, in order, the item made or
        the GraphError it met (not raised). Not sent again: a create whose answer was lost
        may have been made, so the caller looks for it before making it again."""
        items = await self._items_url(list_id)
        answers = await self.batch([
            {"id": str(n), "method": "POST", "url": items, "body": {"fields": fields},
             "headers": {"Content-Type": "application/json"}}
            for n, fields in enumerate(many)])
        out: list[ListItem | GraphError] = []
        for answer in answers:
            outcome = _batch_outcome("create item", answer)
            out.append(parse_list_item(outcome, self.target.app_id)
                       if isinstance(outcome, dict) else outcome)
        return out

    async def update_fields_batch(
            self, list_id: str, updates: Mapping[str, dict[str, Any]],
    ) -> dict[str, dict[str, Any] | GraphError]:
        """Write many items' fields through $batch, 20 a request; per item, its updated
        fields or the GraphError it ended with (not raised, so one refusal stops nothing).

        Items that Graph was too busy for are sent again in a later batch, honouring the
        longest Retry-After among them; an item whose Retry-After is longer than
        ``retry.max_delay`` is not sent again: it ends with GraphUnavailableError carrying
        that ``retry_after``, for a later sweep (RetryPolicy.defers).
        """
        items = await self._items_url(list_id)
        results: dict[str, dict[str, Any] | GraphError] = {}
        pending = dict(updates)
        attempt = 0
        while pending:
            ids = list(pending)
            answers = await self.batch([
                {"id": str(n), "method": "PATCH", "url": f"{items}/{item_id}/fields",
                 "headers": {"Content-Type": "application/json"}, "body": pending[item_id]}
                for n, item_id in enumerate(ids)])
            busy: dict[str, dict[str, Any]] = {}
            waits: list[float] = []
            for item_id, answer in zip(ids, answers, strict=True):
                outcome = _batch_outcome("update item", answer)
                if (isinstance(outcome, GraphUnavailableError)
                        and self.retry.defers(outcome.retry_after)):
                    results[item_id] = self.retry.deferred(outcome)
                elif (isinstance(outcome, GraphUnavailableError)
                        and attempt + 1 < self.retry.attempts):
                    busy[item_id] = pending[item_id]
                    waits.append(outcome.retry_after or 0.0)
                else:
                    results[item_id] = outcome
            if busy:
                self.retries["update item (batch)"] += len(busy)
                await self.retry.sleep(self.retry.delay(attempt, max(waits) or None))
                attempt += 1
            pending = busy
        return {item_id: results[item_id] for item_id in updates}


@dataclass(frozen=True, slots=True)
class _Read:
    """One GET of read_items: which query it answers, its column (BY_ID for one item by
    id) and for a filter its values (to ask for each on its own if Graph refuses "or")."""

    query: int
    url: str
    column: str = ""
    values: tuple[str, ...] = ()


def _by_number(item: ListItem) -> tuple[int, str]:
    """Items in the order a list gives them: by their id, a number."""
    return (int(item.id), "") if item.id.isdigit() else (0, item.id)


def _filtered(items_url: str, column: str, values: Sequence[str]) -> str:
    """The items whose column holds one of the values: fields/Col eq 'v' or ... ."""
    text = " or ".join(f"fields/{column} eq '{v.replace(chr(39), chr(39) * 2)}'"
                       for v in values)
    return f"{items_url}?$expand=fields&$top=500&$filter={quote(text, safe='/')}"


def _batch_outcome(operation: str, answer: dict[str, Any]) -> dict[str, Any] | GraphError:
    """One $batch answer: its JSON body, or the error its status maps to."""
    status = int(answer.get("status") or 0)
    body = answer.get("body")
    if 200 <= status < 400:
        return body if isinstance(body, dict) else {}
    error = body.get("error", {}) if isinstance(body, dict) else {}
    headers = {str(k).lower(): v for k, v in (answer.get("headers") or {}).items()}
    try:
        after: float | None = float(headers["retry-after"])
    except (KeyError, TypeError, ValueError):
        after = None
    return error_for(status, str(error.get("code", "")), str(error.get("message", "")),
                     operation, retry_after=after)

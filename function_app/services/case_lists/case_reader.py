"""The snapshot of only the cases a sweep's changes belong to, read by indexed lookups.

One edit costs the same in a big site as in a small one (issue 17): instead of every item
of every list, a sweep reads, through $batch, only

1. the changed items whose case the change itself does not say (a deleted item is left
   out: it makes nothing), and the meetings and contacts a meeting's attendee, action,
   intervention or quote points at, to know their case;
2. those cases' items: the Cases items by id, each child list filtered by
   ``fields/CaseLookupId`` and each meeting child by ``fields/MeetingLookupId`` (Voice also
   by ``fields/ContactLookupId``): all indexed lookup columns (sharepoint_schema), as Graph
   filters on nothing else without a header that may fail at random on large lists;
3. the School Holidays list whole (small, and site-wide), with the first case.

A changed item not found among its case's items (no case, a case that is gone, or moved to
another case since the change) is read by id, and a case it names now is read too. The
result is the same ``Snapshot`` as a whole read gives, for these cases: nothing is kept of
a case that did not change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from function_app.adapters.graph.records import ListItem

from . import list_columns as lc
from .snapshot import CASE_CHILDREN, MEETING_CHILDREN, Snapshot, lookup

BY_ID = "id"  # a query's column for items read by id (adapters/graph/lists.py, ItemQuery)
Query = tuple[str, str, Sequence[str]]  # (list id, column or BY_ID or "" for all, values)
Key = tuple[str, str]  # (list title, item id)
ROUNDS = 3  # find and read cases again at most this often (items that moved case)


@runtime_checkable
class ItemReader(Protocol):
    """What the reader needs of Graph (GraphClient.read_items): per query, its items."""

    async def read_items(self, queries: Sequence[Query]) -> list[list[ListItem]]: ...


async def read_changed_cases(graph: ItemReader, list_ids: Mapping[str, str],
                             changed: Mapping[Key, ListItem | None]) -> Snapshot:
    """The snapshot of the cases ``changed`` belongs to: each change as Graph's delta gave
    it (its fields may be absent), or None for an item known only by its key."""
    return await _Reader(graph, list_ids).read(changed)


class _Reader:
    def __init__(self, graph: ItemReader, list_ids: Mapping[str, str]) -> None:
        self.graph, self.list_ids = graph, list_ids
        self.snapshot = Snapshot()
        self.loaded: set[str] = set()  # cases read whole
        self.gone: set[Key] = set()  # asked for by id and not there

    async def read(self, changed: Mapping[Key, ListItem | None]) -> Snapshot:
        # A holiday belongs to no case: it is read with the first case, as every case's.
        todo = {k: v for k, v in changed.items()
                if (v is None or not v.deleted) and k[0] != lc.HOLIDAYS.title}
        for _ in range(ROUNDS):
            await self._by_id([k for k in todo if self.snapshot.get(*k) is None
                               and k not in self.gone and not _says_its_owner(k[0], todo[k])])
            await self._owners(todo)
            cases = {self._case_of(k, todo[k]) for k in todo} - self.loaded - {""}
            if cases:
                await self._load(cases)
            # Not among its case's items: read it by id next round (an orphan, say).
            todo = {k: None for k in todo
                    if self.snapshot.get(*k) is None and k not in self.gone}
            if not todo:
                break
        # In the lists' order, as a whole read gives them (a case's carers, say).
        self.snapshot.items = {name: dict(sorted(items.items(), key=lambda i: _numeric(i[0])))
                               for name, items in self.snapshot.items.items()}
        return self.snapshot

    # -- finding the cases ------------------------------------------------------------------

    def _item(self, key: Key, given: ListItem | None) -> ListItem | None:
        return self.snapshot.get(*key) or given

    def _case_of(self, key: Key, given: ListItem | None) -> str:
        item = self._item(key, given)
        if key[0] == lc.CASES.title:
            return key[1]
        return self.snapshot.case_of(key[0], item) if item is not None else ""

    async def _owners(self, todo: Mapping[Key, ListItem | None]) -> None:
        """Read the meetings and contacts that meeting children point at, to know their
        case (those already read are not asked for again)."""
        wanted: set[Key] = set()
        for key, given in todo.items():
            item = self._item(key, given)
            if key[0] not in MEETING_CHILDREN or item is None:
                continue
            wanted.add((lc.MEETINGS.title, lookup(item, "Meeting")))
            if key[0] == lc.VOICE.title:
                wanted.add((lc.CONTACTS.title, lookup(item, "Contact")))
        await self._by_id([k for k in wanted if k[1] and self.snapshot.get(*k) is None
                           and k not in self.gone])

    async def _by_id(self, keys: Sequence[Key]) -> None:
        """Items by id, each list's in one query, all in one batch."""
        by_list: dict[str, list[str]] = {}
        for name, item_id in keys:
            by_list.setdefault(name, []).append(item_id)
        if not by_list:
            return
        answers = await self.graph.read_items(
            [(self.list_ids[n], BY_ID, ids) for n, ids in by_list.items()])
        for (name, ids), items in zip(by_list.items(), answers, strict=True):
            self._keep(name, items)
            there = {i.id for i in items}
            self.gone |= {(name, i) for i in ids if i not in there}

    # -- reading whole cases ----------------------------------------------------------------

    async def _load(self, cases: set[str]) -> None:
        """Every item of these cases: the Cases items and their children, then the
        children of their meetings (and the quotes of their contacts)."""
        ids = sorted(cases, key=_numeric)
        names = [lc.CASES.title, *CASE_CHILDREN]
        queries: list[Query] = [(self.list_ids[lc.CASES.title], BY_ID, ids)]
        queries += [(self.list_ids[n], "CaseLookupId", ids) for n in CASE_CHILDREN]
        if lc.HOLIDAYS.title not in self.snapshot.items:
            names.append(lc.HOLIDAYS.title)
            queries.append((self.list_ids[lc.HOLIDAYS.title], "", ()))
        for name, items in zip(names, await self.graph.read_items(queries), strict=True):
            self._keep(name, items)
        self.gone |= {(lc.CASES.title, c) for c in ids
                      if self.snapshot.get(lc.CASES.title, c) is None}
        self.loaded |= cases
        meetings = self._of_cases(lc.MEETINGS.title, cases)
        contacts = self._of_cases(lc.CONTACTS.title, cases)
        queries = []
        children: list[str] = []
        for name in MEETING_CHILDREN:
            if meetings:
                queries.append((self.list_ids[name], "MeetingLookupId", meetings))
                children.append(name)
        if contacts:
            queries.append((self.list_ids[lc.VOICE.title], "ContactLookupId", contacts))
            children.append(lc.VOICE.title)
        if queries:
            for name, items in zip(children, await self.graph.read_items(queries),
                                   strict=True):
                self._keep(name, items)

    def _of_cases(self, list_name: str, cases: set[str]) -> list[str]:
        return sorted((i.id for i in self.snapshot.items.get(list_name, {}).values()
                       if lookup(i, "Case") in cases), key=_numeric)

    def _keep(self, list_name: str, items: Sequence[ListItem]) -> None:
        kept = self.snapshot.items.setdefault(list_name, {})
        kept.update((i.id, i) for i in items if not i.deleted)


def _says_its_owner(list_name: str, item: ListItem | None) -> bool:
    """Whether the change itself names what its case is found by (its fields came with
    the delta), so the item need not be read first."""
    if list_name == lc.CASES.title:
        return True
    if item is None:
        return False
    if list_name in CASE_CHILDREN:
        return "CaseLookupId" in item.fields
    if list_name in MEETING_CHILDREN:
        return "MeetingLookupId" in item.fields or "ContactLookupId" in item.fields
    return False


def _numeric(item_id: str) -> tuple[int, str]:
    return (int(item_id), "") if item_id.isdigit() else (0, item_id)

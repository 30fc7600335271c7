"""The Cases list as an attendance import uses it
(services.attendance_import.import_cases.CasesList)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from function_app.services.case_lists.case_items import ListItem
from function_app.services.case_lists.list_columns import ATTENDANCE_SUMMARY_COLUMNS

from .client import GraphClient
from .errors import GraphError, NotFoundError

CASES = "Cases"


class GraphCasesList:
    """Reads the Cases items and writes new cases and figures through Microsoft Graph;
    figures go in $batch requests of 20 (``GraphClient.update_fields_batch``). Tier,
    AttendancePercent and SevereAbsence are left out on a site whose Cases list does not
    have them yet (provisioned before they existed: `casework provision` adds them)."""

    def __init__(self, graph: GraphClient) -> None:
        self.graph = graph
        self._list_id = ""
        self._missing: set[str] = set()  # app columns the site's list lacks

    async def list_id(self) -> str:
        if not self._list_id:
            lists = await self.graph.lists()
            if CASES not in lists:
                raise NotFoundError("The site has no Cases list: run `casework provision` "
                                    "first.", 404)
            self._list_id = lists[CASES].id
            there = {str(c.get("name")) for c in lists[CASES].columns}
            self._missing = set(ATTENDANCE_SUMMARY_COLUMNS) - there
        return self._list_id

    def _writable(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in fields.items() if k not in self._missing}

    async def cases(self) -> list[ListItem]:
        items = await self.graph.all_items(await self.list_id())
        return [ListItem(i.id, i.fields) for i in items if not i.deleted]

    async def open_case(self, fields: dict[str, Any]) -> str:
        list_id = await self.list_id()
        return (await self.graph.create_item(list_id, self._writable(fields))).id

    async def update_figures(self, updates: Mapping[str, dict[str, Any]]) -> dict[str, str]:
        list_id = await self.list_id()
        writes = {i: f for i, f in ((i, self._writable(f)) for i, f in updates.items()) if f}
        answers = await self.graph.update_fields_batch(list_id, writes) if writes else {}
        return {item_id: (str(a) or "refused") if isinstance(a, GraphError) else ""
                for item_id, a in answers.items()}

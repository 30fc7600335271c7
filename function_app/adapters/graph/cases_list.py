"""The Cases list as an attendance import uses it (services.import_cases.CasesList)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from function_app.services.list_mapping import ListItem

from .client import GraphClient
from .errors import GraphError, NotFoundError

CASES = "Cases"


class GraphCasesList:
    """Reads the Cases items and writes new cases and figures through Microsoft Graph;
    figures go in $batch requests of 20 (``GraphClient.update_fields_batch``)."""

    def __init__(self, graph: GraphClient) -> None:
        self.graph = graph
        self._list_id = ""

    async def list_id(self) -> str:
        if not self._list_id:
            lists = await self.graph.lists()
            if CASES not in lists:
                raise NotFoundError("The site has no Cases list: run `casework provision` "
                                    "first.", 404)
            self._list_id = lists[CASES].id
        return self._list_id

    async def cases(self) -> list[ListItem]:
        items = await self.graph.all_items(await self.list_id())
        return [ListItem(i.id, i.fields) for i in items if not i.deleted]

    async def open_case(self, fields: dict[str, Any]) -> str:
        return (await self.graph.create_item(await self.list_id(), fields)).id

    async def update_figures(self, updates: Mapping[str, dict[str, Any]]) -> dict[str, str]:
        answers = await self.graph.update_fields_batch(await self.list_id(), updates)
        return {item_id: (str(a) or "refused") if isinstance(a, GraphError) else ""
                for item_id, a in answers.items()}

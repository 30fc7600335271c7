"""`casework provision`: give the site our lists, library and columns; never delete.

Carries out the plan of provisioning_plan (pure) through the Graph adapter, and reports
what it created and what differs, for a person to decide.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from function_app.adapters.graph.records import ListInfo

from .provisioning_plan import Difference, plan_provisioning, resolve_lookups


class Site(Protocol):
    async def lists(self) -> dict[str, ListInfo]: ...
    async def create_list(self, definition: dict[str, Any]) -> ListInfo: ...
    async def add_column(self, list_id: str, column: dict[str, Any]) -> dict[str, Any]: ...
    async def update_column(self, list_id: str, column_id: str,
                            changes: dict[str, Any]) -> dict[str, Any]: ...


@dataclass
class ProvisionReport:
    created_lists: list[str] = field(default_factory=list)
    named_columns: list[str] = field(default_factory=list)
    added_columns: list[str] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)

    @property
    def changed_nothing(self) -> bool:
        return not (self.created_lists or self.named_columns or self.added_columns)

    def lines(self) -> list[str]:
        out = [f"Created list {name}." for name in self.created_lists]
        out += [f"Named column {name}." for name in self.named_columns]
        out += [f"Added column {name}." for name in self.added_columns]
        out += [f"Differs (left as it is): {d}" for d in self.differences]
        if self.changed_nothing:
            out.append("Nothing to change: the site already has every list and column.")
        return out


async def provision(site: Site, desired: Sequence[Mapping[str, Any]]) -> ProvisionReport:
    existing = await site.lists()
    plan = plan_provisioning(desired, [info.raw for info in existing.values()])
    report = ProvisionReport(differences=list(plan.differences))
    ids = dict(plan.list_ids)
    for step in plan.create_lists:
        created = await site.create_list(resolve_lookups(step.body, ids))
        ids[step.list_name] = created.id
        report.created_lists.append(step.list_name)
    if plan.name_columns:
        columns = {name: {c.get("name"): c for c in info.columns}
                   for name, info in (await site.lists()).items()}
        for naming in plan.name_columns:
            column = columns[naming.list_name][naming.column_name]
            await site.update_column(ids[naming.list_name], str(column["id"]), naming.changes)
            report.named_columns.append(f"{naming.list_name}.{naming.column_name}")
    for add in plan.add_columns:
        await site.add_column(ids[add.list_name], resolve_lookups(add.column, ids))
        report.added_columns.append(f"{add.list_name}.{add.column['name']}")
    return report

"""`casework provision`: give the site our lists, library and columns, then their views,
formatters, form and validation; never delete.

Carries out the plan of provisioning_plan (pure) through the Graph adapter, then, given a
SharePoint REST site, provision_formatting (what Graph cannot do), and reports what it did
and what differs, for a person to decide.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from function_app.adapters.graph.records import ListInfo
from function_app.adapters.sharepoint_rest.errors import RestNotFoundError, SharePointRestError

from .provision_formatting import FormattingReport, RestSite, provision_formatting
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
    formatting: FormattingReport | None = None  # None when views etc. were not provisioned
    # Why SharePoint REST could not apply views and formatting ('' when it did or was not
    # asked): the lists and columns above were still made, and are reported.
    formatting_failed: str = ""

    @property
    def changed_nothing(self) -> bool:
        return not (self.created_lists or self.named_columns or self.added_columns
                    or (self.formatting is not None and self.formatting.done))

    def lines(self) -> list[str]:
        out = [f"Created list {name}." for name in self.created_lists]
        out += [f"Named column {name}." for name in self.named_columns]
        out += [f"Added column {name}." for name in self.added_columns]
        out += self.formatting.done if self.formatting is not None else []
        differences = self.differences + (self.formatting.differences
                                           if self.formatting is not None else [])
        out += [f"Differs (left as it is): {d}" for d in differences]
        if self.formatting_failed:
            out.append("The views, column formatting, forms and validation were NOT applied: "
                       f"{self.formatting_failed}")
            return out
        if self.changed_nothing:
            what = "every list and column" + (
                "" if self.formatting is None else
                ", and every view, formatter, form and validation rule")
            out.append(f"Nothing to change: the site already has {what}." if not differences
                       else f"Nothing changed: the site already has {what}; what differs "
                            "is listed above for you to decide.")
        return out


async def provision(site: Site, desired: Sequence[Mapping[str, Any]],
                    rest: RestSite | None = None,
                    formatting: Mapping[str, Mapping[str, Any]] | None = None,
                    replace_differing: bool = False,
                    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
                    ) -> ProvisionReport:
    """Lists and columns through Graph; then, given ``rest`` and ``formatting``
    (list_formatting.load_formatting), views, formatters, form and validation. When
    SharePoint REST fails, the report still says what Graph made, and why the rest was not
    applied (``formatting_failed``)."""
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
    if rest is not None and formatting is not None:
        labels = {str(d["displayName"]): {str(c["name"]): str(c["displayName"])
                                          for c in d["columns"]} for d in desired}
        try:
            await _until_rest_knows(rest, report.created_lists, sleep)
            report.formatting = await provision_formatting(rest, formatting, labels,
                                                           replace_differing)
        except SharePointRestError as exc:
            report.formatting_failed = str(exc)
    return report


# A list made through Graph a moment ago can be unknown to SharePoint REST for a few seconds
# while the site's caches catch up; wait for it rather than fail (about 30 s at most).
REST_CATCH_UP_WAITS = (1.0, 2.0, 4.0, 8.0, 15.0)


async def _until_rest_knows(rest: RestSite, titles: Sequence[str],
                            sleep: Callable[[float], Awaitable[None]]) -> None:
    for title in titles:
        for wait in (*REST_CATCH_UP_WAITS, None):
            try:
                await rest.list_settings(title)
                break
            except RestNotFoundError:
                if wait is None:
                    raise
                await sleep(wait)

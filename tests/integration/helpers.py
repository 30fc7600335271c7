"""A dev tenant with the lists provisioned, and cases typed into them as staff would."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from function_app.adapters.graph.auth import dev_token_provider, request_adapter
from function_app.adapters.graph.client import GraphClient, GraphTarget, RetryPolicy
from function_app.adapters.graph.records import ListInfo
from function_app.adapters.state.sqlite import SqliteStateStore
from function_app.bootstrap import DEV_APP_ID
from function_app.devtenant import DevTenant
from function_app.documents.engine import TemplateSet
from function_app.services.case_lists.list_items import items_from_case_input
from function_app.services.casework_sweep.processor import ChangeProcessor
from function_app.services.casework_sweep.sweep_report import ProcessorConfig
from function_app.services.provisioning.list_schema import load_lists
from function_app.services.provisioning.provision import provision

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TODAY = date(2026, 11, 22)
LOOKUP_TARGET = {"Case": "Cases", "Meeting": "Meetings", "Carer": "Carers", "Contact": "Contacts"}
ORDER = ("Cases", "Carers", "Siblings", "Meetings", "Meeting Attendees", "Agreed Actions",
         "Interventions", "Contacts", "Voice", "Penalty Notices", "Attendance Marks",
         "School Holidays")


async def no_sleep(seconds: float) -> None:
    """Retries in tests wait a token moment, not Retry-After's whole second."""
    import asyncio

    await asyncio.sleep(min(seconds, 0.01))


def client(tenant: DevTenant, token: str, app_id: str = "") -> GraphClient:
    return GraphClient(GraphTarget(tenant.base_url, tenant.hostname, tenant.site_path, app_id),
                       request_adapter(tenant.base_url, dev_token_provider(tenant.base_url, token)),
                       retry=RetryPolicy(attempts=8, sleep=no_sleep))


@dataclass
class Site:
    tenant: DevTenant
    app: GraphClient
    staff: GraphClient
    lists: dict[str, ListInfo] = field(default_factory=dict)
    ids: dict[tuple[str, str], str] = field(default_factory=dict)  # (list, typed id) -> real

    @classmethod
    async def ready(cls, tenant: DevTenant) -> Site:
        site = cls(tenant, client(tenant, tenant.app_token, DEV_APP_ID),
                   client(tenant, tenant.user_token("Priya Shah")))
        await provision(site.app, load_lists())
        site.lists = await site.app.lists()
        return site

    def processor(self, state_path: Path, owner: str = "worker-1",
                  app: GraphClient | None = None) -> ChangeProcessor:
        return ChangeProcessor(app or self.app, SqliteStateStore(state_path), TemplateSet(),
                               ProcessorConfig(owner=owner, today=TODAY))

    async def type_case(self, data: Mapping[str, Any]) -> dict[tuple[str, str], str]:
        """Create every item of the case as a member of staff; the typed ids -> real ids."""
        items, _ = items_from_case_input(data, utc_offset_hours=0)
        by_list = {"Cases": [items.case], "Carers": items.carers, "Siblings": items.siblings,
                   "Meetings": items.meetings, "Meeting Attendees": items.attendees,
                   "Agreed Actions": items.agreed_actions, "Interventions": items.interventions,
                   "Contacts": items.contacts, "Voice": items.voice,
                   "Penalty Notices": items.penalty_notices, "Attendance Marks": items.marks,
                   "School Holidays": items.holidays}
        real: dict[tuple[str, str], str] = {}
        for name in ORDER:
            for item in by_list[name]:
                if item is None:
                    continue
                created = await self.staff.create_item(self.lists[name].id,
                                                       self._writable(item.fields, real))
                real[(name, item.id)] = created.id
        self.ids.update(real)
        return real

    @staticmethod
    def _writable(fields: Mapping[str, Any], real: dict[tuple[str, str], str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in fields.items():
            if key.endswith("LookupId"):
                out[key] = real[(LOOKUP_TARGET[key.removesuffix("LookupId")], str(value))]
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                out[f"{key}LookupId@odata.type"] = "Collection(Edm.Int32)"
                out[f"{key}LookupId"] = [int(real[("Carers", str(v["LookupId"]))]) for v in value]
            else:
                out[key] = value
        return out


def example(name: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    data.update(changes)
    return data


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())

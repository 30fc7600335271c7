"""Four Functions workers draining one queue, with the Azure Table state store on Azurite:
duplicates and races make each document exactly once."""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest

from function_app import bootstrap
from function_app.adapters.state.tables import TableStateStore
from function_app.devtenant import DevTenant
from tests.integration.helpers import Site, example, files_under

from .support import message, process_list_changes, use_tenant

pytestmark = pytest.mark.functions
CASES = ("aim-review-no-engagement.json", "support-review-some-improvement-review-again.json",
         "gloucestershire-aim-pupil-and-parents-present.json")


def test_four_workers_draining_200_messages_with_duplicates_file_each_document_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, azurite: str,
        set_clock: Callable[[datetime], None]) -> None:
    """200 queue messages (50 notifications, each delivered four times, shuffled) drained
    by four workers at once, sharing state in Azure Table Storage: every document is
    filed exactly once, the same set as one worker alone makes."""

    async def typed(tenant: DevTenant) -> None:
        site = await Site.ready(tenant)
        for name in CASES:
            await site.type_case(example(name))

    def run(folder: Path, messages: list[str], workers: int) -> list[str]:
        with DevTenant(folder / "tenant") as tenant:
            use_tenant(monkeypatch, tenant, folder / "state.sqlite")
            monkeypatch.setenv("CASEWORK_STATE_CONNECTION", azurite)
            prefix = "w" + uuid.uuid4().hex[:10]  # tables of this run alone
            monkeypatch.setattr(bootstrap, "state_store",
                                lambda settings: TableStateStore(azurite, table_prefix=prefix))
            asyncio.run(typed(tenant))
            set_clock()
            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(lambda pair: process_list_changes(
                    message(pair[1], msg_id=f"msg-{pair[0]}")), enumerate(messages)))
            root = tenant.files_root.parent / "Case Files"
            return [str(p.relative_to(root)) for p in files_under(root)]

    notifications = [json.dumps({"subscriptionId": f"sub-{n % 12}", "changeType": "updated",
                                 "resource": f"sites/x/lists/{n % 12}", "tenantId": "t"})
                     for n in range(50)]
    deliveries = notifications * 4
    random.Random(7).shuffle(deliveries)
    alone = run(tmp_path / "alone", notifications[:1], workers=1)
    together = run(tmp_path / "together", deliveries, workers=4)
    assert len(deliveries) == 200
    assert together == alone and len(alone) >= 12
    assert all(n == 1 for n in Counter(together).values())

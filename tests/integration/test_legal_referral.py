"""Staff tick "Prepare legal referral" on a case, against the dev tenant: the change
processor files the evidence bundle (.docx and PDF) in the case folder's Legal subfolder,
writes the readiness onto the case, and tells the legal officers' channel without naming
the pupil; a scanned letter staff uploaded is an exhibit, a document gone from the folder is
listed as missing, and the same case state is not bundled twice (seed 000, "Still no
engagement?": the Request to Initiate Legal Proceedings with the evidence collated)."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from jsonschema import Draft6Validator
from pypdf import PdfReader

from function_app.adapters.libreoffice import LibreOfficePdf, soffice
from function_app.adapters.state.sqlite import SqliteStateStore
from function_app.adapters.teams.cards import CaseLinks, card_for
from function_app.adapters.teams.poster import PostOutcome, PostResult
from function_app.devtenant import DevTenant
from function_app.documents.context import Options
from function_app.documents.engine import TemplateSet
from function_app.domain.alerts import Alert, Audience
from function_app.services.legal_referral import LegalReferrals
from function_app.services.processor import ChangeProcessor, ProcessorConfig, SweepReport

from .helpers import TODAY, Site, example

pytestmark = [pytest.mark.integration, pytest.mark.libreoffice,
              pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not "
                                                          "installed")]
SCHEMA = Path(__file__).resolve().parents[1] / "fixtures" / "schemas" / "adaptive-card-1.5.json"
CASE_FOLDER = "Severn Vale Academy/ATT-2026-0042 Ellis, Jordan"


class Channel:
    """Teams, as the processor sees it: each card kept as it would be posted."""

    def __init__(self) -> None:
        self.cards: list[tuple[Alert, dict[str, Any]]] = []

    async def post(self, item: Alert, links: Mapping[str, CaseLinks] | None = None
                   ) -> PostResult:
        self.cards.append((item, card_for(item, links)))
        return PostResult(PostOutcome.POSTED, item.dedupe_key, item.audience.value, 1)


def processor(site: Site, state: Path, channel: Channel) -> ChangeProcessor:
    store = SqliteStateStore(state)
    templates = TemplateSet()
    config = ProcessorConfig(owner="worker-1", today=TODAY)
    return ChangeProcessor(site.app, store, templates, config, alerts=channel,
                           legal=LegalReferrals(site.app, store, templates, Options(),
                                                "worker-1"))


async def tick(site: Site) -> None:
    (case_id,) = [real for (name, _), real in site.ids.items() if name == "Cases"]
    await site.staff.update_fields(site.lists["Cases"].id, case_id,
                                   {"PrepareLegalReferral": True})


async def case_fields(site: Site) -> dict[str, Any]:
    (case_id,) = [real for (name, _), real in site.ids.items() if name == "Cases"]
    return (await site.app.get_item(site.lists["Cases"].id, case_id)).fields


def test_ticking_prepare_legal_referral_files_a_checked_bundle(tmp_path: Path) -> None:
    """The tick gives a bundle in Legal/ whose index pages are the PDF's and whose hashes
    are the folder's files; a staff upload is an exhibit, a deleted plan is listed missing
    (and in the readiness); the case item says so; one card, no names; ticking again with
    nothing changed makes nothing."""

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            await site.type_case(example("aim-review-no-engagement.json"))
            channel = Channel()
            work = processor(site, tmp_path / "state.sqlite", channel)
            await work.sweep()
            await work.graph.use_library(site.lists["Case Files"].id)
            scan = await LibreOfficePdf(tmp_path / "lo")(letter_docx())
            await site.staff.use_library(site.lists["Case Files"].id)
            await site.staff.upload(CASE_FOLDER, "Letter from the family.pdf", scan)
            gone = next(i for i in await site.app.children(CASE_FOLDER)
                        if i.name == "2026-10-21 AIM plan.docx")
            await site.staff.send("delete", "DELETE",
                                  f"/drives/{await site.staff.drive_id()}/items/{gone.id}")
            await tick(site)
            report = await work.sweep()

            (referral,) = report.legal
            assert referral.made
            library = tenant.files_root.parent / "Case Files"
            legal = library / CASE_FOLDER / "Legal"
            assert sorted(p.suffix for p in legal.iterdir()) == [".docx", ".pdf"]
            check_bundle(library / CASE_FOLDER, next(legal.glob("*.docx")),
                         next(legal.glob("*.pdf")))

            step = referral.readiness.step("documents_in_folder")
            assert not step.found and "2026-10-21 AIM plan.docx" in step.evidence
            fields = await case_fields(site)
            assert fields["PrepareLegalReferral"] is False
            assert str(fields["LegalReadiness"]).startswith("Not ready")
            assert "Every document in the case folder, readable" in fields["LegalReadiness"]
            check_card(channel)

            before = {p.name: p.stat().st_mtime_ns for p in legal.iterdir()}
            await tick(site)
            again: SweepReport = await work.sweep()
            assert [r.made for r in again.legal] == [False]
            assert {p.name: p.stat().st_mtime_ns for p in legal.iterdir()} == before
            assert [a.audience for a, _ in channel.cards].count(Audience.LA_LEGAL) == 1
            assert (await case_fields(site))["PrepareLegalReferral"] is False
            await work.close()

    asyncio.run(run())


def letter_docx() -> bytes:
    doc = Document()
    doc.add_paragraph("Dear Mrs Penrose, Jordan has been unwell and we will call you.")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def check_bundle(folder: Path, docx: Path, pdf: Path) -> None:
    """Read back as the Lead Officer would: the index from the .docx, the pages from the PDF,
    the hashes from the case folder's files."""
    texts = [p.extract_text() or "" for p in PdfReader(str(pdf)).pages]
    table = next(t for t in Document(str(docx)).tables if t.rows[0].cells[0].text == "Exhibit")
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    on_disk = {p.name: p for p in folder.iterdir() if p.is_file()}
    assert len(rows) == len(on_disk) + 1  # every file, and the one missing
    for number, _title, _date, file, digest, page in rows:
        name = re.sub(r" \(uploaded by staff\)$", "", file.split(": ")[0])
        if page == "Missing":
            assert name == "2026-10-21 AIM plan.docx" and "not in the case folder" in file
            continue
        assert digest == hashlib.sha256(on_disk[name].read_bytes()).hexdigest()
        assert re.search(rf"Exhibit\s+{number}\s*:", texts[int(page) - 1])
    scan = next(r for r in rows if r[3].startswith("Letter from the family.pdf"))
    assert "uploaded by staff" in scan[3]
    assert "Jordan has been unwell" in texts[int(scan[5])]
    assert "Request to Initiate Legal Proceedings" in "\n".join(texts[:8])
    assert all(f"Page {n} of {len(texts)}" in t for n, t in enumerate(texts, start=1))


def check_card(channel: Channel) -> None:
    (card,) = [c for a, c in channel.cards if a.audience is Audience.LA_LEGAL]
    validator = Draft6Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert [e.message for e in validator.iter_errors(card)] == []
    shown = json.dumps(card, ensure_ascii=False)
    assert "ATT-2026-0042" in shown and "(JE)" in shown and "Not ready" in shown
    for name in ("Jordan", "Ellis", "Dana", "Chris"):
        assert name not in shown

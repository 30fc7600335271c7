"""Staff tick "Prepare legal referral" on a case, against the dev tenant: the change
processor files the evidence bundle (.docx and PDF) in the case folder's Legal subfolder,
writes the readiness onto the case, and tells the legal officers' channel without naming
the pupil; a scanned letter staff uploaded is an exhibit, a document gone from the folder is
listed as missing, and the same case state is not bundled twice (seed 000, "Still no
engagement?": the Request to Initiate Legal Proceedings with the evidence collated).

Without LibreOffice the dev tenant cannot answer ``?format=pdf``: the Word bundle is filed
alone and the case, the card and the referral say that the PDF needs LibreOffice. Those tests
take LibreOffice away (the dev tenant's lookup of soffice), so they run everywhere."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from jsonschema import Draft6Validator
from pypdf import PdfReader

from function_app.adapters.graph.records import DriveItem
from function_app.adapters.libreoffice import LibreOfficePdf
from function_app.adapters.state.sqlite import SqliteStateStore
from function_app.adapters.teams.cards import CaseLinks, card_for
from function_app.adapters.teams.poster import PostOutcome, PostResult
from function_app.devtenant import DevTenant, pdf
from function_app.documents.bundle_stamp import without_stamp
from function_app.documents.context import Options
from function_app.documents.engine import TemplateSet
from function_app.domain.alerts import Alert, Audience
from function_app.domain.policy import load_profile
from function_app.services.casework_sweep.processor import ChangeProcessor
from function_app.services.casework_sweep.sweep_report import ProcessorConfig, SweepReport
from function_app.services.legal.legal_referral import LegalReferrals
from tests import builders
from tests.integration.helpers import TODAY, Site, example

pytestmark = pytest.mark.integration
SCHEMA = Path(__file__).resolve().parents[2] / "fixtures" / "schemas" / "adaptive-card-1.5.json"
CASE_FOLDER = "Severn Vale Academy/ATT-2026-0042 Ellis, Jordan"
STEM = "2026-11-22 Evidence bundle ATT-2026-0042"



def without_libreoffice(monkeypatch: pytest.MonkeyPatch) -> None:
    """The dev tenant, as on a machine without LibreOffice: ?format=pdf answers 406."""
    monkeypatch.setattr(pdf, "soffice", lambda: None)


class Channel:
    """Teams, as the processor sees it: each card kept as it would be posted."""

    def __init__(self) -> None:
        self.cards: list[tuple[Alert, dict[str, Any]]] = []

    async def post(self, item: Alert, links: Mapping[str, CaseLinks] | None = None
                   ) -> PostResult:
        self.cards.append((item, card_for(item, links)))
        return PostResult(PostOutcome.POSTED, item.dedupe_key, item.audience.value, 1)

    def legal(self) -> list[tuple[Alert, dict[str, Any]]]:
        """The cards to the legal intervention officer's channel."""
        return [(a, c) for a, c in self.cards if a.audience is Audience.LA_LEGAL]


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


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
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


def test_without_libreoffice_the_word_bundle_is_filed_and_the_pdf_said_to_need_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Graph answers 406 to ?format=pdf: the .docx is filed in Legal/ with its columns and an
    index that gives no page; the case item, the referral and the card say there is no PDF
    and that it needs LibreOffice (and never name a PDF); nothing "needs attention"; the tick
    is cleared. Ticking again (the Word-only bundle is not the finished one) files it again
    and posts no second card."""
    without_libreoffice(monkeypatch)

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            await site.type_case(example("aim-review-no-engagement.json"))
            channel = Channel()
            work = processor(site, tmp_path / "state.sqlite", channel)
            await work.sweep()
            await tick(site)
            report = await work.sweep()

            (referral,) = report.legal
            assert referral.made and referral.names == (f"{STEM}.docx",)
            assert (referral.pdf_name, referral.pdf_url) == ("", "")
            assert "libreoffice-writer-nogui" in referral.pdf_missing
            assert report.needs_attention == {} and report.failed == {}
            legal = tenant.files_root.parent / "Case Files" / CASE_FOLDER / "Legal"
            assert [p.name for p in legal.iterdir()] == [f"{STEM}.docx"]
            check_word_only(legal.parent, legal / f"{STEM}.docx")

            fields = await case_fields(site)
            assert fields["PrepareLegalReferral"] is False
            text = str(fields["LegalReadiness"])
            assert text.startswith("Not ready")
            assert ("in the case folder's Legal subfolder, as a Word document only: no PDF was "
                    "made, as converting it to PDF needs LibreOffice") in text
            assert "install libreoffice-writer-nogui" in text and "?format=pdf" in text
            assert "\nPDF: not made (see above).\n" in text
            assert f"{STEM}.docx" in text.replace("%20", " ") and f"{STEM}.pdf" not in text
            assert not fields.get("GenerationStatus") or \
                fields["GenerationStatus"] != "Needs attention"
            (card,) = [c for a, c in channel.cards if a.audience is Audience.LA_LEGAL]
            assert "no PDF was made" in json.dumps(card, ensure_ascii=False)

            await tick(site)
            again = await work.sweep()
            assert [(r.made, r.names) for r in again.legal] == [(True, (f"{STEM}.docx",))]
            assert [p.name for p in legal.iterdir()] == [f"{STEM}.docx"]
            assert [a.audience for a, _ in channel.cards].count(Audience.LA_LEGAL) == 1
            await work.close()

    asyncio.run(run())


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_once_libreoffice_is_there_a_tick_files_the_whole_bundle(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Word-only bundle's claim was released: with LibreOffice back, ticking again files
    the PDF too, the item links it, and the legal officers get a card for it."""
    without_libreoffice(monkeypatch)

    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            await site.type_case(example("aim-review-no-engagement.json"))
            channel = Channel()
            work = processor(site, tmp_path / "state.sqlite", channel)
            await work.sweep()
            await tick(site)
            assert [r.names for r in (await work.sweep()).legal] == [(f"{STEM}.docx",)]
            monkeypatch.undo()
            await tick(site)
            (referral,) = (await work.sweep()).legal
            assert referral.made and not referral.pdf_missing
            assert referral.names == (f"{STEM}.pdf", f"{STEM}.docx")
            legal = tenant.files_root.parent / "Case Files" / CASE_FOLDER / "Legal"
            texts = [p.extract_text() or "" for p in PdfReader(str(legal / f"{STEM}.pdf")).pages]
            table = next(t for t in Document(str(legal / f"{STEM}.docx")).tables
                         if t.rows[0].cells[0].text == "Exhibit")
            for row in table.rows[1:]:
                number, page = row.cells[0].text, row.cells[5].text
                assert f"Exhibit {number} - page 1 of " in texts[int(page) - 1]
            text = str((await case_fields(site))["LegalReadiness"])
            assert "no PDF" not in text and f"{STEM}.pdf".replace(" ", "%20") in text
            assert [a.audience for a, _ in channel.cards].count(Audience.LA_LEGAL) == 2
            await work.close()

    asyncio.run(run())


class EmptyFolder:
    """A case folder with nothing in it, that nothing may be filed in."""

    async def children(self, folder_path: str) -> list[DriveItem]:
        return []

    async def download(self, item_id: str, as_pdf: bool = False) -> bytes:
        raise AssertionError("nothing to download")

    async def upload(self, folder_path: str, name: str, content: bytes) -> DriveItem:
        raise AssertionError("nothing may be filed")

    async def set_file_fields(self, item_id: str, fields: dict[str, object]
                              ) -> dict[str, object]:
        raise AssertionError("nothing may be filed")


def test_a_bundle_another_worker_is_making_is_not_said_to_exist(tmp_path: Path) -> None:
    """While another worker holds the case state's claim, nothing is filed and the referral
    names no file (``exists`` False); once that worker has filed it, its names are given."""

    class Busy(SqliteStateStore):
        def claim(self, key: str, owner: str, now: datetime, lease_seconds: float) -> bool:
            super().claim(key, "worker-2", now, lease_seconds)  # first, and still working
            self.key = key
            return super().claim(key, owner, now, lease_seconds)

    store = Busy(tmp_path / "state.sqlite")
    legal = LegalReferrals(EmptyFolder(), store, TemplateSet(), Options(), "worker-1")
    prepare = legal.prepare(builders.case(), load_profile("national-2024"), "School/Case",
                            builders.TODAY)
    pending = asyncio.run(prepare)
    assert not pending.exists and not pending.made
    assert pending.names == () and (pending.pdf_url, pending.docx_url) == ("", "")
    store.complete(store.key, "worker-2", "pdf-url\ndocx-url\nB.pdf\nB.docx")
    done = asyncio.run(legal.prepare(builders.case(), load_profile("national-2024"),
                                     "School/Case", builders.TODAY))
    assert done.exists and not done.made and done.names == ("B.pdf", "B.docx")
    store.close()


def check_word_only(folder: Path, docx: Path) -> None:
    """The Word bundle filed alone: every file in the folder indexed with its true hash, no
    page given, and the note above the index says why."""
    document = Document(str(docx))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Exhibit")
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    on_disk = {p.name: p for p in folder.iterdir() if p.is_file()}
    assert sorted(r[3] for r in rows) == sorted(on_disk)
    for _number, _title, _date, name, digest, page in rows:
        assert digest == hashlib.sha256(on_disk[name].read_bytes()).hexdigest()
        assert page == "-"
    assert any("The PDF bundle was not made (converting it to PDF needs LibreOffice" in p.text
               for p in document.paragraphs)


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
        assert f"Exhibit {number} - page 1 of " in texts[int(page) - 1]
    scan = next(r for r in rows if r[3].startswith("Letter from the family.pdf"))
    assert "uploaded by staff" in scan[3]
    own = [p.extract_text() or "" for p in PdfReader(str(folder / "Letter from the family.pdf")
                                                     ).pages]
    exhibit = texts[int(scan[5]) - 1: int(scan[5]) - 1 + len(own)]
    assert [without_stamp(t) for t in exhibit] == [without_stamp(t) for t in own]
    assert "Jordan has been unwell" in "\n".join(exhibit)
    assert "Request to Initiate Legal Proceedings" in "\n".join(texts[:8])
    assert all(f"Page {n} of {len(texts)}" in t or f"bundle page {n} of {len(texts)}" in t
               for n, t in enumerate(texts, start=1))


def check_card(channel: Channel) -> None:
    (card,) = [c for a, c in channel.cards if a.audience is Audience.LA_LEGAL]
    validator = Draft6Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert [e.message for e in validator.iter_errors(card)] == []
    shown = json.dumps(card, ensure_ascii=False)
    assert "ATT-2026-0042" in shown and "(JE)" in shown and "Not ready" in shown
    for name in ("Jordan", "Ellis", "Dana", "Chris"):
        assert name not in shown

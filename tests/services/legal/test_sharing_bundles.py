"""The evidence bundle (its PDF) shared with the legal officers of CASEWORK_LEGAL_OFFICERS,
against the dev tenant: once with each, read only, sign-in required, expiring in 90 days;
a refusal (someone outside the tenant where sharing outside it is off) is said on the Cases
item and the card, and the bundle is still filed; nothing is shared without the setting.
Retention labels (CASEWORK_RETENTION_LABEL) on what is filed, and what doctor says.

PDF conversion is faked in the dev tenant (a blank page per conversion) so these run in
seconds, with or without LibreOffice: the bundle's own checks are test_legal_referral's."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft6Validator
from pypdf import PdfWriter

from function_app.adapters.graph.errors import GraphUnavailableError
from function_app.adapters.state.sqlite import SqliteStateStore
from function_app.adapters.teams.cards import CaseLinks, card_for
from function_app.devtenant import DevTenant, pdf
from function_app.documents.context import Options
from function_app.documents.engine import TemplateSet
from function_app.domain.alerts import legal_bundle_ready
from function_app.domain.model import Stage
from function_app.services import filing
from function_app.services.casework_sweep.processor import ChangeProcessor
from function_app.services.casework_sweep.sweep_report import ProcessorConfig
from function_app.services.doctor.site_checks import records_checks
from function_app.services.filing import Filer, Outcome
from function_app.services.legal.bundle_sharing import SHARE_DAYS
from function_app.services.legal.legal_referral import LegalReferrals
from function_app.settings import Settings
from tests.integration.helpers import TODAY, Site, example
from tests.services.legal.test_legal_referral import Channel

pytestmark = pytest.mark.integration
SCHEMA = Path(__file__).resolve().parents[2] / "fixtures" / "schemas" / "adaptive-card-1.5.json"
CASE_FOLDER = "Severn Vale Academy/ATT-2026-0042 Ellis, Jordan"
STEM = "2026-11-22 Evidence bundle ATT-2026-0042"
OUTSIDE = "legal.officer@other-council.example.org"
INVITE = "POST /drives/{drive-id}/items/{item-id}/invite"


@pytest.fixture(autouse=True)
def quick_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """The dev tenant's ?format=pdf, without LibreOffice: one blank A4 page."""

    async def convert(program: str, source: Path, outdir: Path, profile: Path,
                      timeout: float = 0) -> Path:
        out = io.BytesIO()
        writer = PdfWriter()
        writer.add_blank_page(595, 842)
        writer.write(out)
        target = outdir / f"{source.stem}.pdf"
        target.write_bytes(out.getvalue())
        return target

    monkeypatch.setattr(pdf, "soffice", lambda: "soffice")
    monkeypatch.setattr(pdf, "convert_file", convert)


def processor(site: Site, state: Path, channel: Channel, officers: tuple[str, ...] = (),
              label: str = "") -> ChangeProcessor:
    store = SqliteStateStore(state)
    templates = TemplateSet()
    config = ProcessorConfig(owner="worker-1", today=TODAY)
    work = ChangeProcessor(site.app, store, templates, config, alerts=channel,
                           legal=LegalReferrals(site.app, store, templates, Options(),
                                                "worker-1", officers=officers,
                                                retention_label=label))
    work.filer.retention_label = label
    return work


async def tick(site: Site) -> None:
    (case_id,) = [real for (name, _), real in site.ids.items() if name == "Cases"]
    await site.staff.update_fields(site.lists["Cases"].id, case_id,
                                   {"PrepareLegalReferral": True})


async def legal_readiness(site: Site) -> str:
    (case_id,) = [real for (name, _), real in site.ids.items() if name == "Cases"]
    return str((await site.app.get_item(site.lists["Cases"].id, case_id))
               .fields["LegalReadiness"])


async def invitations(site: Site, item_id: str) -> list[dict[str, Any]]:
    drive = await site.app.drive_id()
    page = await site.app.json("list", "GET", f"/drives/{drive}/items/{item_id}/permissions")
    return [p for p in page["value"] if "invitation" in p]


def test_the_bundle_is_shared_once_with_each_officer_read_only_and_expiring(
        tmp_path: Path) -> None:
    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            officers = (tenant.user_email("Legal Officer"), tenant.user_email("Legal Deputy"))
            site = await Site.ready(tenant)
            await site.type_case(example("aim-review-no-engagement.json"))
            channel = Channel()
            work = processor(site, tmp_path / "state.sqlite", channel, officers)
            await work.sweep()
            await tick(site)
            tenant.reset_counts()
            (referral,) = (await work.sweep()).legal
            assert referral.made and referral.names == (f"{STEM}.pdf", f"{STEM}.docx")
            assert tenant.requests[INVITE] == 2  # one request per officer
            assert tenant.invitations_sent == []  # sendInvitation false: the card tells them
            pdf_item = next(i for i in await site.app.children(f"{CASE_FOLDER}/Legal")
                            if i.name.endswith(".pdf"))
            shared = await invitations(site, pdf_item.id)
            assert sorted(p["invitation"]["email"] for p in shared) == sorted(officers)
            soon = datetime.now(UTC) + timedelta(days=SHARE_DAYS)
            for permission in shared:
                assert permission["roles"] == ["read"]
                assert permission["invitation"]["signInRequired"] is True
                expires = datetime.fromisoformat(permission["expirationDateTime"]
                                                 .replace("Z", "+00:00"))
                assert abs((expires - soon).total_seconds()) < 600
            until = f"{soon.day} {soon:%B %Y}"
            text = await legal_readiness(site)
            for email in officers:
                assert f"Shared with {email}, read only, until {until}." in text
            ((_alert, card),) = channel.legal()
            body = json.dumps(card, ensure_ascii=False)
            assert f"Shared with {officers[0]}, read only, until {until}." in body
            validator = Draft6Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
            assert list(validator.iter_errors(card)) == []
            # Ticking again with nothing changed: the same bundle, not shared again, and the
            # item still says with whom it is shared (read from Graph).
            tenant.reset_counts()
            await tick(site)
            (again,) = (await work.sweep()).legal
            assert not again.made and tenant.requests[INVITE] == 0
            assert [p["id"] for p in await invitations(site, pdf_item.id)] == \
                [p["id"] for p in shared]
            assert f"Shared with {officers[1]}, read only, until {until}." in \
                await legal_readiness(site)
            assert len(channel.legal()) == 1
            await work.close()

    asyncio.run(run())


def test_a_refusal_is_said_on_the_item_and_card_and_the_bundle_is_still_filed(
        tmp_path: Path) -> None:
    async def run() -> None:
        with DevTenant(tmp_path / "tenant", external_sharing=False) as tenant:
            inside = tenant.user_email("Legal Officer")
            site = await Site.ready(tenant)
            await site.type_case(example("aim-review-no-engagement.json"))
            channel = Channel()
            work = processor(site, tmp_path / "state.sqlite", channel, (OUTSIDE, inside))
            await work.sweep()
            await tick(site)
            report = await work.sweep()
            (referral,) = report.legal
            assert referral.made and report.failed == {} and report.needs_attention == {}
            legal = tenant.files_root.parent / "Case Files" / CASE_FOLDER / "Legal"
            assert sorted(p.name for p in legal.iterdir()) == [f"{STEM}.docx", f"{STEM}.pdf"]
            refused = (f"Could not be shared with {OUTSIDE}: your tenant does not allow "
                       "sharing outside it")
            text = await legal_readiness(site)
            assert refused in text and "send the bundle another way" in text
            assert f"Shared with {inside}, read only" in text
            ((_alert, card),) = channel.legal()
            assert refused in json.dumps(card, ensure_ascii=False)
            # The card's button is the officer's own sharing link, never the file's address
            # (which names the pupil's folder).
            assert [o.email for o in referral.sharing.outcomes if o.shared] == [inside]
            assert referral.bundle_links and referral.bundle_links[0][0] == inside
            assert "Ellis" not in referral.bundle_links[0][1]
            await work.close()

    asyncio.run(run())


def test_nothing_is_shared_without_the_setting(tmp_path: Path) -> None:
    async def run() -> None:
        with DevTenant(tmp_path / "tenant") as tenant:
            site = await Site.ready(tenant)
            await site.type_case(example("aim-review-no-engagement.json"))
            channel = Channel()
            work = processor(site, tmp_path / "state.sqlite", channel)
            await work.sweep()
            await tick(site)
            tenant.reset_counts()
            (referral,) = (await work.sweep()).legal
            assert referral.made and tenant.requests[INVITE] == 0
            assert referral.sharing.lines == () and referral.bundle_links == ()
            assert "Shared with" not in await legal_readiness(site)
            await work.close()

    asyncio.run(run())


def test_the_legal_card_links_each_officers_bundle() -> None:
    link = "https://devtenant.sharepoint.local/:b:/s/attendance/Eabc"
    one = legal_bundle_ready("ATT-1", "Severn Vale Academy", "Ready.", stage=Stage.AIM,
                             pupil_initials="JE", pupil_name="Jordan Ellis", variant="k",
                             bundle_links=(("a@la.gov.uk", link),))
    card = card_for(one, {"ATT-1": CaseLinks(item_url="https://x.example/item")})
    assert [a["title"] for a in card["actions"]] == ["Open the evidence bundle", "Open the case"]
    assert card["actions"][0]["url"] == link
    two = legal_bundle_ready("ATT-1", "S", "Ready.", stage=None, pupil_initials="JE",
                             pupil_name="", variant="k",
                             bundle_links=(("a@la.gov.uk", link), ("b@la.gov.uk", link + "2"),
                                           ("c@la.gov.uk", "javascript:alert(1)")))
    assert [a["title"] for a in card_for(two)["actions"]] == [
        "Open the evidence bundle (a@la.gov.uk)", "Open the evidence bundle (b@la.gov.uk)"]
    validator = Draft6Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert list(validator.iter_errors(card)) == []


def test_filed_documents_get_the_retention_label_and_a_bundle_too(tmp_path: Path) -> None:
    async def run() -> None:
        with DevTenant(tmp_path / "tenant", retention_labels=["Pupil attendance record"]
                       ) as tenant:
            site = await Site.ready(tenant)
            await site.type_case(example("aim-review-no-engagement.json"))
            work = processor(site, tmp_path / "state.sqlite", Channel(),
                             label="Pupil attendance record")
            report = await work.sweep()
            assert report.filed and report.failed == {}
            await tick(site)
            await work.sweep()
            drive = await site.app.drive_id()
            files = [i for i in await site.app.children(CASE_FOLDER) if not i.is_folder]
            files += await site.app.children(f"{CASE_FOLDER}/Legal")
            for item in files:
                label = await site.app.json("label", "GET",
                                            f"/drives/{drive}/items/{item.id}/retentionLabel")
                assert label["name"] == "Pupil attendance record", item.name
            await work.close()

    asyncio.run(run())


def test_a_label_graph_refuses_files_the_document_without_it_and_busy_graph_retries(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async def run() -> None:
        with DevTenant(tmp_path / "tenant", retention_labels=["Pupil attendance record"]
                       ) as tenant:
            site = await Site.ready(tenant)
            await site.app.use_library(site.lists["Case Files"].id)
            store = SqliteStateStore(tmp_path / "state.sqlite")
            columns = {"CaseRef": "ATT-1", "DocumentKind": "letter_of_concern",
                       "SourceVersion": "1"}
            unknown = Filer(site.app, store, "w", retention_label="No such label")
            filed = await unknown.file("k1", "School/ATT-1", "a.docx", b"one", columns)
            assert filed.outcome is Outcome.FILED
            again = await unknown.file("k1", "School/ATT-1", "a.docx", b"one", columns)
            assert again.outcome is Outcome.ALREADY_FILED and again.item_id == filed.item_id
            assert "No such label" in caplog.text

            labelled = Filer(site.app, store, "w", retention_label="Pupil attendance record")
            busy = {**columns, "DocumentKind": "aim_plan"}
            real = site.app.set_retention_label
            calls: list[str] = []

            async def busy_once(item_id: str, name: str) -> dict[str, Any]:
                calls.append(item_id)
                if len(calls) == 1:
                    raise GraphUnavailableError("set retention label: busy", 503)
                return await real(item_id, name)

            site.app.set_retention_label = busy_once  # type: ignore[method-assign]
            with pytest.raises(GraphUnavailableError):  # the claim stays open
                await labelled.file("k2", "School/ATT-1", "b.docx", b"two", busy)
            open_claim = store.get_claim("case/ATT-1/k2")
            assert open_claim is None or open_claim.state != "done"
            done = await labelled.file("k2", "School/ATT-1", "b.docx", b"two", busy)
            assert calls[0] == calls[1] == done.item_id
            assert done.outcome is Outcome.FILED and done.name == "b.docx"  # adopted, not (2)
            names = sorted(i.name for i in await site.app.children("School/ATT-1"))
            assert names == ["a.docx", "b.docx"]
            drive = await site.app.drive_id()
            label = await site.app.json(
                "label", "GET", f"/drives/{drive}/items/{done.item_id}/retentionLabel")
            assert label["name"] == "Pupil attendance record"
            store.close()

    filing._REFUSED_LABELS.discard("No such label")
    asyncio.run(run())


def test_doctor_says_the_label_is_unchecked_and_checks_the_officers() -> None:
    assert records_checks(Settings()) == []
    checks = records_checks(Settings.from_environment({
        "CASEWORK_RETENTION_LABEL": "Pupil attendance record",
        "CASEWORK_LEGAL_OFFICERS": "a@la.gov.uk, A@LA.gov.uk; b@la.gov.uk"}))
    label, officers = checks
    assert label.ok and "not checked" in label.detail and "Purview" in label.detail
    assert officers.ok and "a@la.gov.uk, b@la.gov.uk" in officers.detail
    (bad,) = records_checks(Settings(legal_officers=("legal officer",)))
    assert not bad.ok and "legal officer" in bad.detail and bad.fix

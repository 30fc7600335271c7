"""The LA's payment file recorded on the Penalty Notice Register (issue 19 point 4), against
the dev tenant whose default site stands in for the LA's site: `casework import payments`.

Sources: the Education (Penalty Notices) (England) Regulations 2007 as amended by the
Education (Penalty Notices) (England) (Amendment) Regulations 2024 (SI 2024/210), regulation
4 (£80 within 21 days of receipt, else £160 within 28; a second notice within 3 years £160
with no reduction), regulation 5 (28 days), regulation 9 (withdrawal), regulation 20 (the
LA records payments and their dates); DfE, Working together to improve school attendance
(2024), national framework for penalty notices.
"""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest

from function_app.bootstrap import DEV_APP_ID
from function_app.cli import main
from function_app.devtenant import DevTenant
from function_app.domain.penalty_register import standing
from function_app.services.penalty_notices.payments import (
    PaymentFileError,
    import_payments,
    read_payment_file,
)
from function_app.services.penalty_notices.register_items import REGISTER_LIST, notice_fields
from function_app.services.penalty_notices.register_state import move_register_on
from function_app.services.provisioning.list_schema import LA_SITE_SCHEMA_DIR, load_lists
from function_app.services.provisioning.provision import provision
from tests.integration.helpers import client
from tests.services.penalty_notices.test_register_state import (
    NATIONAL,
    Register,
    notice,
    on_register,
)

pytestmark = pytest.mark.integration

TODAY = date(2026, 4, 10)
HEADINGS = "Notice number,Amount,Date paid,Payer reference\n"


def payment_file(tmp_path: Path, *rows: str, name: str = "payments.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADINGS + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    return path


def test_payment_within_21_days_at_the_reduced_amount(tmp_path: Path) -> None:
    """Regulation 4: £80 paid within 21 days of receipt (received 10 March, so to 30 March)
    discharges a first notice; regulation 20: the register records the payment and its date,
    and the notice stands paid within 21 days."""
    async def test(reg: Register) -> None:
        await reg.add(notice("PN-2026-0001"))
        await reg.add(notice("PN-2026-0002"))
        csv = payment_file(tmp_path, "PN-2026-0001,£80.00,20/03/2026,REF1",
                           "pn-2026-0002,160,2026-04-02,REF2")
        report = await import_payments(reg.app, csv, NATIONAL, TODAY)
        assert not report.problems and not report.failed
        f = await reg.fields("PN-2026-0001")
        assert (f["PaidOn"][:10], f["AmountPaid"], f["State"], f["StateNote"]) == (
            "2026-03-20", 80, "Paid within 21 days", "Paid at £80 on 20 March 2026.")
        f = await reg.fields("PN-2026-0002")
        assert (f["AmountPaid"], f["State"]) == (160, "Paid within 28 days")
        text = report.to_text()
        assert "Row 2: PN-2026-0001 (Severn Vale Academy), £80 paid on 20 March 2026: now " \
               "Paid within 21 days." in text
        assert text.endswith("Recorded 2, already recorded 0, with a problem 0.\n")

    on_register(test, tmp_path)


def test_second_notice_has_no_reduced_amount(tmp_path: Path) -> None:
    """Regulation 4 as amended 2024: a second notice within 3 years is £160 with no reduced
    amount; £80 paid on it is named by row and column and not recorded."""
    async def test(reg: Register) -> None:
        await reg.add(notice("PN-2026-0003", second=True))
        before = await reg.item("PN-2026-0003")
        report = await import_payments(reg.app, payment_file(
            tmp_path, "PN-2026-0003,80,11/03/2026,R"), NATIONAL, TODAY)
        [problem] = report.problems
        assert problem.message.startswith(
            "Row 2, column 'Amount': £80 was paid for notice PN-2026-0003 on 11 March 2026, "
            "but £160 was due that day (a second notice has no reduced amount)")
        assert (await reg.item("PN-2026-0003")).version == before.version  # nothing written
        report = await import_payments(reg.app, payment_file(
            tmp_path, "PN-2026-0003,160,11/03/2026,R"), NATIONAL, TODAY)
        assert [r.state for r in report.recorded] == ["Paid within 28 days"]

    on_register(test, tmp_path)


def test_unknown_notice_bad_cells_and_the_rest_go_on(tmp_path: Path) -> None:
    """Issue 19, bad input: a payment for a notice number not on the register, an amount or
    a date that cannot be read, each said by its row and column; nothing is written for that
    row, the other rows are recorded, and the counts are said at the end."""
    async def test(reg: Register) -> None:
        await reg.add(notice("PN-2026-0001"))
        csv = payment_file(tmp_path, "PN-2026-0099,80,20/03/2026,X", "",
                           "PN-2026-0001,eighty,31/02/2026,Y", "PN-2026-0001,80,20/03/2026,Z",
                           "PN-2026-0001,80,20/03/2027,Z")
        report = await import_payments(reg.app, csv, NATIONAL, TODAY)
        messages = [p.message for p in report.problems]
        assert messages[:3] == [
            "Row 2, column 'Notice number': no notice PN-2026-0099 is on the register. Check "
            "the number against the notice, or record the notice first.",
            "Row 4, column 'Date paid': '31/02/2026' is not a date; give it as 2026-03-03 or "
            "03/03/2026.",
            "Row 4, column 'Amount': 'eighty' is not an amount in pounds, such as 80 or "
            "160.00."]
        assert [r.row for r in report.recorded] == [5]
        # Row 6: 2027 is a later payment than the one now held on row 5: not recorded.
        assert messages[3].startswith("Row 6, column ")
        assert report.to_text().endswith(
            "Recorded 1, already recorded 0, with a problem 3.\n")
        assert (await reg.fields("PN-2026-0001"))["State"] == "Paid within 21 days"

    on_register(test, tmp_path)


def test_a_reimport_changes_nothing(tmp_path: Path) -> None:
    """Regulation 20: each payment is recorded once: importing the same file again (or a
    row repeated in one file) writes nothing more."""
    async def test(reg: Register) -> None:
        await reg.add(notice("PN-2026-0001"))
        csv = payment_file(tmp_path, "PN-2026-0001,80,20/03/2026,A",
                           "PN-2026-0001,80.00,2026-03-20,A")
        first = await import_payments(reg.app, csv, NATIONAL, TODAY)
        assert ([r.row for r in first.recorded], [r.row for r in first.already]) == ([2], [3])
        item = await reg.item("PN-2026-0001")
        again = await import_payments(reg.app, csv, NATIONAL, date(2026, 5, 1))
        assert (again.recorded, again.problems, len(again.already)) == ([], [], 2)
        after = await reg.item("PN-2026-0001")
        assert (after.version, after.fields) == (item.version, item.fields)
        assert again.to_text().endswith("Recorded 0, already recorded 2, with a problem 0.\n")
        # The register moving on does not undo the payment either.
        assert not (await move_register_on(reg.app, NATIONAL, date(2026, 5, 1))).moved

    on_register(test, tmp_path)


def test_payment_for_a_withdrawn_notice_is_not_recorded(tmp_path: Path) -> None:
    """Regulation 9: a withdrawn notice is withdrawn; a payment after it does not settle it
    (refund it), and the notice stays withdrawn."""
    async def test(reg: Register) -> None:
        await reg.add(notice("PN-2026-0004"))
        await reg.officer_sets("PN-2026-0004", {"WithdrawnOn": "2026-03-16T00:00:00Z",
                                                "WithdrawnBecause": "wrong address",
                                                "State": "Withdrawn"})
        report = await import_payments(reg.app, payment_file(
            tmp_path, "PN-2026-0004,80,17/03/2026,R"), NATIONAL, TODAY)
        [problem] = report.problems
        assert problem.message.startswith(
            "Row 2, column 'Date paid': notice PN-2026-0004 was withdrawn on 16 March 2026")
        f = await reg.fields("PN-2026-0004")
        assert f["State"] == "Withdrawn" and "PaidOn" not in f

    on_register(test, tmp_path)


def test_a_file_without_a_column_is_refused_whole(tmp_path: Path) -> None:
    """Bad input names the field and what is wrong: the heading that is missing."""
    path = tmp_path / "bad.csv"
    path.write_text("Notice,Amount,Date paid\nPN-1,80,20/03/2026\n", encoding="utf-8")
    with pytest.raises(PaymentFileError) as refused:
        read_payment_file(path)
    assert "row 1: no column 'Notice number'" in str(refused.value)
    assert "'Notice', 'Amount', 'Date paid'" in str(refused.value)
    excel = tmp_path / "excel.csv"  # Excel's CSV: Windows-1252, the £ as one byte
    excel.write_bytes("Notice number,Amount,Date paid\r\nPN-1,£80,20/03/2026\r\n"
                      .encode("cp1252"))
    assert read_payment_file(excel) == [
        (2, {"Notice number": "PN-1", "Amount": "£80", "Date paid": "20/03/2026"})]


def test_the_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                     capsys: pytest.CaptureFixture[str]) -> None:
    """`casework import payments FILE.csv [--la-site URL] [--dry-run]`: says each row's
    outcome in plain words, dates as 20 March 2026; a dry run writes nothing (regulation 20:
    the record is the LA's, kept once)."""
    with DevTenant(tmp_path / "tenant") as tenant:
        def register() -> Register:  # a client a run: each asyncio.run has its own loop
            app = client(tenant, tenant.app_token, DEV_APP_ID)
            return Register(app, app, asyncio.run(app.lists())[REGISTER_LIST].id)

        async def prepare() -> None:
            app = client(tenant, tenant.app_token, DEV_APP_ID)
            await provision(app, load_lists(LA_SITE_SCHEMA_DIR))
            n = notice("PN-2026-0001")
            await app.create_item((await app.lists())[REGISTER_LIST].id, notice_fields(
                n, standing(n, NATIONAL, date(2026, 3, 9))))

        def fields() -> dict[str, object]:
            reg = register()
            app = client(tenant, tenant.app_token, DEV_APP_ID)
            [item] = asyncio.run(app.all_items(reg.list_id))
            return item.fields

        asyncio.run(prepare())
        monkeypatch.delenv("SHAREPOINT_LA_SITE", raising=False)
        monkeypatch.setenv("GRAPH_BASE_URL", tenant.base_url)
        monkeypatch.setenv("GRAPH_DEV_TOKEN", tenant.app_token)
        csv = payment_file(tmp_path, "PN-2026-0001,80,20/03/2026,A",
                           "PN-2026-0099,80,20/03/2026,B")
        site = f"https://{tenant.hostname}{tenant.site_path}"
        assert main(["import", "payments", str(csv)]) == 2
        assert "--la-site" in capsys.readouterr().err

        assert main(["import", "payments", str(csv), "--la-site", site, "--dry-run",
                     "--today", "2026-04-10"]) == 2
        out = capsys.readouterr().out
        assert "Would record 1 payment:" in out
        assert "Row 3, column 'Notice number': no notice PN-2026-0099" in out
        assert out.endswith("Dry run: nothing was written. Would record 1, already recorded 0,"
                            " with a problem 1.\n")
        assert "PaidOn" not in fields()

        assert main(["import", "payments", str(csv), "--la-site", site,
                     "--today", "2026-04-10"]) == 2
        out = capsys.readouterr().out
        assert "Recorded 1 payment:\n  Row 2: PN-2026-0001 (Severn Vale Academy), £80 paid " \
               "on 20 March 2026: now Paid within 21 days." in out
        assert fields()["State"] == "Paid within 21 days"
        assert main(["import", "payments", str(tmp_path / "missing.csv"), "--la-site",
                     site]) == 2
        assert "missing.csv: cannot be read" in capsys.readouterr().err

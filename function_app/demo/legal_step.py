"""The demo's legal referral (issue 10): in the week after Mason Kerr's legal consultation
(18 November; the evidence is due by 27 November), his school's attendance lead ticks
"Prepare legal referral" on the case, and "Education Supervision Order considered", as the
consultation did. The sweep that follows files the evidence bundle (.docx and PDF) in the
case folder's Legal subfolder, writes the readiness onto the case and tells the legal
officers' channel. Without LibreOffice the dev tenant cannot make the PDF: the .docx is filed
alone and the output, the case and the card say that the PDF needs LibreOffice.

The summer term's support meeting and review were logged only as a contact; the readiness
check takes that contact as the support meeting held (the referral form in the bundle says
so too), so the case is ready and the cover says "READY".

A second run types nothing, so the sweep finds no change and nothing is bundled again.
"""

from __future__ import annotations

from datetime import date

from function_app.domain.wording import counted
from function_app.services.casework_sweep.sweep_report import LEGAL_TICK, SweepReport
from function_app.services.legal.legal_referral import Referral

from .scenario import MASON, Week
from .typing import Typist

LEGAL_CASE = MASON
PDF_NEEDS = ("the dev tenant converts to PDF with LibreOffice, which is not installed here: "
             "install libreoffice-writer-nogui and run the demo again in a new workspace "
             "(in production Microsoft Graph's ?format=pdf makes the PDF).")
LEGAL_WEEK = date(2026, 11, 23)


async def before_sweep(typist: Typist, week: Week) -> bool:
    """Tick the case's "Prepare legal referral" in its week; whether it was ticked."""
    if week.monday != LEGAL_WEEK or LEGAL_CASE not in typist.cases:
        return False
    typed = typist.cases[LEGAL_CASE]
    staff = typist.staff(typed.school.key, typed.school.lead[0])  # in the school's own site
    await staff.update_fields(typist.list_id(typed.school, "Cases"), typed.item_id,
                              {LEGAL_TICK: True, "EsoConsidered": True})
    return True


def lines(report: SweepReport) -> list[str]:
    """What the sweep did with the tick, for the week's progress."""
    out = []
    for referral in report.legal:
        what = "filed the evidence bundle" if referral.made else "found its bundle already filed"
        out.append(f"  {referral.case_ref}: staff ticked \"Prepare legal referral\"; {what} "
                   f"in {referral.folder}: {' and '.join(referral.names)}.")
        if referral.pdf_missing:
            out.append(f"    No PDF: {PDF_NEEDS} The Word bundle's index gives no page "
                       "numbers without it.")
        gaps = [s for s in referral.readiness.missing if s.required]
        verdict = "ready" if not gaps else f"not ready, {counted(len(gaps), 'step')} missing"
        out.append(f"    Readiness: {verdict}.")
        for s in gaps:
            out.append(f"    Missing: {s.title}. {s.evidence} What to do: {s.what_to_do}")
    return out


def summary_lines(referrals: list[Referral]) -> list[str]:
    """For the demo's summary: each evidence bundle filed without its PDF, and why."""
    return [f"The evidence bundle of {r.case_ref} is filed as a Word document only "
            f"({r.docx_name}, in its case folder's Legal subfolder): no PDF, as {PDF_NEEDS}"
            for r in referrals if r.made and r.pdf_missing]

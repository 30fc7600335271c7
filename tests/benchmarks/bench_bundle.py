"""Benchmark (not a test): bundling a case with 40 documents, against the plain baseline.

    ./run python tests/benchmarks/bench_bundle.py [--documents 40]

The 40 documents are the product's own: the AIM plan, covering letters, invitations and the
legal referral rendered from the sample case (templates/sample-case.json), repeated with
different dates. Measured in one run, on the same documents:

- the bundle: cover, index, readiness, the Request to Initiate Legal Proceedings, summary,
  attendance record, chronology and the 40 exhibits; converted to PDF with LibreOffice until
  the index's page numbers are checked against the PDF (``paginate``);
- the baseline: a plain docxcompose join of the same 40 documents, converted once to PDF
  with LibreOffice (what "join and print" costs without an index that tells the truth).

Each conversion is a cold soffice start with its own profile, as in the dev tenant.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from docx import Document  # noqa: E402
from docxcompose.composer import Composer  # noqa: E402

from function_app.adapters.libreoffice import LibreOfficePdf, soffice  # noqa: E402
from function_app.documents.bundle import Bundle, Source, readable  # noqa: E402
from function_app.documents.bundle_pdf import page_texts, paginate  # noqa: E402
from function_app.documents.catalogue import SHIPPED_TEMPLATES  # noqa: E402
from function_app.documents.context import Options  # noqa: E402
from function_app.documents.engine import TemplateSet, produce  # noqa: E402
from function_app.domain import assess, load_profile  # noqa: E402
from function_app.domain.readiness import readiness  # noqa: E402
from function_app.services.case_files.case_input import read_case_file  # noqa: E402

TODAY = date(2026, 11, 22)
KINDS = ("aim_plan", "plan_cover_letter", "aim_invitation", "legal_referral")


def documents(n: int) -> tuple[object, list[Source], bytes]:
    """The sample case, n sources rendered from it, and its referral form."""
    case = read_case_file((SHIPPED_TEMPLATES / "sample-case.json").read_text("utf-8"))
    profile = load_profile(case.profile)
    a = assess(case, profile, TODAY)
    templates = TemplateSet()
    made = [d for kind in KINDS for d in produce(templates, kind, a, None, Options(),
                                                 datetime(2026, 11, 22, tzinfo=UTC))]
    sources = []
    for i in range(n):
        d = made[i % len(made)]
        on = date(2026, 9, 7) + timedelta(days=2 * i)
        sources.append(readable(Source(f"{on.isoformat()} {d.file_name}", d.file_name[:-5],
                                       on, d.content)))
    referral = produce(templates, "legal_referral", a, None, Options())[0].content
    return case, sources, referral


def plain_join(sources: list[Source]) -> bytes:
    first, *rest = [s.content for s in sources if s.content is not None]
    composer = Composer(Document(io.BytesIO(first)))
    for content in rest:
        composer.doc.add_page_break()
        composer.append(Document(io.BytesIO(content)))
    out = io.BytesIO()
    composer.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=40)
    n = parser.parse_args().documents
    if soffice() is None:
        sys.exit("bench_bundle: LibreOffice (soffice) is needed")
    case, sources, referral = documents(n)
    profile = load_profile("gloucestershire-aim")
    bundle = Bundle(case, tuple(sources), TODAY, "Attendance Lead", readiness=readiness(
        case, profile, TODAY), referral_form=referral, profile=profile)  # type: ignore[arg-type]

    started = time.perf_counter()
    joined = plain_join(sources)
    join_seconds = time.perf_counter() - started
    started = time.perf_counter()
    plain_pdf = asyncio.run(LibreOfficePdf()(joined))
    plain_seconds = time.perf_counter() - started + join_seconds

    converter = LibreOfficePdf()
    started = time.perf_counter()
    made = asyncio.run(paginate(bundle, converter))
    bundle_seconds = time.perf_counter() - started

    pages = len(page_texts(made.pdf))
    print(f"{n} documents; the bundle: {pages} PDF pages, {made.conversions} conversions "
          f"until its page numbers were checked")
    print(f"bundle (compose + PDF + checked index): {bundle_seconds:.2f} s")
    print(f"baseline (plain docxcompose join {join_seconds:.2f} s + one LibreOffice "
          f"conversion, {len(page_texts(plain_pdf))} pages): {plain_seconds:.2f} s")
    print(f"ratio bundle / baseline: {bundle_seconds / plain_seconds:.2f}")


if __name__ == "__main__":
    main()

"""Build the shipped Word templates in this folder from code, so they can be rebuilt.

    .venv/bin/python templates/build_templates.py          # writes every template
    .venv/bin/python templates/build_templates.py aim_plan # only the kinds named

Each template is an ordinary .docx that a local authority can open and edit in Word. The
tags are docxtpl's (https://docxtpl.readthedocs.io): {{ var }} for a value, {%p ... %}
alone in a paragraph for a paragraph-level if or for (the whole paragraph disappears), and
{%tr ... %} alone in a table row for a row loop. The names a template may use are the keys
of ``function_app.documents.context.build_context``; nothing else exists when it renders.

The layout is shared by every kind:

- A4 portrait, 20 mm top margin. The header is the letterhead: a borderless table with
  the logo (``logo``, when there is one) on the left and the school's name, address,
  telephone and email on the right, so a logo widens the letterhead but never deepens it.
  The protective marking (``marking``) is the first line of every header and the last
  line of the footer, and disappears when it is not set. A plan or record has one header
  on every page; a letter has the letterhead on page 1 only (Word's "different first
  page") and a slim header, the school's name, on later pages, which start near the top.
- Letters print for a DL window envelope (domain.md, "Sending letters": on an A4 page
  folded in three the address belongs 50-90 mm from the top and 20-110 mm from the left).
  Page 1's header holds the marking, the letterhead and its rule in one borderless cell
  whose row is exactly as deep as the space above the window (10 mm header distance +
  LETTERHEAD_DEPTH_CM + a 1 pt hairline paragraph = 50 mm), so the body starts at 50 mm
  on page 1 only. The body starts with the address block: a borderless table whose one
  row is exactly 40 mm high, the recipient's name and address in the left cell
  (22-110 mm from the left), the date and our reference in the right. The exact heights
  mean neither a deep letterhead nor a long address can push the letter into the window.
  Word and LibreOffice both start the body right below a header deeper than the top
  margin, and honour an exact row height the same way, unlike frames and floating tables,
  which LibreOffice converts on import and wraps text around differently
  (tests/documents/test_address_window.py and test_reader_fixes.py check the PDF).
- The footer gives the case reference and "Page X of Y" (Word's PAGE and NUMPAGES fields).
- Headings use Word's Heading 1-3 styles, so the navigation pane and screen readers see the
  structure. Tables have a repeating header row and alternative text.
- Optional sections are wrapped, heading and all, in one {%p if %} so that nothing is left
  behind when they are empty.

The output is deterministic: the same code writes byte-identical files (fixed timestamps
in the zip and in the document properties).

The builder is split by document family in the package ``builder`` beside this file:
``house_style`` (the page, fonts, colours and the low-level pieces), ``template`` (the
Template: styles, letterhead, footer, body, saving), ``sections`` (what several templates
share), and ``invitations``, ``letters``, ``meeting_records``, ``forms`` and ``reports``
(the templates themselves). This file maps each kind in catalogue.json to its builder.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from builder.forms import apdr_form, attendance_contract, legal_referral
from builder.invitations import (
    aim_invitation,
    meeting_rearranged,
    review_meeting_invitation,
    support_meeting_invitation,
)
from builder.letters import letter_of_concern, notice_to_improve, plan_cover_letter
from builder.meeting_records import aim_plan, review_meeting_record, support_meeting_record
from builder.penalty_notice import SOURCE as PENALTY_NOTICE_SOURCE
from builder.penalty_notice import TITLE as PENALTY_NOTICE_TITLE
from builder.penalty_notice import penalty_notice
from builder.reports import school_on_a_page
from builder.template import Template

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE / "catalogue.json"


BUILDERS: dict[str, tuple[Callable[[Template], None], bool]] = {
    "letter_of_concern": (letter_of_concern, True),
    "support_meeting_invitation": (support_meeting_invitation, True),
    "aim_invitation": (aim_invitation, True),
    "review_meeting_invitation": (review_meeting_invitation, True),
    "meeting_rearranged": (meeting_rearranged, True),
    "aim_plan": (aim_plan, False),
    "support_meeting_record": (support_meeting_record, False),
    "review_meeting_record": (review_meeting_record, False),
    "plan_cover_letter": (plan_cover_letter, True),
    "notice_to_improve": (notice_to_improve, True),
    "attendance_contract": (attendance_contract, False),
    "legal_referral": (legal_referral, False),
    "apdr_form": (apdr_form, False),
}


def build(kind: dict[str, str], folder: Path = HERE) -> Path:
    body, letter = BUILDERS[kind["kind"]]
    t = Template(kind["title"], letter)
    body(t)
    path = folder / kind["file"]
    t.save(path, kind["source"])
    return path


REPORT_BUILDERS: dict[str, Callable[[Template], None]] = {
    "school_on_a_page": school_on_a_page,
}


# The LA's penalty notice (issue 19): made from the register's facts, not from a case's
# context (function_app/documents/penalty_notice.py), so it is not one of the catalogue's
# "kinds". A letter for the DL window; its title and source are the builder's own, so it
# builds the same whether or not the catalogue lists it (under "reports").
PENALTY_NOTICE = {"report": "penalty_notice", "title": PENALTY_NOTICE_TITLE,
                  "file": "penalty-notice.docx", "source": PENALTY_NOTICE_SOURCE}


def build_penalty_notice(folder: Path = HERE) -> Path:
    t = Template(PENALTY_NOTICE["title"], True)
    penalty_notice(t)
    path = folder / PENALTY_NOTICE["file"]
    t.save(path, PENALTY_NOTICE["source"])
    return path


def build_report(report: dict[str, str], folder: Path = HERE) -> Path:
    """A template for a school-level report (the catalogue's "reports"), not a case's; or
    the LA's penalty notice, should the catalogue list it there."""
    if report["report"] == PENALTY_NOTICE["report"]:
        return build_penalty_notice(folder)
    t = Template(report["title"], False)
    REPORT_BUILDERS[report["report"]](t)
    path = folder / report["file"]
    t.save(path, report["source"])
    return path


def main(argv: Sequence[str]) -> int:
    catalogue = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    kinds, reports = catalogue["kinds"], list(catalogue.get("reports", []))
    if all(r["report"] != PENALTY_NOTICE["report"] for r in reports):
        reports.append(PENALTY_NOTICE)
    wanted = set(argv)
    unknown = wanted - {k["kind"] for k in kinds} - {r["report"] for r in reports}
    if unknown:
        print(f"unknown kinds: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    missing = {k["kind"] for k in kinds} - set(BUILDERS)
    if missing:
        print(f"no builder for: {', '.join(sorted(missing))}", file=sys.stderr)
        return 1
    for kind in kinds:
        if not wanted or kind["kind"] in wanted:
            print(build(kind).relative_to(HERE.parent))
    for report in reports:
        if not wanted or report["report"] in wanted:
            print(build_report(report).relative_to(HERE.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

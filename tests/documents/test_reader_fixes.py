"""What readers of the documents asked us to fix: the referral's wording, plans that ask
nothing of parents, parents who live apart, a trend of one import, and letters whose later
pages started 50 mm down."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from pypdf import PdfReader

from function_app.adapters.libreoffice import soffice
from function_app.imports.school_page import NO_TREND
from tests.documents.test_address_window import MM_PER_PT
from tests.documents.test_kinds import TEMPLATES, all_text, render, sample
from tests.imports.test_targeting_pack_reading import primary, report

ASKING = "what we are asking of you"
NOTHING_ASKED = "There is nothing we are asking of you in this plan this time."
LETTER_KINDS = [k.kind for k in TEMPLATES.catalogue.kinds if k.per_carer]


def meeting(data: dict[str, Any], meeting_id: str) -> dict[str, Any]:
    return next(m for m in data["meetings"] if m["id"] == meeting_id)


def letter_to(kind: str, recipient: str, data: dict[str, Any], meeting_id: str) -> str:
    documents = render(kind, data, meeting=meeting_id)
    return next(all_text(d.content) for d in documents if d.recipient == recipient)


# --- 1. the legal intervention referral ----------------------------------------------------


@pytest.mark.unit
def test_the_referral_names_the_officer_consulted_not_your_officer() -> None:
    """The school's own referral names the Inclusion Officer it consulted by name and role,
    never as "your Inclusion Officer"."""
    text = all_text(render("legal_referral")[0].content)
    assert "your Inclusion Officer" not in text
    assert ("The school consulted Ruth Kelly, the local authority's Inclusion Officer, at "
            "the legal intervention consultation") in text


@pytest.mark.unit
def test_the_referral_names_the_role_plainly_when_no_officer_is_recorded() -> None:
    """Without an Inclusion Officer among those at the consultation, the referral says "the
    local authority's Inclusion Officer"."""
    data = sample()
    m7 = meeting(data, "m7")
    m7["attendees"] = [a for a in m7["attendees"] if a["role"] != "Inclusion Officer"]
    text = all_text(render("legal_referral", data)[0].content)
    assert "The school consulted the local authority's Inclusion Officer at the" in text
    assert "your" not in text.lower().split()


# --- 2. plans that ask nothing of the parents --------------------------------------------


@pytest.mark.unit
@pytest.mark.parametrize(("meeting_id", "recipient"), [
    ("m2", "Sam Morgan"),  # came to the meeting
    ("m2", "Jo Taylor"),  # lives apart; the other parent came
    ("m4", "Sam Morgan"),  # did not come
])
def test_a_covering_letter_asks_nothing_when_the_plan_asks_nothing(
        meeting_id: str, recipient: str) -> None:
    """When the plan has no actions for parents, the covering letter says plainly that
    nothing is asked of them this time, and never "what we are asking of you"."""
    data = sample()
    meeting(data, meeting_id)["agreed_actions"]["parents"] = []
    text = letter_to("plan_cover_letter", recipient, data, meeting_id)
    assert ASKING not in text
    assert "what you, " not in text
    assert NOTHING_ASKED in text


@pytest.mark.unit
def test_a_covering_letter_still_says_what_is_asked_when_the_plan_asks() -> None:
    """When the plan does have actions for parents, an absent parent's letter still says the
    plan sets out what we are asking of them."""
    text = letter_to("plan_cover_letter", "Sam Morgan", sample(), "m4")
    assert ASKING in text and NOTHING_ASKED not in text


@pytest.mark.unit
@pytest.mark.parametrize(("kind", "meeting_id"), [("aim_plan", "m4"),
                                                  ("support_meeting_record", "m1")])
def test_a_plan_with_nothing_for_parents_says_so(kind: str, meeting_id: str) -> None:
    """A plan with no actions for parents says nothing is asked of them, and does not speak
    of "the actions for them below"."""
    data = sample()
    meeting(data, meeting_id)["agreed_actions"]["parents"] = []
    text = all_text(render(kind, data, meeting=meeting_id)[0].content)
    assert "Nothing is asked of the parent(s)/carer(s) in this plan" in text
    assert "actions for them below" not in text
    assert "No actions were recorded" not in text.split("School agrees to")[0]


# --- 3. parents who live apart ------------------------------------------------------------


@pytest.mark.unit
def test_a_parent_living_apart_is_not_told_about_the_other_parent() -> None:
    """A covering letter to a parent who lives apart (Jo Taylor, not living with the pupil)
    names only the pupil and the staff who attended, never the other parent."""
    text = letter_to("plan_cover_letter", "Jo Taylor", sample(), "m2")
    assert "Sam Morgan" not in text and "Mother" not in text
    assert "1 Oak Street" not in text and "sam@example.org" not in text
    assert ("with Alex Morgan (Pupil), Priya Shah (Attendance Lead) and Mark Owen "
            "(Deputy Headteacher)") in text
    assert "what the parents" not in text


@pytest.mark.unit
def test_parents_at_different_addresses_live_apart() -> None:
    """Two parents who both say they live with the pupil, at different addresses, are
    treated as living apart: neither letter reports the other's attendance."""
    data = sample()
    data["carers"][1]["lives_with_pupil"] = True
    text = letter_to("plan_cover_letter", "Jo Taylor", data, "m2")
    assert "Sam Morgan" not in text


@pytest.mark.unit
def test_parents_who_live_together_hear_who_came() -> None:
    """Parents who live together at the same address are told that the other came."""
    data = sample()
    data["carers"][1].update(lives_with_pupil=True, address=data["carers"][0]["address"])
    text = letter_to("plan_cover_letter", "Jo Taylor", data, "m2")
    assert "took place on Thursday 8 October 2026, with Sam Morgan." in text


# --- 4. the school on a page with one import ------------------------------------------------


def school_page_text(folder: Path) -> tuple[str, list[Any]]:
    doc = Document(folder / "Wren Lane Primary School school on a page.docx")
    text = "\n".join(p.text for p in doc.paragraphs)
    return text, doc.tables


@pytest.mark.cli
def test_one_import_gives_no_trend_table_but_says_why(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With one import the school on a page says there is no trend yet instead of showing a
    one-row trend table."""
    primary(tmp_path / "exports", "Wren Lane Primary School", "2026-12-18", 20, 190)
    assert report([tmp_path / "exports"], tmp_path / "pack") == 0
    text, tables = school_page_text(tmp_path / "pack")
    assert NO_TREND == ("No trend yet: one import so far; the next import will show the "
                        "change.")
    assert NO_TREND in text
    assert not [t for t in tables if t.rows[0].cells[0].text == "Figures to"]


@pytest.mark.cli
def test_two_imports_give_the_trend_table(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """With two imports the school on a page shows the trend table, one row per import."""
    primary(tmp_path / "exports", "Wren Lane Primary School", "2026-10-23", 20, 180)
    primary(tmp_path / "exports", "Wren Lane Primary School", "2026-12-18", 20, 190)
    assert report([tmp_path / "exports"], tmp_path / "pack") == 0
    text, tables = school_page_text(tmp_path / "pack")
    assert NO_TREND not in text
    [trend] = [t for t in tables if t.rows[0].cells[0].text == "Figures to"]
    assert len(trend.rows) == 3


# --- 5. letters: the window space on page 1 only -------------------------------------------


@pytest.mark.unit
@pytest.mark.parametrize("kind", LETTER_KINDS)
def test_a_letter_has_its_letterhead_on_page_one_only(kind: str) -> None:
    """Each letter has a different first page: page 1's header holds the letterhead, later
    pages a slim header, and the top margin is the normal 20 mm."""
    document = render(kind)[0]
    doc = Document(io.BytesIO(document.content))
    section = doc.sections[0]
    assert section.different_first_page_header_footer
    assert round(section.top_margin.mm) == 20
    first = section.first_page_header._element.xml
    later = section.header._element.xml
    assert "Hillside Road" in first and "Hillside Road" not in later
    assert 'w:hRule="exact"' in first
    with zipfile.ZipFile(io.BytesIO(document.content)) as z:
        footers = [z.read(n).decode() for n in z.namelist()
                   if re.match(r"word/footer\d*\.xml", n)]
    assert len(footers) >= 2 and all("PAGE" in f for f in footers)


def pdf_of(documents: dict[str, bytes], folder: Path) -> dict[str, PdfReader]:
    for name, content in documents.items():
        (folder / f"{name}.docx").write_bytes(content)
    program = soffice()
    assert program is not None
    subprocess.run([program, f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(folder),
                    *(str(folder / f"{name}.docx") for name in documents)],
                   check=True, capture_output=True, timeout=300)
    return {name: PdfReader(folder / f"{name}.pdf") for name in documents}


def lines_of(page: Any) -> list[tuple[float, str]]:
    """Each piece of text on the page with its baseline in mm from the top, top first."""
    height = float(page.mediabox.height)
    found: list[tuple[float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if text.strip():
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append(((height - y) * MM_PER_PT, text.strip()))

    page.extract_text(visitor_text=visit)
    return sorted(found)


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_page_two_of_a_letter_starts_high_and_page_one_is_unchanged(tmp_path: Path) -> None:
    """Page 1 of a letter still starts its body at the window while page 2 starts near the
    top under a slim header, so a letter that fitted on one page still does."""
    documents = {"notice": render("notice_to_improve")[0].content,
                 "concern": render("letter_of_concern")[0].content,
                 **{f"cover-{n}": d.content
                    for n, d in enumerate(render("plan_cover_letter", meeting="m2"))}}
    pdfs = pdf_of(documents, tmp_path)
    for name in ("cover-0", "cover-1"):  # one page before the change, one page now
        assert len(pdfs[name].pages) == 1, f"{name} no longer fits on one page"
    for name in ("notice", "concern"):
        pages = pdfs[name].pages
        assert len(pages) >= 2, name
        first, second = lines_of(pages[0]), lines_of(pages[1])
        # Page 1 as before: the recipient's name is the first line of the body, at the
        # window (its baseline 55.6 mm down both before and after the change).
        addressee = [y for y, t in first if t == "Sam Morgan"]
        assert addressee and 55 <= addressee[0] <= 56.5, (name, addressee)
        assert not [t for y, t in first if 34 < y < 50], f"{name}: text above the window"
        # Page 2: the slim header, then the body from about 24 mm (it was 60 mm).
        header = [y for y, t in second if t == "Hillside Community School"]
        assert header and header[0] < 20, (name, second[:3])
        assert not [t for _, t in second if "Hillside Road" in t], f"{name}: letterhead again"
        body = [(y, t) for y, t in second if t != "Hillside Community School"]
        assert body[0][0] < 30, f"{name}: page 2 starts {body[0][0]:.1f} mm down: {body[0]}"

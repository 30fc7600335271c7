"""The evidence bundle's own pages: cover, index, readiness, case summary, attendance record
and chronology, and the footer that numbers every page "Page X of Y".

Seed 000 ("Keeping clear records"): every interaction with its date, time and mode, the
parents named by first and last name, the voice of parent and pupil as direct quotes.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Mm, Pt, RGBColor

from function_app.domain.attendance import attendance_percent, display_percent, figures_from_marks
from function_app.domain.codes import description, meaning
from function_app.domain.model import Case, Quote
from function_app.domain.penalty import penalty_threshold
from function_app.domain.policy import Profile
from function_app.domain.readiness import Readiness
from function_app.domain.wording import meeting_name

from .formatting import long_date
from .word_fields import add_field
from .xml_text import clean

if TYPE_CHECKING:
    from .bundle import BundleEntry

TITLE = "Evidence bundle for legal intervention"
USABLE_WIDTH, USABLE_HEIGHT = Cm(17), Cm(22)  # A4 less the margins and the exhibit heading
PAGE_PLACEHOLDER = "000"  # the index's page column before the pages are known: as wide
NO_PAGE = "-"  # the index's page column in a Word bundle filed without its PDF
HASH_NOTE = ("Each exhibit's SHA-256 is that of its file in the case folder: anyone can check "
             "that the exhibit is the document filed.")
INDEX_NOTE = f"{HASH_NOTE} Pages are the pages of the PDF bundle."
INDEX_WIDTHS = (Cm(1.7), Cm(3.5), Cm(2.2), Cm(4.0), Cm(4.4), Cm(1.2))  # 17 cm in all


def page_setup(doc: Any) -> None:
    """A4 with 2 cm margins, and "Page X of Y" in the footer."""
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Page ")
    add_field(footer, "PAGE")
    footer.add_run(" of ")
    add_field(footer, "NUMPAGES")


def _labelled(d: Any, label: str, value: str) -> None:
    p = d.add_paragraph()
    p.add_run(f"{label}: ").bold = True
    p.add_run(clean(value))


def _table(d: Any, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Any:
    table = d.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = clean(text)
    return table


def _fit(table: Any, widths: Sequence[Any], size: Any) -> None:
    """Fixed column widths and a font size. Word reads each cell's width; LibreOffice reads
    the table grid's, so both are set."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = size


def small(d: Any, text: str) -> None:
    run = d.add_paragraph().add_run(text)
    run.font.size = Pt(8)
    run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)


def picture(d: Any, content: bytes) -> None:
    """An image exhibit (a scanned letter, a photo), as large as fits on the page."""
    from docx.image.image import Image

    image = Image.from_blob(content)
    ratio = image.px_height / image.px_width
    width = min(USABLE_WIDTH, int(USABLE_HEIGHT / ratio))
    d.add_picture(io.BytesIO(content), width=width)


# -- the pages --------------------------------------------------------------------------


def parents(case: Case) -> str:
    return ", ".join(f"{c.full_name} ({c.relationship})"
                     for c in case.carers_with_parental_responsibility) or "none recorded"


def cover(d: Any, case: Case, prepared_on: date, prepared_by: str,
          entries: Sequence[BundleEntry]) -> None:
    d.add_heading(TITLE, level=0)
    pupil = case.pupil
    included = sum(1 for e in entries if e.included)
    for label, value in (
        ("Case reference", case.case_ref),
        ("School", case.school.name),
        ("Pupil", f"{pupil.forename} {pupil.surname} (Year {pupil.year_group}), born "
                  f"{long_date(pupil.date_of_birth)}"),
        ("Parents and carers with parental responsibility", parents(case)),
        ("Prepared by", prepared_by or case.school.name),
        ("Date", long_date(prepared_on)),
        ("Exhibits", f"{included}" + (f", and {len(entries) - included} missing or "
                                      "unreadable (see the index)"
                                      if included < len(entries) else "")),
    ):
        _labelled(d, label, value)


def index(d: Any, entries: Sequence[BundleEntry]) -> tuple[Any, dict[int, Any]]:
    """The index table; returns the note above it (which says where the pages are) and the
    page cell of each included exhibit, by number."""
    d.add_heading("Index of exhibits", level=1)
    note = d.add_paragraph(INDEX_NOTE)
    rows = []
    for e in entries:
        if e.included:
            page = str(e.page) if e.page is not None else PAGE_PLACEHOLDER
        else:
            page = "Missing"
        file = e.file_name + ("" if e.generated else " (uploaded by staff)")
        if e.problem:
            file += f": {e.problem}"
        rows.append((str(e.number), e.title, long_date(e.date), file, e.sha256 or "-", page))
    table = _table(d, ("Exhibit", "Title", "Date", "File", "SHA-256", "Page"), rows)
    _fit(table, INDEX_WIDTHS, Pt(8))
    for row in table.rows[1:]:  # a hash reads best in a fixed-width font
        for run in row.cells[4].paragraphs[0].runs:
            run.font.name, run.font.size = "Courier New", Pt(7)
    return note, {e.number: row.cells[5] for e, row in zip(entries, table.rows[1:], strict=True)
                  if e.included}


def without_pdf_note(why: str) -> str:
    """The index's note in a Word bundle filed without its PDF: no page is given."""
    return (f"{HASH_NOTE} The PDF bundle was not made ({why.rstrip('.')}), so the Page "
            "column gives no page: pages are those of the PDF bundle. Each PDF exhibit's pages "
            "are in its own file in the case folder; its SHA-256 identifies it.")


def readiness(d: Any, r: Readiness) -> None:
    d.add_heading("Steps before legal intervention", level=1)
    d.add_paragraph("Ready: every required step is evidenced." if r.ready else
                    "Not ready: the steps marked missing need attention.")
    rows = [(s.title, "Yes" if s.found else ("No" if s.required else "Caution"),
             s.evidence + (f" What to do: {s.what_to_do}" if s.what_to_do else ""))
            for s in r.steps]
    table = _table(d, ("Step", "Found", "Evidence / what to do"), rows)
    _fit(table, (Cm(5.0), Cm(1.6), Cm(10.4)), Pt(9))


def summary(d: Any, case: Case, r: Readiness | None, entries: Sequence[BundleEntry]) -> None:
    d.add_heading("Case summary", level=1)
    pupil = case.pupil
    _labelled(d, "Pupil", f"{pupil.forename} {pupil.surname}, Year {pupil.year_group}")
    _labelled(d, "School", case.school.name)
    _labelled(d, "Stage", case.stage.value.replace("_", " ").capitalize())
    if case.attendance is not None and case.attendance.possible_sessions > 0:
        _labelled(d, "Attendance", display_percent(attendance_percent(case.attendance)))
    meetings = [m for m in case.meetings_by_date() if m.status.value == "held"]
    _labelled(d, "Meetings held", "; ".join(f"{meeting_name(m.kind)} on {long_date(m.date)}"
                                            for m in meetings) or "none")
    _labelled(d, "Contacts recorded", str(len(case.interactions)))
    missing = [e for e in entries if not e.included]
    _labelled(d, "Exhibits", f"{len(entries) - len(missing)} included"
              + (f"; {len(missing)} missing or unreadable: "
                 + "; ".join(f"{e.file_name} ({e.problem})" for e in missing) if missing
                 else ""))
    if r is not None:
        gaps = [s.title for s in r.missing if s.required]
        _labelled(d, "Readiness", "every required step is evidenced" if r.ready else
                  "missing: " + "; ".join(gaps))


def attendance(d: Any, case: Case, profile: Profile | None) -> None:
    """The codes table and totals over the period cited: the penalty-notice window when the
    register's marks are recorded (DfE 2024), else the figures' own period."""
    d.add_heading("Attendance record", level=1)
    marks = case.marks
    if marks and profile is not None:
        t = penalty_threshold(marks, profile)
        if t is not None and t.window_start and t.window_end:
            start, end = t.window_start, t.window_end
            marks = tuple(m for m in marks if start <= m.date <= end)
            d.add_paragraph(f"The period cited: the penalty notice window from "
                            f"{long_date(start)} to {long_date(end)} ({t.school_weeks} school "
                            f"weeks), with {t.sessions} unauthorised sessions.")
    if marks:
        counts = Counter(m.code for m in marks)
        codes = _table(d, ("Code", "What it records", "Counts as", "Sessions"),
                       [(code, description(code), meaning(code).value.replace("_", " "),
                         str(n)) for code, n in sorted(counts.items())])
        _fit(codes, (Cm(1.4), Cm(9.6), Cm(4.0), Cm(2.0)), Pt(9))
        figures = figures_from_marks(marks)
        d.add_paragraph(f"From {long_date(min(m.date for m in marks))} to "
                        f"{long_date(max(m.date for m in marks))}:")
    elif case.attendance is not None:
        figures = case.attendance
        period = (f"from {long_date(figures.period_start)} to {long_date(figures.period_end)}"
                  if figures.period_start and figures.period_end
                  else "over a period not recorded")
        d.add_paragraph(f"The register's marks are not recorded in the case; the totals "
                        f"{period}:")
    else:
        d.add_paragraph("No attendance figures are recorded.")
        return
    pct = (display_percent(attendance_percent(figures)) if figures.possible_sessions > 0
           else "-")
    _table(d, ("Possible sessions", "Present", "Authorised absence", "Unauthorised absence",
               "Attendance"),
           [(str(figures.possible_sessions), str(figures.present_sessions),
             str(figures.authorised_absences), str(figures.unauthorised_absences), pct)])


def chronology(d: Any, case: Case) -> None:
    """Every contact and meeting in date order: date, time, mode, who, summary, quotes."""
    d.add_heading("Chronology", level=1)
    events: list[tuple[date, str, str, str, str, str]] = []
    names = {c.id: c.full_name for c in case.carers}

    def quotes(qs: Sequence[Quote]) -> str:
        return "\n".join(f"\u201c{q.text}\u201d \u2013 {_speaker(q.speaker, case, names)}"
                         for q in qs)

    for i in case.interactions:
        who = i.staff_member + (" to " + ", ".join(names.get(c, c) for c in i.carer_ids)
                                if i.carer_ids else "")
        events.append((i.date, _time(i.time), i.mode.value.replace("_", " "), who, i.summary,
                       quotes(i.quotes)))
    for m in case.meetings:
        present = ", ".join(f"{a.name} ({a.role})" for a in m.attendees if a.present)
        absent = ", ".join(a.name for a in m.attendees if not a.present)
        state = m.status.value.replace("_", " ").replace("did not proceed", "did not go ahead")
        text = f"{meeting_name(m.kind)[:1].upper()}{meeting_name(m.kind)[1:]}: {state}"
        if absent:
            text += f"; absent: {absent}"
        if m.reason_not_proceeded:
            text += f"; {m.reason_not_proceeded}"
        events.append((m.date, _time(m.time), "meeting", present, text,
                       quotes(m.pupil_voice + m.parent_voice)))
    if not events:
        d.add_paragraph("No contacts or meetings are recorded.")
        return
    events.sort(key=lambda e: (e[0], e[1]))
    table = _table(d, ("Date", "Time", "Mode", "Who", "Summary", "Direct quotes"),
                   [(long_date(e[0]), *e[1:]) for e in events])
    _fit(table, (Cm(2.2), Cm(1.2), Cm(1.6), Cm(3.4), Cm(5.0), Cm(3.6)), Pt(8))


def _time(t: Any) -> str:
    return t.strftime("%H:%M") if t is not None else ""


def _speaker(speaker: str, case: Case, names: dict[str, str]) -> str:
    if speaker in names:
        return names[speaker]
    if speaker.strip().lower() == "pupil":
        return f"{case.pupil.forename} {case.pupil.surname}"
    return speaker

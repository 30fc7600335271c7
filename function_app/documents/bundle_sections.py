"""The evidence bundle's own pages: cover, index, readiness, case summary, attendance record
and chronology, and the footer that numbers every page "Page X of Y".

Seed 000 ("Keeping clear records"): every interaction with its date, time and mode, the
parents named by first and last name, the voice of parent and pupil as direct quotes. The
chronology lists every letter, call, visit and meeting in date and time order and cites each
exhibit by its number; the attendance record gives the register for the period cited,
session by session, with the key.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from datetime import date, time, timedelta
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Mm, Pt, RGBColor

from function_app.domain.attendance import figure_of, figures_from_marks
from function_app.domain.codes import description, meaning
from function_app.domain.model import Case, Quote, SessionMark
from function_app.domain.penalty import penalty_threshold
from function_app.domain.policy import Profile
from function_app.domain.readiness import Readiness
from function_app.domain.wording import figures_stated, meeting_name

from .exhibits import BundleEntry, Source
from .formatting import long_date
from .word_fields import add_field
from .xml_text import clean

TITLE = "Evidence bundle for legal intervention"
USABLE_WIDTH, USABLE_HEIGHT = Cm(17), Cm(22)  # A4 less the margins and the exhibit heading
PAGE_PLACEHOLDER = "000"  # the index's page column before the pages are known: as wide
NO_PAGE = "-"  # the index's page column in a Word bundle filed without its PDF
HASH_NOTE = ("Each exhibit's SHA-256 is that of its file in the case folder: anyone can check "
             "that the exhibit is the document filed.")
INDEX_NOTE = (f"{HASH_NOTE} Pages are the pages of the PDF bundle, where each exhibit is the "
              "PDF of its filed document exactly as filed, stamped in the margin "
              "\u201cExhibit N - page x of y\u201d.")
EXHIBITS_IN_PDF = ("The exhibits follow in the PDF bundle, in the order of the index: each is "
                   "the PDF of the document as it was filed in the case folder (Microsoft "
                   "Graph's conversion of the filed file; a PDF or scan staff uploaded as it "
                   "is), with its letterhead, address and footers, stamped in the margin "
                   "\u201cExhibit N - page x of y\u201d and numbered with the rest of the "
                   "bundle. They are not in this Word document.")
INDEX_WIDTHS = (Cm(1.7), Cm(3.5), Cm(2.2), Cm(4.0), Cm(4.4), Cm(1.2))  # 17 cm in all


def page_setup(doc: Any) -> Any:
    """A4 with 2 cm margins; the footer's paragraph (the PDF numbers its own pages)."""
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return footer


def number_pages(footer: Any) -> None:
    """"Page X of Y" in the footer (Word's PAGE and NUMPAGES fields)."""
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
                     for c in case.parents) or "none recorded"


def verdict(r: Readiness) -> str:
    """"READY" or "NOT READY" with the gaps, as the cover says it."""
    if r.ready:
        return "READY: every required step is evidenced."
    gaps = [s.title for s in r.missing if s.required]
    return f"NOT READY: {len(gaps)} required step{'s' if len(gaps) != 1 else ''} missing: " \
           + "; ".join(gaps) + "."


def cover(d: Any, case: Case, prepared_on: date, prepared_by: str,
          entries: Sequence[BundleEntry], r: Readiness | None = None) -> None:
    d.add_heading(TITLE, level=0)
    if r is not None:
        run = d.add_paragraph().add_run(verdict(r))
        run.bold, run.font.size = True, Pt(14)
        if not r.ready:
            run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    pupil = case.pupil
    exhibits = [e for e in entries if not e.superseded]
    included = sum(1 for e in exhibits if e.included)
    superseded = len(entries) - len(exhibits)
    for label, value in (
        ("Case reference", case.case_ref),
        ("School", case.school.name),
        ("Pupil", f"{pupil.forename} {pupil.surname} (Year {pupil.year_group}), born "
                  f"{long_date(pupil.date_of_birth)}"),
        ("Parents and carers with parental responsibility", parents(case)),
        ("Prepared by", prepared_by or case.school.name),
        ("Date", long_date(prepared_on)),
        ("Exhibits", f"{included}" + (f", and {len(exhibits) - included} missing or "
                                      "unreadable (see the index)"
                                      if included < len(exhibits) else "")
         + (f"; {superseded} earlier version{'s' if superseded != 1 else ''} of remade "
            "documents listed as superseded" if superseded else "")),
    ):
        _labelled(d, label, value)


def index(d: Any, entries: Sequence[BundleEntry]) -> tuple[Any, dict[int, Any]]:
    """The index table, then the superseded versions; returns the note above it (which says
    where the pages are) and the page cell of each included exhibit, by number."""
    d.add_heading("Index of exhibits", level=1)
    note = d.add_paragraph(INDEX_NOTE)
    exhibits = [e for e in entries if not e.superseded]
    rows = []
    for e in exhibits:
        if e.included:
            page = str(e.page) if e.page is not None else PAGE_PLACEHOLDER
        else:
            page = "Missing"
        rows.append((str(e.number), e.title, long_date(e.date), _file(e), e.sha256 or "-",
                     page))
    table = _table(d, ("Exhibit", "Title", "Date", "File", "SHA-256", "Page"), rows)
    _hashes(table, INDEX_WIDTHS)
    earlier = [e for e in entries if e.superseded]
    if earlier:
        d.add_heading("Superseded versions (not exhibits)", level=2)
        d.add_paragraph("Each of these documents was made again for the same event (the same "
                        "kind of document, meeting and parent); only the latest version is an "
                        "exhibit. The earlier versions stay in the case folder.")
        sup = _table(d, ("Superseded by", "Title", "Date", "File", "SHA-256", ""),
                     [(f"Exhibit {e.superseded_by}", e.title, long_date(e.date), _file(e),
                       e.sha256 or "-", "") for e in earlier])
        _hashes(sup, INDEX_WIDTHS)
    return note, {e.number: row.cells[5] for e, row in zip(exhibits, table.rows[1:],
                                                           strict=True) if e.included}


def _file(e: BundleEntry) -> str:
    file = e.file_name + ("" if e.generated else " (uploaded by staff)")
    return file + (f": {e.problem}" if e.problem else "")


def _hashes(table: Any, widths: Sequence[Any]) -> None:
    _fit(table, widths, Pt(8))
    for row in table.rows[1:]:  # a hash reads best in a fixed-width font
        for run in row.cells[4].paragraphs[0].runs:
            run.font.name, run.font.size = "Courier New", Pt(7)


def without_pdf_note(why: str) -> str:
    """The index's note in a Word bundle filed without its PDF: no page is given."""
    return (f"{HASH_NOTE} The PDF bundle was not made ({why.rstrip('.')}), so the Page "
            "column gives no page: pages are those of the PDF bundle. The exhibits are not in "
            "this Word document: each is its file in the case folder, which its SHA-256 "
            "identifies.")


def exhibits_missing(why: str) -> str:
    """What the Word bundle filed without its PDF says in place of the exhibits."""
    return (f"MISSING FROM THIS BUNDLE: the exhibits. The PDF bundle, which holds a true copy "
            f"of each (the PDF of the filed document, stamped \u201cExhibit N - page x of "
            f"y\u201d and numbered through the bundle), was not made: {why.rstrip('.')}. "
            "Until it is, each exhibit is the file in the case folder named in the index, "
            "with the SHA-256 given there; this Word document has the bundle's own pages "
            "only.")


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
        _labelled(d, "Attendance", figures_stated(case.attendance))
    meetings = [m for m in case.meetings_by_date() if m.status.value == "held"]
    _labelled(d, "Meetings held", "; ".join(f"{meeting_name(m.kind)} on {long_date(m.date)}"
                                            for m in meetings) or "none")
    _labelled(d, "Contacts recorded", str(len(case.interactions)))
    exhibits = [e for e in entries if not e.superseded]
    missing = [e for e in exhibits if not e.included]
    _labelled(d, "Exhibits", f"{len(exhibits) - len(missing)} included"
              + (f"; {len(missing)} missing or unreadable: "
                 + "; ".join(f"{e.file_name} ({e.problem})" for e in missing) if missing
                 else ""))
    if r is not None:
        gaps = [s.title for s in r.missing if s.required]
        _labelled(d, "Readiness", "every required step is evidenced" if r.ready else
                  "NOT READY, missing: " + "; ".join(gaps))


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
    shown = figure_of(figures) if figures.possible_sessions > 0 else "-"
    _table(d, ("Possible sessions", "Present", "Authorised absence", "Unauthorised absence",
               "Attendance"),
           [(str(figures.possible_sessions), str(figures.present_sessions),
             str(figures.authorised_absences), str(figures.unauthorised_absences), shown)])
    if marks:
        register(d, marks)


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri")


def register(d: Any, marks: Sequence[SessionMark]) -> None:
    """The register for the period cited: a row per school week, the code of each morning
    (AM) and afternoon (PM) session; the codes table above is its key. A blank is a session
    with no mark recorded (a weekend mark, which schools do not record, is left out)."""
    d.add_heading("The register, session by session", level=2)
    d.add_paragraph("Each cell is the register's code for that session (AM: morning, PM: "
                    "afternoon); the key is the codes table above. A blank cell: no mark is "
                    "recorded for that session.")
    by = {(m.date, m.session.value): m.code for m in marks}
    first = min(m.date for m in marks)
    monday = first - timedelta(days=first.weekday())
    last = max(m.date for m in marks)
    rows = []
    while monday <= last:
        days = [monday + timedelta(days=n) for n in range(5)]
        rows.append((f"{monday:%d %b %Y}", *(by.get((day, s), "") for day in days
                                              for s in ("AM", "PM"))))
        monday += timedelta(days=7)
    header = ("Week of", *(f"{w} {s}" for w in WEEKDAYS for s in ("AM", "PM")))
    table = _table(d, header, rows)
    _fit(table, (Cm(2.5), *([Cm(1.45)] * 10)), Pt(8))


def _sending(status: str) -> str:
    """What a letter's Sending column says of it, for the chronology (issue 18): a letter
    the app sends is in the folder from its draft on, and was received only once sent (its
    sending is then a contact of its own in this chronology). '' for a letter filed before
    the app sent letters."""
    if not status or status == "Sent":
        return ""
    if status == "In the print pack":
        return " (in a print pack; not yet recorded as posted)"
    return f" (not sent: its Sending column says \u201c{status}\u201d)"


def chronology(d: Any, case: Case, pairs: Sequence[tuple[BundleEntry, Source]] = ()) -> None:
    """Every letter, contact (call, visit, email) and meeting in date and time order: date,
    time, mode, who, summary, direct quotes and the exhibits that evidence it. A letter is
    dated by the date written on it; one without a time comes after that day's timed
    events. Each exhibit is cited: a meeting cites its plan or record, a letter is its own
    row, and any other exhibit has a row of its own."""
    d.add_heading("Chronology", level=1)
    names = {c.id: c.full_name for c in case.carers}
    events: list[tuple[tuple[date, int, time, int], tuple[str, ...]]] = []

    def quotes(qs: Sequence[Quote]) -> str:
        return "\n".join(f"\u201c{q.text}\u201d \u2013 {_speaker(q.speaker, case, names)}"
                         for q in qs)

    def add(on: date, at: time | None, row: tuple[str, ...]) -> None:
        key = (on, 0 if at is not None else 1, at or time.min, len(events))
        events.append((key, (long_date(on), _time(at), *row)))

    exhibits = [(e, s) for e, s in pairs if not e.superseded]
    cited: set[int] = set()
    for i in case.interactions:
        who = i.staff_member + (" to " + ", ".join(names.get(c, c) for c in i.carer_ids)
                                if i.carer_ids else "")
        add(i.date, i.time, (i.mode.value.replace("_", " "), who, i.summary, quotes(i.quotes),
                             ""))
    for m in case.meetings:
        present = ", ".join(f"{a.name} ({a.role})" for a in m.attendees if a.present)
        absent = ", ".join(a.name for a in m.attendees if not a.present)
        state = m.status.value.replace("_", " ").replace("did not proceed", "did not go ahead")
        text = f"{meeting_name(m.kind)[:1].upper()}{meeting_name(m.kind)[1:]}: {state}"
        if absent:
            text += f"; absent: {absent}"
        if m.reason_not_proceeded:
            text += f"; {m.reason_not_proceeded}"
        records = [e for e, s in exhibits if s.meeting == m.id and m.id and not s.letter]
        cited.update(e.number for e in records)
        add(m.date, m.time, ("meeting", present, text, quotes(m.pupil_voice + m.parent_voice),
                             _cite(records)))
    for e, s in exhibits:
        if e.number in cited:
            continue
        to = names.get(s.carer, "") if s.carer else ""
        if s.letter:
            who = (case.school.signatory_name or case.school.name) + (f" to {to}" if to else "")
            mode, text = "letter", f"Letter: {e.title}{_sending(s.sending)}"
        else:
            who, mode = ("" if s.generated else "uploaded by staff"), "document"
            text = f"{e.title}" + ("" if e.included else f" ({e.problem})")
        add(e.date, None, (mode, who, text, "", _cite([e])))
    if not events:
        d.add_paragraph("No letters, contacts or meetings are recorded.")
        return
    events.sort(key=lambda e: e[0])
    table = _table(d, ("Date", "Time", "Mode", "Who", "Summary", "Direct quotes", "Exhibit"),
                   [row for _, row in events])
    _fit(table, (Cm(2.1), Cm(1.1), Cm(1.5), Cm(3.1), Cm(4.6), Cm(3.2), Cm(1.4)), Pt(8))


def _cite(entries: Sequence[BundleEntry]) -> str:
    return ", ".join(f"Exhibit {e.number}" if e.included else f"Exhibit {e.number} (missing)"
                     for e in entries)


def _time(t: Any) -> str:
    return t.strftime("%H:%M") if t is not None else ""


def _speaker(speaker: str, case: Case, names: dict[str, str]) -> str:
    if speaker in names:
        return names[speaker]
    if speaker.strip().lower() == "pupil":
        return f"{case.pupil.forename} {case.pupil.surname}"
    return speaker

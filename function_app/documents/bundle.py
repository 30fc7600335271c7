"""The evidence bundle for legal intervention: one .docx for the Lead Officer.

Seed 000 ("Still no engagement?"): the school prepares the evidence it has collated with the
Request to Initiate Legal Proceedings; seed 004 (Tier 3): compile the supportive measures,
plans and other documents as evidence. The bundle is, in order:

1. a cover page (case, pupil, school, date prepared, number of exhibits);
2. optionally, the readiness steps (``function_app.domain.readiness``), found or missing;
3. an index of exhibits, each with its date, file name and the SHA-256 of the source file,
   so anyone can check that an exhibit is the document that was sent;
4. the chronology of every contact and meeting (the same data the templates get as
   ``chronology``, from ``function_app.documents.context``);
5. each exhibit in date order (then title), on a new page headed
   "Exhibit N: <title>, <date>", its content appended with docxcompose so styles, numbering
   and images survive.

PDF exhibits and page-number matching are not supported: exhibits are .docx files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from docx import Document
from docxcompose.composer import Composer

from function_app.domain.model import Case
from function_app.domain.readiness import Readiness

from .context import _chronology  # the chronology data the templates get
from .formatting import long_date
from .xml_text import clean

BUNDLE_TITLE = "Evidence bundle for legal intervention"


@dataclass(frozen=True, slots=True)
class Exhibit:
    """A generated document to exhibit: the .docx file, its title and its date."""

    path: Path
    title: str
    date: date


@dataclass(frozen=True, slots=True)
class BundleEntry:
    """One line of the index."""

    number: int
    title: str
    date: date
    file_name: str
    sha256: str

    @property
    def heading(self) -> str:
        return f"Exhibit {self.number}: {self.title}, {long_date(self.date)}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def index_of(exhibits: Sequence[Exhibit]) -> tuple[BundleEntry, ...]:
    """The exhibits numbered in date order (then title), each with its file's SHA-256."""
    ordered = sorted(exhibits, key=lambda e: (e.date, e.title))
    return tuple(BundleEntry(n, e.title, e.date, e.path.name, sha256_of(e.path))
                 for n, e in enumerate(ordered, start=1))


def build_bundle(case: Case, exhibits: Sequence[Exhibit], out: Path, *, prepared_on: date,
                 readiness: Readiness | None = None) -> tuple[BundleEntry, ...]:
    """Write the bundle to ``out`` and return its index. FileNotFoundError if an exhibit
    is missing; the exhibits must be .docx files."""
    entries = index_of(exhibits)
    by_number = sorted(exhibits, key=lambda e: (e.date, e.title))
    doc: Any = Document()
    _cover(doc, case, prepared_on, len(entries))
    if readiness is not None:
        doc.add_page_break()
        _readiness(doc, readiness)
    doc.add_page_break()
    _index(doc, entries)
    doc.add_page_break()
    _chronology_table(doc, case)
    composer = Composer(doc)
    for entry, exhibit in zip(entries, by_number, strict=True):
        composer.doc.add_page_break()
        composer.doc.add_heading(clean(entry.heading), level=1)
        composer.append(Document(str(exhibit.path)))
    out.parent.mkdir(parents=True, exist_ok=True)
    composer.save(str(out))
    return entries


def _cover(d: Any, case: Case, prepared_on: date, count: int) -> None:
    d.add_heading(BUNDLE_TITLE, level=0)
    pupil = case.pupil
    for label, value in (
        ("Case reference", case.case_ref),
        ("Pupil", f"{pupil.forename} {pupil.surname} (Year {pupil.year_group})"),
        ("Date of birth", long_date(pupil.date_of_birth)),
        ("School", case.school.name),
        ("Parents and carers with parental responsibility",
         ", ".join(c.full_name for c in case.carers_with_parental_responsibility) or "none"),
        ("Prepared on", long_date(prepared_on)),
        ("Exhibits", str(count)),
    ):
        p = d.add_paragraph()
        p.add_run(f"{label}: ").bold = True
        p.add_run(clean(value))


def _readiness(d: Any, r: Readiness) -> None:
    d.add_heading("Steps before legal intervention", level=1)
    d.add_paragraph("Ready: every required step is evidenced." if r.ready else
                    "Not ready: the steps marked missing need attention.")
    table = d.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("Step", "Found", "Evidence / what to do"),
                          strict=True):
        cell.text = text
    for s in r.steps:
        row = table.add_row().cells
        row[0].text = clean(s.title)
        row[1].text = "Yes" if s.found else ("No" if s.required else "Caution")
        row[2].text = clean(s.evidence + (f" What to do: {s.what_to_do}" if s.what_to_do
                                          else ""))


def _index(d: Any, entries: Sequence[BundleEntry]) -> None:
    d.add_heading("Index of exhibits", level=1)
    table = d.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("Exhibit", "Title", "Date", "File", "SHA-256"),
                          strict=True):
        cell.text = text
    for e in entries:
        row = table.add_row().cells
        for cell, text in zip(row, (str(e.number), e.title, long_date(e.date), e.file_name,
                                    e.sha256), strict=True):
            cell.text = clean(text)


def _chronology_table(d: Any, case: Case) -> None:
    d.add_heading("Chronology", level=1)
    events = _chronology(case)
    if not events:
        d.add_paragraph("No contacts or meetings are recorded.")
        return
    table = d.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("Date", "Time", "Event"), strict=True):
        cell.text = text
    for event in events:
        row = table.add_row().cells
        for cell, key in zip(row, ("date", "time", "event"), strict=True):
            cell.text = clean(event[key])


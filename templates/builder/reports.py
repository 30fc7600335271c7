"""Templates for school-level reports (the catalogue's "reports"), not a case's: the school
on a page."""

from __future__ import annotations

from .house_style import Row, tag_row
from .template import Template


def school_on_a_page(t: Template) -> None:
    """Seed 003's "school on a page", for governors and the termly targeting meeting: the
    school's attendance in figures, with no pupil named."""
    footer = t.doc.sections[0].footer.paragraphs[0]
    footer.runs[0].text = "{{ footer }}\tPage "  # no case reference on a school's page
    t.h1("School on a page: attendance")
    t.p("**{{ school.name }}**, {{ phase }}: {{ pupils }} pupils, figures to {{ figures_to }}.")
    t.h2("Key figures")
    t.table([11.6, 5.0], [
        tag_row("{%tr for m in measures %}"),
        Row(["{{ m.label }}", "{{ m.value }}"]),
        tag_row("{%tr endfor %}"),
    ], "The school's attendance figures", label_column=True)
    t.h2("Trend")
    # A trend needs two imports; with one, a sentence says so instead of a one-row table.
    t.tag("{%p if trend_note %}")
    t.p("{{ trend_note }}")
    t.tag("{%p else %}")
    t.table([4.6, 4.0, 4.0, 4.0], [
        tag_row("{%tr for e in trend %}"),
        Row(["{{ e.to }}", "{{ e.overall }}", "{{ e.persistent }}", "{{ e.severe }}"]),
        tag_row("{%tr endfor %}"),
    ], "Overall attendance and absence rates at each export",
        header=["Figures to", "Overall attendance", "Persistently absent", "Severely absent"])
    t.tag("{%p endif %}")
    t.h2("Year groups")
    t.table([4.6, 3.0, 4.5, 4.5], [
        tag_row("{%tr for c in year_groups %}"),
        Row(["{{ c.group }}", "{{ c.pupils }}", "{{ c.overall }}", "{{ c.persistent }}"]),
        tag_row("{%tr endfor %}"),
    ], "Attendance by year group",
        header=["Year group", "Pupils", "Overall attendance", "Persistently absent"])
    t.h2("Termly targeting support")
    t.p("{{ targeting }}")
    t.p("{{ plans }}")
    t.p("{{ source }}", "Small Print")


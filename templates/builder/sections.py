"""The sections several templates share: the attendance record (as a table or in words),
the pupil and meeting details, who attended, the pupil's and parents' own words, reasons
and barriers, interventions, the action plan, the target and review date, siblings, and the
small print about copies of a plan."""

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH

from .house_style import NAME, NAMES, Para, Row, tag_row
from .template import Template


def attendance_table(t: Template, internal: bool = False) -> None:
    """The attendance record as at the document's date: sessions, absences and the
    percentage with its sessions; a plain sentence when no figures end by that date."""
    t.tag("{%p if attendance.shown %}")
    rows = [
        tag_row("{%tr if attendance.period %}"),
        Row(["Period", "{{ attendance.period }}"]),
        tag_row("{%tr endif %}"),
        Row(["Possible sessions", "{{ attendance.possible }}"]),
        Row(["Sessions attended", "{{ attendance.present }}"]),
        Row(["Authorised absences (sessions)", "{{ attendance.authorised }}"]),
        Row(["Unauthorised absences (sessions)", "{{ attendance.unauthorised }}"]),
        Row(["Attendance", "**{{ attendance.figure }}**"]),
    ]
    if internal:
        rows += [
            Row(["Attendance band", "{{ attendance.tier }} ({{ attendance.tier_band }})"]),
            Row(["Persistently absent (10% or more of sessions missed)",
                 "{% if attendance.persistently_absent %}Yes{% else %}No{% endif %}"]),
            Row(["Severely absent (50% or more of sessions missed)",
                 "{% if attendance.severely_absent %}Yes{% else %}No{% endif %}"]),
        ]
    t.table([7.0, 9.6], rows, "Attendance record", label_column=True)
    t.tag("{%p if attendance.note %}")
    t.p("{{ attendance.note }}", "Small Print", before=4)
    t.tag("{%p endif %}")
    t.tag("{%p else %}")
    t.p("{{ attendance.note }}")
    t.tag("{%p endif %}")


def attendance_sentence(t: Template) -> None:
    """The attendance record in words, for a letter without the table."""
    t.p("{% if attendance.shown %}" + NAMES + " attendance was **{{ attendance.figure }}**"
        "{{ attendance.over_period }} (each school day has a morning and an afternoon "
        "session). Of the sessions missed, "
        "{{ attendance.authorised }} were authorised absences and "
        "{{ attendance.unauthorised }} were unauthorised absences, that is, absences the "
        "school had not given permission for.{% if attendance.note %} {{ attendance.note }}"
        "{% endif %}{% else %}{{ attendance.note }}{% endif %}")


def attendance_intro(t: Template) -> None:
    """The percentage in a sentence, then the figures in a table (letters)."""
    t.p("{% if attendance.shown %}" + NAMES + " attendance was **{{ attendance.figure }}**"
        "{{ attendance.over_period }}. The figures are below. Each school "
        "day has two sessions, morning and afternoon; an unauthorised absence is one the "
        "school has not given permission for.{% else %}{{ attendance.note }}{% endif %}",
        keep_next=True)
    attendance_table(t)


def review_figures(t: Template) -> None:
    """A review's attendance since the meeting whose plan it reviews, beside the target,
    when the register marks give it."""
    t.tag("{%p if meeting and meeting.review_figures %}")
    t.p("**Attendance since the {{ previous_meeting.title }} on "
        "{{ meeting.review_figures.since }}:** {{ meeting.review_figures.figure }}, "
        "{{ meeting.review_figures.period }}.")
    t.tag("{%p elif meeting and previous_meeting %}")
    t.p("Attendance since the {{ previous_meeting.title }} on {{ previous_meeting.date }} "
        "cannot be given here: the register marks for that period are not recorded.")
    t.tag("{%p endif %}")


def pupil_details(t: Template, meeting: bool = True, date_label: str = "") -> None:
    """The pupil, school and case, and the meeting's date and place."""
    rows = [
        Row(["Pupil", "{{ pupil.full_name }}"]),
        Row(["Date of birth", "{{ pupil.date_of_birth }}"]),
        Row(["Year group", "{{ pupil.year_group }}"]),
        tag_row("{%tr if pupil.upn %}"),
        Row(["Unique pupil number (UPN)", "{{ pupil.upn }}"]),
        tag_row("{%tr endif %}"),
        Row(["School", "{{ school.name }}"]),
        tag_row("{%tr if carers %}"),
        Row(["Parent(s)/carer(s)",
             "{% for c in carers %}{{ c.full_name }} ({{ c.relationship }})"
             "{% if not loop.last %}; {% endif %}{% endfor %}"]),
        tag_row("{%tr endif %}"),
        Row(["Case reference", "{{ case_ref }}"]),
    ]
    if meeting:
        rows += [
            Row(["Date of meeting",
                 "{{ meeting.weekday_date }}{% if meeting.time %}, "
                 "{{ meeting.time }}{% endif %}"]),
            Row(["Venue", "{{ meeting.venue[:1]|upper }}{{ meeting.venue[1:] }}"]),
        ]
    if date_label:
        rows += [Row([date_label, "{{ today }}"])]
    t.table([5.0, 11.6], rows, "Pupil and meeting details", label_column=True)


def attendees_section(t: Template, heading: str = "Who attended") -> None:
    """Seed 001: the names and roles of everyone at the meeting, in full."""
    t.h2(heading)
    t.tag("{%p if meeting.attendees %}")
    t.table([6.6, 6.6, 3.4], [
        tag_row("{%tr for person in meeting.attendees %}"),
        Row(["{{ person.name }}", "{{ person.role }}", "{{ person.attendance }}"]),
        tag_row("{%tr endfor %}"),
    ], "People invited to the meeting, their roles and whether they attended",
        header=["Name", "Role", "Attended"])
    t.tag("{%p else %}")
    t.p("No attendees were recorded for this meeting.")
    t.tag("{%p endif %}")


def voices(t: Template, m: str = "meeting", pupil_heading: str = "",
           parent_heading: str = "") -> None:
    """Direct quotes (seed 000): the pupil's and the parents' own words, when recorded."""
    pupil_heading = pupil_heading or f"{NAMES} views, in their own words"
    parent_heading = parent_heading or "The parents’ or carers’ views, in their own words"
    t.tag(f"{{%p if {m}.pupil_voice %}}")
    t.h2(pupil_heading)
    quotes(t, f"{m}.pupil_voice")
    t.tag("{%p endif %}")
    t.tag(f"{{%p if {m}.parent_voice %}}")
    t.h2(parent_heading)
    quotes(t, f"{m}.parent_voice")
    t.tag("{%p endif %}")


def quotes(t: Template, items: str) -> None:
    t.tag(f"{{%p for q in {items} %}}")
    t.p("“{{ q.text }}” – {{ q.speaker }}", "Quote")
    t.tag("{%p endfor %}")


def reasons_section(t: Template, heading: str, level: int = 2,
                    fallback: str = "No reasons for absence were recorded.") -> None:
    (t.h2 if level == 2 else t.h3)(heading)
    t.tag("{%p if meeting.reasons %}")
    t.bullets("meeting.reasons")
    t.tag("{%p else %}")
    t.p(fallback)
    t.tag("{%p endif %}")


def barriers_section(t: Template, heading: str = "Barriers to attendance",
                     level: int = 2) -> None:
    t.tag("{%p if meeting.barriers %}")
    (t.h2 if level == 2 else t.h3)(heading)
    t.bullets("meeting.barriers")
    t.tag("{%p endif %}")


def interventions_table(t: Template, items: str, caption: str) -> None:
    """Seed 001: each intervention ticked and dated when offered and when completed."""
    # Each header word on one line (bold 10 pt, with DejaVu Sans, wider than Arial, as
    # LibreOffice's fallback): "Offered" needs 2.0 cm, "Completed" 2.5 cm.
    t.table([3.9, 2.0, 2.9, 2.5, 2.9, 2.4], [
        tag_row(f"{{%tr for i in {items} %}}"),
        Row(["{{ i.name }}", Para("{{ i.offered }}", align=WD_ALIGN_PARAGRAPH.CENTER),
             "{{ i.offered_on }}",
             Para("{{ i.completed }}", align=WD_ALIGN_PARAGRAPH.CENTER),
             "{{ i.completed_on }}", "{{ i.taken_up }}"]),
        tag_row("{%tr endfor %}"),
    ], caption, header=["Support or intervention", "Offered", "Date offered", "Completed",
                        "Date completed", "Taken up"])


def action_plan(t: Template, m: str = "meeting", caption: str = "Action plan") -> None:
    """Seeds 001 and 002: what the young person, the parents and the school agree to.

    The three rows of the guidance are always there, each with a line saying why it is
    empty when it is; a row for anyone else appears only when they have actions.
    """
    def cell(items: str, fallback: str) -> list[Para]:
        return [
            Para(f"{{%p for a in {items} %}}"),
            Para("{{ a }}", "Table Bullet"),
            Para("{%p endfor %}"),
            Para(f"{{%p if not {items} %}}"),
            Para(fallback),
            Para("{%p endif %}"),
        ]

    pupil_fallback = (
        f"{{% if not {m}.pupil_of_age %}}Left blank: {NAME} is too young to make "
        "agreements about attendance."
        f"{{% elif {m}.attendees and not {m}.pupil_attended %}}Left blank: {NAME} did not "
        "attend the meeting."
        "{% else %}No agreements were recorded.{% endif %}")
    parent_fallback = (
        "Nothing is asked of the parent(s)/carer(s) in this plan"
        f"{{% if {m}.attendees and not {m}.parents_attended %}}; they did not attend the "
        "meeting{% endif %}.")
    t.table([5.0, 11.6], [
        Row([Para(f"Young person ({NAME}) agrees to", "Table Heading"),
             cell(f"{m}.actions.pupil", pupil_fallback)]),
        Row([Para("Parent(s)/carer(s) agree(s) to", "Table Heading"),
             cell(f"{m}.actions.parents", parent_fallback)]),
        Row([Para("School agrees to", "Table Heading"),
             cell(f"{m}.actions.school", "No actions were recorded.")]),
        tag_row(f"{{%tr if {m}.actions.others %}}"),
        Row([Para("Others involved agree to", "Table Heading"),
             cell(f"{m}.actions.others", "")]),
        tag_row("{%tr endif %}"),
    ], caption, header=["Who", "Agreed actions"])


def target_and_review(t: Template, m: str = "meeting", target_heading: str = "Attendance target",
                      review_heading: str = "Review date") -> None:
    t.h2(target_heading)
    t.tag(f"{{%p if {m}.target %}}")
    t.p(f"**{{{{ {m}.target }}}}**")
    t.tag("{%p else %}")
    t.p("No target was recorded.")
    t.tag("{%p endif %}")
    t.h2(review_heading)
    t.tag(f"{{%p if {m}.review_date %}}")
    t.p(f"This plan will be reviewed by **{{{{ {m}.review_date }}}}**.")
    t.tag("{%p else %}")
    t.p("No review date was set.")
    t.tag("{%p endif %}")


def absent_parents_note(t: Template) -> None:
    t.tag("{%p if meeting.attendees and not meeting.parents_attended %}")
    t.p("The parent(s)/carer(s) did not attend this meeting. It was held in their absence"
        "{% if meeting.actions.parents %}, and the actions for them below are the school’s "
        "suggestions of what might help{% else %}; nothing is asked of them in this plan"
        "{% endif %}. We would welcome their views on this plan.")
    t.tag("{%p endif %}")


def copies_note(t: Template, exhibited: bool = True) -> None:
    text = ("A copy of this plan is given or sent to the parent(s)/carer(s), to "
            f"{NAME} where appropriate, and to the professionals involved.")
    if exhibited:
        text += (" The purpose of this plan is to help improve attendance and to avoid "
                 "legal proceedings; it may, however, be exhibited in any legal proceedings "
                 "that follow.")
    t.p(text, "Small Print", before=14)


def siblings_table(t: Template) -> None:
    """Seed 002: siblings, including at other schools, for whole-family support."""
    t.table([5.0, 5.7, 3.2, 2.7], [  # 2.7 cm: "Attendance" on one line
        tag_row("{%tr for s in siblings %}"),
        Row(["{{ s.full_name }}", "{{ s.school }}", "{{ s.date_of_birth }}",
             "{% if s.attendance_concern %}Yes{% else %}No{% endif %}"]),
        tag_row("{%tr endfor %}"),
    ], "Brothers and sisters, their schools and any concern about their attendance",
        header=["Name", "School", "Date of birth", "Attendance concern"])


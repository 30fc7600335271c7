"""The records and plans of meetings: the Attendance Improvement Meeting plan, the school
attendance support meeting's record and action plan, and the review meeting's record."""

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH

from .house_style import NAME, NAMES, Para, Row
from .sections import (
    absent_parents_note,
    action_plan,
    attendance_table,
    attendees_section,
    barriers_section,
    copies_note,
    interventions_table,
    pupil_details,
    quotes,
    reasons_section,
    review_figures,
    siblings_table,
    target_and_review,
    voices,
)
from .template import Template


def aim_plan(t: Template) -> None:
    """Seed 001's AIM plan template, with the direct quotes of seed 000."""
    t.h1("{{ meeting.title }} plan")
    pupil_details(t)
    attendees_section(t)
    t.tag("{%p if meeting.outcome %}")
    t.h2("Review of the previous plan")
    t.tag("{%p if previous_meeting %}")
    t.p("This meeting reviewed the plan made at the {{ previous_meeting.title }} on "
        "{{ previous_meeting.date }}{% if previous_meeting.target %}, whose target was "
        "“{{ previous_meeting.target }}”{% endif %}.")
    t.tag("{%p endif %}")
    review_figures(t)
    t.p("**Target met:** {{ meeting.outcome.target_met }}")
    t.p("**Decision:** {{ meeting.outcome.decision }}")
    t.tag("{%p if meeting.outcome.discussion %}")
    t.p("{{ meeting.outcome.discussion }}")
    t.tag("{%p endif %}")
    t.tag("{%p endif %}")
    t.h2("Attendance")
    attendance_table(t)
    reasons_section(t, "Reason(s) for absence given by parent(s)/carer(s) or young person")
    barriers_section(t)
    voices(t)
    t.h2("Interventions previously offered and/or completed")
    t.tag("{%p if meeting.interventions %}")
    interventions_table(t, "meeting.interventions",
                        "Interventions previously offered and completed, ticked and dated")
    t.tag("{%p else %}")
    t.p("No interventions were recorded for this meeting.")
    t.tag("{%p endif %}")
    t.h2("Action plan")
    absent_parents_note(t)
    action_plan(t)
    target_and_review(t)
    copies_note(t)


def support_meeting_record(t: Template) -> None:
    """Seed 002's school attendance support meeting template, section by section."""
    t.h1("School attendance support meeting: record and action plan")
    pupil_details(t)
    attendees_section(t)

    t.h2("Siblings")
    t.tag("{%p if siblings %}")
    siblings_table(t)
    t.tag("{%p else %}")
    t.p("No brothers or sisters are recorded.")
    t.tag("{%p endif %}")

    t.h2("Early Help: support and services already involved")
    t.tag("{%p if meeting.early_help_services %}")
    t.bullets("meeting.early_help_services")
    t.tag("{%p else %}")
    t.p("No Early Help or other services were recorded as involved with the family.")
    t.tag("{%p endif %}")

    t.h2("The child’s view")
    t.tag("{%p if meeting.pupil_voice %}")
    quotes(t, "meeting.pupil_voice")
    t.tag("{%p else %}")
    t.p(f"{NAMES} view was not recorded"
        "{% if meeting.attendees and not meeting.pupil_attended %}; " + NAME +
        " did not attend the meeting"
        "{% endif %}.")
    t.tag("{%p endif %}")
    t.tag("{%p if meeting.parent_voice %}")
    t.h2("The parents’ or carers’ view")
    quotes(t, "meeting.parent_voice")
    t.tag("{%p endif %}")

    t.h2("Attendance up to this meeting")
    attendance_table(t)
    reasons_section(t, "Main reasons for absence", level=3)
    barriers_section(t, "Barriers to attendance", level=3)

    t.h2("School interventions and support in school")
    t.tag("{%p if meeting.interventions %}")
    interventions_table(t, "meeting.interventions", "Support and interventions in school")
    t.tag("{%p else %}")
    t.p("No interventions were recorded for this meeting.")
    t.tag("{%p endif %}")

    for heading, key, fallback in (
        ("EHCP or SEN support and reasonable adjustments", "send_support",
         "No EHCP or SEN support was recorded."),
        ("Present situation", "present_situation", "Nothing was recorded."),
        ("Other key issues", "other_issues", "No other key issues were recorded."),
    ):
        t.h2(heading)
        t.tag(f"{{%p if meeting.{key} %}}")
        t.p(f"{{{{ meeting.{key} }}}}")
        t.tag("{%p else %}")
        t.p(fallback)
        t.tag("{%p endif %}")

    t.h2("Action plan aim")
    t.tag("{%p if meeting.target %}")
    t.p("**{{ meeting.target }}**")
    t.tag("{%p else %}")
    t.p("No target was recorded.")
    t.tag("{%p endif %}")
    t.h2("Action plan")
    absent_parents_note(t)
    action_plan(t)
    t.h2("Review date")
    t.tag("{%p if meeting.review_date %}")
    t.p("This plan will be reviewed by **{{ meeting.review_date }}**.")
    t.tag("{%p else %}")
    t.p("No review date was set.")
    t.tag("{%p endif %}")
    copies_note(t)


def review_meeting_record(t: Template) -> None:
    """Seed 002's review meeting: the previous plan, target met, decision, the new plan."""
    t.h1("Attendance review meeting record")
    pupil_details(t)
    attendees_section(t)
    t.h2("Attendance up to this meeting")
    attendance_table(t)

    t.h2("The previous plan")
    t.tag("{%p if previous_meeting %}")
    t.p("This meeting reviewed the plan made at the {{ previous_meeting.title }} on "
        "{{ previous_meeting.date }}.")
    t.tag("{%p if previous_meeting.target %}")
    t.p("**Its target was:** {{ previous_meeting.target }}")
    t.tag("{%p endif %}")
    review_figures(t)
    action_plan(t, "previous_meeting", "The previous action plan")
    t.tag("{%p endif %}")
    t.h3("What has worked well and what has not")
    t.tag("{%p if meeting.outcome and meeting.outcome.discussion %}")
    t.p("{{ meeting.outcome.discussion }}")
    t.tag("{%p else %}")
    t.p("No discussion of the previous plan was recorded.")
    t.tag("{%p endif %}")

    t.tag("{%p if meeting.outcome %}")
    t.h2("Target met?")
    tick = "{% if meeting.outcome.target_met == 'VALUE' %}✓{% endif %}"
    center = WD_ALIGN_PARAGRAPH.CENTER
    t.table([5.5, 5.6, 5.5], [
        Row([Para(tick.replace("VALUE", v), align=center)
             for v in ("Yes", "Some improvement", "No")]),
    ], "Whether the target of the previous plan was met",
        header=["Yes", "Some improvement", "No"])
    t.h2("Decision")
    t.p("**{{ meeting.outcome.decision }}**", before=4)
    t.tag("{%p if meeting.outcome.escalate %}")
    t.p("An action plan to improve attendance stays in place below, so that support for "
        f"{NAME} continues while the case is escalated.")
    t.tag("{%p elif meeting.review_date %}")
    t.p("New review date: **{{ meeting.review_date }}**.")
    t.tag("{%p endif %}")
    t.tag("{%p endif %}")

    voices(t)
    t.tag("{%p if meeting.reasons or meeting.barriers %}")
    t.h2("Reasons for absence and barriers to attendance")
    t.tag("{%p if meeting.reasons %}")
    t.h3("Reasons for absence")
    t.bullets("meeting.reasons")
    t.tag("{%p endif %}")
    barriers_section(t, "Barriers to attendance", level=3)
    t.tag("{%p endif %}")
    t.tag("{%p if meeting.interventions %}")
    t.h2("Support and interventions")
    interventions_table(t, "meeting.interventions", "Support and interventions, ticked and dated")
    t.tag("{%p endif %}")

    t.h2("The new plan")
    absent_parents_note(t)
    action_plan(t, caption="The new action plan")
    target_and_review(t)
    copies_note(t)


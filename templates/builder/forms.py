"""Forms and agreements: the attendance contract, the referral to the local authority for
legal intervention, and the Assess, Plan, Do, Review (APDR) form."""

from __future__ import annotations

from .house_style import NAME, NAMES, Row, tag_row
from .sections import (
    action_plan,
    attendance_table,
    attendees_section,
    copies_note,
    interventions_table,
    pupil_details,
    quotes,
    review_figures,
    siblings_table,
    target_and_review,
    voices,
)
from .template import Template


def attendance_contract(t: Template) -> None:
    """DfE 2024 (replacing parenting contracts for attendance); seed 004, Tier 3."""
    t.h1("Attendance contract")
    t.p("This attendance contract is a written agreement between "
        "{% for c in carers if c.parental_responsibility %}{{ c.full_name }}"
        "{% if not loop.last %}, {% endif %}{% endfor %} and {{ school.name }} about "
        "{{ pupil.full_name }}’s attendance at school. It was agreed at a meeting on "
        "{{ meeting.weekday_date }}.")
    pupil_details(t)
    t.h2("About this contract")
    t.p("Agreeing to this contract is voluntary, and it is not legally binding. It sets out "
        "the support the school and other services will give, and what each person agrees "
        f"to do to improve {NAMES} attendance.")
    t.p("**Please be aware that if you refuse to agree a contract, or do not keep to what "
        "you have agreed, this can be used as evidence in court if the local authority "
        "later decides to take legal action about " + NAMES + " attendance.**")
    attendees_section(t, "Who took part")
    t.h2("Attendance up to this meeting")
    attendance_table(t)
    t.tag("{%p if meeting.reasons or meeting.barriers %}")
    t.h2("What is making attendance difficult")
    t.bullets("meeting.reasons + meeting.barriers")
    t.tag("{%p endif %}")
    voices(t)
    t.tag("{%p if meeting.interventions %}")
    t.h2("Support already offered")
    interventions_table(t, "meeting.interventions", "Support already offered, ticked and dated")
    t.tag("{%p endif %}")
    t.h2("What each of us agrees to do")
    action_plan(t, caption="Commitments of the young person, parents, school and others")
    target_and_review(t, review_heading="Review")
    t.h2("Signatures")
    t.p("By signing, each person agrees to do their best to keep to this contract.")
    t.table([5.0, 3.6, 5.0, 3.0], [
        tag_row("{%tr for c in carers if c.parental_responsibility %}"),
        Row(["{{ c.full_name }}", "{{ c.relationship }}", "", ""], height_cm=1.3),
        tag_row("{%tr endfor %}"),
        tag_row("{%tr if meeting.pupil_of_age %}"),
        Row(["{{ pupil.full_name }}", "Pupil", "", ""], height_cm=1.3),
        tag_row("{%tr endif %}"),
        Row(["{{ school.signatory_name }}",
             "{{ school.signatory_role }}{% if school.signatory_role %}, {% endif %}"
             "{{ school.name }}", "", ""], height_cm=1.3),
    ], "Signatures of the parents, the pupil and the school",
        header=["Name", "Role", "Signature", "Date"])
    t.p("A signed copy of this contract is given to each person who signs it.",
        "Small Print", before=10)


def legal_referral(t: Template) -> None:
    """Seed 000 (Request to Initiate Legal Proceedings) and seed 004 (Legal Interventions
    Referral): the case, the record, and the chronology of support and engagement."""
    form = "{{ profile.legal_referral_form[:1]|upper }}{{ profile.legal_referral_form[1:] }}"
    t.h1(form)
    t.p("From {{ school.name }} to the local authority, for the attention of the officer "
        "responsible for legal intervention in school attendance. Prepared on {{ today }}.")

    t.h2("1. Case summary")
    pupil_details(t, meeting=False)
    t.p("{% if attendance.shown %}" + NAMES + " attendance was **{{ attendance.figure }}**"
        "{{ attendance.over_period }} ({{ attendance.tier }}, "
        "{{ attendance.tier_band }}){% if attendance.severely_absent %}: " + NAME +
        " was severely absent (missing 50% or more of sessions){% elif "
        "attendance.persistently_absent %}: " + NAME + " was persistently absent (missing "
        "10% or more of sessions){% endif %}.{% if attendance.note %} {{ attendance.note }}"
        "{% endif %}{% else %}{{ attendance.note }}{% endif %} The support offered, the "
        "family’s engagement with it, and the meetings held are set out below in date order.",
        before=8)
    t.h3("Parents and carers")
    t.tag("{%p if carers %}")
    # 2.9 and 3.1 cm: "Relationship" and "responsibility" each on one line; 3.6 cm: an
    # email address such as "sam@example.org" unbroken.
    t.table([3.2, 2.9, 3.1, 3.8, 3.6], [
        tag_row("{%tr for c in carers %}"),
        Row(["{{ c.full_name }}", "{{ c.relationship }}",
             "{% if c.parental_responsibility %}Yes{% else %}No{% endif %}",
             "{{ c.address_lines|join(', ') }}", "{{ c.email }}"]),
        tag_row("{%tr endfor %}"),
    ], "Parents and carers", header=["Name", "Relationship", "Parental responsibility",
                                     "Address", "Email"])
    t.tag("{%p else %}")
    t.p("No parents or carers are recorded.")
    t.tag("{%p endif %}")
    t.tag("{%p if siblings %}")
    t.h3("Siblings")
    siblings_table(t)
    t.tag("{%p endif %}")
    t.tag("{%p if meeting %}")
    t.h3("Consultation")
    # The profile's "your Inclusion Officer" speaks to the school; in the school's own
    # referral the role is named plainly, with the officer's name where it is recorded.
    t.p("The school consulted {% if consulted.name %}{{ consulted.name }}, "
        "{{ consulted.role }},{% else %}{{ consulted.role }}{% endif %} at the "
        "{{ meeting.title }} on {{ meeting.weekday_date }}{% if meeting.time %} at "
        "{{ meeting.time }}{% endif %}.{% if meeting.present %} Present: "
        "{% for x in meeting.present %}{{ x.name }} ({{ x.role }}){% if loop.revindex == 2 %}"
        " and {% elif not loop.last %}, {% endif %}{% endfor %}.{% endif %}")
    t.tag("{%p endif %}")

    t.h2("2. Attendance record")
    attendance_table(t, internal=True)

    t.h2("3. Chronology of support offered and engagement")
    t.tag("{%p if chronology %}")
    t.table([3.2, 2.0, 11.4], [  # 2 cm: "10:15am" on one line
        tag_row("{%tr for e in chronology %}"),
        Row(["{{ e.date }}", "{{ e.time }}", "{{ e.event }}"]),
        tag_row("{%tr endfor %}"),
    ], "Every contact and meeting in date order", header=["Date", "Time", "Event"])
    t.tag("{%p else %}")
    t.p("No contacts or meetings are recorded.")
    t.tag("{%p endif %}")

    t.h2("4. Meetings")
    t.tag("{%p if meetings %}")
    status = ("{% if m.status == 'held' %}Held{% elif m.status == 'planned' %}Planned"
              "{% elif m.status == 'did_not_proceed' %}Did not go ahead"
              "{% else %}Cancelled{% endif %}")
    t.table([2.6, 3.0, 2.1, 5.6, 3.3], [
        tag_row("{%tr for m in meetings %}"),
        Row(["{{ m.date }}", "{{ m.title[:1]|upper }}{{ m.title[1:] }}",
             status + "{% if m.reason_not_proceeded %}: {{ m.reason_not_proceeded }}"
                      "{% endif %}",
             "{% if m.status in ['held', 'did_not_proceed'] %}"
             "{% for x in m.present %}{{ x.name }} ({{ x.role }})"
             "{% if not loop.last %}; {% endif %}{% endfor %}"
             "{% if m.absent %}{% if m.present %}. {% endif %}Absent: "
             "{% for x in m.absent %}{{ x.name }} ({{ x.role }})"
             "{% if not loop.last %}; {% endif %}{% endfor %}{% endif %}{% endif %}",
             "{% if m.outcome %}Target met: {{ m.outcome.target_met }}. "
             "{{ m.outcome.decision }}.{% elif m.target %}Target: {{ m.target }}{% endif %}"]),
        tag_row("{%tr endfor %}"),
    ], "Meetings about attendance, who attended and the outcome",
        header=["Date", "Meeting", "Status", "Who attended", "Target or outcome"])
    t.tag("{%p else %}")
    t.p("No meetings are recorded.")
    t.tag("{%p endif %}")
    t.tag("{%p set quoted_contacts = interactions|selectattr('quotes')|list %}")
    t.tag("{%p if meetings|selectattr('pupil_voice')|list or "
          "meetings|selectattr('parent_voice')|list or quoted_contacts %}")
    t.h3("In their own words")
    t.p("What the pupil and the parents or carers said, as recorded at the time.")
    t.tag("{%p for m in meetings if m.pupil_voice or m.parent_voice %}")
    t.p("**{{ m.title[:1]|upper }}{{ m.title[1:] }}, {{ m.date }}**", keep_next=True)
    quotes(t, "m.pupil_voice + m.parent_voice")
    t.tag("{%p endfor %}")
    t.tag("{%p for i in quoted_contacts %}")
    t.p("**{{ i.mode[:1]|upper }}{{ i.mode[1:] }}, {{ i.date }}"
        "{% if i.time %}, {{ i.time }}{% endif %}**", keep_next=True)
    quotes(t, "i.quotes")
    t.tag("{%p endfor %}")
    t.tag("{%p endif %}")

    t.h2("5. Interventions")
    t.tag("{%p if interventions %}")
    interventions_table(t, "interventions", "Interventions offered and completed, ticked and "
                                            "dated")
    t.tag("{%p else %}")
    t.p("No interventions are recorded.")
    t.tag("{%p endif %}")

    t.tag("{%p if notice %}")
    t.h2("6. Notice to Improve")
    t.p("A Notice to Improve was issued on {{ notice.issued_on }}, with an improvement period "
        "of {{ notice.period_weeks }} weeks ending on {{ notice.period_ends }}."
        "{% if notice.sufficient_improvement %} Sufficient improvement was defined as: "
        "{{ notice.sufficient_improvement }}{% endif %}")
    t.tag("{%p endif %}")

    t.h2("{% if notice %}7{% else %}6{% endif %}. Penalty notices")
    t.tag("{%p if penalty_notices %}")
    t.table([8.3, 8.3], [
        tag_row("{%tr for n in penalty_notices %}"),
        Row(["{{ n.carer }}", "{{ n.issued_on }}"]),
        tag_row("{%tr endfor %}"),
    ], "Penalty notices issued for this child", header=["Issued to", "Issued on"])
    t.tag("{%p else %}")
    t.p("No penalty notices have been issued for this child.")
    t.tag("{%p endif %}")

    t.h2("{% if notice %}8{% else %}7{% endif %}. Completed by")
    t.table([5.0, 11.6], [
        Row(["Name", "{{ school.signatory_name }}"]),
        Row(["Role", "{{ school.signatory_role }}"]),
        Row(["School", "{{ school.name }}"]),
        Row(["Signature", ""], height_cm=1.3),
        Row(["Date", ""], height_cm=0.9),
    ], "Who completed this referral", label_column=True)
    t.p("Attach the letters sent to the parents, the meeting records and plans, the "
        "covering letters and the registration certificate.", "Small Print", before=10)


def apdr_form(t: Template) -> None:
    """Seed 004, Tier 2: an Assess, Plan, Do, Review form with the pupil's voice."""
    t.h1("Assess, Plan, Do, Review (APDR): attendance")
    t.tag("{%p if meeting %}")
    pupil_details(t)
    t.tag("{%p else %}")
    pupil_details(t, meeting=False, date_label="Date")
    t.tag("{%p endif %}")

    t.h2("Assess")
    t.h3("Attendance")
    attendance_table(t, internal=True)
    t.h3("Reasons for absence")
    t.tag("{%p if meeting and meeting.reasons %}")
    t.bullets("meeting.reasons")
    t.tag("{%p else %}")
    t.p("Not yet recorded.")
    t.tag("{%p endif %}")
    t.tag("{%p if meeting and meeting.barriers %}")
    t.h3("Barriers to attendance")
    t.bullets("meeting.barriers")
    t.tag("{%p endif %}")

    t.h2("Plan")
    t.tag("{%p if meeting %}")
    t.tag("{%p if meeting.target %}")
    t.p("**Target:** {{ meeting.target }}")
    t.tag("{%p endif %}")
    action_plan(t)
    t.tag("{%p if meeting.review_date %}")
    t.p("This plan will be reviewed by **{{ meeting.review_date }}**.", before=8)
    t.tag("{%p endif %}")
    t.tag("{%p else %}")
    t.p("Not yet recorded.")
    t.tag("{%p endif %}")

    t.h2("Do")
    do = "(meeting.interventions if meeting and meeting.interventions else interventions)"
    t.tag(f"{{%p if {do} %}}")
    interventions_table(t, do, "Interventions put in place, ticked and dated")
    t.tag("{%p else %}")
    t.p("No interventions are recorded yet.")
    t.tag("{%p endif %}")

    t.h2("Review")
    t.tag("{%p if meeting and meeting.outcome %}")
    t.tag("{%p if previous_meeting %}")
    t.p("This review looked back on the plan made at the {{ previous_meeting.title }} on "
        "{{ previous_meeting.date }}.")
    t.tag("{%p endif %}")
    review_figures(t)
    t.p("**Target met:** {{ meeting.outcome.target_met }}")
    t.p("**Decision:** {{ meeting.outcome.decision }}")
    t.tag("{%p if meeting.outcome.discussion %}")
    t.p("{{ meeting.outcome.discussion }}")
    t.tag("{%p endif %}")
    t.tag("{%p else %}")
    t.p("Not yet reviewed.")
    t.tag("{%p endif %}")

    t.h2("Pupil voice")
    t.tag("{%p if meeting and meeting.pupil_voice %}")
    quotes(t, "meeting.pupil_voice")
    t.tag("{%p else %}")
    t.p(f"{NAMES} views have not been recorded yet.")
    t.tag("{%p endif %}")
    t.tag("{%p if meeting and meeting.parent_voice %}")
    t.h3("The parents’ or carers’ views")
    quotes(t, "meeting.parent_voice")
    t.tag("{%p endif %}")
    t.tag("{%p if meeting %}")
    t.h2("Who took part")
    t.tag("{%p if meeting.attendees %}")
    t.table([6.6, 6.6, 3.4], [
        tag_row("{%tr for person in meeting.attendees %}"),
        Row(["{{ person.name }}", "{{ person.role }}", "{{ person.attendance }}"]),
        tag_row("{%tr endfor %}"),
    ], "People at the meeting, their roles and whether they attended",
        header=["Name", "Role", "Attended"])
    t.tag("{%p else %}")
    t.p("No attendees were recorded.")
    t.tag("{%p endif %}")
    t.tag("{%p endif %}")
    copies_note(t, exhibited=False)


"""Letters to the parents outside the meeting invitations: the letter of concern, the
covering letter that sends a meeting's plan, and the Notice to Improve."""

from __future__ import annotations

from .house_style import CONTACT, NAME, NAMES, Row, tag_row
from .sections import attendance_intro, interventions_table
from .template import Template


def letter_of_concern(t: Template) -> None:
    """Seed 002: the first step, before any meeting. Kind, factual, an invitation to talk."""
    t.letter_opening("{{ pupil.full_name }}’s attendance at school")
    t.p(f"I am writing because we are concerned about {NAMES} attendance at school, and "
        "I would like us to work together to help.")
    attendance_intro(t)
    t.p(f"Every day in school matters. When children miss school it can be harder for them "
        "to keep up with their learning and to stay close to their friends. We know that "
        "there can be many reasons why a child finds it hard to come to school, and that "
        f"families can be dealing with a lot at once. We would like to understand what is "
        f"getting in the way for {NAME} and how we can help.", before=8)
    t.p(f"Please contact me{CONTACT} so that we can talk about this. We can speak on the "
        "phone or meet at school, whichever suits you better. If there is anything you "
        f"think we should know, such as a health problem, a worry about school or something "
        "happening at home, please tell us. We will treat what you tell us with care.")
    t.p(f"If {NAMES} attendance does not improve, the next step would be to invite you to "
        "a meeting at school, so that together we can agree a plan to help.")
    t.p("Thank you for your help. I look forward to hearing from you.")
    t.letter_closing()


def plan_cover_letter(t: Template) -> None:
    """Seeds 001 and 002: the plan goes to each parent with a letter and the review date;
    if they did not attend, the meeting went ahead in their absence.

    Whether this carer attended is read from the names of those present, since letters
    go to each parent individually (seed 000) and one may attend while another does not.
    Another parent is named only when they live together; to a parent who lives apart the
    letter names only the pupil and the staff and agencies who attended.
    """
    t.letter_opening("{{ pupil.full_name }}: the plan from the {{ meeting.title }} on "
                     "{{ meeting.date }}")
    # Only the carers who share this carer's home (context.py, ``household``) are named:
    # parents who live apart may not share information (safeguarding and privacy), so a
    # letter to one never says whether the other came.
    t.tag("{%p set present_carers = meeting.present|selectattr('party', 'equalto', 'carer')"
          "|map(attribute='name')|select('in', carer.household)|list %}")
    t.tag("{%p set professionals = meeting.present|rejectattr('party', 'equalto', 'carer')"
          "|list %}")
    t.tag("{%p set you_attended = carer.full_name in "
          "meeting.present|map(attribute='name')|list %}")
    # Seed 001's plan may ask nothing of the parents: then no "what we are asking of you".
    asks = ("{% if meeting.actions.parents %}, and what we are asking of you.{% else %}. "
            "There is nothing we are asking of you in this plan this time.{% endif %}")
    nothing_asked = ("{% if not meeting.actions.parents %} There is nothing we are asking "
                     "of you in this plan this time.{% endif %}")
    t.tag("{%p if you_attended %}")
    t.p("Thank you for coming to the {{ meeting.title }} on {{ meeting.weekday_date }} to "
        f"talk about {NAMES} attendance. I have enclosed a copy of the plan that we agreed "
        "together. It sets out what {% if meeting.actions.parents %}you, {% endif %}"
        f"{NAME} and the school have each agreed to do to help {NAME} come to school."
        + nothing_asked)
    t.tag("{%p elif present_carers %}")
    t.p("The {{ meeting.title }} about " + NAMES + " attendance took place on "
        "{{ meeting.weekday_date }}, with {{ present_carers|join(' and ') }}. We write to "
        "each parent individually, so I have enclosed your own copy of the plan agreed at "
        "the meeting. It sets out what {% if meeting.actions.parents %}the parents, "
        f"{{% endif %}}{NAME} and the school have each agreed to do to help {NAME} come to "
        "school." + nothing_asked)
    t.tag("{%p elif meeting.parents_attended %}")
    t.p("The {{ meeting.title }} about " + NAMES + " attendance took place on "
        "{{ meeting.weekday_date }}{% if professionals %}, with "
        "{% for x in professionals %}{{ x.name }} ({{ x.role }}){% if loop.revindex == 2 %}"
        " and {% elif not loop.last %}, {% endif %}{% endfor %}{% endif %}. We write to "
        "each parent individually, so I have enclosed your own copy of the plan made at the "
        f"meeting. It sets out what the school will do to support {NAME}" + asks)
    t.tag("{%p elif not meeting.attendees %}")
    t.p("The {{ meeting.title }} about " + NAMES + " attendance took place on "
        "{{ meeting.weekday_date }}. I have enclosed a copy of the plan made at the meeting. "
        f"It sets out what the school will do to support {NAME}" + asks)
    t.tag("{%p else %}")
    t.p("The {{ meeting.title }} about " + NAMES + " attendance took place on "
        "{{ meeting.weekday_date }}. As you were not able to attend, the meeting went ahead "
        "in your absence. I have enclosed a copy of the plan made at the meeting. It sets "
        f"out what the school will do to support {NAME}" + asks)
    t.tag("{%p endif %}")
    t.tag("{%p if meeting.target %}")
    t.p("The attendance target in the plan is: **{{ meeting.target }}**")
    t.tag("{%p endif %}")
    t.tag("{%p if meeting.outcome and meeting.outcome.escalate %}")
    t.p("At the meeting we looked at how the previous plan had gone. Because " + NAMES +
        " attendance has not improved enough, the school has decided to take the next, more "
        "formal step. We will write to you separately about what this means. The plan stays "
        f"in place, and we will keep supporting {NAME}.")
    t.tag("{%p endif %}")
    t.tag("{%p if meeting.review_date %}")
    t.p("We will review the plan by **{{ meeting.review_date }}**. We will let you know the "
        "date, time and place of the review meeting, and we would like you to be there.")
    t.tag("{%p endif %}")
    t.tag("{%p if you_attended %}")
    t.p(f"If anything changes, or you have any questions about the plan, please contact "
        f"me{CONTACT}.")
    t.tag("{%p else %}")
    t.p(f"If you do not agree with the plan, or would like to add anything to it, please "
        f"contact me{CONTACT}. We would very much like to hear your views and to work "
        f"with you to help {NAME}.")
    t.tag("{%p endif %}")
    t.p("Thank you for your support.")
    t.letter_closing(enclosure="a copy of the plan from the {{ meeting.title }} on "
                               "{{ meeting.date }}")


def notice_to_improve(t: Template) -> None:
    """DfE, Working together to improve school attendance (2024): the Notice to Improve."""
    t.letter_opening("Notice to Improve: {{ pupil.full_name }}’s attendance at "
                     "{{ school.name }}")
    t.p("This letter is a **Notice to Improve**. It is a formal notice about " + NAMES +
        " attendance at school, and a final opportunity for you to work with us and the "
        "support on offer to improve it before a penalty notice is issued or prosecution "
        "is considered.")
    t.h2(f"{NAMES} attendance record")
    attendance_intro(t)
    t.p("Regular attendance at school helps children to learn, to make and keep friends, "
        "and to feel safe and supported. As a parent, you have a legal duty under section 7 "
        "of the Education Act 1996 to make sure that " + NAME + " receives a suitable "
        "full-time education, and, as " + NAME + " is registered at a school, to make sure "
        f"that {NAME} attends it regularly. Failing to secure regular attendance is an "
        "offence under section 444 of the Education Act 1996.", before=8)

    t.h2("The support already offered")
    t.tag("{%p set offered = meetings|rejectattr('kind', 'equalto', 'legal_consultation')"
          "|list %}")
    t.tag("{%p if offered %}")
    t.p("We have offered these meetings to talk about " + NAMES + " attendance:",
        keep_next=True)
    status = ("{% if m.status == 'held' %}Held{% elif m.status == 'planned' %}Planned"
              "{% elif m.status == 'did_not_proceed' %}Did not go ahead"
              "{% else %}Cancelled{% endif %}")
    t.table([3.6, 7.2, 5.8], [
        tag_row("{%tr for m in offered %}"),
        Row(["{{ m.date }}", "{{ m.title[:1]|upper }}{{ m.title[1:] }}", status]),
        tag_row("{%tr endfor %}"),
    ], "Meetings offered about attendance", header=["Date", "Meeting", "What happened"])
    t.tag("{%p endif %}")
    t.tag("{%p if interventions %}")
    t.p("We have offered this support:", before=8, keep_next=True)
    interventions_table(t, "interventions", "Support offered, ticked and dated")
    t.tag("{%p endif %}")
    t.tag("{%p if not offered and not interventions %}")
    t.p("The support offered so far is set out in our earlier letters to you.")
    t.tag("{%p endif %}")
    t.p("Support is still available to you and " + NAME + ", including any support offered "
        "before that you were not able to take up. We would like to meet you to talk about "
        f"what would help. Please contact me{CONTACT} to arrange this.", before=8)

    t.h2("The improvement period")
    t.p("The improvement period is **{{ notice.period_weeks }} weeks**, from "
        "{{ notice.issued_on }} until **{{ notice.period_ends }}**. During this time we will "
        f"monitor {NAMES} attendance closely.")
    t.p("**What counts as sufficient improvement:** {{ notice.sufficient_improvement }}")

    t.h2("What happens if attendance does not improve")
    t.p("**If " + NAMES + " attendance does not improve sufficiently by "
        "{{ notice.period_ends }}, a penalty notice may be issued to you, or the local "
        "authority may consider prosecution or other legal action.** A penalty notice may "
        "be issued before the end of the improvement period only if it becomes clear that "
        "sufficient improvement can no longer be made within it.")
    t.p("A penalty notice is issued to each parent, for each child. It is "
        "{{ profile.penalty_first_21_days }} if paid within 21 days, or "
        "{{ profile.penalty_first_28_days }} if paid within 28 days; a second penalty notice "
        "for the same child within three years is {{ profile.penalty_second }}. If a penalty "
        "notice is not paid, the local authority will consider prosecution in the "
        "magistrates’ court.")
    t.tag("{%p if penalty_notices %}")
    t.p("Penalty notices already issued for " + NAME + ":", keep_next=True)
    t.bullets("penalty_notices", "{{ n.carer }}, issued on {{ n.issued_on }}", "n")
    t.tag("{%p endif %}")
    t.p(f"We would much rather work with you than take this step. If there is anything "
        f"making it hard for {NAME} to attend school, please tell us, so that we can help.")
    t.letter_closing()


"""Letters inviting the parents to a meeting: the school attendance support meeting, the
Attendance Improvement Meeting (with the warning of a risk of prosecution) and the review
meeting, and the letter saying a meeting has been rearranged."""

from __future__ import annotations

from .house_style import CONTACT, NAME, NAMES, Row
from .sections import attendance_sentence
from .template import Template


def meeting_details(t: Template, caption: str) -> None:
    t.table([4.0, 12.6], [
        Row(["Date", "**{{ meeting.weekday_date }}**"]),
        Row(["Time", "**{{ meeting.time }}**"]),
        Row(["Place", "**{{ meeting.venue[:1]|upper }}{{ meeting.venue[1:] }}**"]),
    ], caption, label_column=True)


def staff_attending(t: Template, intro: str) -> None:
    """The school staff and other professionals invited, when they are recorded."""
    staff = "meeting.attendees|selectattr('party', 'in', ['school', 'agency'])|list"
    t.tag(f"{{%p if {staff} %}}")
    t.p(intro, keep_next=True)
    t.tag(f"{{%p for person in {staff} %}}")
    t.p("{{ person.name }}, {{ person.role }}", "List Bullet")
    t.tag("{%p endfor %}")
    t.tag("{%p endif %}")


def support_meeting_invitation(t: Template) -> None:
    """Seed 002: invited by letter; may go ahead in their absence unless a new time is
    agreed; arrangements agreed by phone are confirmed in writing."""
    t.letter_opening("Invitation to a school attendance meeting about {{ pupil.full_name }}")
    t.p(f"I am writing to invite you to a meeting to talk about {NAMES} "
        f"attendance, and how we can work together to help {NAME} come to school every day. "
        "{% if attendance.shown %}" + NAMES + " attendance was **{{ attendance.figure }}**"
        "{{ attendance.over_period }}.{% if attendance.note %} {{ attendance.note }}"
        "{% endif %}{% endif %}")
    t.p("The meeting will be:", keep_next=True)
    meeting_details(t, "Date, time and place of the meeting")
    t.p(f"At the meeting we would like to hear what is making it hard for {NAME} to come to "
        "school, look at what has helped so far, and agree a plan that everyone can play a "
        "part in. It is not about blame: we want to work with you.", before=8)
    t.p("{% if meeting.pupil_of_age %}We would like " + NAME + " to come to the meeting "
        "too, so that we can hear their views.{% else %}You are welcome to bring " + NAME +
        " if you think it would help, but you do not need to.{% endif %}")
    staff_attending(t, "From the school and other services, you will meet:")
    t.p(f"If this time does not suit you, please contact me{CONTACT} and we will find "
        "another time. If we agree a new time or place by phone, we will confirm it to you "
        "in writing. Please also let us know if you need anything to help you take part, "
        "such as an interpreter.")
    t.p("Please note that the meeting may go ahead even if you are not able to come, "
        "unless you contact the school and we agree a new time with you. If it goes ahead "
        "without you, we will send you a copy of the plan made at the meeting, and you will "
        "still be able to tell us what you think.")
    t.p("Thank you. I look forward to seeing you.")
    t.letter_closing()


def aim_invitation(t: Template) -> None:
    """Seeds 000 and 001: the warning in writing of a risk of prosecution, and the
    invitation to the Attendance Improvement Meeting."""
    t.letter_opening("{{ pupil.full_name }}: warning that you may be at risk of "
                     "prosecution, and invitation to an Attendance Improvement Meeting")
    t.p(f"I am writing to you about {NAMES} attendance at school, to invite you to an "
        "Attendance Improvement Meeting, and to let you know in writing that you may be at "
        "risk of prosecution.")
    t.h2(f"{NAMES} attendance")
    attendance_sentence(t)
    t.p("We know that there can be many reasons why a child finds it hard to attend "
        "school, and that families may be facing several difficulties at once. We would like "
        f"to understand what is getting in the way for {NAME}, and to work with you to help.")
    t.h2("You may be at risk of prosecution")
    t.p(f"As a parent, you have a legal duty to make sure that {NAME} attends school "
        "regularly. Under section 444 of the Education Act 1996 it is an offence for a "
        "parent not to do so. **Because " + NAME + " has not been attending school "
        "regularly, I must warn you that you may be at risk of prosecution.**")
    t.p("We want to avoid this. The purpose of the meeting is to agree a plan that helps "
        f"{NAME} attend school and prevents legal action being taken.")
    t.h2("The Attendance Improvement Meeting")
    t.p("You are invited to an Attendance Improvement Meeting at:", keep_next=True)
    meeting_details(t, "Date, time and place of the Attendance Improvement Meeting")
    t.p("{% if meeting.pupil_of_age %}It is important that " + NAME + " comes to the "
        "meeting too, so that we can hear their views and agree the plan with them."
        "{% else %}You are welcome to bring " + NAME + " if you think it would help, but "
        "you do not need to.{% endif %}", before=8)
    staff_attending(t, "From the school and other services, you will meet:")
    t.p("At the meeting we will look at what has helped so far, talk about anything that is "
        "making attendance difficult, and agree together what you, " + NAME + " and the "
        "school will each do. We will then review the plan with you.")
    t.h2("If the time or place does not suit you")
    t.p(f"If you cannot attend at this time, please contact me{CONTACT} as soon as you can, "
        "so that we can agree another time. If we agree new arrangements by phone, we will "
        "confirm them to you in writing.")
    t.p("{% if meeting.at_home %}We have arranged to meet at your home. If you would prefer "
        "to meet at school, or somewhere neutral, please tell us and we will arrange this."
        "{% else %}If you would find it easier to meet at your own home, or somewhere "
        "neutral away from school, please tell us and we will arrange this.{% endif %} "
        "Please also let us know if you need anything else to help you take part, such as "
        "an interpreter.")
    t.p("**Please note that the meeting will go ahead even if you do not attend, unless "
        "you contact the school and we agree a new time with you.** If the meeting goes ahead "
        "without you, we will send you a copy of the plan made at the meeting.")
    t.p("Thank you. I hope to see you at the meeting.")
    t.letter_closing()


def adjustments_offer(t: Template) -> None:
    """Reasonable adjustments, as the AIM invitation offers them (seed 000): the family's
    home or a neutral place, and anything else that helps them take part."""
    t.p("{% if meeting.at_home %}We have arranged to meet at your home. If you would prefer "
        "to meet at school, or somewhere neutral, please tell us and we will arrange this."
        "{% else %}If you would find it easier to meet at your own home, or somewhere "
        "neutral away from school, please tell us and we will arrange this.{% endif %} "
        "Please also let us know if you need anything else to help you take part, such as "
        "an interpreter.")


def review_meeting_invitation(t: Template) -> None:
    """Seed 002, review meeting: the previous plan is discussed and whether its target was
    met, then a decision; invited by letter like the first meeting, may go ahead unless a
    new time is agreed, arrangements agreed by phone confirmed in writing."""
    t.letter_opening("Invitation to a meeting to review {{ pupil.full_name }}’s "
                     "attendance plan")
    t.p(f"I am writing to invite you to a review meeting about {NAMES} attendance."
        "{% if previous_meeting %} At the {{ previous_meeting.title }} on "
        "{{ previous_meeting.date }} we agreed a plan together to help " + NAME +
        " come to school every day, and said that we would meet again to see how it is "
        "going.{% endif %}")
    t.p("The meeting will be:", keep_next=True)
    meeting_details(t, "Date, time and place of the review meeting")
    t.p(f"At the meeting we will look together at the plan we agreed last time: what has "
        "worked well, even in a small way, and what has not. We will look at whether "
        f"{NAME} has met the attendance target we set"
        "{% if previous_meeting and previous_meeting.target %}, "
        "“{{ previous_meeting.target }}”{% endif %}, and at " + NAMES + " attendance "
        "since then. Together we will then agree what happens next: that might be carrying "
        "on as we are, or a new plan with more support.", before=8)
    t.p("{% if meeting.pupil_of_age %}We would like " + NAME + " to come to the meeting "
        "too, so that we can hear how they feel it has gone.{% else %}You are welcome to "
        "bring " + NAME + " if you think it would help, but you do not need to.{% endif %}")
    staff_attending(t, "From the school and other services, you will meet:")
    t.p(f"If this time does not suit you, please contact me{CONTACT} and we will find "
        "another time. If we agree a new time or place by phone, we will confirm it to you "
        "in writing.")
    adjustments_offer(t)
    t.p("Please note that the meeting may go ahead even if you are not able to come, "
        "unless you contact the school and we agree a new time with you. If it goes ahead "
        "without you, we will send you a copy of what was agreed, and you will still be "
        "able to tell us what you think.")
    t.p("Thank you. I look forward to seeing you.")
    t.letter_closing()


def meeting_rearranged(t: Template) -> None:
    """Seeds 000-002: changed arrangements are confirmed in writing. Says plainly that the
    meeting has moved and where and when it now is; for an AIM, one sentence that the
    earlier letter's warning still stands, not the warning again."""
    t.letter_opening("{{ pupil.full_name }}: the {{ meeting.title }} has been rearranged")
    t.p("I am writing to let you know that the {{ meeting.title }} about " + NAMES +
        " attendance has been rearranged. The new date, time and place are below. They "
        "replace those in our earlier letter.")
    t.p("The meeting will now be:", keep_next=True)
    meeting_details(t, "The new date, time and place of the meeting")
    t.p("{% if meeting.kind == 'review' %}The meeting is still to look together at the "
        "plan we agreed at the last meeting, and at whether " + NAME + " has met its "
        "attendance target.{% else %}The meeting is still to agree together a plan that "
        "helps " + NAME + " come to school every day.{% endif %}"
        "{% if meeting.kind == 'aim' %} The warning in our earlier letter still stands."
        "{% endif %}", before=8)
    staff_attending(t, "From the school and other services, you will meet:")
    t.p(f"If the new time does not suit you, please contact me{CONTACT} as soon as you can "
        "and we will find another time. If we agree new arrangements by phone, we will "
        "confirm them to you in writing.")
    adjustments_offer(t)
    t.p("Please note that the meeting {% if meeting.kind == 'aim' %}will{% else %}may"
        "{% endif %} go ahead at the new time even if you do not attend, unless you contact "
        "the school and we agree another time with you.")
    t.p("I am sorry for any inconvenience the change causes. Thank you.")
    t.letter_closing()


"""The penalty notice: the LA's notice to one parent for one child (issue 19, point 3), a
letter for the DL window envelope, filled by function_app/documents/penalty_notice.py (its
keys: ``notice``, ``parent``, ``child``, ``absence``, ``authority``, ``officer``,
``how_to_pay``, with ``carer``, ``today``, ``marking`` and ``logo`` as in every letter).

What a notice must contain: the Education (Penalty Notices) (England) Regulations 2007
(SI 2007/1867), regulation 3, "the matters to be contained in a penalty notice" (the
Regulations' explanatory note). Its heads, as in regulation 2 of the 2004 Regulations it
replaced and regulation 3 of the Welsh 2013 Regulations, each with where it is below:

(a) the name and address of the recipient: the address block, in the window;
(b) the name and address of the child and the school where the child is a registered
    pupil: "The details of this notice";
(c) the name and official particulars of the authorised officer issuing it: the same
    table and the signature;
(d) the period in which the offence was committed and the date of issue: the table (and
    the date beside the address);
(e) the amount of the penalty, and (h) the period for paying it: "The amount to pay",
    with the amounts and days of regulation 4 as amended by the Education (Penalty
    Notices) (England) (Amendment) Regulations 2024 (SI 2024/210): £80 within 21 days and
    £160 within 28 days "beginning with the date on which the notice is received", and a
    second notice to the same parent for the same child within 3 years £160 within 28
    days with no reduced amount (DfE, Working together to improve school attendance,
    2024, national framework for penalty notices);
(f) the name and address of the authority to which the penalty is paid and to which
    correspondence may be sent: "How to pay" and "Contact us", and the letterhead;
(g) the method or methods of payment: "How to pay" (the LA's own words);
(i) that payment within the period discharges liability for the offence, and (j) the
    consequences of not paying: "If you pay, and if you do not";
(k) the grounds on which the notice may be withdrawn: "Withdrawing this notice"
    (regulation 8; regulation 9: an unpaid notice the LA does not prosecute is withdrawn).

The offence is Education Act 1996 s444(1), the power to issue a notice s444A. The page,
letterhead and address block are the house style's (house_style.py, template.py): the
letterhead and footer are the issuing authority's, not a school's (``_for_the_authority``).
"""

from __future__ import annotations

import re
from typing import Any

from docx.oxml.ns import qn

from .house_style import Row, tag_row
from .template import Template

TITLE = "Penalty notice for failing to secure regular school attendance"
SOURCE = (
    "The Education (Penalty Notices) (England) Regulations 2007 (SI 2007/1867) reg 3 "
    "(content), reg 4-5 (amounts, periods), reg 8-9 (withdrawal), as amended by SI 2024/210; "
    "Education Act 1996 s444(1), s444A; DfE, Working together to improve school attendance "
    "(2024), national framework for penalty notices"
)
CHILD = "{{ child.full_name }}"

# The house letterhead and footer name the school and the case; a penalty notice is the
# authority's and is known by its number. Each piece of text, as the Template writes it,
# and what it becomes here.
_FOR_THE_AUTHORITY = {
    "Reference {{ case_ref }}": "Penalty notice {{ notice.number }}",
    "Our reference: {{ case_ref }}": "Notice number: {{ notice.number }}",
}
_SCHOOL = re.compile(r"\bschool\.(?=\w)")  # school.name, not "... attend school."


def penalty_notice(t: Template) -> None:
    """One notice, to one parent, for one child: plain, kind and exact, as it may be
    exhibited in court. Two pages at most, with the LA's own words on how to pay."""
    t.address_block()
    t.h1("Penalty notice")
    t.p("**Failing to secure " + CHILD + "’s regular attendance at school: section 444(1) "
        "of the Education Act 1996**", before=0)
    t.p("{{ authority.name }} issues you this penalty notice under section 444A of the "
        "Education Act 1996. It gives you the chance to pay a penalty instead of being "
        "prosecuted for the offence below. It says what to pay, by when, and how.")
    details(t)
    amounts(t)
    t.h2("How to pay")
    t.p("Pay {{ authority.name }}, quoting the notice number **{{ notice.number }}**. "
        "{{ how_to_pay }}")
    t.p("Only the whole amount, paid in time, settles this notice: a part payment or "
        "payment by instalments does not, and nor does a payment made after "
        "{{ notice.full_by }}.")
    t.h2("If you pay, and if you do not")
    t.p("If you pay the amount due in time, you can no longer be convicted of the offence "
        f"in this notice: you will not be prosecuted for {CHILD}’s absence from "
        "{{ absence.first_day }} to {{ absence.last_day }}.")
    t.p("If it is not paid in full by **{{ notice.full_by }}**, {{ authority.name }} will "
        "decide whether to prosecute you in the magistrates’ court for the offence under "
        "section 444(1) of the Education Act 1996, " + CHILD + "’s irregular attendance "
        "(not for the unpaid penalty). If it decides not to, it will withdraw this notice.")
    t.h2("Withdrawing this notice")
    t.p("There is no right of appeal against a penalty notice. {{ authority.name }} may "
        "withdraw it if it decides that it ought not to have been issued, or not to you, "
        "or that it contains a material error. We would then tell you in writing and "
        "refund anything you had paid, and you would not be prosecuted for this absence. "
        "If you think one of these applies, please contact us straight away.")
    contact(t)
    closing(t)
    _for_the_authority(t)


def details(t: Template) -> None:
    """Regulation 3(b)-(d): which child and school, the offence, when, who issues it and
    when; (a), the parent's name and address, is in the window above."""
    t.h2("The details of this notice")
    reason = ("**{{ absence.sessions }} sessions** of unauthorised absence (each school "
              "day has a morning and an afternoon session){% if absence.holiday %}: leave "
              "in term time (a holiday) that the "
              "school did not authorise{% endif %}")
    t.table([4.6, 12.0], [
        Row(["Child", f"{CHILD}, born {{{{ child.date_of_birth }}}}, of "
                      "{{ child.address }}"]),
        Row(["School", "{{ child.school }}{% if child.school_address %}, "
                       "{{ child.school_address }}{% endif %}"]),
        Row(["Offence", "As the parent of a child of compulsory school age who is a "
                        "registered pupil at the school, failing to secure the child’s "
                        "regular attendance there: Education Act 1996, section 444(1)"]),
        Row(["Period of the offence", "From **{{ absence.first_day }}** to "
                                      "**{{ absence.last_day }}**"]),
        Row(["Absence in that period", reason]),
        Row(["Issued by", "{{ officer.name }}, {{ officer.role }}, an officer authorised "
                          "by {{ authority.name }} to issue penalty notices"]),
        Row(["Date of issue", "{{ notice.issued_on }}"]),
    ], "The details of this notice", label_column=True)


def amounts(t: Template) -> None:
    """Regulation 3(e) and (h), regulation 4: the amount and the days to pay, counted from
    the day the notice is received; a second notice has no reduced amount."""
    t.h2("The amount to pay, and by when")
    t.tag("{%p if notice.second %}")
    t.p("This is the second penalty notice issued to you for " + CHILD + " within three "
        "years, so the penalty is **{{ notice.full_amount }}**, with no reduced amount.",
        keep_next=True)
    t.tag("{%p endif %}")
    t.table([4.6, 12.0], [
        tag_row("{%tr if not notice.second %}"),
        Row(["**{{ notice.reduced_amount }}**",
             "if paid by **{{ notice.reduced_by }}** (within {{ notice.reduced_days }} "
             "days)"]),
        tag_row("{%tr endif %}"),
        Row(["**{{ notice.full_amount }}**",
             "if paid {% if not notice.second %}after {{ notice.reduced_by }} and "
             "{% endif %}by **{{ notice.full_by }}** (within {{ notice.full_days }} days)"]),
    ], "The amount of the penalty and the last day to pay it", header=["Amount", "When"])
    t.p("The days to pay begin with the day you receive this notice. We have counted them "
        "from {{ notice.received_on }}; if it reached you later, please tell us.", before=6)


def contact(t: Template) -> None:
    """Regulation 3(f): where correspondence about the notice may be sent."""
    t.h2("Contact us")
    t.p("Write to {{ authority.name }}, {{ authority.address }}{% if authority.phone %}, "
        "telephone {{ authority.phone }}{% endif %}{% if authority.email %}, or email "
        "{{ authority.email }}{% endif %}, quoting the notice number. If something is "
        f"making it hard for {CHILD} to attend school, please tell us or the school: "
        "support is still there for you both.")


def closing(t: Template) -> None:
    t.p("Signed", before=4, after=24, keep_next=True)
    t.p("{{ officer.name }}, {{ officer.role }}, for and on behalf of {{ authority.name }}",
        after=0)


def _for_the_authority(t: Template) -> None:
    """The letterhead, footer and address block as the authority's (see the module's
    docstring); fails if the house style has changed so that any of it no longer fits."""
    parts: list[Any] = [t.doc.element.body]
    section = t.doc.sections[0]
    for part in (section.header, section.first_page_header, section.footer,
                 section.first_page_footer):
        parts.append(part._element)
    for root in parts:
        for text in root.iter(qn("w:t")):
            value = text.text or ""
            for old, new in _FOR_THE_AUTHORITY.items():
                value = value.replace(old, new)
            value = _SCHOOL.sub("authority.", value)
            text.text = value
            if _SCHOOL.search(value) or "case_ref" in value:
                raise ValueError(f"penalty notice: {value!r} still names the school or case")

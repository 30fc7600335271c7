"""The words of the email that carries a letter: short, kind, plain British English.

The subject names the school and the pupil's forename only: "A letter from Brookfield
Primary School about Sam's attendance". The parent knows their child, but a family with
several children at the school needs to know which one it is about, and a subject shows on
lock screens and in notifications, so it says no more than that (no surname, no stage, no
"warning"). The body says what the letter is and its date, asks the parent to read it, and
who to contact: the school, by phone or email, or by replying. The letter's reference (the
digest in the x-casework-letter header) closes it, so that staff can find the message in
the mailbox's Sent Items by searching for it.
"""

from __future__ import annotations

from datetime import date

from function_app.documents.formatting import long_date
from function_app.domain.delivery import LETTER_NAMES


def letter_name(kind: str) -> str:
    """The letter as readiness and the contact name it: "Letter of concern about ..."."""
    return LETTER_NAMES.get(kind, kind.replace("_", " ").capitalize())


def subject(school: str, pupil_forename: str) -> str:
    """'A letter from Brookfield Primary School about Sam's attendance'."""
    forename = pupil_forename.strip()
    about = f"{forename}'s attendance" if forename else "attendance"
    return f"A letter from {school.strip() or 'the school'} about {about}"


def body(carer_name: str, school: str, pupil_forename: str, kind: str,
         letter_date: date | None, school_phone: str, school_email: str,
         reference: str) -> str:
    """The email's text (plain text, no names beyond the carer's and the forename)."""
    school = school.strip() or "the school"
    forename = pupil_forename.strip() or "your child"
    dated = f", dated {long_date(letter_date)}" if letter_date else ""
    ways = [f"by phone on {school_phone.strip()}"] if school_phone.strip() else []
    if school_email.strip():
        ways.append(f"by email at {school_email.strip()}")
    how = f" {' or '.join(ways)}" if ways else ""
    return (
        f"Dear {carer_name.strip()},\n\n"
        f"Please find attached a letter from {school} about {forename}'s attendance: "
        f"{letter_name(kind)}{dated}.\n\n"
        "Please read it carefully. If you have any questions, or would like to talk about "
        f"it, please contact the school{how}, or reply to this email.\n\n"
        "The letter is a PDF file. If you cannot open it, or would like a paper copy, let us "
        "know and we will post one to you.\n\n"
        f"Kind regards,\n{school}\n\n"
        f"Our reference: {reference}\n"
    )

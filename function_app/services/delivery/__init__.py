"""Letters reaching each parent (issue 18), as the app does it: an approved letter emailed
to one carer as a PDF from the school's mailbox, exactly once, and the contact it makes
written on the Contacts list (``email``); the email's words (``email_text``), the Contacts
item (``contacts``) and the mailbox's sending pace (``pacing``). The rules (who gets a
letter by which route, the limits, what a contact says) are the domain's
(``function_app.domain.delivery``).

The sweep's step (``sending``): each approved letter in the Case Files library emailed or
put in the day's print pack (``posting``), and posted packs recorded; the library's
Sending columns (``letter_status``). Run by the sweep and every minute by the
``send_letters`` timer.

May import: the domain, the documents, the shared ``ports``, ``filing``, ``site_state``
and ``clock``, ``case_lists`` (the Contacts list's columns), and the Graph adapter's
errors, records and mail errors; never the sweep, a Graph client or ``bootstrap``.
"""

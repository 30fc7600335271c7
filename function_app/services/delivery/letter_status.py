"""The Case Files library's sending columns (sharepoint_schema/case-files.json), issue 18.

A letter to a parent is filed as a draft ("Draft: approve to send"); staff read it and choose
"Approved: send it" (or tick "Approve this meeting's letters" on its meeting); the sweep then
emails or posts it and says how on the document. A print pack is filed "Ready to print and
post"; staff choose "Posted" once its letters are in the post, and the sweep records each
letter as posted. Staff choose "Send again" to send a letter once more, on purpose.
"""

from __future__ import annotations

import enum

STATUS = "SendStatus"  # "Sending"
NOTE = "SendNote"  # "Sending note": how it went, or what to put right
APPROVED_BY = "ApprovedBy"
SENT_ON = "SentOn"
PACK_KIND = "letters_to_post"  # a print pack's DocumentKind
PACK_FOLDER = "Letters to post"  # in the library's root


class SendStatus(enum.StrEnum):
    """The "Sending" column's choices (sharepoint_schema/case-files.json)."""

    DRAFT = "Draft: approve to send"
    APPROVED = "Approved: send it"  # staff's (or the app's, where the rules allow)
    SEND_AGAIN = "Send again"  # staff's: a deliberate resend
    SENT = "Sent"
    TO_POST = "In the print pack"
    NOT_SENT = "Not sent: see the note"
    READY_TO_POST = "Ready to print and post"  # a print pack
    POSTED = "Posted"  # staff's, on a print pack
    POSTED_RECORDED = "Posted and recorded"  # a print pack whose letters are recorded


# What the sweep looks for each time: letters to send, letters waiting for a pack, packs
# staff have posted.
TO_DO = (SendStatus.APPROVED, SendStatus.SEND_AGAIN, SendStatus.TO_POST, SendStatus.POSTED)


def filed_status(needs_approval: bool) -> dict[str, str]:
    """A new letter's sending columns: a draft, or approved already where the local
    authority's rules let its kind go without approval (``delivery.needs_approval``)."""
    if needs_approval:
        return {STATUS: SendStatus.DRAFT.value,
                NOTE: "Read this letter, then choose \u201cApproved: send it\u201d in the "
                      "Sending column (or tick \u201cApprove this meeting's letters\u201d on "
                      "its meeting) and it is sent to the parent as they asked."}
    return {STATUS: SendStatus.APPROVED.value,
            NOTE: "The local authority's rules let this letter go without approval: it is "
                  "sent at the next run.",
            APPROVED_BY: ""}

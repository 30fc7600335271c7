"""The LA site's penalty notice lists, as the app reads them (sharepoint_schema/la-site/:
penalty-notice-requests.json, penalty-notice-register.json, penalty-notices-library.json)."""

from __future__ import annotations

REQUESTS = "Penalty Notice Requests"
REGISTER = "Penalty Notice Register"
LIBRARY = "Penalty Notices"  # the notices, and the evidence each request carried
# The Decision column's choices: the officer's, and the request's state before it.
WAITING, ISSUE, REFUSE, ASK_FOR_MORE = ("Waiting for a decision", "Issue", "Refuse",
                                        "Ask for more")
OPEN_DECISIONS = (WAITING, ASK_FOR_MORE)  # a request the LA has not finished with

"""From a change staff make in a list to the letters filed in the case folder and the item
written back, in plain words, with what was made or why not.

Hearing of changes: ``notifications`` (the webhook's bodies, standard library only: the HTTP
trigger imports it at a cold start) and ``subscriptions`` (one live subscription a list).
The sweep: ``processor`` (the lists' changes, delta links, items kept for the next sweep),
``case_work`` (what one case's changes call for), ``sweep_report`` (its settings, what it
needs of SharePoint, its report). Beside it: ``outbox`` (Teams alerts kept until they go),
``own_writes`` (our own write-backs recognised) and ``case_summaries`` (the Cases item's
Tier, Attendance (%) and Severe absence kept true).

May import: the domain, the documents, ``case_lists``, the shared ``ports`` and ``filing``,
``legal`` (the types of a referral the sweep prepares), and the adapters' errors, records,
Teams cards and post results; never a Graph client or ``bootstrap``.
"""

"""`casework demo`: one autumn term of attendance casework at three fictional schools,
typed into the local dev tenant's SharePoint lists as staff would, week by week, with the
change processor filing the documents as it goes.

scenario: the term, as data. typing: writing it into the lists as a member of staff.
runner: the flow, the progress lines and the summary.
"""

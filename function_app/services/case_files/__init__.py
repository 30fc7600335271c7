"""A case as a file: read and check a case from its JSON form (``case_input``), and say what
the guidance says happens next, as text or JSON (``assessment_report``).

For `casework assess`, `readiness` and `render`, and the template check's sample case; the
lists are read into the same case input (``case_lists.list_mapping``).

May import: the domain. Nothing else of the app.
"""

"""The casework lists as the app reads and writes a case in them.

``list_columns`` (each column's internal name, the name staff see, where its value goes in
the case input), ``case_items`` (one case's items and a problem found on one of them),
``item_reading`` and ``list_mapping`` (items into the case input, every problem put on its
item and column), ``list_items`` (a case input back into items, for the demo and tests) and
``snapshot`` (every item of every list, read once per sweep, indexed by case).

Shared by the sweep, the reminders, the attendance import and the Graph adapter's Cases
list. May import: the domain, ``case_files`` and the Graph adapter's records; never the
rooms that use it.
"""

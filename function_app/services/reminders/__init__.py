"""The reviews due in the coming week and those overdue, across every open case, gathered
every weekday morning for the Inclusion Officer's Teams channel (``reviews``).

May import: the domain, ``case_lists`` and the adapters' records and Teams post results;
never the sweep, a Graph client or ``bootstrap``.
"""

"""The LA's penalty notice process (issue 19), on the LA's own site: schools' requests
(the Penalty Notice Requests list), the register of every notice issued (the Penalty
Notice Register list), payments, and the figures for the DfE return. The rules are the
domain's (``domain.penalty_register``, ``domain.penalty_requests``).

May import: the domain, the documents, the shared ``ports``, ``filing``, ``site_state`` and
``clock``, ``case_lists``, ``delivery``, and the Graph adapter's errors and records; never
the sweep, a Graph client or ``bootstrap``.
"""

"""The legal referral: when staff tick "Prepare legal referral" (the sweep calls it) or run
`casework bundle`, check the case's readiness for legal intervention and file its evidence
bundle in the case folder's Legal subfolder, once per case state (``legal_referral``).

May import: the domain, the documents, the shared ``ports`` and ``filing``, and the Graph
adapter's errors and records; never the sweep, a Graph client or ``bootstrap``.
"""

"""`casework doctor`: is this installation ready to run, and if not, the one thing to do
about each problem (``diagnosis``): the machine's settings, credential, templates, state
store and webhooks (``local_checks``), then the site and its lists through Microsoft Graph
(``site_checks``), and which mailbox the school's letters to parents are emailed from
(``mail_checks``); each a ``Check`` (``check``).

May import: everything it checks: ``bootstrap`` (the state store and the Graph client as
the app makes them), the Graph client, the Teams adapter, the documents' template check,
the settings, ``provisioning`` (what the lists should be) and ``schools`` (the Schools
list's entries). Nothing imports it but the
CLI.
"""

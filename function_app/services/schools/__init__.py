"""The schools a deployment serves, a SharePoint site each (issue 17: "a school is a site").

Owns the registry of schools (``registry``: who they are, where their site is, which
policy profile and Teams channel they use, and why a registry is refused) and the sweep of
every school's site, concurrently within a bound, one failing site never stopping the
others (``sweep``), and which school a change notification is for (``routing``).

May import the domain (profiles), ``services.casework_sweep``'s report and subscription
types and the shared service modules; never a Graph client or ``bootstrap``: a school's
sweep is given to it as a function.
"""

"""The use cases, one room each, named for what they do for a person:

- ``case_files``: read a case from its JSON file and report its assessment (`casework
  assess`, `readiness`, `render`, and the template check's sample case).
- ``case_lists``: the casework lists as the app reads and writes a case in them: columns,
  items, the mapping from items to the case input and back, one sweep's snapshot.
- ``casework_sweep``: from a change staff make in a list to the letters filed in the case
  folder and the item written back: notifications, subscriptions, the sweep, each case's
  work, the Teams outbox, the summary columns.
- ``reminders``: the reviews due and overdue, gathered every morning for the officers.
- ``attendance_import``: an MIS attendance export to cases opened and figures brought up to
  date (`casework import attendance`).
- ``legal``: the legal referral: readiness and the evidence bundle, for the Lead Officer.
- ``provisioning``: the site given its lists, columns, views, formatting and forms, or the
  equivalent site script (`casework provision`, `site-script`).
- ``doctor``: is this installation ready, and if not, what to fix (`casework doctor`).
- ``schools``: the schools served, a SharePoint site each: the registry and the sweep of
  every school's site.

Shared by the rooms, here at the top: ``ports`` (the interfaces the adapters implement),
``clock`` (UK time), ``files`` (writing a file whole), ``filing`` (a document claimed and
filed in its case folder exactly once, by the sweep and by the legal referral alike) and
``site_state`` (one school's part of the state store).

A room imports the domain, the documents, ``function_app.imports``, the shared modules here,
the rooms it names in its own docstring, and the adapters' errors and value types; never a
Graph client or ``bootstrap`` (``doctor`` alone, which checks that the wiring works). These
``__init__`` files import nothing, so importing one room loads none of the others.
"""

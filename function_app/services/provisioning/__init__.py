"""The site given what the product needs: lists, library, columns (``provision`` carrying
out ``provisioning_plan``), then views, formatters, forms and validation
(``provision_formatting``), all from ``sharepoint_schema/`` (``list_schema``,
``list_formatting``); or the equivalent SharePoint site script (``site_script``). Never
deletes. For `casework provision`, `casework site-script` and the demo.

May import: the domain and the adapters' errors and records; no other room.
"""

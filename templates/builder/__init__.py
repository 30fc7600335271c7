"""The template builder, by document family; templates/build_templates.py is its entry point.

house_style: the page, fonts, colours and the low-level pieces; template: the Template
class (styles, letterhead, footer, body, saving); sections: the sections several templates
share; then one module per family: invitations, letters, meeting_records, forms, reports.
"""

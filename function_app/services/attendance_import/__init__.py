"""An MIS attendance export to cases: every pupil assessed, compared with the school's
previous import (``import_history``), cases opened for those the rules say need one and the
figures of every existing case brought up to date (``import_cases``), start to finish
(``importer``), for `casework import attendance` and the demo.

May import: the domain, ``function_app.imports`` (reading the exports), ``case_lists``, the
shared ``ports`` and the Graph adapter's errors; never the sweep, a Graph client or
``bootstrap``.
"""

"""The Azure Functions triggers, one blueprint per trigger kind (http, queues, timers).

Each is thin: read what arrived, call a service, answer. Importing them loads only
azure.functions, the standard library and a few small services (notifications, clock);
the domain, bootstrap and whatever talks to Graph or renders documents are imported inside
the function on its first call, so a cold start stays cheap (issue 16). The app
itself is ``casework_functions.py`` at the repository root (PYTHON_SCRIPT_FILE_NAME): a
``function_app.py`` there would be shadowed by this ``function_app`` package.
"""

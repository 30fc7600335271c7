"""The Azure Functions triggers, one blueprint per trigger kind (http, queues, timers).

Each is thin: read what arrived, call a service, answer. Importing them loads only
azure.functions and the standard library; whatever talks to Graph or renders documents is
imported inside the function on its first call, so a cold start stays cheap. The app
itself is ``casework_functions.py`` at the repository root (PYTHON_SCRIPT_FILE_NAME): a
``function_app.py`` there would be shadowed by this ``function_app`` package.
"""

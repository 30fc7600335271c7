"""The Azure Functions app: registers the trigger blueprints, nothing else.

The Python worker imports the stem of PYTHON_SCRIPT_FILE_NAME (this file, named so because
a function_app.py here would be shadowed by the function_app package) and takes the one
FunctionApp among its top-level names. See docs/functions.md.
"""

import azure.functions as func

from function_app.triggers import http, queues, timers

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
app.register_functions(http.bp)
app.register_functions(queues.bp)
app.register_functions(timers.bp)

"""The app is found the way the Functions Python worker finds it, and declares what we mean."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .support import ROOT, setting_names

pytestmark = pytest.mark.functions
HEAVY = ("msgraph", "azure.identity", "docxtpl", "jsonschema", "docx", "kiota_abstractions")
# Issue 16: importing the app imports no more of ours than its triggers need at index
# time. Besides the triggers (and the packages enclosing what is loaded), only these small,
# standard-library-only services, by their own name wherever they sit among the services;
# the domain, documents, adapters, bootstrap, settings and every other service load inside
# the functions, when they run.
AT_INDEX = ("clock", "notifications")

# What the worker does (azure_functions_worker loader.index_function_app, and the
# parameter checks of FunctionRegistry.add_indexed_function), in a fresh interpreter
# whose working directory is the app root.
WORKER = r"""
import importlib, json, sys, typing
from pathlib import Path

module = importlib.import_module(Path(sys.argv[1]).stem)

from azure.functions import FunctionRegister, Out, meta

apps = [name for name in module.__dir__()
        if isinstance(getattr(module, name, None), FunctionRegister)]
functions = getattr(module, apps[0]).get_functions() if len(apps) == 1 else []
registry = meta.get_binding_registry()
found = []
for f in functions:
    user = f.get_user_function()
    hints = typing.get_type_hints(user)
    mismatched = []
    for b in f.get_bindings():
        if b.name == "$return":
            ok = registry.get(b.type).check_output_type_annotation(hints["return"])
        elif str(b.get_dict_repr()["direction"]) == "OUT":
            hint = hints[b.name]
            ok = (typing.get_origin(hint) is Out and
                  registry.get(b.type).check_output_type_annotation(typing.get_args(hint)[0]))
        else:
            ok = registry.get(b.type).check_input_type_annotation(hints[b.name])
        if not ok:
            mismatched.append(b.name)
    found.append({"name": f.get_function_name(), "trigger": f.get_trigger().type,
                  "bindings": json.loads(f.get_function_json())["bindings"],
                  "is_async": __import__("inspect").iscoroutinefunction(user),
                  "mismatched": mismatched})
heavy = sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in HEAVY))
ours = {m for m in sys.modules if m == "function_app" or m.startswith("function_app.")}
needed = {m for m in ours if m.startswith("function_app.triggers")
          or (m.startswith("function_app.services.") and m.rsplit(".", 1)[-1] in AT_INDEX)}
needed |= {m.rsplit(".", i)[0] for m in needed for i in range(1, m.count(".") + 1)}
on_call = sorted(ours - needed)
print(json.dumps({"apps": apps, "functions": found, "heavy": heavy, "on_call": on_call}))
"""


def sample() -> dict[str, str]:
    data = json.loads((ROOT / "local.settings.json.sample").read_text(encoding="utf-8"))
    values: dict[str, str] = data["Values"]
    return values


@pytest.fixture(scope="module")
def indexed() -> dict[str, Any]:
    script = sample()["PYTHON_SCRIPT_FILE_NAME"]
    names = f"HEAVY = {HEAVY!r}\nAT_INDEX = {AT_INDEX!r}\n"
    done = subprocess.run([sys.executable, "-c", names + WORKER, script],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def by_name(indexed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["name"]: f for f in indexed["functions"]}


def test_the_script_file_is_a_bare_file_at_the_app_root() -> None:
    """PYTHON_SCRIPT_FILE_NAME names a file at the root, not in a folder, and not
    function_app.py, which the function_app package would shadow."""
    script = sample()["PYTHON_SCRIPT_FILE_NAME"]
    assert script == Path(script).name and script.endswith(".py")
    assert (ROOT / script).is_file()
    assert Path(script).stem != "function_app"
    assert not (ROOT / "function_app.py").exists()


def test_exactly_one_function_app_is_found_at_the_top_level(indexed: dict[str, Any]) -> None:
    """Importing the script's stem in a fresh interpreter gives one FunctionRegister."""
    assert indexed["apps"] == ["app"]


def test_every_function_has_its_trigger_and_bindings(indexed: dict[str, Any]) -> None:
    """Eight functions, each with the trigger, queue names, schedule and route intended."""
    functions = by_name(indexed)
    assert sorted(functions) == sorted(["notifications", "process_list_changes",
                                        "record_poisoned_changes", "renew_subscriptions",
                                        "sweep_changes", "send_letters", "penalty_notices",
                                        "daily_reminders"])
    http = functions["notifications"]
    assert http["trigger"] == "httpTrigger"
    bindings = {b["name"]: b for b in http["bindings"]}
    assert bindings["req"] == {"direction": "IN", "type": "httpTrigger", "name": "req",
                               "methods": ["POST"], "authLevel": "ANONYMOUS",
                               "route": "notifications"}
    assert bindings["changes"] == {"direction": "OUT", "type": "queue", "name": "changes",
                                   "queueName": "process-list-changes",
                                   "connection": "AzureWebJobsStorage"}
    assert bindings["$return"] == {"direction": "OUT", "type": "http", "name": "$return"}
    for name, queue in (("process_list_changes", "process-list-changes"),
                        ("record_poisoned_changes", "process-list-changes-poison")):
        assert functions[name]["trigger"] == "queueTrigger"
        assert functions[name]["bindings"] == [
            {"direction": "IN", "type": "queueTrigger", "name": "msg", "queueName": queue,
             "connection": "AzureWebJobsStorage"}]
    schedules = {"renew_subscriptions": "0 0 */6 * * *", "sweep_changes": "0 */15 * * * *",
                 "send_letters": "0 * * * * *", "penalty_notices": "0 */5 * * * *",
                 "daily_reminders": "0 0 7,8 * * 1-5"}
    for name, schedule in schedules.items():
        assert functions[name]["trigger"] == "timerTrigger"
        assert functions[name]["bindings"] == [
            {"direction": "IN", "type": "timerTrigger", "name": "timer", "schedule": schedule}]


def test_parameter_types_pass_the_workers_binding_checks(indexed: dict[str, Any]) -> None:
    """Each parameter's annotation is one the binding's converter accepts (the worker
    refuses to load a function otherwise: func.Out[list[str]] would fail here), and no
    function is a coroutine that would run on the worker's own event loop."""
    assert {f["name"]: f["mismatched"] for f in indexed["functions"]} == {
        f["name"]: [] for f in indexed["functions"]}
    # Plain functions run on the worker's thread pool; their async work has its own loop.
    assert not any(f["is_async"] for f in indexed["functions"])


def test_indexing_loads_no_sdk_client(indexed: dict[str, Any]) -> None:
    """Importing the app and listing its functions imports no msgraph, azure.identity,
    docxtpl or jsonschema: those load inside the functions, on first use."""
    assert indexed["heavy"] == []


def test_indexing_loads_none_of_the_domain(indexed: dict[str, Any]) -> None:
    """Importing the app and listing its functions loads none of the domain (some 35 ms
    of a cold start when a timer imported it), the documents, the adapters, bootstrap,
    settings or the services a trigger calls: only the triggers and the clock and
    notification parsing they share. Each trigger imports the rest when it runs (issue 16;
    the cold start benchmark is tests/benchmarks/bench_cold_start.py)."""
    assert indexed["on_call"] == []


def test_the_sample_settings_name_every_setting_the_app_reads() -> None:
    """local.settings.json.sample has each setting Settings reads, the worker's own, and
    placeholders only (no secret values)."""
    values = sample()
    assert setting_names() <= set(values)
    assert values["FUNCTIONS_WORKER_RUNTIME"] == "python"
    assert values["AzureWebJobsStorage"] == "UseDevelopmentStorage=true"
    assert all(isinstance(v, str) for v in values.values())
    for secret in ("CASEWORK_CLIENT_STATE", "GRAPH_DEV_TOKEN", "GRAPH_CERTIFICATE_PATH"):
        assert values[secret] == ""

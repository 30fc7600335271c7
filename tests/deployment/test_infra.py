"""infra/: the Bicep sets every setting the app reads in Azure, and its parameters file
fits it. No Bicep compiler could be installed from a package registry here, so these
checks read main.bicep as text; they do not prove that it compiles or deploys."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from function_app.settings import Settings
from function_app.triggers import support

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
BICEP = (ROOT / "infra" / "main.bicep").read_text(encoding="utf-8")
PARAMETERS = ROOT / "infra" / "main.parameters.example.json"
# Settings the Python reads that must not be set in Azure, and why.
NOT_IN_AZURE = {
    "GRAPH_DEV_TOKEN": "the local dev tenant's token; never sent anywhere but loopback",
    "GRAPH_CERTIFICATE_PATH": "in Azure the app signs in as its managed identity",
    "CASEWORK_STATE": "the SQLite file, used only when CASEWORK_STATE_CONNECTION is unset",
}


class _Recording(dict[str, str]):
    """An empty environment that remembers every name asked of it."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        self.asked.append(key)
        return default


def settings_read() -> set[str]:
    env = _Recording()
    Settings.from_environment(env)
    return set(env.asked)


def app_settings() -> dict[str, str]:
    """The app settings block of main.bicep: name -> the Bicep expression set."""
    lines = BICEP.splitlines()
    start = next(i for i, line in enumerate(lines) if "resource appSettings 'config'" in line)
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = next(i for i in range(start + 1, len(lines)) if lines[i] == " " * indent + "}")
    found = {}
    for line in lines[start + 1:end]:
        match = re.match(rf"^ {{{indent + 4}}}([A-Za-z_][A-Za-z0-9_]*): (.+)$", line)
        if match:
            found[match.group(1)] = match.group(2).strip()
    return found


def bicep_params() -> dict[str, str]:
    """Each `param name type [= default]` line: name -> the rest of the line."""
    return {m.group(1): m.group(2) for m in re.finditer(r"^param (\w+) (.*)$", BICEP, re.M)}


def decorators_of(name: str) -> str:
    """The decorator lines directly above `param name`."""
    lines = BICEP.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(f"param {name} "))
    above = []
    for line in reversed(lines[:at]):
        if not line.startswith("@"):
            break
        above.append(line)
    return "\n".join(above)


def test_every_setting_the_app_reads_in_azure_is_set() -> None:
    """Each name Settings.from_environment reads is an app setting in main.bicep, unless it
    is one of the few that must not be set in Azure, and those are not."""
    read = settings_read()
    assert read, "Settings.from_environment read nothing: the recording is broken"
    settings = app_settings()
    missing = sorted(read - set(settings) - set(NOT_IN_AZURE))
    assert not missing, f"main.bicep does not set {missing}"
    assert not set(NOT_IN_AZURE) & set(settings), "a setting for local use only is set in Azure"
    assert set(NOT_IN_AZURE) <= read, "NOT_IN_AZURE names a setting the app no longer reads"


def test_the_functions_settings_follow_the_app() -> None:
    """The worker loads casework_functions.py, Graph posts to the notifications function on
    the app's own host, the client state comes from a secure parameter, and the queues are
    the ones the triggers use."""
    settings = app_settings()
    assert settings["PYTHON_SCRIPT_FILE_NAME"] == "'casework_functions.py'"
    assert (ROOT / "casework_functions.py").is_file()
    assert settings["CASEWORK_NOTIFICATION_URL"] == \
        "'https://${functionApp.properties.defaultHostName}/api/notifications'"
    assert settings["CASEWORK_CLIENT_STATE"] == "clientState"
    assert "@secure()" in decorators_of("clientState")
    assert "@minLength(32)" in decorators_of("clientState")
    assert f"var changesQueueName = '{support.CHANGES_QUEUE}'" in BICEP
    assert f"{support.CHANGES_QUEUE}-poison" == support.POISON_QUEUE
    assert "name: '${changesQueueName}-poison'" in BICEP
    assert support.CONNECTION == "AzureWebJobsStorage"


def test_the_app_reaches_storage_and_graph_as_its_managed_identity() -> None:
    """Host storage, deployment and Application Insights use the user-assigned identity:
    no AzureWebJobsStorage connection string, and AZURE_CLIENT_ID names that identity."""
    settings = app_settings()
    assert "AzureWebJobsStorage" not in settings
    assert settings["AzureWebJobsStorage__credential"] == "'managedidentity'"
    assert settings["AzureWebJobsStorage__clientId"] == "appIdentity.properties.clientId"
    assert settings["AZURE_CLIENT_ID"] == "appIdentity.properties.clientId"
    assert "type: 'UserAssignedIdentity'" in BICEP
    assert "userAssignedIdentityResourceId: appIdentity.id" in BICEP
    assert "Authorization=AAD" in settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]
    assert "DisableLocalAuth: true" in BICEP


def test_it_is_a_flex_consumption_app_on_python_3_11() -> None:
    """FC1 plan, runtime python 3.11 in functionAppConfig, and none of the app settings the
    Flex Consumption plan no longer takes."""
    assert "tier: 'FlexConsumption'" in BICEP and "name: 'FC1'" in BICEP
    assert re.search(r"runtime: \{\s*name: 'python'\s*version: '3\.11'\s*\}", BICEP)
    assert "kind: 'functionapp,linux'" in BICEP
    deprecated = {"FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION",
                  "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_CONTENTSHARE",
                  "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "SCM_DO_BUILD_DURING_DEPLOYMENT"}
    assert not deprecated & set(app_settings())


def test_secrets_come_only_from_secure_parameters_without_defaults_in_files() -> None:
    """Every parameter that carries a secret is @secure(), has no secret default, and is
    absent from the example parameters file (it is given on the command line)."""
    secret = {"clientState", "teamsLaWebhook", "teamsSchoolWebhooks", "teamsLegalWebhook"}
    params = bicep_params()
    for name in secret:
        assert "@secure()" in decorators_of(name), name
        assert "=" not in params[name] or params[name].endswith("= ''"), name
    example = json.loads(PARAMETERS.read_text(encoding="utf-8"))
    assert not secret & set(example["parameters"])


def test_the_example_parameters_fit_the_template() -> None:
    """The example file is a deployment parameters file naming only declared parameters,
    with every required one that is not a secret."""
    example = json.loads(PARAMETERS.read_text(encoding="utf-8"))
    assert example["$schema"].endswith("/deploymentParameters.json#")
    params = bicep_params()
    assert set(example["parameters"]) <= set(params)
    required = {name for name, rest in params.items() if "=" not in rest}
    secure = {name for name in params if "@secure()" in decorators_of(name)}
    assert required - secure <= set(example["parameters"])
    for value in example["parameters"].values():
        assert set(value) == {"value"}
    site = example["parameters"]["sharePointSite"]["value"]
    assert Settings(site_url=site).site == ("contoso.sharepoint.com", "/sites/attendance")

"""No log line names a pupil or a parent, at any level, from any library.

A whole sweep against the dev tenant runs with every logger at DEBUG (httpx's request lines,
httpcore's headers, the SDK's, ours) and a handler on the root logger; none of the names of
the case's pupil and parents may appear in any record: its formatted message, its message
and arguments, its exception text or its stack text.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from function_app import bootstrap
from function_app.adapters.log_privacy import protect_logs, redact
from function_app.devtenant import DevTenant
from function_app.services.provisioning.list_schema import load_lists
from function_app.services.provisioning.provision import provision
from tests.integration.helpers import Site, client, example

PUPIL = ("Marisol", "Quenby")
MOTHER = ("Odessa", "Quenby")
FATHER = ("Thaddeus", "Varnham")
NAMES = {*PUPIL, *MOTHER, *FATHER}


class Everything(logging.Handler):
    """Keeps every record it is given, formatted as a handler would format it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.append(self.format(record))


@pytest.fixture
def every_log_line() -> Iterator[Everything]:
    """Root and every logger that exists at DEBUG, a handler on the root; all put back."""
    root = logging.getLogger()
    handler = Everything()
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    levels = {name: logger.level for name, logger in logging.Logger.manager.loggerDict.items()
              if isinstance(logger, logging.Logger)}
    root_level = root.level
    for name in levels:
        logging.getLogger(name).setLevel(logging.NOTSET)  # all inherit the root's DEBUG
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(root_level)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def the_case() -> dict[str, object]:
    data = example("aim-review-no-engagement.json")
    pupil = dict(data["pupil"])
    pupil.update(forename=PUPIL[0], surname=PUPIL[1])
    mother, father = (dict(c) for c in data["carers"])
    mother.update(first_name=MOTHER[0], last_name=MOTHER[1])
    father.update(first_name=FATHER[0], last_name=FATHER[1])
    data.update(pupil=pupil, carers=[mother, father])
    return data


def texts(record: logging.LogRecord) -> list[str]:
    return [record.getMessage(), str(record.msg), repr(record.args), record.exc_text or "",
            record.stack_info or ""]


@pytest.mark.integration
def test_a_sweep_logged_at_debug_names_no_pupil_or_parent(tmp_path: Path,
                                                          every_log_line: Everything) -> None:
    """A case with a pupil and two parents is typed in and swept: letters are filed into the
    case folder (whose path holds the pupil's name, and whose files hold the parents'), and
    no record at any level names any of them. The lines stay useful: method, host, status."""

    async def run() -> int:
        with DevTenant(tmp_path / "tenant") as tenant:
            settings = bootstrap.settings_for_dev_tenant(tenant.base_url, tenant.hostname,
                                                         tenant.site_path, tmp_path)
            # The app's client as the product wires it: bootstrap installs the log privacy.
            app = bootstrap.graph_client(settings, token=tenant.app_token)
            site = Site(tenant, app, client(tenant, tenant.user_token("Priya Shah")))
            await provision(site.app, load_lists())
            site.lists = await site.app.lists()
            await site.type_case(the_case())
            report = await site.processor(tmp_path / "state.sqlite").sweep()
            return len(report.filed)

    assert asyncio.run(run()) == 6
    leaks = [line for record, line in zip(every_log_line.records, every_log_line.lines,
                                          strict=True)
             if any(name.casefold() in text.casefold()
                    for text in (*texts(record), line) for name in NAMES)]
    assert leaks == []
    requests = [line for line in every_log_line.lines if line.startswith("httpx INFO HTTP")]
    assert any(" PUT http://127.0.0.1:" in line and "201 Created" in line for line in requests)
    assert any(":/<path #" in line for line in requests)
    assert len(every_log_line.records) > 500  # DEBUG really was on: httpcore's lines too


def test_an_exception_logged_with_a_path_is_scrubbed(every_log_line: Everything) -> None:
    """Exception text and arguments are scrubbed too, for a handler added after
    protect_logs ran (the record factory does it as each record is made)."""
    protect_logs()
    log = logging.getLogger("tests.log_privacy")
    url = ("https://graph.microsoft.com/v1.0/drives/b!x/root:/Case Files/ATT-2026-0001 Mason "
           "Kerr/2026-09-11 Letter of concern - Jo Kerr.docx:/content")
    try:
        raise RuntimeError(f"failed: PUT {url}")
    except RuntimeError:
        log.exception("upload to %s failed", url)
    (record,) = [r for r in every_log_line.records if r.name == "tests.log_privacy"]
    for text in (*texts(record), every_log_line.lines[-1]):
        assert "Kerr" not in text and "Mason" not in text
    assert "/root:/<path #" in record.getMessage()
    assert record.getMessage().endswith(":/content failed")


@pytest.mark.parametrize(("line", "kept", "gone"), [
    ('HTTP Request: GET http://127.0.0.1:1/v1.0/drives/b!x/root:/School/ATT-1%20Kerr%2C%20'
     'Mason "HTTP/1.1 404 Not Found"', ['/root:/<path #', '"HTTP/1.1 404 Not Found"'], "Kerr"),
    ("PUT /v1.0/drives/d/items/01AB:/2026%20Letter%20-%20Jo%20Kerr.docx:/content?a=1",
     ["/items/01AB:/<path #", ":/content?a=1"], "Kerr"),
    ("Request URL: 'https://g/v1.0/drives/d/root%3A/Case%20Files/Kerr%3A/children'",
     ["root%3A/<path #", "%3A/children'"], "Kerr"),
    ("GET /v1.0/sites/s/lists/l/items?$filter=fields/Surname eq 'Kerr'&$top=5",
     ["$filter=<#", "&$top=5"], "Kerr"),
    ("(b'Content-Disposition', b'attachment; filename=\"Letter - Jo Kerr.docx\"')",
     ["filename=<#"], "Kerr"),
    ("GET /_api/web/GetFileByServerRelativeUrl('/sites/a/Case Files/Kerr.docx')/$value",
     ["GetFileByServerRelativeUrl(<#"], "Kerr"),
    ("GET /v1.0/sites/devtenant.sharepoint.local:/sites/attendance 200",
     ["sharepoint.local:/sites/attendance 200"], "<"),
])
def test_paths_and_query_values_are_replaced_by_digests(line: str, kept: list[str],
                                                        gone: str) -> None:
    clean = redact(line)
    assert gone not in clean
    for part in kept:
        assert part in clean
    assert redact(line) == clean  # the same path, the same digest, within a process

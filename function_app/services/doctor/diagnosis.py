"""`casework doctor`: is this installation ready to run, and if not, what to do about it.

Each check names what it looked at, says in plain words what it found and, when something
is wrong, the one thing to do next. The settings and the credential are checked first;
Microsoft Graph is asked only when they are right (so a machine with no credential never
reaches out to look for one). Secrets (the client state, the dev token, Teams webhook
addresses, anything in a notification URL's query) never appear in what is returned.

    checks = await diagnose(Settings.from_environment())
    print(format_checks(checks))
    exit_code = 0 if all(check.ok for check in checks) else 1
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from urllib.parse import urlparse

from function_app import bootstrap
from function_app.settings import Settings

from .check import Check, connection_part
from .la_checks import la_site_lists
from .local_checks import (
    credential,
    document_settings,
    graph_base,
    notifications,
    site_setting,
    state_store,
    teams,
    templates,
    webhook_secrets,
)
from .mail_checks import NAME as LETTERS_BY_EMAIL
from .mail_checks import RegistryReader, letters_by_email, mailbox_check
from .site_checks import GraphFactory, graph_checks


async def diagnose(settings: Settings, graph_factory: GraphFactory = bootstrap.graph_client,
                   env: Mapping[str, str] | None = None,
                   read_registry: RegistryReader = bootstrap.registry) -> list[Check]:
    """Every check, in the order a person would fix them; secrets masked.

    ``env`` (default: the process environment) is where the Teams webhooks are read (they
    are not on ``Settings`` yet) and how a managed identity is recognised;
    ``read_registry`` reads the LA site's Schools list (for the school's mailbox) when the
    deployment serves many schools.
    """
    env = os.environ if env is None else env
    essentials = [site_setting(settings), graph_base(settings), credential(settings, env)]
    checks = [*essentials, document_settings(settings)]
    if all(check.ok for check in essentials):
        checks += await graph_checks(settings, graph_factory)
        checks += await la_site_lists(settings, graph_factory)
    else:
        checks.append(Check("SharePoint site", False,
                            "not asked: the settings above must be right first",
                            "fix the settings above, then run casework doctor again"))
    checks += [templates(settings), state_store(settings)]
    if not settings.serves_many_schools:
        checks.append(mailbox_check(settings, None))
    elif all(check.ok for check in essentials):
        checks.append(await letters_by_email(settings, read_registry))
    else:
        checks.append(Check(LETTERS_BY_EMAIL, False,
                            "not asked: the settings above must be right first",
                            "fix the settings above, then run casework doctor again"))
    checks += notifications(settings.notification_url, settings.client_state)
    checks.append(teams(env))
    secrets = [settings.dev_token, settings.client_state, settings.state_connection,
               *_connection_keys(settings.state_connection),
               *webhook_secrets(env),
               *_query_values(settings.notification_url)]
    return [_masked(check, secrets) for check in checks]


def format_checks(checks: Sequence[Check]) -> str:
    """The checks as a person reads them: one line each, a fix under each failure."""
    lines = []
    for check in checks:
        lines.append(f"{'ok  ' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
        if not check.ok and check.fix:
            lines.append(f"      to fix: {check.fix}")
    failed = sum(not check.ok for check in checks)
    lines.append("")
    lines.append("All good: nothing to fix." if not failed else
                 f"{failed} problem{'s' if failed > 1 else ''} to fix, each with what to do.")
    return "\n".join(lines)


def _connection_keys(connection: str) -> list[str]:
    return [v for v in (connection_part(connection, "AccountKey"),
                        connection_part(connection, "SharedAccessSignature")) if v]


def _query_values(url: str) -> list[str]:
    from urllib.parse import parse_qsl

    return [value for _, value in parse_qsl(urlparse(url).query)] if url else []


def _masked(check: Check, secrets: Sequence[str]) -> Check:
    """The check with every secret (of 4 characters or more) replaced by ****."""
    detail, fix = check.detail, check.fix
    for secret in sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True):
        detail, fix = detail.replace(secret, "****"), fix.replace(secret, "****")
    return check._replace(detail=detail, fix=fix)

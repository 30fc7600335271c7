"""The registry of schools: one SharePoint site per school, listed on the LA's site.

An LA or a trust keeps its schools in the **Schools** list of its own site
(``sharepoint_schema/la-site/schools.json``), where an IT admin or the attendance service
adds a school in one item: its name, its site's address, its phase, the policy profile its
cases follow (``domain/profiles``) and the name of its Teams channel. The channel is only a
name: its Workflows webhook URL is a secret and lives in the app settings
(CASEWORK_TEAMS_SCHOOL_WEBHOOKS), never in a list.

A deployment without an LA site serves the one site in SHAREPOINT_SITE as its only school,
as before (``single_school``).

A registry is refused whole, with every reason, when two of its entries name one site (a
site listed twice, or two schools with one site): which school's cases would be whose is
then unknown, and UK GDPR requires each school's data kept to that school. Other problems
(an empty name, an address that is not a site, an unknown profile) leave out that school
only, and say which item and which column to mend.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from function_app.domain.errors import CaseworkError
from function_app.domain.policy import known_profiles

LIST_TITLE = "Schools"
PHASES = ("Primary", "Secondary", "All-through", "Special", "Alternative provision",
          "Post-16")


class RegistryError(CaseworkError):
    """The registry cannot be used as it is: two entries name one site."""


@dataclass(frozen=True, slots=True)
class School:
    name: str
    site_url: str  # https://contoso.sharepoint.com/sites/hillside
    phase: str = ""
    profile: str = ""  # '' for the deployment's default
    teams_channel: str = ""  # a key of CASEWORK_TEAMS_SCHOOL_WEBHOOKS; '' for "school"
    item_id: str = ""  # its item in the Schools list ('' for the single school)
    mailbox: str = ""  # the school's shared mailbox for letters; '' for CASEWORK_MAILBOX

    @property
    def site(self) -> str:
        """The site's address as one key: host and path, lower case, no trailing slash."""
        return site_key(self.site_url)


@dataclass(frozen=True, slots=True)
class Registry:
    schools: tuple[School, ...]
    problems: tuple[str, ...] = ()  # schools left out, and why (for `casework doctor`)


def site_key(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{(parts.hostname or '').lower()}{parts.path.rstrip('/').lower()}"


def single_school(site_url: str, name: str = "") -> Registry:
    """A deployment without an LA site: SHAREPOINT_SITE is its one school."""
    return Registry((School(name, site_url),))


def registry_from_items(items: Iterable[tuple[str, Mapping[str, Any]]]) -> Registry:
    """The registry from the Schools list's items, (id, fields) each: schools in the
    order of their names; a paused school is left out without complaint. RegistryError
    when two entries name one site."""
    profiles = set(known_profiles())
    schools: list[School] = []
    problems: list[str] = []
    for item_id, fields in items:
        if fields.get("Paused") is True:
            continue
        school, problem = _school(item_id, fields, profiles)
        if problem:
            problems.append(problem)
        else:
            assert school is not None
            schools.append(school)
    _refuse_shared_sites(schools)
    return Registry(tuple(sorted(schools, key=lambda s: s.name.casefold())), tuple(problems))


def _school(item_id: str, fields: Mapping[str, Any], profiles: set[str]
            ) -> tuple[School | None, str]:
    name = _text(fields.get("Title"))
    where = f"The Schools list, item {item_id}" + (f" ({name})" if name else "")
    if not name:
        return None, f"{where}: the School name is empty. Type the school's name."
    url = _url(fields.get("SiteUrl"))
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or not parts.path.strip("/"):
        return None, (f"{where}: the Site address {url!r} is not a SharePoint site's address. "
                      "Paste it from the browser, e.g. "
                      "https://contoso.sharepoint.com/sites/hillside.")
    profile = _text(fields.get("PolicyProfile"))
    if profile and profile not in profiles:
        return None, (f"{where}: the Policy profile {profile!r} is not one we know. Choose one "
                      f"of {', '.join(sorted(profiles))}, or leave it empty for the "
                      "deployment's own.")
    phase = _text(fields.get("Phase"))
    return School(name, f"https://{parts.hostname}{parts.path.rstrip('/')}", phase, profile,
                  _text(fields.get("TeamsChannel")), str(item_id),
                  _text(fields.get("Mailbox"))), ""


def _refuse_shared_sites(schools: list[School]) -> None:
    by_site: dict[str, list[School]] = {}
    for s in schools:
        by_site.setdefault(s.site, []).append(s)
    clashes = []
    for group in by_site.values():
        if len(group) < 2:
            continue
        names = sorted({s.name for s in group})
        items = ", ".join(s.item_id for s in group)
        if len(names) == 1:
            clashes.append(f"{names[0]} is listed {len(group)} times with the site "
                           f"{group[0].site_url} (items {items}).")
        else:
            clashes.append(f"{' and '.join(names)} name the same site {group[0].site_url} "
                           f"(items {items}); each school needs its own site.")
    if clashes:
        raise RegistryError("The Schools list cannot be used until this is mended, so no "
                            "school was swept: " + " ".join(clashes))


def _text(value: Any) -> str:
    return str(value).strip() if value not in (None, "") else ""


def _url(value: Any) -> str:
    """A hyperlink column comes as {"Url": ..., "Description": ...}; text as text."""
    if isinstance(value, Mapping):
        value = value.get("Url") or value.get("url") or ""
    return _text(value)

"""`casework doctor`'s check of letters by email (issue 18): which mailbox this school's
letters to parents are emailed from, and whether that looks like an email address.

The mailbox is the school's own (the Mailbox column of its item in the LA site's Schools
list), else CASEWORK_MAILBOX, else none: approved letters then go by post, in the day's
print pack (as ``bootstrap.processor`` chooses). Whether Exchange Online lets the app send
as that mailbox (RBAC for Applications, or an application access policy) cannot be asked
from here without sending an email, which the doctor never does: the check says so, and
names the Exchange command an administrator runs to find out.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from function_app.domain.errors import CaseworkError
from function_app.services.schools.registry import Registry, School, site_key
from function_app.settings import Settings

from .check import Check, first_line

RegistryReader = Callable[[Settings], Awaitable[Registry]]

NAME = "Letters by email"
GUIDE = "docs/deployment.md, section 11, \u201cSending letters to parents by email\u201d"
EXAMPLE = "attendance@hillside.sch.uk"


async def letters_by_email(settings: Settings, read_registry: RegistryReader) -> Check:
    """The check for the site ``settings.site_url``: with many schools, its school's item
    in the Schools list is read (``read_registry``) for the school's own mailbox."""
    if not settings.serves_many_schools:
        return mailbox_check(settings, None)
    try:
        registry = await read_registry(settings)
    except (CaseworkError, OSError) as exc:
        return Check(NAME, False,
                     "the LA site's Schools list could not be read "
                     f"({first_line(exc)}), so which mailbox this school's letters are "
                     "emailed from is not known",
                     "check SHAREPOINT_LA_SITE and the app's access to the LA site, then run "
                     "casework doctor again")
    here = site_key(settings.site_url)
    school = next((s for s in registry.schools if s.site == here), None)
    return mailbox_check(settings, school)


def mailbox_check(settings: Settings, school: School | None) -> Check:
    """What an administrator needs to know about emailing this school's letters."""
    own = (school.mailbox if school else "").strip()
    fallback = settings.mailbox.strip()
    whose = f"{school.name}'s" if school else "this school's"
    column = (f"the Mailbox column of {school.name}'s item in the Schools list"
              if school else "")
    if own:
        mailbox, where = own, column
    elif fallback:
        mailbox = fallback
        where = "CASEWORK_MAILBOX" + (f", as {school.name}'s item in the Schools list "
                                      "names no mailbox of its own" if school else "")
    else:
        set_it = (f"set the Mailbox column of {school.name}'s item in the Schools list, or "
                  "CASEWORK_MAILBOX for every school" if school else
                  "set CASEWORK_MAILBOX")
        return Check(NAME, True,
                     f"no mailbox is set, so {whose} letters to parents go by post: once "
                     "staff approve a letter it is put in the day's print pack. To email "
                     f"letters to parents who ask for email, {set_it} to the school's shared "
                     f"mailbox ({GUIDE})")
    if not looks_like_address(mailbox):
        fix = (f"in {column}" if where == column else "in CASEWORK_MAILBOX")
        return Check(NAME, False,
                     f"{where} is {mailbox!r}, which is not an email address, so no letter "
                     "could be emailed from it: each would go by post instead",
                     f"put the shared mailbox's address alone {fix}, e.g. {EXAMPLE}")
    app = settings.client_id or "<the app's client id>"
    return Check(NAME, True,
                 f"{whose} letters to parents are emailed from {mailbox} (from {where}). "
                 "Not checked from here: whether Exchange Online lets this app send as "
                 f"{mailbox}, as that cannot be known without sending an email. An Exchange "
                 "administrator can check it with: Test-ServicePrincipalAuthorization "
                 f"-Identity {app} -Resource {mailbox} (the role \u201cApplication "
                 "Mail.Send\u201d should show InScope True; see "
                 f"{GUIDE}). Until it is allowed, each letter's email is refused, the letter "
                 "goes by post instead, and its Sending note says why")


def looks_like_address(text: str) -> bool:
    """One plain address, local@domain.tld: not a name with it, not a list, no spaces."""
    local, at, domain = text.rpartition("@")
    return bool(at and local and "@" not in local and "." in domain.strip(".")
                and not domain.startswith(".") and not domain.endswith(".")
                and ".." not in domain
                and not any(c in text for c in " \t<>,;:\"()[]\\/"))

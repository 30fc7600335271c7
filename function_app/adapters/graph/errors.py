"""What can go wrong talking to Microsoft Graph, in the product's own words.

    CaseworkError
    └── GraphError                    any failed Graph request: status, code, what to do
        ├── NotFoundError             404: a site, list, item or file is not there
        ├── ConflictError             409: a name already exists
        │   └── DuplicateValueError   a column that enforces unique values already holds
        │                             the value (Graph: 400 invalidRequest): "already there"
        ├── PreconditionFailedError   412: the item changed since it was read (eTag)
        ├── AccessDeniedError         401/403, or no token from the credential; names
        │                             the permission
        ├── ResyncRequiredError       410: a stored delta link is too old; start again
        ├── ValidationRefusedError    400 "List data validation failed.": the item fails
        │                             the list's or a column's validation formula
        └── GraphUnavailableError     429/5xx or no answer, after retrying

Third-party errors (httpx's transport errors, kiota's RedirectError, azure-identity's
ClientAuthenticationError, anything else the SDK pipeline raises) are mapped at the
boundary in client.py, chained as ``__cause__``, and never escape the adapter;
tests/adapters/test_graph_errors.py checks that each kind maps.
"""

from __future__ import annotations

from function_app.domain.errors import CaseworkError

PERMISSION_ADVICE = ("The app needs the Microsoft Graph application permission Sites.Selected "
                     "with write access granted on this site (or Sites.ReadWrite.All), and a "
                     "valid credential.")


class GraphError(CaseworkError):
    def __init__(self, message: str, status: int = 0, code: str = "",
                 retry_after: float | None = None, location: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.retry_after = retry_after
        self.location = location


class NotFoundError(GraphError):
    pass


class ConflictError(GraphError):
    pass


class DuplicateValueError(ConflictError):
    """SharePoint refused an item create or update because a column that enforces unique
    values (the Cases list's case reference, say) already holds that value on another item.
    Nothing was written. After a create whose answer was lost and that was sent again, it
    means the first one landed: look the item up by that value. ``status`` and ``code`` are
    Graph's (400 invalidRequest) or SharePoint's."""


class PreconditionFailedError(GraphError):
    pass


class AccessDeniedError(GraphError):
    pass


class ResyncRequiredError(GraphError):
    pass


class GraphUnavailableError(GraphError):
    pass


class ValidationRefusedError(GraphError):
    """SharePoint refused an item create or update: the item, as it would be, fails the
    list's validation formula or a column's. Nothing was written; trying again cannot help
    until the values (or the formula) change."""


# SharePoint's text for SPListDataValidationException (a list's or a field's formula fails):
# "List data validation failed." (SharePoint REST: codes -2130575163 a field's formula,
# -2130575162 the list's, -2130575161 both; sources in function_app/devtenant/lists.py).
# Graph v1.0 documents no answer of its own for this, so the refusal is recognised by that
# text or those codes, whatever the status (SharePoint REST answers it with 500; retrying
# cannot help).
VALIDATION_FAILED = "list data validation failed"
VALIDATION_CODES = ("-2130575161", "-2130575162", "-2130575163")
VALIDATION_ADVICE = ("the item fails the list's validation (List settings, Validation "
                     "settings) or a column's; nothing was saved")


# A value taken in a column that enforces unique values. Graph answers 400 invalidRequest
# "One or more fields with unique constraints already has the provided value." (what n8n's
# SharePoint node and UK Export Finance's estore-api match on; sources in
# function_app/devtenant/lists.py, UNIQUE_REFUSED); SharePoint's own text, through its REST
# API with 500 and Microsoft.SharePoint.SPDuplicateValuesFoundException, is "The list item
# could not be added or updated because duplicate values were found in one or more fields
# in the list." (pnp/pnpcore#1280). Recognised by either text or that exception name,
# whatever the status.
DUPLICATE_TEXTS = ("unique constraints already has the provided value",
                   "duplicate values were found in one or more fields")
DUPLICATE_EXCEPTION = "spduplicatevaluesfoundexception"


def is_duplicate_value(code: str, message: str) -> bool:
    """Whether a failed answer says a unique column already holds the value."""
    text = message.casefold()
    return (any(t in text for t in DUPLICATE_TEXTS) or DUPLICATE_EXCEPTION in code.casefold()
            or DUPLICATE_EXCEPTION in text)


def error_for(status: int, code: str, message: str, what: str,
              retry_after: float | None = None, location: str = "") -> GraphError:
    """The error for a failed response; ``what`` says what was being done, in plain words."""
    if is_duplicate_value(code, message):
        return DuplicateValueError(f"{what}: another item already has that value in a column "
                                   f"that must be unique ({message.strip() or code})",
                                   status, code)
    if VALIDATION_FAILED in message.casefold() or code.startswith(VALIDATION_CODES):
        return ValidationRefusedError(f"{what}: SharePoint refused it: {VALIDATION_ADVICE} "
                                      f"({message.strip() or code})", status, code)
    if status == 404:
        return NotFoundError(f"{what}: not found ({message or code}). If a list or library "
                             "is missing, run `casework provision`.", status, code)
    if status == 409:
        return ConflictError(f"{what}: {message or 'it already exists'}", status, code)
    if status == 412:
        return PreconditionFailedError(f"{what}: it was changed by someone else meanwhile",
                                       status, code)
    if status in (401, 403):
        return AccessDeniedError(f"{what}: access denied ({code or status}). "
                                 f"{PERMISSION_ADVICE}", status, code)
    if status == 410:
        return ResyncRequiredError(f"{what}: the stored change link has expired; reading "
                                   "the whole list again", status, code, location=location)
    if status == 429 or status >= 500:
        return GraphUnavailableError(f"{what}: Microsoft Graph is busy or unavailable "
                                     f"({status} {code}); it will be tried again", status, code,
                                     retry_after=retry_after)
    return GraphError(f"{what}: {status} {code} {message}".strip(), status, code)


# What a refusal asks someone to fix.
RECIPIENT = "recipient"  # the carer's email address
MAILBOX = "mailbox"  # the school's mailbox, or the app's permission to send as it
ATTACHMENT = "attachment"  # the letter's file: too large to email



class MailRefusedError(GraphError):
    """Graph refused the message, and will refuse it again until ``fix`` is put right:
    RECIPIENT, MAILBOX or ATTACHMENT. Nothing was sent."""

    def __init__(self, message: str, status: int, code: str, fix: str) -> None:
        super().__init__(message, status, code)
        self.fix = fix


class MailOutcomeUnknownError(GraphError):
    """sendMail got no answer (or 500/502): the message may have been sent, or not. It is
    never sent again by itself: someone looks in the mailbox's Sent Items first."""

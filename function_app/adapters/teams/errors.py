"""What can go wrong posting a card to Teams, in the product's own words.

    CaseworkError
    └── TeamsError                  any failed post; says which audience, never the URL
        ├── NoWebhookError          no webhook URL is set for the audience or school
        ├── WebhookSettingError     a webhook URL that cannot be used (not https, or a
        │                           retired Office 365 connector)
        ├── CardRejectedError       400/413: Teams refused the card; sending it again won't help
        ├── WebhookRefusedError     401/403/404/410: the workflow is gone or the URL is stale
        └── TeamsUnavailableError   429/5xx or no answer, after the retries allowed

httpx's errors are mapped here at the boundary (``raise ... from exc``) and never escape the
adapter. Messages name the audience only: a webhook URL is a secret (its ``sig`` signs it).
"""

from __future__ import annotations

from function_app.domain.errors import CaseworkError


class TeamsError(CaseworkError):
    retry_later = True  # worth trying again on a later sweep without changing the card

    def __init__(self, message: str, audience: str = "", status: int = 0,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.audience = audience
        self.status = status
        self.retry_after = retry_after
        self.attempts = 0  # posts tried before giving up; set by the poster


class NoWebhookError(TeamsError):
    pass


class WebhookSettingError(TeamsError):
    retry_later = False


class CardRejectedError(TeamsError):
    retry_later = False


class WebhookRefusedError(TeamsError):
    pass


class TeamsUnavailableError(TeamsError):
    pass


def error_for(status: int, audience: str, detail: str = "",
              retry_after: float | None = None) -> TeamsError:
    """The error for a refused post; ``detail`` is Teams' own short reason, if any."""
    said = f": {detail}" if detail else ""
    if status in (400, 413):
        return CardRejectedError(f"Teams refused the card for {audience} ({status}){said}",
                                 audience, status)
    if status in (401, 403, 404, 410):
        return WebhookRefusedError(
            f"The Teams webhook for {audience} refused the post ({status}){said}. Check that "
            "its workflow still exists and is turned on, and that the URL set is current.",
            audience, status)
    if status == 429 or status >= 500:
        return TeamsUnavailableError(f"Teams is busy or unavailable for {audience} "
                                     f"({status}){said}; it will be tried again", audience,
                                     status, retry_after)
    return TeamsError(f"Teams answered {status} for {audience}{said}", audience, status)

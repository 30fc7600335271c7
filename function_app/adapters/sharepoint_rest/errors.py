"""What can go wrong talking to SharePoint REST, in the product's own words.

    CaseworkError
    └── SharePointRestError            any failed request: status, SharePoint's code, message
        ├── RestNotFoundError          404 (or SharePoint's "does not exist"): list, field, view
        ├── RestAccessDeniedError      401/403, or no token: names the permission to grant
        └── RestUnavailableError       429/503 after the one retry, or no answer at all

httpx's and azure-identity's errors are mapped in client.py and auth.py, chained as
``__cause__``, and never escape the adapter.
"""

from __future__ import annotations

from function_app.domain.errors import CaseworkError

PERMISSION_ADVICE = ("The app needs the SharePoint (not Graph) application permission "
                     "Sites.Selected with 'manage' (or 'fullcontrol') granted on this site, or "
                     "Sites.FullControl.All, and a certificate or managed identity: SharePoint "
                     "REST refuses app-only tokens made with a client secret.")


class SharePointRestError(CaseworkError):
    def __init__(self, message: str, status: int = 0, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class RestNotFoundError(SharePointRestError):
    pass


class RestAccessDeniedError(SharePointRestError):
    pass


class RestUnavailableError(SharePointRestError):
    pass

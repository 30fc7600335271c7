"""SharePoint REST for what Graph v1.0 cannot do (views, formatters, forms, validation)."""

from .client import SharePointRest
from .errors import (
    RestAccessDeniedError,
    RestNotFoundError,
    RestUnavailableError,
    SharePointRestError,
)

__all__ = ["RestAccessDeniedError", "RestNotFoundError", "RestUnavailableError",
           "SharePointRest", "SharePointRestError"]

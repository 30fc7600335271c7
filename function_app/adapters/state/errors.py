"""What can go wrong keeping state, in the product's own words.

    CaseworkError
    └── StateStoreError            the state store refused a request: status, code, what to do
        └── StateUnavailableError  no answer, or busy (429/5xx), after retrying

The Azure Table store maps azure-core's errors here at its boundary (the original is kept
as ``__cause__``); nothing from azure escapes it. SQLite's errors are not mapped: a local
file that cannot be written is a bug or a full disk, not a condition to handle.
"""

from __future__ import annotations

from function_app.domain.errors import CaseworkError


class StateStoreError(CaseworkError):
    def __init__(self, message: str, status: int = 0, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class StateUnavailableError(StateStoreError):
    pass

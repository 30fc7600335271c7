"""Errors the domain raises, all under CaseworkError.

    CaseworkError
    ├── UnknownProfileError    a profile name that is not shipped
    └── InvalidCaseError       case input with problems; carries every Problem at once
"""

from __future__ import annotations

from dataclasses import dataclass


class CaseworkError(Exception):
    """Base of every error the product raises on purpose."""


class UnknownProfileError(CaseworkError):
    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        self.known = known
        super().__init__(
            f"There is no policy profile called {name!r}. "
            f"Known profiles: {', '.join(known)}."
        )


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input: where it is and what was expected."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '(the whole file)'}: {self.message}"


class InvalidCaseError(CaseworkError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"The case has {len(problems)} {noun}:\n{lines}")

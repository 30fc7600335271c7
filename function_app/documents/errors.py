"""Errors of the document engine, under the product's CaseworkError.

    CaseworkError
    ├── UnknownKindError       a document kind that is not in the catalogue
    ├── TemplateProblemError   a template that cannot be used: names the file and the tag
    └── RenderError            a context the template cannot be filled from
"""

from __future__ import annotations

from function_app.domain.errors import CaseworkError


class UnknownKindError(CaseworkError):
    def __init__(self, kind: str, known: list[str]) -> None:
        self.kind = kind
        super().__init__(f"There is no document kind called {kind!r}. "
                         f"Known kinds: {', '.join(known)}.")


class TemplateProblemError(CaseworkError):
    def __init__(self, template: str, problem: str) -> None:
        self.template = template
        self.problem = problem
        super().__init__(f"{template}: {problem}")


class RenderError(CaseworkError):
    def __init__(self, kind: str, problem: str) -> None:
        self.kind = kind
        self.problem = problem
        super().__init__(f"Cannot produce {kind}: {problem}")

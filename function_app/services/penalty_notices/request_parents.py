"""The request's "Parents" column: one line per parent, written by the school's request and
read by the LA's run, in one place so the two always agree.

A line is "Name; address lines, joined by commas; email" (the email only when there is
one), readable by the officer deciding the request: "Stacey Clarke; 9 Mill Street,
Bedford, MK40 3HD". The name is everything before the first ";".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from function_app.domain.model import Carer


@dataclass(frozen=True, slots=True)
class Parent:
    """A parent as the request names them."""

    name: str
    address: tuple[str, ...]
    email: str

    @classmethod
    def of(cls, line: str) -> Parent:
        parts = [p.strip() for p in line.split(";")]
        email = parts[-1] if len(parts) > 2 and "@" in parts[-1] else ""
        address = tuple(a.strip() for a in (parts[1] if len(parts) > 1 else "").split(",")
                        if a.strip())
        return cls(parts[0], address, email)

    def carer(self, n: int) -> Carer:
        """As the register counts them (by full name): the n-th parent of the request."""
        first, _, last = self.name.partition(" ")
        return Carer(str(n), first, last, "", True, address="\n".join(self.address),
                     email=self.email)


def parents_text(carers: Iterable[Carer]) -> str:
    """The column's text for the parents a request names."""
    return "\n".join(_line(c) for c in carers)


def parents_in(text: object) -> list[Parent]:
    """The parents a request's column names, in order."""
    return [Parent.of(line) for line in str(text or "").splitlines() if line.strip()]


def _line(carer: Carer) -> str:
    address = ", ".join(ln.strip() for ln in carer.address.splitlines() if ln.strip())
    return "; ".join(x for x in (carer.full_name, address, carer.email.strip()) if x)

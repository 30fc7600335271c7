"""The catalogue of document kinds: templates/catalogue.json, read once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from function_app.domain.model import Meeting

from .errors import UnknownKindError

SHIPPED_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@dataclass(frozen=True, slots=True)
class DocumentKind:
    kind: str
    title: str
    file: str
    audience: str
    per: str  # "carer" or "case"
    meeting_kinds: frozenset[str]
    meeting_statuses: frozenset[str]
    stages: frozenset[str]
    file_name: str
    needs: frozenset[str]
    source: str
    # produced_by.rearranged: True only for a meeting marked rearranged, False only for one
    # that is not, None (not given) for either
    rearranged: bool | None = None

    @property
    def per_carer(self) -> bool:
        return self.per == "carer"

    def fits(self, meeting: Meeting) -> bool:
        """Whether this kind is made from this meeting: its kind, status and, where the
        catalogue says, whether it has been rearranged."""
        return (meeting.kind.value in self.meeting_kinds
                and (not self.meeting_statuses or meeting.status.value in self.meeting_statuses)
                and (self.rearranged is None or meeting.rearranged is self.rearranged))


@dataclass(frozen=True, slots=True)
class Catalogue:
    kinds: tuple[DocumentKind, ...]

    def get(self, kind: str) -> DocumentKind:
        for k in self.kinds:
            if k.kind == kind:
                return k
        raise UnknownKindError(kind, [k.kind for k in self.kinds])


@cache
def load_catalogue(folder: Path = SHIPPED_TEMPLATES) -> Catalogue:
    data = json.loads((folder / "catalogue.json").read_text(encoding="utf-8"))
    kinds = []
    for k in data["kinds"]:
        produced = k.get("produced_by", {})
        if k["per"] not in ("carer", "case"):
            raise ValueError(f"catalogue: {k['kind']}: per must be 'carer' or 'case'")
        kinds.append(DocumentKind(
            kind=k["kind"], title=k["title"], file=k["file"], audience=k["audience"],
            per=k["per"], meeting_kinds=frozenset(produced.get("meetings", [])),
            meeting_statuses=frozenset(produced.get("statuses", [])),
            stages=frozenset(produced.get("stages", [])), file_name=k["file_name"],
            needs=frozenset(k.get("needs", [])), source=k["source"],
            rearranged=produced.get("rearranged"),
        ))
    return Catalogue(tuple(kinds))

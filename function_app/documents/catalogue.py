"""The catalogue of document kinds: templates/catalogue.json, read once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

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

    @property
    def per_carer(self) -> bool:
        return self.per == "carer"


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
        ))
    return Catalogue(tuple(kinds))

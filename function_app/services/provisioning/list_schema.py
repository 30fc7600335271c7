"""Read the desired SharePoint lists from ``sharepoint_schema/``, one JSON file a list."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).resolve().parents[3] / "sharepoint_schema"
LA_SITE_SCHEMA_DIR = SCHEMA_DIR / "la-site"  # the LA's own site: its Schools list


def load_lists(folder: Path = SCHEMA_DIR) -> tuple[dict[str, Any], ...]:
    """Every list definition in the folder, by file name; each as Graph's list body."""
    lists = []
    for path in sorted(folder.glob("*.json")):
        definition: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        lists.append(definition)
    return tuple(lists)

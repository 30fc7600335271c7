"""``--mapping FILE``: a JSON file that overrides header detection.

    {
      "sheet": "Attendance",          optional: the sheet to read (default: the first that fits)
      "shape": "summary",             optional: summary, marks or grid
      "header_row": 3,                optional: the header's row number as Excel shows it
      "columns": {"upn": "Pupil Ref", "possible": "Poss."},   field -> header text
      "codes": {"HOL": "G"}           optional: local codes -> the national code they count as
    }

Fields: see ``headers.FIELDS``. Unnamed fields are still detected from the headers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from function_app.domain.codes import KNOWN_CODES

from .headers import FIELDS
from .model import SHAPE_TITLES, ImportProblem, ImportRejected


@dataclass(frozen=True, slots=True)
class Mapping:
    sheet: str | None = None
    shape: str | None = None
    header_row: int | None = None
    columns: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)


def load_mapping(path: Path) -> Mapping:
    def bad(message: str) -> ImportRejected:
        return ImportRejected([ImportProblem("", 0, 0, "", f"mapping {path.name}: {message}")])

    try:
        data: Any = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise bad(f"cannot be read ({exc.strerror})") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad(f"is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise bad("expected a JSON object")
    unknown = sorted(set(data) - {"sheet", "shape", "header_row", "columns", "codes"})
    if unknown:
        raise bad(f"unknown key(s) {', '.join(unknown)}")
    shape = data.get("shape")
    if shape is not None and shape not in SHAPE_TITLES:
        raise bad(f"shape must be one of {', '.join(SHAPE_TITLES)}, got {shape!r}")
    row = data.get("header_row")
    if row is not None and (not isinstance(row, int) or isinstance(row, bool) or row < 1):
        raise bad(f"header_row must be a row number (1 or more), got {row!r}")
    columns = data.get("columns", {})
    if not isinstance(columns, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in columns.items()):
        raise bad("columns must map field names to header texts")
    wrong = sorted(set(columns) - set(FIELDS))
    if wrong:
        raise bad(f"unknown field(s) {', '.join(wrong)}; known: {', '.join(FIELDS)}")
    codes = data.get("codes", {})
    if not isinstance(codes, dict) or not all(
            isinstance(k, str) and v in KNOWN_CODES for k, v in codes.items()):
        raise bad("codes must map local codes to national codes (e.g. {\"HOL\": \"G\"})")
    sheet = data.get("sheet")
    if sheet is not None and not isinstance(sheet, str):
        raise bad("sheet must be a sheet name")
    return Mapping(sheet, shape, row, dict(columns), dict(codes))

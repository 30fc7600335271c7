"""One frozen settings object, read once from the environment.

- CASEWORK_PROTECTIVE_MARKING: a line at the top of every document, e.g.
  OFFICIAL-SENSITIVE; none by default.
- CASEWORK_LOGO: a PNG or JPEG shown in the letterhead; none by default.
- CASEWORK_TEMPLATES_DIR: a folder of the LA's own templates; a file there replaces the
  shipped template of the same name; none by default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Settings:
    protective_marking: str = ""
    templates_dir: Path | None = None
    logo: Path | None = None

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        folder = env.get("CASEWORK_TEMPLATES_DIR", "").strip()
        logo = env.get("CASEWORK_LOGO", "").strip()
        return cls(
            protective_marking=env.get("CASEWORK_PROTECTIVE_MARKING", "").strip(),
            templates_dir=Path(folder) if folder else None,
            logo=Path(logo) if logo else None,
        )

"""Seed 003's "school on a page": one page of a school's attendance for its governors and the
termly targeting meeting, from templates/school-on-a-page.docx (the catalogue's "reports";
an LA may put its own copy in CASEWORK_TEMPLATES_DIR). No pupil is named on it.

Every percentage on it says what it is worked out from: attendance its sessions, by the one
rule (``display_figure``: "94.1% (1130 of 1200 possible sessions)"), and persistent and
severe absence the pupils they count ("12.5% (15 pupils)")."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from function_app.documents.catalogue import SHIPPED_TEMPLATES
from function_app.documents.renderer import CompiledTemplate, DocumentProperties
from function_app.domain.attendance import display_figure
from function_app.domain.policy import Profile
from function_app.domain.wording import counted

from .targeting import (
    TARGETING_SOURCE,
    Figures,
    School,
    cohorts,
    long_date,
    needing_plan,
    shown,
)

REPORT = "school_on_a_page"
# One import is no trend: a sentence in place of a one-row table.
NO_TREND = "No trend yet: one import so far; the next import will show the change."


def template_path(overrides: Path | None = None) -> Path:
    catalogue = json.loads((SHIPPED_TEMPLATES / "catalogue.json").read_text("utf-8"))
    entry = next(r for r in catalogue.get("reports", []) if r["report"] == REPORT)
    name = str(entry["file"])
    own = overrides / name if overrides else None
    return own if own is not None and own.is_file() else SHIPPED_TEMPLATES / name


def overall_figure(figures: Figures) -> str:
    """The group's attendance with the sessions it comes from (``display_figure``): "94.1%
    (1130 of 1200 possible sessions)"; '-' when it has no possible sessions."""
    return display_figure(figures.present, figures.possible) if figures.possible else "-"


def rate_figure(figures: Figures, count: int) -> str:
    """A share of the group's pupils with the pupils it counts: "12.5% (15 pupils)"; '-'
    when the group has no pupils with figures."""
    return f"{shown(figures.rate(count))} ({counted(count, 'pupil')})" if figures.pupils else "-"


def page_context(school: School, profile: Profile, today: date) -> dict[str, Any]:
    latest = school.latest
    f = latest.figures
    reasons = school.targeting_reasons()
    plans = needing_plan(latest.assessed)
    measures = [
        {"label": "Overall attendance", "value": overall_figure(f)},
        {"label": "Persistently absent (10% or more of sessions missed)",
         "value": rate_figure(f, f.persistent)},
        {"label": "Severely absent (50% or more of sessions missed)",
         "value": rate_figure(f, f.severe)},
    ] + [{"label": f"Tier {b.tier} ({b.label})", "value": str(f.tiers.get(b.tier, 0))}
         for b in profile.tier_bands]
    trend = [{"to": e.label, "overall": overall_figure(e.figures),
              "persistent": rate_figure(e.figures, e.figures.persistent),
              "severe": rate_figure(e.figures, e.figures.severe)} for e in school.exports]
    years = [{"group": c.group, "pupils": str(c.figures.pupils),
              "overall": overall_figure(c.figures),
              "persistent": rate_figure(c.figures, c.figures.persistent)}
             for c in cohorts(latest.assessed) if c.dimension == "Year group"]
    targeting = (f"{school.name} has termly targeting support meetings with the local "
                 f"authority: {'; '.join(reasons)}." if reasons else
                 f"{school.name} meets none of the criteria for termly targeting support "
                 "meetings; the local authority keeps in regular contact.")
    who = "pupil has" if len(plans) == 1 else "pupils have"
    plan_words = (f"{len(plans)} severely absent {who} no agreed attendance plan recorded; "
                  "every severely absent pupil needs one." if plans else
                  "Every severely absent pupil has an agreed attendance plan." if f.severe
                  else "No pupil is severely absent.")
    return {
        "school": {"name": school.name, "address_lines": [], "phone": "", "email": ""},
        "marking": "", "logo": None, "phase": school.phase, "pupils": str(f.pupils),
        "figures_to": latest.label, "measures": measures, "trend": trend,
        "trend_note": "" if len(trend) > 1 else NO_TREND,
        "year_groups": years, "targeting": targeting, "plans": plan_words,
        "source": f"Criteria: {TARGETING_SOURCE}. Rules: {profile.title}. "
                  f"Made on {long_date(today)}.",
        "footer": f"{school.name}: school on a page, {long_date(today)}",
    }


def school_page(school: School, profile: Profile, today: date,
                overrides: Path | None = None) -> bytes:
    template = CompiledTemplate(template_path(overrides), "school-on-a-page.docx")
    return template.render(page_context(school, profile, today), DocumentProperties(
        f"School on a page: {school.name}", "Attendance",
        datetime.combine(today, time())))

"""`casework templates check`: is every template safe to use before anyone relies on it?

For each kind: the template parses in the sandbox; it uses only names its context
provides; it renders the sample case and the hostile corpus; the result opens with
python-docx. Each problem names the file and the tag.
"""

from __future__ import annotations

import io
import itertools
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from function_app.domain import assess, load_profile
from function_app.domain.errors import CaseworkError

from .catalogue import SHIPPED_TEMPLATES, DocumentKind
from .context import Options, build_context
from .engine import TemplateSet, choose_meeting, missing
from .errors import TemplateProblemError
from .hostile import corpus, hostile_copy
from .renderer import CompiledTemplate, DocumentProperties

SAMPLE_CASE = SHIPPED_TEMPLATES / "sample-case.json"
SAMPLE_DAY = date(2026, 11, 22)


@dataclass
class TemplateReport:
    kind: str
    file: Path
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_templates(folder: Path | None = None) -> list[TemplateReport]:
    from function_app.services.case_files.case_input import read_case_file

    templates = TemplateSet(overrides=folder)
    case = read_case_file(SAMPLE_CASE.read_text(encoding="utf-8"))
    assessment = assess(case, load_profile(case.profile), SAMPLE_DAY)
    reports = []
    for kind in templates.catalogue.kinds:
        path = templates.path_of(kind)
        report = TemplateReport(kind.kind, path)
        reports.append(report)
        if not path.is_file():
            report.problems.append("the file is missing")
            continue
        try:
            template = CompiledTemplate(path, path.name, templates.env)
        except TemplateProblemError as exc:
            report.problems.append(exc.problem)
            continue
        meeting = choose_meeting(kind, case, None)
        recipients = case.parents if kind.per_carer else ()
        lacking = missing(kind, case, meeting, recipients)
        if lacking:  # a fault of the sample case, not of the template: say so
            report.problems.append("the sample case cannot show this kind: "
                                   + "; ".join(map(str, lacking)))
            continue
        carer = recipients[0] if recipients else None
        context = build_context(assessment, meeting, carer, Options("OFFICIAL-SENSITIVE"))
        for name in sorted(template.variables - set(context)):
            report.problems.append(
                f"uses {name!r}, which the context of {kind.kind} does not provide "
                f"({_tag_with(template, name)})")
        if report.problems:
            continue
        strings = itertools.cycle(corpus())
        for label, ctx in (("the sample case", context),
                           ("the hostile corpus", hostile_copy(context, strings))):
            problem = _render_and_open(template, kind, ctx)
            if problem:
                report.problems.append(f"with {label}: {problem}")
                break
    return reports


def _render_and_open(template: CompiledTemplate, kind: DocumentKind,
                     context: dict[str, object]) -> str:
    from docx import Document  # python-docx: the same parser Word-compatible tools use

    try:
        data = template.render(context, DocumentProperties(kind.title, "check",
                                                           datetime.now(UTC)))
    except TemplateProblemError as exc:
        return exc.problem
    except CaseworkError as exc:
        words = str(exc)
        attribute = re.search(r"has no attribute '(\w+)'", words)
        where = f" ({_tag_with(template, attribute.group(1))})" if attribute else ""
        return f"{words}{where}"
    try:
        Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds; any means Word may refuse it
        return f"the result does not open as a Word document: {exc}"
    return ""


def _tag_with(template: CompiledTemplate, name: str) -> str:
    pattern = re.compile(r"(\{\{|\{%)[^{}]*?\b" + re.escape(name) + r"\b[^{}]*?(\}\}|%\})")
    for part, source in template.sources.items():
        found = pattern.search(source)
        if found:
            return f"tag {re.sub(r'<[^>]+>', '', found.group(0))!r} in {part}"
    return "tag not found"

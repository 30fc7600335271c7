"""Read a case from its JSON form: check it against the shipped schema, then build the model.

Every structural problem is reported at once, each with the field's path and what was
expected; the domain's own checks (sums, dates, references) run in ``domain.assess``.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from datetime import date, time
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from function_app.domain.errors import InvalidCaseError, Problem
from function_app.domain.model import (
    AgreedActions,
    AttendanceFigures,
    Attendee,
    Carer,
    Case,
    CaseStatus,
    ContactMode,
    DateRange,
    Interaction,
    Intervention,
    LettersBy,
    Meeting,
    MeetingKind,
    MeetingStatus,
    NoticeToImprove,
    Party,
    PenaltyNotice,
    Phase,
    Pupil,
    Quote,
    ReviewDecision,
    ReviewOutcome,
    School,
    Session,
    SessionMark,
    Sibling,
    Stage,
    TargetMet,
    Venue,
    VenueKind,
)

SCHEMA_FILE = "case-input.schema.json"


@cache
def case_schema() -> dict[str, Any]:
    text = resources.files("function_app.schemas").joinpath(SCHEMA_FILE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def read_case_path(path: Path) -> Case:
    """Read and check a case file; InvalidCaseError if it is missing, unreadable or wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidCaseError([Problem("--input", f"there is no file at {path}")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidCaseError([Problem("--input", f"cannot read {path}: {exc}")]) from None
    return read_case_file(text)


def read_case_file(text: str) -> Case:
    """Parse JSON text into a Case; InvalidCaseError naming every problem found."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidCaseError([Problem(
            "", f"is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")]) from exc
    return case_from_dict(data)


def case_from_dict(data: object) -> Case:
    problems = schema_problems(data)
    if problems:
        raise InvalidCaseError(problems)
    assert isinstance(data, dict)
    return _case(data)


def schema_problems(data: object) -> list[Problem]:
    from jsonschema import Draft202012Validator, FormatChecker  # kept off the cold-start path

    validator = Draft202012Validator(case_schema(), format_checker=FormatChecker())
    found: dict[tuple[str, str], Problem] = {}
    for error in validator.iter_errors(data):
        for problem in _explain(error):
            found.setdefault((problem.path, problem.message), problem)
    return sorted(found.values(), key=lambda p: _sort_key(p.path))


def _sort_key(path: str) -> list[tuple[int, str | int]]:
    key: list[tuple[int, str | int]] = []
    for part in path.replace("]", "").replace("[", ".").split("."):
        key.append((0, int(part)) if part.isdigit() else (1, part))
    return key


def path_of(parts: Iterable[str | int]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


_TYPE_WORDS = {"string": "text", "integer": "a whole number", "number": "a number",
               "boolean": "true or false", "object": "an object { ... }", "array": "a list [ ... ]",
               "null": "null"}


def _explain(error: Any) -> list[Problem]:
    where = list(error.absolute_path)
    path = path_of(where)
    kind, expected, got = error.validator, error.validator_value, error.instance
    if kind == "required":
        present = got if isinstance(got, Mapping) else {}
        return [Problem(path_of([*where, name]), "is required but missing")
                for name in expected if name not in present]
    if kind == "dependentRequired":
        present = got if isinstance(got, Mapping) else {}
        return [Problem(path_of([*where, need]), f"is required when {given} is given")
                for given, needs in expected.items() if given in present
                for need in needs if need not in present]
    if kind == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        extra = [k for k in got if k not in allowed]
        problems = []
        for name in extra:
            close = difflib.get_close_matches(name, allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(Problem(path_of([*where, name]), f"is not a known field{hint}"))
        return problems
    if kind == "type":
        types = [expected] if isinstance(expected, str) else list(expected)
        words = " or ".join(_TYPE_WORDS.get(t, t) for t in types)
        return [Problem(path, f"expected {words}, got {_show(got)}")]
    if kind == "enum":
        return [Problem(path, f"expected one of {', '.join(map(str, expected))}; "
                              f"got {_show(got)}")]
    if kind == "format" and expected == "date":
        return [Problem(path, f"expected a real date written as YYYY-MM-DD, got {_show(got)}")]
    if kind == "pattern" and path.endswith("time"):
        return [Problem(path, f"expected a time written as HH:MM (24-hour), got {_show(got)}")]
    if kind == "pattern" and path.endswith("upn"):
        return [Problem(path, f"expected a 13-character unique pupil number, got {_show(got)}")]
    if kind == "minLength":
        return [Problem(path, "must not be empty")]
    if kind == "maxLength":
        return [Problem(path, f"must be at most {expected} characters, got {_show(got)}")]
    if kind == "minimum":
        return [Problem(path, f"must be {expected} or more, got {_show(got)}")]
    if kind == "maximum":
        return [Problem(path, f"must be {expected} or less, got {_show(got)}")]
    return [Problem(path, error.message)]


def _show(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


# Building the model from a dict that the schema has accepted.

def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _t(value: str | None) -> time | None:
    return time.fromisoformat(value) if value else None


def _quotes(items: Iterable[Mapping[str, str]]) -> tuple[Quote, ...]:
    return tuple(Quote(q["speaker"], q["text"]) for q in items)


def _figures(att: Mapping[str, Any]) -> AttendanceFigures:
    # JSON Schema counts 100.0 as an integer; the model holds it as 100.
    return AttendanceFigures(
        int(att["possible_sessions"]), int(att["present_sessions"]),
        int(att["authorised_absences"]), int(att["unauthorised_absences"]),
        _d(att.get("period_start")), _d(att.get("period_end")))


def _case(d: Mapping[str, Any]) -> Case:
    att = d["attendance"]
    figures = _figures(att) if "possible_sessions" in att else None
    nti = d.get("notice_to_improve")
    return Case(
        case_ref=d["case_ref"],
        school=_school(d["school"]),
        pupil=_pupil(d["pupil"]),
        stage=Stage(d["stage"]),
        status=CaseStatus(d.get("status", "open")),
        attendance=figures,
        carers=tuple(_carer(c) for c in d.get("carers", [])),
        siblings=tuple(
            Sibling(s["forename"], s["surname"], s["school"], _d(s.get("date_of_birth")),
                    s.get("attendance_concern", False))
            for s in d.get("siblings", [])),
        marks=tuple(SessionMark(date.fromisoformat(m["date"]), Session(m["session"]), m["code"])
                    for m in att.get("marks", [])),
        interactions=tuple(_interaction(i) for i in d.get("interactions", [])),
        meetings=tuple(_meeting(m) for m in d.get("meetings", [])),
        penalty_notices=tuple(PenaltyNotice(p["carer_id"], date.fromisoformat(p["issued_on"]),
                                            p.get("withdrawn", False))
                              for p in d.get("penalty_notices", [])),
        notice_to_improve=(NoticeToImprove(date.fromisoformat(nti["issued_on"]),
                                           int(nti["improvement_period_weeks"]),
                                           nti.get("sufficient_improvement", ""))
                           if nti else None),
        education_supervision_order_considered=d.get(
            "education_supervision_order_considered", False),
        profile=d.get("profile", ""),
    )


def _school(s: Mapping[str, Any]) -> School:
    return School(
        name=s["name"], urn=s.get("urn", ""),
        phase=Phase(s["phase"]) if "phase" in s else None,
        holidays=tuple(DateRange(date.fromisoformat(h["start"]), date.fromisoformat(h["end"]),
                                 h.get("name", "")) for h in s.get("holidays", [])),
        address=s.get("address", ""), phone=s.get("phone", ""), email=s.get("email", ""),
        signatory_name=s.get("signatory_name", ""), signatory_role=s.get("signatory_role", ""),
    )


def _pupil(p: Mapping[str, Any]) -> Pupil:
    return Pupil(p["forename"], p["surname"], date.fromisoformat(p["date_of_birth"]),
                 int(p["year_group"]), p.get("upn", ""), p.get("preferred_name", ""))


def _carer(c: Mapping[str, Any]) -> Carer:
    return Carer(
        id=c["id"], first_name=c["first_name"], last_name=c["last_name"],
        relationship=c["relationship"], parental_responsibility=c["parental_responsibility"],
        address=c.get("address", ""), email=c.get("email", ""), phone=c.get("phone", ""),
        preferred_contact=ContactMode(c["preferred_contact"]) if "preferred_contact" in c
        else None,
        preferred_language=c.get("preferred_language", "English"),
        lives_with_pupil=c.get("lives_with_pupil", True),
        has_care=c.get("has_care", False),
        letters_by=LettersBy(c["letters_by"]) if c.get("letters_by") else None,
    )


def _interaction(i: Mapping[str, Any]) -> Interaction:
    return Interaction(date.fromisoformat(i["date"]), _t(i.get("time")), ContactMode(i["mode"]),
                       i["staff_member"], i["summary"], tuple(i.get("carer_ids", [])),
                       _quotes(i.get("quotes", [])))


def _meeting(m: Mapping[str, Any]) -> Meeting:
    acts = m.get("agreed_actions", {})
    outcome = m.get("review_outcome")
    venue = m.get("venue")
    return Meeting(
        id=m["id"], kind=MeetingKind(m["kind"]), status=MeetingStatus(m["status"]),
        date=date.fromisoformat(m["date"]), time=_t(m.get("time")),
        venue=Venue(VenueKind(venue["kind"]), venue.get("detail", "")) if venue else None,
        attendees=tuple(Attendee(a["name"], a["role"], Party(a["party"]), a["present"],
                                 a.get("carer_id", "")) for a in m.get("attendees", [])),
        pupil_voice=_quotes(m.get("pupil_voice", [])),
        parent_voice=_quotes(m.get("parent_voice", [])),
        reasons_for_absence=tuple(m.get("reasons_for_absence", [])),
        barriers=tuple(m.get("barriers", [])),
        interventions=tuple(
            Intervention(iv["name"], iv.get("offered", False), _d(iv.get("offered_on")),
                         iv.get("completed", False), _d(iv.get("completed_on")),
                         iv.get("taken_up"))
            for iv in m.get("interventions", [])),
        agreed_actions=AgreedActions(tuple(acts.get("pupil", [])), tuple(acts.get("parents", [])),
                                     tuple(acts.get("school", [])), tuple(acts.get("others", []))),
        target=m.get("target", ""),
        review_date=_d(m.get("review_date")),
        review_outcome=(ReviewOutcome(TargetMet(outcome["target_met"]),
                                      ReviewDecision(outcome["decision"]),
                                      outcome.get("previous_plan_discussion", ""))
                        if outcome else None),
        reason_not_proceeded=m.get("reason_not_proceeded", ""),
        early_help_services=tuple(m.get("early_help_services", [])),
        send_support=m.get("send_support", ""),
        present_situation=m.get("present_situation", ""),
        other_issues=m.get("other_issues", ""),
        rearranged=m.get("rearranged", False),
        figures_at_meeting=_figures(m["figures_at_meeting"]) if "figures_at_meeting" in m
        else None,
    )

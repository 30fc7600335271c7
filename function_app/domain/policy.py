"""Policy profiles: the rules of one local authority, as data.

Each profile is a JSON file in ``profiles/`` beside this module. Every rule carries the
source it comes from (a seed file or a statute), and a profile may ``extend`` another and
override some of its rules: the national profile holds the DfE 2024 rules and local
profiles change only what their guidance changes. Local wording that national law has
since replaced is kept under ``superseded`` so it can be shown, and is never applied.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from importlib import resources
from typing import Any

from .errors import UnknownProfileError
from .model import DateRange, MeetingKind

PROFILE_PACKAGE = "function_app.domain.profiles"
DEFAULT_PROFILE = "national-2024"

# The letters the app sends to each parent individually (seed 000), one per carer: the
# catalogue's "per": "carer" kinds (templates/catalogue.json; tests/unit/test_delivery.py
# checks that the two agree). The delivery rules (delivery.py) name these kinds.
LETTERS_TO_PARENTS = frozenset({
    "letter_of_concern", "support_meeting_invitation", "aim_invitation",
    "review_meeting_invitation", "meeting_rearranged", "plan_cover_letter",
    "notice_to_improve",
})
# Letters no profile may let go without a member of staff approving them, and why.
ALWAYS_APPROVED: Mapping[str, str] = {
    "aim_invitation": (
        "it warns the parent in writing that they may be at risk of prosecution, the first "
        "stage of the legal process, and may be exhibited in court (seeds 000 and 001)"),
    "notice_to_improve": (
        "it is the formal notice before a penalty notice or prosecution, stating the "
        "attendance record, the support offered and the improvement period (DfE, Working "
        "together to improve school attendance, 2024: the national framework for penalty "
        "notices)"),
    "meeting_rearranged": (
        "for an Attendance Improvement Meeting it tells the parent that the warning of "
        "prosecution still stands and that the meeting will go ahead without them (seeds "
        "000 and 001)"),
}


@dataclass(frozen=True, slots=True)
class TierBand:
    tier: int
    min_percent: Fraction
    label: str  # as the guidance writes it, e.g. "92-80%"


@dataclass(frozen=True, slots=True)
class ReviewInterval:
    default_weeks: int
    min_weeks: int
    max_weeks: int


@dataclass(frozen=True, slots=True)
class PenaltyThreshold:
    sessions: int
    school_weeks: int
    codes: frozenset[str]


@dataclass(frozen=True, slots=True)
class Superseded:
    rule: str
    text: str
    source: str
    superseded_by: str


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    title: str
    sources: Mapping[str, str]  # rule name -> where it comes from
    tier_bands: tuple[TierBand, ...]
    persistent_absence_percent: int
    severe_absence_percent: int
    penalty_threshold: PenaltyThreshold
    penalty_notice_limit: int
    penalty_notice_rolling_years: int
    penalty_amounts: Mapping[str, int]
    notice_to_improve_weeks: tuple[int, int]
    review_intervals: Mapping[MeetingKind, ReviewInterval]
    aim_proceed_rule: str  # "matrix" (seed 000) or "hold_in_absence" (seed 001)
    pupil_voice_from_year: int
    final_year_group: int
    formal_step: str  # what "escalate" means: "notice_to_improve" or "warning_and_aim"
    consult: str  # who the school consults before legal action
    legal_referral_form: str
    tier_actions: Mapping[int, tuple[str, ...]]
    severe_absence_needs_plan: bool
    early_help_close_percent: Fraction | None  # None: the profile has no Early Help tier
    holidays: tuple[DateRange, ...]
    superseded: tuple[Superseded, ...]
    # Letters to parents this LA lets go without approval (never those in ALWAYS_APPROVED),
    # and those also posted when they are emailed (delivery.py).
    send_without_approval: frozenset[str]
    also_posted: frozenset[str]
    # The LA's penalty notice register (penalty_register.py): the days to pay at the reduced
    # and the full amount, the working days after sending on which a notice counts as
    # received, per way of serving it, and how many school days after the last absence a
    # school may request a notice (None: the LA sets no deadline).
    penalty_notice_payment_days: tuple[int, int]
    penalty_notice_received_after: Mapping[str, int]
    penalty_notice_request_within_school_days: int | None

    def source(self, rule: str) -> str:
        return self.sources[rule]


RULES = (
    "tier_bands", "persistent_absence_percent", "severe_absence_percent",
    "penalty_notice_threshold", "penalty_notice_limit", "penalty_notice_amounts",
    "notice_to_improve_weeks", "review_intervals", "aim_proceed_rule",
    "pupil_voice_from_year", "final_year_group", "formal_step", "consult",
    "legal_referral_form", "tier_actions", "holidays",
    "severe_absence_needs_plan", "early_help_close_percent",
    "send_without_approval", "also_posted",
    "penalty_notice_payment_days", "penalty_notice_received_after_working_days",
    "penalty_notice_request_within_school_days",
)


def known_profiles() -> list[str]:
    folder = resources.files(PROFILE_PACKAGE)
    return sorted(p.name.removesuffix(".json") for p in folder.iterdir()
                  if p.name.endswith(".json"))


def load_profile(name: str) -> Profile:
    """The named profile with everything it extends merged in; UnknownProfileError if none."""
    raw_rules, title, superseded = _merged(name, seen=())
    missing = [r for r in RULES if r not in raw_rules]
    if missing:
        raise ValueError(f"profile {name!r} has no value for {', '.join(missing)}")
    return _build(name, title, raw_rules, superseded)


def _read(name: str) -> dict[str, Any]:
    if name not in known_profiles():
        raise UnknownProfileError(name, known_profiles())
    text = resources.files(PROFILE_PACKAGE).joinpath(f"{name}.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _merged(
    name: str, seen: tuple[str, ...]
) -> tuple[dict[str, dict[str, Any]], str, list[dict[str, str]]]:
    if name in seen:
        raise ValueError(f"profile {name!r} extends itself through {' -> '.join(seen)}")
    data = _read(name)
    rules: dict[str, dict[str, Any]] = {}
    superseded: list[dict[str, str]] = []
    if parent := data.get("extends"):
        rules, _, superseded = _merged(parent, (*seen, name))
    for rule, entry in data.get("rules", {}).items():
        if rule not in RULES:
            raise ValueError(f"profile {name!r} has an unknown rule {rule!r}")
        if not entry.get("source"):
            raise ValueError(f"profile {name!r}: rule {rule!r} does not cite its source")
        rules[rule] = entry
    superseded = superseded + list(data.get("superseded", []))
    return rules, str(data["title"]), superseded


def _build(
    name: str, title: str, raw: dict[str, dict[str, Any]], superseded: list[dict[str, str]]
) -> Profile:
    def value(rule: str) -> Any:
        return raw[rule]["value"]

    bands = tuple(
        TierBand(int(b["tier"]), Fraction(str(b["min_percent"])), str(b["label"]))
        for b in sorted(value("tier_bands"), key=lambda b: -Fraction(str(b["min_percent"])))
    )
    threshold = value("penalty_notice_threshold")
    limit = value("penalty_notice_limit")
    nti = value("notice_to_improve_weeks")
    return Profile(
        name=name,
        title=title,
        sources={rule: str(entry["source"]) for rule, entry in raw.items()},
        tier_bands=bands,
        persistent_absence_percent=int(value("persistent_absence_percent")),
        severe_absence_percent=int(value("severe_absence_percent")),
        penalty_threshold=PenaltyThreshold(
            int(threshold["sessions"]), int(threshold["school_weeks"]),
            frozenset(threshold["codes"]),
        ),
        penalty_notice_limit=int(limit["notices"]),
        penalty_notice_rolling_years=int(limit["rolling_years"]),
        penalty_amounts={k: int(v) for k, v in value("penalty_notice_amounts").items()},
        notice_to_improve_weeks=(int(nti["min_weeks"]), int(nti["max_weeks"])),
        review_intervals={
            MeetingKind(kind): ReviewInterval(
                int(i["default_weeks"]), int(i["min_weeks"]), int(i["max_weeks"])
            )
            for kind, i in value("review_intervals").items()
        },
        aim_proceed_rule=_choice(name, "aim_proceed_rule", value("aim_proceed_rule"),
                                 {"matrix", "hold_in_absence"}),
        pupil_voice_from_year=int(value("pupil_voice_from_year")),
        final_year_group=int(value("final_year_group")),
        formal_step=_choice(name, "formal_step", value("formal_step"),
                            {"notice_to_improve", "warning_and_aim"}),
        consult=str(value("consult")),
        legal_referral_form=str(value("legal_referral_form")),
        tier_actions={int(t): tuple(a) for t, a in value("tier_actions").items()},
        severe_absence_needs_plan=bool(value("severe_absence_needs_plan")),
        early_help_close_percent=(None if value("early_help_close_percent") is None
                                  else Fraction(str(value("early_help_close_percent")))),
        holidays=tuple(
            DateRange(date.fromisoformat(h["start"]), date.fromisoformat(h["end"]),
                      h.get("name", ""))
            for h in value("holidays")
        ),
        superseded=tuple(
            Superseded(s["rule"], s["text"], s["source"], s["superseded_by"])
            for s in superseded
        ),
        send_without_approval=_without_approval(name, value("send_without_approval")),
        also_posted=_letters(name, "also_posted", value("also_posted")),
        **_register(name, value),
    )


SERVED_BY = frozenset({"post", "hand", "email"})


def _register(profile: str, value: Callable[[str], Any]) -> dict[str, Any]:
    """The penalty notice register's rules, each checked when the profile loads."""
    days = value("penalty_notice_payment_days")
    reduced, full = int(days["reduced"]), int(days["full"])
    if not 0 < reduced <= full:
        raise ValueError(f"profile {profile!r}: penalty_notice_payment_days must give "
                         f"0 < reduced <= full days; it gives {reduced} and {full}")
    received = {str(k): int(v)
                for k, v in value("penalty_notice_received_after_working_days").items()}
    if set(received) != SERVED_BY:
        raise ValueError(f"profile {profile!r}: penalty_notice_received_after_working_days "
                         f"must name each of {sorted(SERVED_BY)}; it names {sorted(received)}")
    within = value("penalty_notice_request_within_school_days")
    return {"penalty_notice_payment_days": (reduced, full),
            "penalty_notice_received_after": received,
            "penalty_notice_request_within_school_days": None if within is None else int(within)}


def _choice(profile: str, rule: str, given: Any, allowed: set[str]) -> str:
    if given not in allowed:
        raise ValueError(
            f"profile {profile!r}: {rule} is {given!r}; expected one of {sorted(allowed)}"
        )
    return str(given)


def _letters(profile: str, rule: str, given: Any) -> frozenset[str]:
    """The letter kinds a delivery rule names: each must be a letter to parents."""
    if not isinstance(given, list):
        raise ValueError(f"profile {profile!r}: {rule} must be a list of letter kinds")
    kinds = frozenset(str(k) for k in given)
    unknown = sorted(kinds - LETTERS_TO_PARENTS)
    if unknown:
        raise ValueError(
            f"profile {profile!r}: {rule} names {', '.join(map(repr, unknown))}, which is not "
            f"a letter sent to each parent; expected some of {sorted(LETTERS_TO_PARENTS)}"
        )
    return kinds


def _without_approval(profile: str, given: Any) -> frozenset[str]:
    """Refuses a profile that would let a warning of prosecution or a Notice to Improve go
    without a member of staff approving it."""
    kinds = _letters(profile, "send_without_approval", given)
    if blocked := sorted(kinds & ALWAYS_APPROVED.keys()):
        kind = blocked[0]
        raise ValueError(
            f"profile {profile!r} lists {kind!r} under send_without_approval, but that letter "
            f"is never sent without a member of staff approving it: {ALWAYS_APPROVED[kind]}. "
            f"Remove {kind!r} from send_without_approval."
        )
    return kinds

"""The OData query options the dev tenant understands: $select, $expand, $top, $filter."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import bad_request


@dataclass(slots=True)
class Options:
    """$select and nested $expand, e.g. items(expand=fields(select=Name,Color))."""

    select: list[str] | None = None
    expand: dict[str, Options] = field(default_factory=dict)


def split_top_level(text: str, separator: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise bad_request(f"Unbalanced parentheses in '{text}'.", code="BadRequest")
        elif char == separator and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    if depth:
        raise bad_request(f"Unbalanced parentheses in '{text}'.", code="BadRequest")
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def parse_select(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return split_top_level(text, ",")


def parse_expand(text: str | None) -> dict[str, Options]:
    out: dict[str, Options] = {}
    for part in split_top_level(text or "", ","):
        name, _, rest = part.partition("(")
        options = Options()
        if rest:
            if not rest.endswith(")"):
                raise bad_request(f"Cannot parse $expand '{part}'.", code="BadRequest")
            for clause in split_top_level(rest[:-1], ";"):
                key, _, value = clause.partition("=")
                key = key.strip().lstrip("$").lower()
                if key == "select":
                    options.select = parse_select(value)
                elif key == "expand":
                    options.expand = parse_expand(value)
                else:
                    raise bad_request(
                        f"The dev tenant does not support '{key}' inside $expand.",
                        code="BadRequest",
                    )
        out[name.strip()] = options
    return out


def parse_top(text: str | None, default: int, maximum: int) -> int:
    if text is None:
        return default
    if not text.isdigit() or int(text) < 1:
        raise bad_request(f"Invalid $top value '{text}'.", code="BadRequest")
    return min(int(text), maximum)


def apply_select(entity: dict[str, Any], select: list[str] | None) -> dict[str, Any]:
    """Keep the selected properties (and OData annotations), as Graph does for $select."""
    if select is None:
        return entity
    wanted = set(select)
    return {k: v for k, v in entity.items() if k in wanted or k.startswith("@")}


# -- $filter on list item fields ----------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<field>fields/[A-Za-z_][A-Za-z0-9_]*)|(?P<op>eq|ne|gt|ge|lt|le)\b"
    r"|(?P<join>and|or)\b|'(?P<str>(?:[^']|'')*)'|(?P<num>-?\d+(?:\.\d+)?)"
    r"|(?P<word>true|false|null)\b)"
)
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a is not None and b is not None and a > b,
    "ge": lambda a, b: a is not None and b is not None and a >= b,
    "lt": lambda a, b: a is not None and b is not None and a < b,
    "le": lambda a, b: a is not None and b is not None and a <= b,
}


@dataclass(frozen=True, slots=True)
class Condition:
    field: str
    op: str
    value: Any


@dataclass(frozen=True, slots=True)
class Filter:
    """Conditions joined by "and" (all must hold) or, with any_of, by "or" (one must)."""

    conditions: tuple[Condition, ...]
    any_of: bool = False


def parse_filter(text: str) -> Filter:
    """fields/Name op literal (string, number, true/false/null), joined by "and" or by "or".

    Without parentheses (which the dev tenant does not read) a mix of "and" and "or" is
    refused rather than given a precedence Graph does not document for list items.
    """
    tokens: list[tuple[str, Any]] = []
    position = 0
    while position < len(text.rstrip()):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise bad_request(
                f"The dev tenant supports $filter only as 'fields/Name eq value' joined by "
                f"'and' or by 'or'; cannot read '{text[position:]}'.",
                code="BadRequest",
            )
        position = match.end()
        kind = match.lastgroup or ""
        raw = match.group(kind)
        if kind == "str":
            tokens.append(("value", raw.replace("''", "'")))
        elif kind == "num":
            tokens.append(("value", float(raw) if "." in raw else int(raw)))
        elif kind == "word":
            tokens.append(("value", {"true": True, "false": False, "null": None}[raw]))
        else:
            tokens.append((kind, raw))
    conditions = []
    joins = set()
    for index in range(0, len(tokens), 4):
        group = tokens[index : index + 4]
        shape = [k for k, _ in group[:3]]
        joined = len(group) == 3 or (group[3][0] == "join" and index + 4 < len(tokens))
        if shape != ["field", "op", "value"] or not joined:
            raise bad_request(f"Cannot parse $filter '{text}'.", code="BadRequest")
        if len(group) == 4:
            joins.add(group[3][1])
        conditions.append(Condition(group[0][1][len("fields/") :], group[1][1], group[2][1]))
    if len(joins) > 1:
        raise bad_request(
            f"The dev tenant cannot read $filter '{text}': it mixes 'and' with 'or', and it "
            "does not read parentheses. Join the conditions by 'and' only or by 'or' only.",
            code="BadRequest",
        )
    return Filter(tuple(conditions), any_of=joins == {"or"})


def matches(fields: dict[str, Any], where: Filter) -> bool:
    held = (_OPS[c.op](fields.get(c.field), c.value) for c in where.conditions)
    return any(held) if where.any_of else all(held)

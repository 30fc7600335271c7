"""List and column validation formulas, checked when an item is created or its fields change.

SharePoint evaluates a list's ``ValidationFormula`` "each time that a list item is added or
updated. If the formula evaluates to false, or if a calculation error occurs, the update is
not permitted and the message in the ValidationMessage property is displayed"
(SPList.ValidationFormula, https://learn.microsoft.com/previous-versions/office/sharepoint-server/ee571123(v=office.15));
each field's own formula is checked the same way and "can refer only to that field". A
false value is "false or a value equivalent to false, such as zero for numeric types"
(SPListDataValidationException.SPReason.DataFailure,
https://learn.microsoft.com/previous-versions/office/sharepoint-server/ee568103(v=office.15)).

This is a small, safe evaluator for the subset such formulas use: ``= <> < > <= >=``,
``+ - * / &``, numbers, "strings", TRUE/FALSE, ``[Column display name]`` references and the
functions AND, OR, NOT, IF, ISBLANK, TRUE, FALSE. It tokenises and parses; nothing is
``eval``-ed. Values follow Excel, as SharePoint's formulas do: dates are day numbers (so
they compare as dates), a blank is 0 in arithmetic and comparisons with numbers, "" beside
text and FALSE beside a truth value; text compares without regard to case.

A formula the evaluator cannot read (an unknown function, syntax it does not know, a column
the list no longer has) is *not checked*: the item is accepted and the formula is logged
once, so the dev tenant never refuses data a real tenant would take.

How a refusal is answered (Graph and SharePoint REST): see ``refusal`` below.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger("function_app.devtenant")

Value = float | str | bool | None
EPOCH = datetime(1899, 12, 30, tzinfo=UTC)  # day 0 of Excel's (and SharePoint's) dates


class CannotCheck(Exception):
    """The formula uses something this evaluator does not know: the item is accepted."""


class FormulaError(Exception):
    """A calculation error (#VALUE!, #DIV/0!): SharePoint refuses the item."""


# -- tokens ----------------------------------------------------------------------------------

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<number>\d+(?:\.\d*)?|\.\d+)
    | "(?P<string>(?:[^"]|"")*)"
    | \[(?P<ref>[^\]]+)\]
    | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
    | (?P<op><>|<=|>=|[=<>+\-*/&(),;])
    )""", re.VERBOSE)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # number, string, ref, name, op, end
    text: str


def _tokens(formula: str) -> list[_Token]:
    out: list[_Token] = []
    position = 0
    text = formula.rstrip()
    while position < len(text):
        found = _TOKEN.match(text, position)
        if not found or found.end() == position:
            raise CannotCheck(f"cannot read {text[position:position + 12]!r}")
        kind = found.lastgroup or "op"
        value = found.group(kind)
        if kind == "string":
            value = value.replace('""', '"')
        out.append(_Token(kind, value))
        position = found.end()
    out.append(_Token("end", ""))
    return out


# -- syntax ----------------------------------------------------------------------------------

Node = tuple[Any, ...]
FUNCTIONS = frozenset({"AND", "OR", "NOT", "IF", "ISBLANK", "TRUE", "FALSE"})
_COMPARISONS = ("=", "<>", "<", ">", "<=", ">=")


class _Parser:
    """Excel's precedence, lowest first: comparison, &, + -, * /, unary -."""

    def __init__(self, formula: str) -> None:
        body = formula.strip()
        if not body.startswith("="):
            raise CannotCheck("a formula starts with =")
        self.tokens = _tokens(body[1:])
        self.at = 0

    def parse(self) -> Node:
        node = self._comparison()
        if self._peek().kind != "end":
            raise CannotCheck(f"unexpected {self._peek().text!r}")
        return node

    def _peek(self) -> _Token:
        return self.tokens[self.at]

    def _take(self, *ops: str) -> str | None:
        token = self._peek()
        if token.kind == "op" and token.text in ops:
            self.at += 1
            return token.text
        return None

    def _comparison(self) -> Node:
        node = self._concatenation()
        while (op := self._take(*_COMPARISONS)) is not None:
            node = ("compare", op, node, self._concatenation())
        return node

    def _concatenation(self) -> Node:
        node = self._additive()
        while self._take("&"):
            node = ("concat", node, self._additive())
        return node

    def _additive(self) -> Node:
        node = self._multiplicative()
        while (op := self._take("+", "-")) is not None:
            node = ("arith", op, node, self._multiplicative())
        return node

    def _multiplicative(self) -> Node:
        node = self._unary()
        while (op := self._take("*", "/")) is not None:
            node = ("arith", op, node, self._unary())
        return node

    def _unary(self) -> Node:
        if self._take("-"):
            return ("arith", "-", ("value", 0.0), self._unary())
        if self._take("+"):
            return self._unary()
        return self._primary()

    def _primary(self) -> Node:
        token = self._peek()
        self.at += 1
        if token.kind == "number":
            return ("value", float(token.text))
        if token.kind == "string":
            return ("value", token.text)
        if token.kind == "ref":
            return ("ref", token.text.strip())
        if token.kind == "op" and token.text == "(":
            node = self._comparison()
            if not self._take(")"):
                raise CannotCheck("a bracket is not closed")
            return node
        if token.kind == "name":
            name = token.text.upper()
            if self._take("("):
                return ("call", name, self._arguments())
            if name in ("TRUE", "FALSE"):
                return ("value", name == "TRUE")
            raise CannotCheck(f"unknown name {token.text!r}")
        raise CannotCheck(f"unexpected {token.text or 'end of formula'!r}")

    def _arguments(self) -> tuple[Node, ...]:
        if self._take(")"):
            return ()
        arguments = [self._comparison()]
        while self._take(",", ";"):
            arguments.append(self._comparison())
        if not self._take(")"):
            raise CannotCheck("a function's arguments are not closed")
        return tuple(arguments)


def parse(formula: str) -> Node:
    """The formula's syntax tree; CannotCheck if it uses what this module does not know."""
    node = _Parser(formula).parse()
    _known(node)
    return node


def _known(node: Node) -> None:
    if node[0] == "call":
        if node[1] not in FUNCTIONS:
            raise CannotCheck(f"function {node[1]} is not known to the dev tenant")
        for argument in node[2]:
            _known(argument)
    elif node[0] in ("compare", "arith"):
        _known(node[2])
        _known(node[3])
    elif node[0] == "concat":
        _known(node[1])
        _known(node[2])


def references(node: Node) -> set[str]:
    if node[0] == "ref":
        return {node[1]}
    if node[0] == "call":
        return set().union(*(references(a) for a in node[2])) if node[2] else set()
    if node[0] in ("compare", "arith"):
        return references(node[2]) | references(node[3])
    if node[0] == "concat":
        return references(node[1]) | references(node[2])
    return set()


# -- values ----------------------------------------------------------------------------------


def _number(value: Value) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    try:
        return float(value)
    except ValueError:
        raise FormulaError("#VALUE!") from None


def _truth(value: Value) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return value != 0
    if value.upper() in ("TRUE", "FALSE"):
        return value.upper() == "TRUE"
    raise FormulaError("#VALUE!")


def _text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return f"{value:g}"
    return value


def _rank(value: Value) -> int:
    """Excel orders numbers before text before truth values."""
    return 2 if isinstance(value, bool) else 1 if isinstance(value, str) else 0


def _compare(op: str, left: Value, right: Value) -> bool:
    a: Any
    b: Any
    if left is None and right is None:
        a, b = 0.0, 0.0
    elif left is None or right is None:
        other = right if left is None else left
        blank: Value = False if isinstance(other, bool) else "" if isinstance(other, str) \
            else 0.0
        return _compare(op, blank if left is None else left, blank if right is None else right)
    elif _rank(left) != _rank(right):
        a, b = _rank(left), _rank(right)
    elif isinstance(left, str):
        a, b = left.casefold(), str(right).casefold()
    else:
        a, b = left, right
    results: dict[str, bool] = {"=": a == b, "<>": a != b, "<": a < b, ">": a > b,
                                "<=": a <= b, ">=": a >= b}
    return results[op]


def evaluate(node: Node, lookup: Callable[[str], Value]) -> Value:
    """The formula's value for one item; ``lookup`` gives a column's value by display name."""
    kind = node[0]
    if kind == "value":
        value: Value = node[1]
        return value
    if kind == "ref":
        return lookup(node[1])
    if kind == "compare":
        return _compare(node[1], evaluate(node[2], lookup), evaluate(node[3], lookup))
    if kind == "concat":
        return _text(evaluate(node[1], lookup)) + _text(evaluate(node[2], lookup))
    if kind == "arith":
        a, b = _number(evaluate(node[2], lookup)), _number(evaluate(node[3], lookup))
        if node[1] == "/":
            if b == 0:
                raise FormulaError("#DIV/0!")
            return a / b
        return a + b if node[1] == "+" else a - b if node[1] == "-" else a * b
    return _call(node[1], node[2], lookup)


def _call(name: str, arguments: tuple[Node, ...], lookup: Callable[[str], Value]) -> Value:
    if name in ("TRUE", "FALSE"):
        return name == "TRUE"
    if name == "ISBLANK":
        if len(arguments) != 1:
            raise CannotCheck("ISBLANK takes one value")
        value = evaluate(arguments[0], lookup)
        return value is None or value == ""
    if name == "NOT":
        if len(arguments) != 1:
            raise CannotCheck("NOT takes one value")
        return not _truth(evaluate(arguments[0], lookup))
    if name == "IF":
        if not 1 < len(arguments) <= 3:
            raise CannotCheck("IF takes two or three values")
        if _truth(evaluate(arguments[0], lookup)):
            return evaluate(arguments[1], lookup)
        return evaluate(arguments[2], lookup) if len(arguments) == 3 else False
    if not arguments:
        raise CannotCheck(f"{name} needs at least one value")
    values = [_truth(evaluate(a, lookup)) for a in arguments]  # every one, as Excel does
    return all(values) if name == "AND" else any(values)


def passes(formula: str, lookup: Callable[[str], Value]) -> bool:
    """True when the item satisfies the formula. A calculation error is a failure, as in
    SharePoint; CannotCheck is raised for a formula this module cannot read."""
    try:
        return _truth(evaluate(parse(formula), lookup))
    except FormulaError:
        return False


# -- an item's values ------------------------------------------------------------------------


def day_number(text: str) -> float:
    """An ISO 8601 instant as Excel's day number (days since 30 December 1899)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH).total_seconds() / 86400


def formula_value(column: Mapping[str, Any], stored: Any) -> Value:
    """A stored field value as a formula sees it."""
    if stored is None or stored == "":
        return None
    if "dateTime" in column and isinstance(stored, str):
        try:
            return day_number(stored)
        except ValueError:
            return stored
    if isinstance(stored, bool):
        return stored
    if isinstance(stored, int | float):
        return float(stored)
    if isinstance(stored, list):
        return ";".join(str(v) for v in stored)
    return str(stored)


# -- checking an item ------------------------------------------------------------------------

_reported: set[str] = set()


def _not_checked(formula: str, reason: str) -> None:
    if formula not in _reported:
        _reported.add(formula)
        log.warning("validation formula not checked by the dev tenant (%s): %s", reason,
                    formula)


@dataclass(frozen=True, slots=True)
class Failure:
    """A formula the item fails: "list" or a column's internal name, and its message."""

    where: str
    message: str


def check_item(columns: list[dict[str, Any]], fields: Mapping[str, Any],
               list_rule: tuple[str, str] | None,
               column_rules: Mapping[str, tuple[str, str]]) -> list[Failure]:
    """The formulas the item (all its fields, after the write) fails: each column's own
    formula first, then the list's. ``list_rule`` and ``column_rules`` (by internal name)
    are ``(formula, message)``."""
    by_title: dict[str, dict[str, Any]] = {}
    for column in columns:
        by_title.setdefault(str(column.get("displayName") or column["name"]).casefold(),
                            column)
    for column in columns:
        by_title.setdefault(str(column["name"]).casefold(), column)

    def lookup(title: str) -> Value:
        column = by_title.get(title.casefold())
        if column is None:
            raise CannotCheck(f"no column {title!r}")
        name = column["name"]
        stored = fields.get(name, fields.get(f"{name}LookupId"))
        return formula_value(column, stored)

    failures: list[Failure] = []
    rules = [(name, rule) for name, rule in column_rules.items()]
    if list_rule is not None:
        rules.append(("list", list_rule))
    for where, (formula, message) in rules:
        if not formula.strip():
            continue
        try:
            if not passes(formula, lookup):
                failures.append(Failure(where, message))
        except CannotCheck as reason:
            _not_checked(formula, str(reason))
    return failures

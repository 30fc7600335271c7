"""A small evaluator for the part of SharePoint's formatting expression language our
formatters use (``=if(...)``, arithmetic, comparisons, ``&&``, ``||``, ``+`` joining text,
``toString``, ``floor``, ``substring``, ``toUpperCase``), so tests can say what a member of
staff would see for given field values. Numbers print as JavaScript prints them."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|'([^']*)'|\[\$([A-Za-z0-9_]+)\]|(@currentField|@now)"
                    r"|([A-Za-z]+)|(==|!=|>=|<=|&&|\|\||[-+*/<>(),?:]))")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Parser:
    def __init__(self, source: str, fields: Mapping[str, Any]) -> None:
        self.tokens: list[tuple[str, Any]] = []
        position = 0
        source = source.strip()
        while position < len(source):
            found = _TOKEN.match(source, position)
            if not found or found.end() == position:
                raise ValueError(f"cannot read {source[position:]!r}")
            number, string, field, special, name, symbol = found.groups()
            if number is not None:
                self.tokens.append(("value", float(number)))
            elif string is not None:
                self.tokens.append(("value", string))
            elif field is not None:
                self.tokens.append(("value", fields.get(field, "")))
            elif special is not None:
                self.tokens.append(("value", fields.get(special, "")))
            elif name is not None:
                self.tokens.append(("name", name))
            else:
                self.tokens.append(("symbol", symbol))
            position = found.end()
        self.at = 0

    def peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, symbol: str | None = None) -> tuple[str, Any]:
        token = self.tokens[self.at]
        if symbol is not None and token != ("symbol", symbol):
            raise ValueError(f"expected {symbol}, found {token}")
        self.at += 1
        return token

    def _binary(self, operators: tuple[str, ...], lower: Any) -> Any:
        value = lower()
        while (token := self.peek()) is not None and token[0] == "symbol" and \
                token[1] in operators:
            self.take()
            value = _apply(token[1], value, lower())
        return value

    def expression(self) -> Any:
        return self._binary(("||",), lambda: self._binary(
            ("&&",), lambda: self._binary(("==", "!=", ">=", "<=", ">", "<"), lambda: (
                self._binary(("+", "-"), lambda: self._binary(("*", "/"), self.unary))))))

    def unary(self) -> Any:
        token = self.take()
        if token == ("symbol", "-"):
            return -self.unary()
        if token == ("symbol", "("):
            value = self.expression()
            self.take(")")
            return value
        if token[0] == "value":
            return token[1]
        if token[0] == "name":
            self.take("(")
            args = [self.expression()]
            while self.peek() == ("symbol", ","):
                self.take()
                args.append(self.expression())
            self.take(")")
            return _call(token[1], args)
        raise ValueError(f"unexpected {token}")


def _apply(operator: str, left: Any, right: Any) -> Any:
    if operator == "+":
        if isinstance(left, str) or isinstance(right, str):
            return _text(left) + _text(right)
        return left + right
    operations = {"-": lambda: left - right, "*": lambda: left * right,
                  "/": lambda: left / right if right else math.inf, "==": lambda: left == right,
                  "!=": lambda: left != right, ">=": lambda: left >= right,
                  "<=": lambda: left <= right, ">": lambda: left > right,
                  "<": lambda: left < right, "&&": lambda: bool(left) and bool(right),
                  "||": lambda: bool(left) or bool(right)}
    return operations[operator]()


def _call(name: str, args: list[Any]) -> Any:
    if name == "if":
        return args[1] if args[0] else args[2]
    if name == "toString":
        return _text(args[0])
    if name == "floor":  # as JavaScript's Math.floor: an empty field counts as 0
        number = 0.0 if args[0] == "" else args[0]
        return float(math.floor(number)) if math.isfinite(number) else number
    if name == "substring":
        return str(args[0])[int(args[1]):int(args[2])]
    if name == "toUpperCase":
        return str(args[0]).upper()
    raise ValueError(f"the evaluator does not know {name}()")


def evaluate(expression: str, fields: Mapping[str, Any]) -> Any:
    """The value of an ``=...`` expression for these field values (internal names)."""
    parser = _Parser(expression.removeprefix("="), fields)
    value = parser.expression()
    if parser.peek() is not None:
        raise ValueError(f"left over: {parser.tokens[parser.at:]}")
    return value

"""Read one case from its SharePoint list items into the case input, and say where each
problem lies: which list, which item, which column, in words staff understand.

The input is what Microsoft Graph returns with ``$expand=fields``: a lookup arrives as
``<Column>LookupId`` ("7"), a multi-value lookup as ``<Column>`` ([{"LookupId": 7, ...}]),
a dateOnly column as an instant ("2026-09-23T00:00:00Z"), a number possibly as 10.0.
The output is the dict ``case_input.case_from_dict`` reads, with every problem found on the
way (values that cannot be read, links that point nowhere), by the schema, and by the
domain's checks, each mapped back to the item and column it came from, so the processor can
write it to that item's GenerationMessage.

Ids: a carer's id is its Carers item id and a meeting's id its Meetings item id, so the
case input refers to carers and meetings the same way the lookups do.

The items and the problems are ``case_items``'s; reading the items' values and links into
the case input is ``item_reading``'s; this module runs it, checks the result, and puts each
problem on its item.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from function_app.domain.checks import problems as domain_problems
from function_app.domain.errors import Problem
from function_app.domain.model import Case
from function_app.services.case_files.case_input import case_from_dict, schema_problems

from .case_items import CaseItems, ItemProblem, Source
from .item_reading import CaseInputBuilder, join_path, parent_path
from .list_columns import CASES


@dataclass(frozen=True, slots=True)
class Locator:
    """Where each part of a mapped case input came from."""

    sources: Mapping[str, Source]
    labels: Mapping[str, str]  # case-input path -> how staff know it, e.g. '"Review date"'

    def locate(self, problem: Problem) -> ItemProblem:
        """The item and column a problem at a case-input path belongs to.

        Also for problems found later on the same case input, e.g. by the documents.
        """
        probe = problem.path
        while probe and probe not in self.sources:
            probe = parent_path(probe)
        list_name, item_id, column = self.sources.get(probe, (CASES.title, "", ""))
        return ItemProblem(list_name, item_id, column,
                           _plain(problem.message, problem.path, self.labels), problem.path)


@dataclass(frozen=True, slots=True)
class MappedCase:
    """The case input read from the lists, and everything wrong with it.

    ``case`` is the domain model, built only when there are no problems.
    """

    case_input: dict[str, Any] | None
    problems: tuple[ItemProblem, ...]
    case: Case | None
    locator: Locator

    def messages(self) -> dict[tuple[str, str], str]:
        """(list name, item id) -> the GenerationMessage for that item: one line a problem."""
        out: dict[tuple[str, str], list[str]] = {}
        for p in self.problems:
            out.setdefault((p.list_name, p.item_id), []).append(p.line)
        return {where: "\n".join(lines) for where, lines in out.items()}


def map_case(items: CaseItems, today: date) -> MappedCase:
    """Build the case input from list items and report every problem, item by item.

    ``today`` is the day the domain's checks judge dates against (a held meeting in the
    future, a notice issued tomorrow).
    """
    b = CaseInputBuilder()
    if items.case is None:
        b.without_case(items)
        return MappedCase(None, tuple(b.problems), None, Locator({}, {}))
    data = b.case(items)
    locator = Locator(b.sources, b.labels)
    found = list(b.problems)
    already = {p.path for p in found if p.path}
    later = schema_problems(data)
    case = None
    if not later:
        case = case_from_dict(data)
        later = domain_problems(case, today)
    found += [locator.locate(p) for p in later if p.path not in already]
    return MappedCase(data, tuple(found), None if found else case, locator)


_NAME = re.compile(r"[a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)*")


def _plain(message: str, path: str, labels: Mapping[str, str]) -> str:
    """A schema or domain message in the words of the lists: field paths become the
    column names staff see, "required" becomes "must be filled in"."""
    if message == "is required but missing":
        return "must be filled in"
    if message.startswith("is required when") and message.endswith(" is given"):
        message = "must be filled in when" + message[len("is required when"):-len(" is given")] \
                  + " is filled in"

    def named(match: re.Match[str]) -> str:
        word = match[0]
        if "_" not in word and "." not in word:
            return word
        for candidate in (word, join_path(parent_path(path), word)):
            if candidate in labels:
                return labels[candidate]
        return word

    return _NAME.sub(named, message)

"""National attendance and absence codes.

Source: The School Attendance (Pupil Registration) (England) Regulations 2024
(SI 2024/208), regulation 10 and its tables, in force from 19 August 2024; summarised in
../shared/domain.md. D (dual registration) is the pre-2024 code, kept because older
exports still carry it; like X, Z, # and the Q and Y codes it is not a possible session.
"""

from __future__ import annotations

import enum


class CodeMeaning(enum.StrEnum):
    PRESENT = "present"
    APPROVED_ACTIVITY = "approved_educational_activity"
    AUTHORISED = "authorised_absence"
    UNAUTHORISED = "unauthorised_absence"
    NOT_POSSIBLE = "not_a_possible_session"


_CODES: dict[str, CodeMeaning] = {
    **dict.fromkeys(["/", "\\", "L"], CodeMeaning.PRESENT),
    **dict.fromkeys(["K", "V", "P", "W", "B"], CodeMeaning.APPROVED_ACTIVITY),
    **dict.fromkeys(
        ["C1", "C2", "C", "M", "J1", "S", "T", "R", "I", "E"], CodeMeaning.AUTHORISED
    ),
    **dict.fromkeys(["G", "N", "O", "U"], CodeMeaning.UNAUTHORISED),
    **dict.fromkeys(
        ["Q", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7", "X", "Z", "#", "D"],
        CodeMeaning.NOT_POSSIBLE,
    ),
}

KNOWN_CODES: frozenset[str] = frozenset(_CODES)


def meaning(code: str) -> CodeMeaning:
    """What a register code means; raises KeyError for a code the regulations do not list."""
    return _CODES[code]


def counts_as_present(code: str) -> bool:
    return _CODES[code] in (CodeMeaning.PRESENT, CodeMeaning.APPROVED_ACTIVITY)


def is_possible_session(code: str) -> bool:
    return _CODES[code] is not CodeMeaning.NOT_POSSIBLE

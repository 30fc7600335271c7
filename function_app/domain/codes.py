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


# What each code records, in the words of the DfE's code table (Working together to improve
# school attendance, August 2024, and the schedule to SI 2024/208), shortened where long.
# Shown beside each code wherever a register is set out for a reader (the evidence bundle).
_DESCRIPTIONS: dict[str, str] = {
    "/": "Present (morning)",
    "\\": "Present (afternoon)",
    "L": "Late arrival before the register closed",
    "K": "Attending education provision arranged by the local authority",
    "V": "Attending an educational visit or trip",
    "P": "Participating in a sporting activity",
    "W": "Attending work experience",
    "B": "Attending any other approved educational activity",
    "C1": "Leave of absence for a regulated performance or regulated employment abroad",
    "C2": "Leave of absence for a pupil on a part-time timetable",
    "C": "Leave of absence for exceptional circumstances",
    "M": "Leave of absence for a medical or dental appointment",
    "J1": "Leave of absence to attend an interview for employment or another school or college",
    "S": "Leave of absence to study for a public examination",
    "T": "Parent travelling for occupational purposes",
    "R": "Religious observance",
    "I": "Illness (not a medical or dental appointment)",
    "E": "Suspended or permanently excluded, with no alternative provision made",
    "G": "Holiday not granted by the school",
    "N": "Reason for absence not yet established",
    "O": "Absent in other or unknown circumstances",
    "U": "Arrived in school after the register closed",
    "Q": "Unable to attend because of a lack of access arrangements",
    "Y1": "Unable to attend: transport normally provided not available",
    "Y2": "Unable to attend: widespread disruption to travel",
    "Y3": "Unable to attend: part of the school premises closed",
    "Y4": "Unable to attend: the whole school site unexpectedly closed",
    "Y5": "Unable to attend: in criminal justice detention",
    "Y6": "Unable to attend in accordance with public health guidance or law",
    "Y7": "Unable to attend because of any other unavoidable cause",
    "X": "Not required to be in school (not of compulsory school age)",
    "Z": "Prospective pupil not on the admission register",
    "#": "Planned whole or partial school closure",
    "D": "Dual registered: attending another school (code used before August 2024)",
}


def description(code: str) -> str:
    """What the code records, for a reader; raises KeyError for a code the regulations do
    not list."""
    return _DESCRIPTIONS[code]

"""The rules of school attendance casework in England. Standard library only.

The public surface: build a ``Case`` (``model``), load a ``Profile`` (``policy``), and
``assess`` it on a given day.
"""

from .assessment import Assessment, assess
from .errors import CaseworkError, InvalidCaseError, Problem, UnknownProfileError
from .policy import DEFAULT_PROFILE, Profile, known_profiles, load_profile

__all__ = [
    "DEFAULT_PROFILE",
    "Assessment",
    "CaseworkError",
    "InvalidCaseError",
    "Problem",
    "Profile",
    "UnknownProfileError",
    "assess",
    "known_profiles",
    "load_profile",
]

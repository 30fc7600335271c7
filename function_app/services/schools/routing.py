"""Which school a change notification is for, so that only that school's site is swept.

Graph posts each notification with the id of the subscription it is for. Every school's
subscriptions are kept in its own part of the state store (``services/site_state.py``,
scope ``subscription``: one per casework list, made by ``casework_sweep/subscriptions``),
so the school is found from the state store alone, without asking Graph. A notification
whose subscription no school holds (made before the school's state was kept apart, or by
another deployment) sweeps every school, as the 15-minute timer does: nothing is missed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from function_app.services.casework_sweep.subscriptions import SCOPE, Held
from function_app.services.ports import StateStore

from .registry import School


def school_of_subscription(schools: Sequence[School], state_of: Callable[[School], StateStore],
                           subscription_id: str) -> School | None:
    """The school whose lists the subscription watches, or None if no school holds it."""
    wanted = subscription_id.strip()
    if not wanted:
        return None
    for school in schools:
        state = state_of(school)
        for key in state.keys(SCOPE):
            held = Held.from_json(state.recall(SCOPE, key))
            if held is not None and held.id == wanted:
                return school
    return None

"""The transitions a caller may run on a request, from a table keyed by what decides them.

django-fsm decides a request's transitions by walking every transition, its source states,
its conditions and its permission: about 0.1 ms a request, a tenth of a list page's rendering.
What decides the answer is small: the state, the caller's role, and the yes/no facts the
permissions (`rules.may` and its checks) and conditions read. So the first request seen with
a combination of those facts asks django-fsm (`transitions_for`) and the answer is kept for the
next ones. The answer always comes from django-fsm; `decision_key` must name every fact it
reads, and tests/tickets/test_transition_table.py fails when a transition reads one it does
not name (a new condition, permission or check) or when the table and django-fsm disagree on
any state, role and combination of facts.
"""

from apps.accounts.actors import Actor
from apps.tickets.rules import (
    can_reach,
    is_approver,
    is_assignee_or_lead,
    not_yet_approved,
    within_reopen_window,
)

# The checks and conditions decision_key evaluates; the test holds every transition to them.
KNOWN_CHECKS = frozenset({None, is_assignee_or_lead, is_approver})
KNOWN_CONDITIONS = frozenset({not_yet_approved, within_reopen_window})

_TABLE: dict[tuple, tuple[str, ...]] = {}


def decision_key(request, actor: Actor) -> tuple:
    """Everything the request's transitions' permissions and conditions read, as a key."""
    return (
        request.state,
        actor.role,
        can_reach(request, actor),
        is_assignee_or_lead(request, actor),
        is_approver(request, actor),
        not_yet_approved(request),
        within_reopen_window(request),
    )


def allowed_transitions(request, actor) -> list[str]:
    """`request.transitions_for(actor)`, from the table once a request with the same facts
    has been asked about in this process."""
    if not isinstance(actor, Actor):
        return request.transitions_for(actor)
    key = decision_key(request, actor)
    names = _TABLE.get(key)
    if names is None:
        names = _TABLE[key] = tuple(request.transitions_for(actor))
    return list(names)


def forget() -> None:
    """Empty the table (tests)."""
    _TABLE.clear()

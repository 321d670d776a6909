"""The lifecycle graph read from the model's django-fsm metadata, for tests."""

from django_fsm import State as DynamicTarget

from apps.lifecycle.states import State
from apps.tickets.models import ServiceRequest

FIELD = ServiceRequest._meta.get_field("state")


def edges() -> list[tuple[str, str, str]]:
    """(source, transition, target) for every declared transition; a target-less transition
    (escalate, reprioritize) stays in its source."""
    result = []
    for t in FIELD.get_all_transitions(ServiceRequest):
        if isinstance(t.target, DynamicTarget):
            targets = list(t.target.allowed_states)
        else:
            targets = [t.source if t.target is None else t.target]
        result.extend((str(t.source), t.name, str(target)) for target in targets)
    return result


def transition_names() -> set[str]:
    return {name for _, name, _ in edges()}


def sources_of(name: str) -> set[str]:
    return {source for source, n, _ in edges() if n == name}


ALL_STATES = {str(s) for s in State}

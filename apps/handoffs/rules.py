"""Who may act on a handoff (deny by default) and the conditions of its transitions."""

from apps.accounts.actors import Actor, Role


def works_for(actor: Actor, department_id: int | None) -> bool:
    """An agent of the department (or a supervisor); untriaged work does not count here."""
    if not isinstance(actor, Actor) or actor.role != Role.AGENT or department_id is None:
        return False
    return actor.is_supervisor or department_id in actor.department_ids


def for_target(handoff, actor) -> bool:
    """Accept, decline and complete: the department the handoff is addressed to."""
    return works_for(actor, handoff.to_department_id)


def for_sender(handoff, actor) -> bool:
    """Cancel: the sending department (or the one that owns the request now), or the system."""
    if isinstance(actor, Actor) and actor.role == Role.SYSTEM:
        return True
    return works_for(actor, handoff.from_department_id) or works_for(
        actor, handoff.request.department_id
    )


def for_system(handoff, actor) -> bool:
    """Expiry is the sweep's."""
    return isinstance(actor, Actor) and actor.role == Role.SYSTEM


def is_consult(handoff) -> bool:
    return handoff.kind == "consult"


def cancellable(handoff) -> bool:
    # An accepted transfer has already moved the request: nothing left to cancel.
    return handoff.state == "requested" or handoff.kind == "consult"

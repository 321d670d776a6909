"""Subscriptions: what each announcement of the apps sets in motion (already after commit)."""

from django.dispatch import receiver

from apps.tickets.signals import request_transitioned
from workflows.enqueue import enqueue

# Transitions after which a request waits in `new` for routing.
ROUTE_AFTER = frozenset({"submit", "decline_answer", "answer_timeout", "approve", "reopen"})


@receiver(request_transitioned, dispatch_uid="workflows.route_after_transition")
def route_after_transition(sender, *, request_id, transition, to_state, **kwargs):
    if transition in ROUTE_AFTER and to_state == "new":
        enqueue("routing.route_request", request_id=request_id)

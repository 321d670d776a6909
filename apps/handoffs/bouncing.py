"""Bouncing: a request transferred back to a department it already left, or too often."""

from apps.eventlog.models import Event, EventKind
from apps.handoffs import conf


def department_moves(request_id: int) -> list[tuple[int, int]]:
    """(from, to) department of every transfer in the request's log, oldest first; direct
    transfers and escalation moves count as well as accepted handoffs."""
    payloads = Event.objects.filter(
        request_id=request_id, kind=EventKind.TRANSITION, transition="transfer"
    ).values_list("payload", flat=True)
    moves = []
    for payload in payloads.order_by("seq"):
        moved = payload.get("department") if isinstance(payload, dict) else None
        if isinstance(moved, dict) and moved.get("from") and moved.get("to"):
            moves.append((moved["from"], moved["to"]))
    return moves


def bounce_of(request_id: int) -> dict | None:
    """Why the latest transfer makes the request bounce, or None: its target is a department
    the request had left before (ping-pong), or it is transfer number bounce_limit() + 1."""
    moves = department_moves(request_id)
    if not moves:
        return None
    left_before = {source for source, _target in moves[:-1]}
    target = moves[-1][1]
    if target in left_before:
        return {"reason": "returned", "returned_to": target, "transfers": len(moves)}
    if len(moves) > conf.bounce_limit():
        return {"reason": "too_many_transfers", "transfers": len(moves)}
    return None

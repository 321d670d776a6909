"""Merging a duplicate request into another: its conversation follows, it closes with a pointer."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.actors import Actor, Role
from apps.core.errors import Forbidden, InvalidData, NotAllowed
from apps.eventlog.models import Event, EventKind
from apps.eventlog.writer import write_event
from apps.lifecycle.states import TERMINAL
from apps.tickets import door
from apps.tickets.door import LockedRequest
from apps.tickets.models import Attachment, Message, ServiceRequest, Visibility
from apps.tickets.rules import can_reach
from apps.tickets.services import transition
from apps.tickets.transition_data import MergeData


def do_merge_requests(
    duplicate: ServiceRequest,
    *,
    into: ServiceRequest | int,
    actor: Actor,
    expected_version: int | None = None,
    reason: str = "",
) -> ServiceRequest:
    """Merge `duplicate` into the request `into` (an instance or its id), as an agent, and
    return the duplicate as saved (closed, `merged_into` set).

    Both rows are locked in id order. Writes: on the duplicate, the `merge` transition to
    `closed` through the door (its SLA clocks stop, open handoffs are withdrawn, its event
    row records `merged_into`); its messages and files move to the target, keeping their
    authors, times and visibility, marked `merged_from`; its description (and the files given
    with it) becomes a public message on the target, dated when it was submitted; on the
    target, a `merge` event naming what came over, and its version is bumped (its files
    changed). Enqueues: `request_transitioned` for the duplicate after commit (the customer
    hears of it, notices.py). Raises: Forbidden unless an agent who reaches both requests;
    InvalidData for itself or a request of another customer (link those instead) or no such
    target; NotAllowed if the target is closed, cancelled or merged, or the duplicate is no
    longer open; Conflict if the duplicate changed since `expected_version`.
    """
    if actor.role != Role.AGENT:
        raise Forbidden(_("Only agents merge requests."))
    target_pk = into.pk if isinstance(into, ServiceRequest) else into
    if target_pk == duplicate.pk:
        raise InvalidData(
            _("A request cannot be merged into itself."),
            fields={"into": _("Name another request.")},
        )
    expected = duplicate.version if expected_version is None else expected_version
    with transaction.atomic():
        held, target_held = door.lock_pair(duplicate.pk, target_pk)
        if held is None:
            raise NotAllowed(_("The request does not exist."), state=None, allowed=[])
        if held.version != expected:
            raise door.conflict(duplicate.pk, expected)
        target = _check_target(held.instance, target_held, actor)
        merged = transition(held, "merge", actor=actor, reason=reason, data=MergeData(into=target))
        moved = _move_conversation(merged, target)
        at = door.event_time(target)
        target.last_event_seq += 1
        target.last_event_at = at
        door.write_row(target, ["last_event_at"])
        write_event(
            target,
            kind=EventKind.MERGE,
            actor=actor,
            at=at,
            from_state=target.state,
            payload={"merged": merged.pk, "reference": merged.reference, **moved}
            | ({"reason": reason} if reason else {}),
        )
    return merged


def _check_target(
    duplicate: ServiceRequest, held: LockedRequest | None, actor: Actor
) -> ServiceRequest:
    """The request to merge into, unless the desk does not make this merge (raises: see
    do_merge_requests)."""
    target = held.instance if held is not None else None
    if target is None or not can_reach(target, actor):
        raise InvalidData(
            _("No such request to merge into."),
            fields={"into": _("A request you can see, e.g. SR-000123.")},
        )
    if not can_reach(duplicate, actor):
        raise Forbidden(_("You may not merge %(ref)s.") % {"ref": duplicate.reference})
    if target.merged_into_id is not None:
        raise NotAllowed(
            _("%(target)s was itself merged into %(other)s: merge into that one.")
            % {"target": target.reference, "other": _reference(target.merged_into_id)},
            state=target.state,
            allowed=[],
        )
    if target.state in TERMINAL:
        raise NotAllowed(
            _("%(target)s is %(state)s: merge into an open request.")
            % {"target": target.reference, "state": target.get_state_display()},
            state=target.state,
            allowed=[],
        )
    if target.customer_id != duplicate.customer_id:
        # The target's customer would read the other customer's conversation.
        raise InvalidData(
            _(
                "%(target)s belongs to another customer: only a customer's own requests are "
                "merged. Link the two requests instead."
            )
            % {"target": target.reference},
            fields={"into": _("A request of the same customer.")},
        )
    return target


def _reference(pk: int) -> str:
    return ServiceRequest(pk=pk).reference


def _move_conversation(duplicate: ServiceRequest, target: ServiceRequest) -> dict[str, Any]:
    """Move the duplicate's messages and files to the target (rows locked with both requests);
    what moved, by id, for the target's event."""
    opening = _opening_message(duplicate, target)
    messages = Message.objects.filter(request=duplicate)
    message_ids = list(messages.values_list("pk", flat=True))
    messages.update(request=target, merged_from=duplicate)
    files = Attachment.objects.filter(request=duplicate)
    file_ids = list(files.values_list("pk", flat=True))
    if opening is not None:
        files.filter(message__isnull=True).update(message=opening)
    files.update(request=target, merged_from=duplicate)
    moved: dict[str, Any] = {"messages": message_ids, "attachments": file_ids}
    if opening is not None:
        moved["opening_message"] = opening.pk
    return moved


def _opening_message(duplicate: ServiceRequest, target: ServiceRequest) -> Message | None:
    """The duplicate's subject and description as a public message on the target, by whoever
    submitted it and dated then; the files given with it hang on it. None when there is
    nothing to carry (no description, no files at submission)."""
    has_files = Attachment.objects.filter(request=duplicate, message__isnull=True).exists()
    if not duplicate.description.strip() and not has_files:
        return None
    submitted = (
        Event.objects.filter(request=duplicate, seq=1).values("actor_id", "actor_role").first()
    )
    return Message.objects.create(
        request=target,
        merged_from=duplicate,
        author_id=submitted["actor_id"] if submitted else None,
        author_role=submitted["actor_role"] if submitted else Role.CUSTOMER,
        visibility=Visibility.PUBLIC,
        body=f"{duplicate.subject}\n\n{duplicate.description}".strip(),
        created_at=duplicate.created_at,
    )

"""Applying a macro: its reply through the door, then its transition, in one transaction."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.actors import Actor, Role
from apps.core.errors import Conflict, Forbidden, InvalidData, NotAllowed
from apps.macros import selectors, variables
from apps.macros.models import Macro
from apps.tickets import attachments, services
from apps.tickets.models import Message, ServiceRequest
from apps.tickets.rules import can_reach


@dataclass(frozen=True)
class Applied:
    """What applying a macro did: the reply posted and the request as it is now."""

    macro: Macro
    message: Message
    request: ServiceRequest


def do_apply_macro(
    service_request: ServiceRequest,
    *,
    macro: Macro,
    actor: Actor,
    body: str | None = None,
    files: Sequence[attachments.IncomingFile] = (),
    expected_version: int | None = None,
) -> Applied:
    """Post the macro's reply (or `body`, the agent's edit of it) as a public reply, then run
    the macro's transition, all or nothing.

    The transition is checked before anything is written, and the reply and the transition
    share one transaction: if the transition is refused (the request moved on meanwhile), the
    reply is not posted either and the macro's use is not counted (files already stored are
    left to `sweep_attachment_files`). Writes: the message and its `message` event
    (`do_post_message`), the transition's event with `explain: {"macro": id}`, the macro's
    `usage_count` (+1, in the database) and `last_used_at`. Enqueues: `message_posted` and
    `request_transitioned` after commit. Raises: Forbidden for anyone but an agent who
    reaches the request and may use the macro; Conflict if the request's version is not
    `expected_version`; NotAllowed if the macro's transition is not open to the actor now;
    InvalidData for an empty reply or a macro text that does not render.
    """
    if actor.role != Role.AGENT or not can_reach(service_request, actor):
        raise Forbidden(_("Only the desk's agents apply macros."))
    if selectors.get_macro_for(actor, macro.pk) is None:
        raise Forbidden(_("This macro is not yours to use."))
    with transaction.atomic():
        locked = services.lock_request(
            service_request.pk, "customer__user", "department", "category"
        )
        if locked is None:
            raise Forbidden(_("You cannot write on this request."))
        request = locked.instance
        if expected_version is not None and request.version != expected_version:
            raise Conflict(
                _("%(reference)s changed since you read it; read it again.")
                % {"reference": request.reference},
                state=request.state,
                version=request.version,
            )
        _check_transition_open(macro, request, actor)
        text = body if body is not None else _render(macro, request, actor)
        message = attachments.do_post_message_with_files(
            request, actor=actor, body=text, files=files
        )
        if macro.transition:
            request = services.transition(
                message.request,
                macro.transition,
                actor=actor,
                explain={"macro": macro.pk, "macro_name": macro.name},
            )
        Macro.objects.filter(pk=macro.pk).update(
            usage_count=F("usage_count") + 1, last_used_at=timezone.now()
        )
    return Applied(macro=macro, message=message, request=request)


def _check_transition_open(macro: Macro, request: ServiceRequest, actor: Actor) -> None:
    if not macro.transition:
        return
    allowed = request.transitions_for(actor)
    if macro.transition not in allowed:
        raise NotAllowed(
            _(
                "The macro '%(macro)s' ends with '%(transition)s', which is not open to you "
                "on %(reference)s now (%(state)s). Nothing was sent."
            )
            % {
                "macro": macro.name,
                "transition": macro.get_transition_display(),
                "reference": request.reference,
                "state": request.get_state_display(),
            },
            state=request.state,
            allowed=allowed,
        )


def _render(macro: Macro, request: ServiceRequest, actor: Actor) -> str:
    try:
        return selectors.render_for(macro, request, actor.user).text
    except variables.UnknownVariable as exc:
        raise InvalidData(str(exc), fields={"macro": str(exc)}) from exc

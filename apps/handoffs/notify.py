"""Telling people about a handoff step: in the app, by e-mail and by webhook, once per step."""

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import Department
from apps.handoffs.models import Handoff, HandoffKind
from apps.notifications.services import do_notify, do_publish_event

# The kinds and steps as a person reads them in a notification's title (the kinds' choice
# labels explain them at length; a title needs the word).
KIND_WORDS = {
    HandoffKind.TRANSFER: gettext_lazy("transfer"),
    HandoffKind.CONSULT: gettext_lazy("consult"),
}
# The steps.
STEP_LABELS = {
    "requested": gettext_lazy("requested"),
    "accepted": gettext_lazy("accepted"),
    "declined": gettext_lazy("declined"),
    "completed": gettext_lazy("completed"),
    "cancelled": gettext_lazy("cancelled"),
    "expired": gettext_lazy("expired"),
}


def webhook_payload(handoff: Handoff, step: str, details: dict | None = None) -> dict:
    """What webhook subscribers of the `handoff` kind receive (no internal notes)."""
    return {
        "handoff": handoff.pk,
        "handoff_kind": handoff.kind,
        "step": step,
        "state": handoff.state,
        "request": handoff.request.reference,
        "from_department": handoff.from_department_id,
        "to_department": handoff.to_department_id,
        **(details or {}),
    }


def do_send_step_notifications(handoff_id: int, step: str) -> bool:
    """Notify whoever a handoff step concerns, once; False if it was done before.

    Requested (and withdrawn before acceptance): the target department's agents. Accepted,
    declined, completed (with the result), expired: who requested it and the request's
    assignee. Writes: `Notification` rows and a `WebhookDelivery` per subscription of kind
    `handoff`, and the step in the handoff's `notified_steps`, in one transaction. Enqueues:
    the e-mails and webhook deliveries after commit.
    """
    with transaction.atomic():
        handoff = (
            Handoff.objects.select_for_update(of=("self",))
            .select_related("request__assignee__user", "requested_by", "accepted_by")
            .filter(pk=handoff_id)
            .first()
        )
        if handoff is None or step in handoff.notified_steps:
            return False
        title, body = _message(handoff, step)
        do_notify(
            recipients=_recipients(handoff, step),
            kind="handoff",
            request=handoff.request,
            caused_by=_cause(handoff, step),
            title=title,
            body=body,
        )
        do_publish_event(kind="handoff", payload=webhook_payload(handoff, step))
        handoff.notified_steps = [*handoff.notified_steps, step]
        handoff.save(update_fields=["notified_steps"])
    return True


def _recipients(handoff: Handoff, step: str) -> list:
    if step == "requested" or (step == "cancelled" and handoff.accepted_by_id is None):
        return list(_agents_of(handoff.to_department))
    if step == "cancelled":
        return [handoff.accepted_by]
    people = [handoff.requested_by]
    if handoff.request.assignee_id:
        people.append(handoff.request.assignee.user)
    return [person for person in people if person is not None]


def _cause(handoff: Handoff, step: str):
    """Who took the step (never told of it): None for an expiry, the desk's own doing."""
    return {
        "requested": handoff.requested_by,
        "accepted": handoff.accepted_by,
        "completed": handoff.accepted_by,
        "declined": handoff.closed_by,
        "cancelled": handoff.closed_by,
    }.get(step)


def _agents_of(department: Department):
    return get_user_model().objects.filter(agent__departments=department, is_active=True)


def _message(handoff: Handoff, step: str) -> tuple[Callable[[], str], Callable[[], str]]:
    """Title and body, each made in the recipient's language (do_notify calls them)."""
    request = handoff.request

    def title() -> str:
        return _("%(handoff)s (%(kind)s) on %(request)s: %(step)s") % {
            "handoff": handoff.reference,
            "kind": KIND_WORDS.get(handoff.kind, handoff.kind),
            "request": request.reference,
            "step": STEP_LABELS.get(step, step),
        }

    def body() -> str:
        text = f"{request.subject}\n\n{handoff.reason}"
        if step == "completed" and handoff.kind == HandoffKind.CONSULT:
            return text + "\n\n" + _("Result:") + f"\n{handoff.result}"
        if handoff.closing_reason:
            return text + f"\n\n{handoff.closing_reason}"
        return text

    return title, body

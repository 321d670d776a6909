"""Subscriptions: what each announcement of the apps sets in motion (already after commit)."""

from django.conf import settings
from django.dispatch import receiver

from apps.accounts.models import Agent
from apps.accounts.signals import agent_availability_changed
from apps.handoffs.signals import handoff_changed
from apps.mail.signals import mail_taken_in
from apps.notifications.signals import notifications_created, webhook_deliveries_created
from apps.notifications.webhook_types import WebhookEventType
from apps.tickets import notices
from apps.tickets.signals import message_posted, request_transitioned
from workflows.enqueue import enqueue
from workflows.gather import gatherer
from workflows.webhook_feed import lifecycle_subscribed

REQUEST_CREATED = WebhookEventType.REQUEST_CREATED
REQUEST_STATE_CHANGED = WebhookEventType.REQUEST_STATE_CHANGED

# Transitions after which a request waits in `new` for routing.
ROUTE_AFTER = frozenset({"submit", "decline_answer", "answer_timeout", "approve", "reopen"})


@receiver(request_transitioned, dispatch_uid="workflows.route_after_transition")
def route_after_transition(sender, *, request_id, transition, to_state, **kwargs):
    """A new request goes to the chatbot first (when enabled), which routes what it does not
    answer; every other way back to `new` goes straight to routing. New requests travel
    gathered, several in one message (workflows/gather.py)."""
    if transition == "submit":
        chatbot = settings.SERVICEDESK_CHATBOT_ENABLED
        gatherer.add("chatbot.answer_requests" if chatbot else "routing.route_request", request_id)
    elif transition in ROUTE_AFTER and to_state == "new":
        enqueue("routing.route_request", request_id=request_id)


@receiver(request_transitioned, dispatch_uid="workflows.assign_when_queued")
def assign_when_queued(sender, *, request_id, transition, to_state, **kwargs):
    # A routing task assigns what it has just routed itself.
    if to_state == "queued" and transition != "route":
        enqueue("routing.assign_request", request_id=request_id)


# Leaving these states frees a slot of the assignee's capacity.
WORKING = frozenset({"assigned", "in_progress", "pending_customer"})


@receiver(request_transitioned, dispatch_uid="workflows.assign_when_capacity_frees")
def assign_when_capacity_frees(
    sender, *, from_state, to_state, previous_assignee_id=None, **kwargs
):
    """A slot of the former assignee's capacity is free: every department of theirs may have
    a request waiting for it."""
    if from_state in WORKING and to_state not in WORKING and previous_assignee_id:
        enqueue("routing.assign_freed_capacity", agent_id=previous_assignee_id)


@receiver(agent_availability_changed, dispatch_uid="workflows.react_to_availability")
def react_to_availability(sender, *, agent_id, availability, **kwargs):
    if availability == "online":
        departments = Agent.objects.get(pk=agent_id).departments.values_list("pk", flat=True)
        for department_id in departments:
            enqueue("routing.assign_waiting", department_id=department_id)
    else:
        enqueue("routing.requeue_offline_agent", agent_id=agent_id)


@receiver(notifications_created, dispatch_uid="workflows.email_notifications")
def email_notifications(sender, *, email_ids, **kwargs):
    for notification_id in email_ids:
        enqueue("notifications.send_email", notification_id=notification_id)


@receiver(webhook_deliveries_created, dispatch_uid="workflows.deliver_webhooks")
def deliver_webhooks(sender, *, delivery_ids, **kwargs):
    for delivery_id in delivery_ids:
        enqueue("notifications.deliver_webhook", delivery_id=delivery_id)


@receiver(request_transitioned, dispatch_uid="workflows.lifecycle_webhook_on_transition")
def lifecycle_webhook_on_transition(sender, *, request_id, transition, event_seq, **kwargs):
    """request.created / request.state_changed, from the log row just written (the beat's
    feed publishes it too if this task is lost; never twice). Only for a type someone wants:
    a subscriber to `request.created` alone costs no task per later transition."""
    kind = REQUEST_CREATED if transition == "submit" else REQUEST_STATE_CHANGED
    if kind in lifecycle_subscribed.get():
        enqueue("notifications.publish_request_event", request_id=request_id, event_seq=event_seq)


@receiver(message_posted, dispatch_uid="workflows.lifecycle_webhook_on_message")
def lifecycle_webhook_on_message(sender, *, request_id, message_id, **kwargs):
    if WebhookEventType.MESSAGE_CREATED in lifecycle_subscribed.get():
        enqueue("notifications.publish_request_event", request_id=request_id, message_id=message_id)


@receiver(request_transitioned, dispatch_uid="workflows.manual_escalation")
def manual_escalation(sender, *, request_id, transition, actor_role, event_seq, **kwargs):
    """An agent's or customer's escalation runs the SLA policy's manual steps on a worker."""
    if transition == "escalate" and actor_role in ("customer", "agent"):
        enqueue("sla.apply_manual_escalation", request_id=request_id, event_seq=event_seq)


@receiver(handoff_changed, dispatch_uid="workflows.notify_handoff")
def notify_handoff(sender, *, handoff_id, step, **kwargs):
    enqueue("handoffs.notify_handoff", handoff_id=handoff_id, step=step)


@receiver(request_transitioned, dispatch_uid="workflows.notify_transition")
def notify_transition(sender, *, request_id, transition, event_seq, **kwargs):
    """Whoever waits for this transition hears of it (apps/tickets/notices.py)."""
    if transition in notices.NOTIFYING:
        enqueue("notifications.notify_transition", request_id=request_id, event_seq=event_seq)


@receiver(message_posted, dispatch_uid="workflows.notify_message")
def notify_message(sender, *, message_id, visibility, author_role, **kwargs):
    """The other side of the conversation hears of a public message (the bot's answer is told
    with its transition)."""
    if visibility == "public" and author_role in ("agent", "customer"):
        enqueue("notifications.notify_message", message_id=message_id)


@receiver(mail_taken_in, dispatch_uid="workflows.after_mail_taken_in")
def after_mail_taken_in(sender, *, inbound_id, outcome, request_id, routed, **kwargs):
    """A rejected sender gets one auto-reply; a new request its mailbox routed to a
    department is assigned (the routing task assigns only what it routed itself)."""
    if outcome == "rejected":
        enqueue("notifications.send_mail_auto_reply", inbound_id=inbound_id)
    if routed:
        enqueue("routing.assign_request", request_id=request_id)

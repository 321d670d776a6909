"""What the request page shows besides the record: thread and files, assign-to-me, handoff
link (other apps' panels come through `extensions.add_panel`)."""

from django.urls import NoReverseMatch, reverse

from apps.accounts.actors import Actor
from apps.core.prefetch import set_prefetched
from apps.lifecycle.reference import format_reference
from apps.lifecycle.states import OPEN
from apps.tickets.admin import markup
from apps.tickets.models import Attachment, Message, ServiceRequest

# The customer's other requests in the side panel: the most recent ones.
OTHER_REQUESTS_SHOWN = 5


def thread(service_request, files: list[Attachment]) -> list[Message]:
    """Every message of the request, oldest first, authors loaded in the same query, each
    holding its own of `files` (the request's, read once) as `attachments`."""
    messages = list(
        Message.objects.filter(request=service_request)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    for message in messages:
        message.body_html = markup.render(message.body)  # type: ignore[attr-defined]  # for the template
        message.merged_from_reference = (  # type: ignore[attr-defined]  # for the template
            format_reference(message.merged_from_id) if message.merged_from_id else ""
        )
        set_prefetched(message, "attachments", [f for f in files if f.message_id == message.pk])
    return messages


def files(service_request) -> list[Attachment]:
    """Every file of the request (the page is for agents, who see internal notes' files too),
    oldest first."""
    return list(
        Attachment.objects.filter(request=service_request)
        .select_related("uploaded_by", "message")
        .order_by("created_at", "pk")
    )


def assign_to_me(service_request, actor: Actor, transitions: list[str]) -> str | None:
    """The transition that makes the signed-in agent the assignee now ("assign" or
    "reassign"), or None when they cannot take it (not an agent there, or already theirs)."""
    if actor.agent_id is None or service_request.assignee_id == actor.agent_id:
        return None
    if service_request.department_id not in actor.department_ids:
        return None
    return next((name for name in ("assign", "reassign") if name in transitions), None)


def handoff_url(service_request) -> str | None:
    """The handoffs app's add form for this request, once that app registers it."""
    try:
        return reverse("admin:handoffs_handoff_add") + f"?request={service_request.pk}"
    except NoReverseMatch:
        return None


def other_requests(service_request, visible) -> list[ServiceRequest]:
    """The customer's other requests the agent may see (`visible`, the admin's queryset),
    open ones first, then the newest; one query."""
    rows = (
        visible.filter(customer_id=service_request.customer_id)
        .exclude(pk=service_request.pk)
        .only("pk", "subject", "state", "created_at")
        .order_by("-created_at", "-pk")[: OTHER_REQUESTS_SHOWN * 2]
    )
    rows = sorted(rows, key=lambda r: r.state not in OPEN)
    return rows[:OTHER_REQUESTS_SHOWN]

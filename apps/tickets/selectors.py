"""Reads: the requests and messages an actor may see, with their relations loaded up front."""

from django.db.models import Prefetch, Q, QuerySet

from apps.accounts.actors import Actor, Role
from apps.lifecycle.reference import parse_reference
from apps.sla.models import SLAClock
from apps.tickets import extensions
from apps.tickets.models import Message, ServiceRequest, Visibility

# Each request's SLA clocks with what their summaries need: three queries for a whole page.
_CLOCKS = Prefetch(
    "sla_clocks",
    queryset=SLAClock.objects.select_related("policy__calendar")
    .prefetch_related("policy__calendar__hours", "policy__calendar__holidays")
    .order_by("kind"),
)


def list_requests_for(actor: Actor, *, with_sla: bool = True) -> QuerySet[ServiceRequest]:
    """Customers: their own. Agents: their departments' and untriaged ones (as the door lets
    them act); superusers: all. Anyone else: none."""
    requests = ServiceRequest.objects.select_related(
        "category",
        "department",
        "assignee__user",
        "customer__user",
        *extensions.related_one_to_one(),
    )
    if with_sla:
        requests = requests.prefetch_related(_CLOCKS)
    if actor.role == Role.CUSTOMER:
        return requests.filter(customer_id=actor.customer_id)
    if actor.role == Role.AGENT:
        if actor.is_supervisor:
            return requests
        return requests.filter(Q(department__in=actor.department_ids) | Q(department__isnull=True))
    return requests.none()


def get_request_for(
    actor: Actor, reference: str, *, with_sla: bool = True
) -> ServiceRequest | None:
    """The request behind `SR-000123` (or `123`) if the actor may see it, else None."""
    pk = parse_reference(reference)
    if pk is None:
        return None
    return list_requests_for(actor, with_sla=with_sla).filter(pk=pk).first()


def list_messages_for(actor: Actor, request: ServiceRequest) -> QuerySet[Message]:
    """The request's thread; customers never get internal notes."""
    messages = Message.objects.filter(request=request).select_related("author")
    if actor.role != Role.AGENT:
        messages = messages.filter(visibility=Visibility.PUBLIC)
    return messages.order_by("created_at", "pk")

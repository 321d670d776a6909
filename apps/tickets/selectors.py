"""Reads: the requests, messages and attachments an actor may see, with their relations loaded
up front."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects

from apps.accounts.actors import Actor, Role
from apps.lifecycle.reference import parse_reference
from apps.sla.models import SLAClock
from apps.tickets import extensions
from apps.tickets.models import Attachment, Message, ServiceRequest, Visibility

# Each request's SLA clocks with what their summaries need: three queries for a whole page.
_CLOCKS = Prefetch(
    "sla_clocks",
    queryset=SLAClock.objects.select_related("policy__calendar")
    .prefetch_related("policy__calendar__hours", "policy__calendar__holidays")
    .order_by("kind"),
)


def list_requests_for(actor: Actor, *, with_sla: bool = True) -> QuerySet[ServiceRequest]:
    """Customers: their own. Agents: their departments' and untriaged ones (as the door lets
    them act); superusers: all. Anyone else: none. `with_sla`: with what the representation
    shows besides the row (SLA clocks, the attachments the actor may see)."""
    requests = _with_related()
    if with_sla:
        requests = requests.prefetch_related(_CLOCKS, _attachments_prefetch(actor))
    return _visible_to(actor, requests)


def list_page_requests_for(actor: Actor) -> QuerySet[ServiceRequest]:
    """`list_requests_for` for a page that `load_page` completes: each row says whether it has
    SLA clocks and files the actor may see (`has_clocks`, `has_files`, two index lookups in
    the page's query), so that only those are read: most requests have no files, and a desk
    without SLA policies has no clocks (each a query for the page that found nothing)."""
    return _visible_to(actor, _page_base(actor).using(page_database()))


def page_database() -> str:
    """The alias a page is read through: the connection that prepares repeated statements
    (`SERVICEDESK_PAGE_DATABASE`, servicedesk/settings/databases.py), except while the default
    connection is in a transaction, whose own writes the page must show."""
    alias = settings.SERVICEDESK_PAGE_DATABASE
    if alias != DEFAULT_DB_ALIAS and not transaction.get_autocommit():
        return DEFAULT_DB_ALIAS
    return alias


def _with_related() -> QuerySet[ServiceRequest]:
    return ServiceRequest.objects.select_related(
        "category",
        "department",
        "assignee__user",
        "customer__user",
        *extensions.related_one_to_one(),
    )


def _visible_to(actor: Actor, requests: QuerySet[ServiceRequest]) -> QuerySet[ServiceRequest]:
    if actor.role == Role.CUSTOMER:
        return requests.filter(customer_id=actor.customer_id)
    if actor.role == Role.AGENT:
        if actor.is_supervisor:
            return requests
        return requests.filter(Q(department__in=actor.department_ids) | Q(department__isnull=True))
    return requests.none()


# The page's queryset before the actor's filter, built once per process for each kind of
# reader (agents see every file, others not internal notes'): resolving its two EXISTS
# subqueries was a tenth of a list call. Callers get a clone (`.using()`), never this object.
_PAGE_BASES: dict[tuple, QuerySet[ServiceRequest]] = {}


def _page_base(actor: Actor) -> QuerySet[ServiceRequest]:
    key = (actor.role == Role.AGENT, extensions.related_one_to_one())
    base = _PAGE_BASES.get(key)
    if base is None:
        clocks = SLAClock.objects.filter(request=OuterRef("pk"))
        files = Attachment.objects.filter(attachments_visible_q(actor), request=OuterRef("pk"))
        base = (
            _with_related()
            .only(*_page_columns())
            .annotate(has_clocks=Exists(clocks), has_files=Exists(files))
        )
        _PAGE_BASES[key] = base
    return base


# The request's columns a page never shows nor decides a transition by.
NOT_ON_A_PAGE = frozenset(
    {"tags", "required_skills", "priority_overridden", "last_event_seq", "last_event_at"}
)


def _page_columns() -> list[str]:
    """What a page reads: the request's columns but those above; of the joined rows only what
    the representation shows (id and name; a person's names), and every column of the other
    apps' one-to-one rows. Fewer columns to compile and load: 45 instead of 100. A column
    read but not loaded would cost a query per row: tests/tickets/test_api_query_counts.py."""
    username = get_user_model().USERNAME_FIELD
    names = ("first_name", "last_name", username)
    return [
        *(f.name for f in ServiceRequest._meta.concrete_fields if f.name not in NOT_ON_A_PAGE),
        "category__name",
        "department__name",
        *(f"{person}__user__{name}" for person in ("assignee", "customer") for name in names),
        *extensions.related_one_to_one(),
    ]


def load_page(rows: list[ServiceRequest], actor: Actor) -> None:
    """The SLA clocks and visible files of the rows of a page from `list_page_requests_for`
    that have any, as `list_requests_for` prefetches them. The representation reads the flags
    and shows the others' as empty (asking `sla_clocks.all()` of one of those would query)."""
    with_clocks = [row for row in rows if row.has_clocks]
    if with_clocks:
        prefetch_related_objects(with_clocks, _CLOCKS)
    with_files = [row for row in rows if row.has_files]
    if with_files:  # its Prefetch built only then: a twentieth of a list call
        prefetch_related_objects(with_files, _attachments_prefetch(actor))


def get_request_for(
    actor: Actor, reference: str, *, with_sla: bool = True
) -> ServiceRequest | None:
    """The request behind `SR-000123` (or `123`) if the actor may see it, else None."""
    pk = parse_reference(reference)
    if pk is None:
        return None
    return list_requests_for(actor, with_sla=with_sla).filter(pk=pk).first()


def list_messages_for(actor: Actor, request: ServiceRequest) -> QuerySet[Message]:
    """The request's thread, each message with its files; customers never get internal notes."""
    messages = (
        Message.objects.filter(request=request)
        .select_related("author")
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by"))
        )
    )
    if actor.role != Role.AGENT:
        messages = messages.filter(visibility=Visibility.PUBLIC)
    return messages.order_by("created_at", "pk")


def attachments_visible_q(actor: Actor, *, prefix: str = "") -> Q:
    """Agents see every file of a request they reach; everyone else only those given at
    submission or with a public reply (never an internal note's)."""
    if actor.role == Role.AGENT:
        return Q()
    return Q(**{f"{prefix}message__isnull": True}) | Q(
        **{f"{prefix}message__visibility": Visibility.PUBLIC}
    )


def list_attachments_for(actor: Actor, request: ServiceRequest) -> QuerySet[Attachment]:
    """The files of `request` (one the actor may see) that the actor may see, oldest first."""
    return (
        Attachment.objects.filter(attachments_visible_q(actor), request=request)
        .select_related("message", "uploaded_by")
        .order_by("created_at", "pk")
    )


def get_attachment_for(
    actor: Actor, attachment_id: int, *, request: ServiceRequest | None = None
) -> Attachment | None:
    """The attachment if the actor may see it (its request is one they reach, and it is not an
    internal note's file for a customer), else None; within `request` when given. The one
    check every download (API, admin) goes through."""
    if not 0 < attachment_id < 2**63:
        return None
    reachable = list_requests_for(actor, with_sla=False).values("pk")
    attachments = Attachment.objects.filter(
        attachments_visible_q(actor), pk=attachment_id, request__in=reachable
    )
    if request is not None:
        attachments = attachments.filter(request=request)
    return attachments.select_related("request", "message", "uploaded_by").first()


def _attachments_prefetch(actor: Actor) -> Prefetch:
    return Prefetch(
        "attachments",
        queryset=Attachment.objects.filter(attachments_visible_q(actor))
        .select_related("message", "uploaded_by")
        .order_by("created_at", "pk"),
    )

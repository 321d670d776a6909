"""The pages behind the signed links mailed to customers: confirm, then act through the door.

A GET only shows what the link will do, with one button: mail scanners and link previews open
links on their own, and must not accept an answer or rate a request for the customer. The POST
acts as the request's customer. Pages are in the customer's language."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.accounts.actors import actor_for_user
from apps.core.errors import ServiceDeskError
from apps.eventlog.models import Event
from apps.lifecycle.states import State
from apps.tickets import services
from apps.tickets.feedback import do_give_feedback
from apps.tickets.links import ACCEPT, DECLINE, RATE, Link, LinkExpired, LinkInvalid, read_token
from apps.tickets.models import Feedback, ServiceRequest

TEMPLATE = "tickets/request_link.html"
RATINGS = (5, 4, 3, 2, 1)


@require_http_methods(["GET", "POST"])
def request_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = read_token(token)
    except LinkExpired:
        return _page(request, None, status=410, problem=_("This link has expired."))
    except LinkInvalid:
        return _page(request, None, status=404, problem=_("This link is not valid."))
    service_request = (
        ServiceRequest.objects.select_related("customer__user").filter(pk=link.request_id).first()
    )
    if service_request is None or not service_request.customer.user.is_active:
        return _page(request, None, status=404, problem=_("This link is not valid."))
    with translation.override(service_request.customer.language):
        problem = _still_open(link, service_request)
        if problem:
            return _page(request, service_request, status=409, problem=problem)
        if request.method == "GET":
            return _page(request, service_request, link=link, rating=_rating(request.GET))
        return _act(request, link, service_request)


def _still_open(link: Link, service_request: ServiceRequest) -> str:
    """Why the link can no longer act, or "" while it can."""
    if link.action == RATE:
        if Feedback.objects.filter(request=service_request).exists():
            return _("Thank you: this request has been rated already.")
        if service_request.state not in (State.RESOLVED, State.CLOSED):
            return _("This request is open again; it can be rated once it is resolved.")
        return ""
    proposal = (
        Event.objects.filter(request=service_request, transition="propose_answer")
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    if service_request.state != State.BOT_ANSWERED or proposal != link.event_seq:
        return _("This answer has been dealt with already.")
    return ""


def _act(request: HttpRequest, link: Link, service_request: ServiceRequest) -> HttpResponse:
    actor = actor_for_user(service_request.customer.user)
    try:
        if link.action == RATE:
            rating = _rating(request.POST)
            if rating is None:
                return _page(
                    request,
                    service_request,
                    link=link,
                    status=400,
                    problem=_("Choose a rating from 1 to 5."),
                )
            comment = request.POST.get("comment", "")[:2000]
            do_give_feedback(service_request, actor=actor, rating=rating, comment=comment)
            done = _("Thank you for rating %(ref)s.")
        else:
            name = "accept_answer" if link.action == ACCEPT else "decline_answer"
            services.transition(service_request, name, actor=actor)
            done = (
                _("%(ref)s is resolved. We are glad the answer helped.")
                if link.action == ACCEPT
                else _("%(ref)s goes to a person, who will answer you.")
            )
    except ServiceDeskError as error:
        return _page(request, service_request, status=409, problem=str(error))
    return _page(request, service_request, done=done % {"ref": service_request.reference})


def _rating(data) -> int | None:
    value = data.get("rating", "")
    return int(value) if value in {str(r) for r in RATINGS} else None


def _page(  # noqa: PLR0913  keyword-only: what the one template shows
    request: HttpRequest,
    service_request: ServiceRequest | None,
    *,
    link: Link | None = None,
    rating: int | None = None,
    done: str = "",
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "service_request": service_request,
        "action": link.action if link and not (done or problem) else "",
        "actions": {"accept": ACCEPT, "decline": DECLINE, "rate": RATE},
        "ratings": RATINGS,
        "rating": rating,
        "done": done,
        "problem": problem,
    }
    response = render(request, TEMPLATE, context, status=status)
    # The token is in the URL: never sent on to another site, never indexed or cached.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response

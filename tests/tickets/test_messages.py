"""Messages through the door: replies, internal notes, first response, customer replies."""

import pytest

from apps.accounts.actors import SYSTEM, actor_for_user
from apps.core.errors import Forbidden, InvalidData, NotAllowed
from apps.eventlog.models import Event
from apps.tickets import services
from apps.tickets.models import ServiceRequest
from tests.paths import Desk

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(customer):
    return Desk(customer)


def test_first_public_agent_reply_sets_first_response(desk):
    request = desk.request_in("in_progress")
    lead = actor_for_user(desk.lead.user)
    services.do_post_message(request, actor=lead, body="Looking into it", internal=True)
    assert ServiceRequest.objects.get(pk=request.pk).first_response_at is None
    message = services.do_post_message(request, actor=lead, body="We are on it")
    assert ServiceRequest.objects.get(pk=request.pk).first_response_at == message.created_at
    kinds = list(Event.objects.filter(request=request).values_list("kind", "payload"))
    assert kinds[-1] == ("message", {"message": message.pk, "visibility": "public"})


def test_customer_reply_moves_a_pending_request_back_to_work(desk, customer_actor):
    request = desk.request_in("pending_customer")
    services.do_post_message(request, actor=customer_actor, body="Here is the serial number")
    request = ServiceRequest.objects.get(pk=request.pk)
    assert request.state == "in_progress"
    tail = list(
        Event.objects.filter(request=request).order_by("seq").values_list("kind", "transition")
    )[-2:]
    assert tail == [("message", ""), ("transition", "customer_reply")]


def test_customers_cannot_write_internal_notes(desk, customer_actor):
    request = desk.request_in("in_progress")
    with pytest.raises(Forbidden):
        services.do_post_message(request, actor=customer_actor, body="x", internal=True)


def test_strangers_and_the_system_cannot_write(desk):
    from tests.factories import CustomerFactory

    request = desk.request_in("in_progress")
    with pytest.raises(Forbidden):
        services.do_post_message(
            request, actor=actor_for_user(CustomerFactory().user), body="hello"
        )
    with pytest.raises(Forbidden):
        services.do_post_message(request, actor=SYSTEM, body="hello")


def test_empty_message_and_closed_request_are_refused(desk, customer_actor):
    request = desk.request_in("in_progress")
    with pytest.raises(InvalidData):
        services.do_post_message(request, actor=customer_actor, body="   ")
    closed = desk.request_in("closed")
    count = Event.objects.filter(request=closed).count()
    with pytest.raises(NotAllowed):
        services.do_post_message(closed, actor=customer_actor, body="one more thing")
    assert Event.objects.filter(request=closed).count() == count


def test_submit_derives_priority_and_logs_submit(customer_actor, customer):
    request = services.do_submit_request(
        actor=customer_actor,
        customer=customer,
        subject="Server down",
        impact="high",
        urgency="high",
    )
    assert (request.state, request.priority, request.reference) == (
        "new",
        1,
        f"SR-{request.pk:06d}",
    )
    event = Event.objects.get(request=request)
    assert (event.seq, event.transition, event.from_state, event.to_state, event.actor_role) == (
        1,
        "submit",
        "",
        "new",
        "customer",
    )


def test_customers_submit_only_for_themselves(customer):
    from tests.factories import CustomerFactory

    other = actor_for_user(CustomerFactory().user)
    with pytest.raises(Forbidden):
        services.do_submit_request(actor=other, customer=customer, subject="x")


def test_bad_impact_is_refused(customer_actor, customer):
    with pytest.raises(InvalidData) as error:
        services.do_submit_request(
            actor=customer_actor, customer=customer, subject="x", impact="extreme"
        )
    assert error.value.details["fields"] == {"impact": "One of high, medium, low."}

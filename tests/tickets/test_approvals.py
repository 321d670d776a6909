"""Approvals: a category or routing rule that requires approval sends a new request to its
approvers (a named group, else the department's leads) through the door; they approve or reject
from the admin or the API; the customer hears of it; the SLA clocks wait meanwhile."""

import datetime as dt
from datetime import UTC, timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from apps.accounts.actors import SYSTEM, actor_for_user
from apps.core.errors import Forbidden, InvalidData
from apps.eventlog.models import Event
from apps.lifecycle.states import State
from apps.notifications.models import Notification
from apps.routing.models import RoutingRule
from apps.sla.models import BusinessCalendar, ClockState, SLAClock, SLAPolicy, WorkingHours
from apps.tickets import notices, services
from apps.tickets.models import ServiceRequest
from tests.factories import (
    AgentFactory,
    CategoryFactory,
    CustomerFactory,
    DepartmentFactory,
    submit,
)
from tests.support.admin import agents_group, make_staff  # noqa: F401  (agents_group: a fixture)
from tests.support.api import client_for, url
from tests.tickets.test_admin_request import change_url, transition_url
from workflows.routing import route_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def it():
    """IT with a lead (ivan) and an agent (alice); a laptop category that needs approval."""
    department = DepartmentFactory(name="IT support", code="it")
    lead = AgentFactory(user__username="ivan", departments=[department])
    department.leads.add(lead.user)
    agent = AgentFactory(user__username="alice", departments=[department])
    category = CategoryFactory(
        name="New laptop", default_department=department, requires_approval=True
    )
    return {"department": department, "lead": lead, "agent": agent, "category": category}


@pytest.fixture
def managers():
    """A named group of approvers: fiona, an agent of Finance only."""
    group = Group.objects.create(name="Budget holders")
    finance = DepartmentFactory(name="Finance", code="finance")
    fiona = AgentFactory(user__username="fiona", departments=[finance])
    fiona.user.groups.add(group)
    return {"group": group, "fiona": fiona}


def transitions(request) -> list[str]:
    events = Event.objects.filter(request=request, kind="transition").order_by("seq")
    return [e.transition for e in events]


def last_event(request, name: str) -> Event:
    return Event.objects.filter(request=request, transition=name).latest("seq")


def notify(request, name: str) -> int:
    return notices.notify_transition(request.pk, last_event(request, name).seq)


def told(request, kind: str) -> set[str]:
    rows = Notification.objects.filter(request=request, kind=kind)
    return {n.recipient.username for n in rows.select_related("recipient")}


def awaiting(it, customer):
    request = submit(customer, subject="Laptop for the new designer", category=it["category"])
    assert route_request(request.pk) == "awaiting approval (category 'New laptop')"
    return ServiceRequest.objects.get(pk=request.pk)


def test_routing_sends_a_request_of_a_category_requiring_approval_to_its_departments_leads(
    it, customer
):
    request = awaiting(it, customer)

    assert request.state == State.AWAITING_APPROVAL
    assert request.department is None  # routed only once approved
    assert request.approval_department == it["department"] and request.approval_group is None
    event = last_event(request, "require_approval")
    assert event.actor_role == "system"
    assert event.payload["reason"] == "approval required by category 'New laptop'"
    assert event.payload["explain"]["approval_by"] == "category"
    assert transitions(request) == ["submit", "require_approval"]

    assert notify(request, "require_approval") == 2
    assert told(request, "approval_requested") == {"ivan"}
    assert told(request, "approval_pending") == {customer.user.username}
    assert route_request(request.pk) == "nothing to do"  # idempotent


def test_a_rule_requiring_approval_names_a_group_whose_members_are_told(it, managers, customer):
    RoutingRule.objects.create(
        name="Expensive hardware",
        order=1,
        keywords=["laptop"],
        department=it["department"],
        requires_approval=True,
        approver_group=managers["group"],
    )
    request = submit(customer, subject="A laptop for me")  # no category: the rule asks

    assert route_request(request.pk) == "awaiting approval (rule 'Expensive hardware')"
    request.refresh_from_db()
    assert request.approval_group == managers["group"]
    assert last_event(request, "require_approval").payload["reason"] == (
        "approval required by rule 'Expensive hardware'"
    )
    notify(request, "require_approval")
    assert told(request, "approval_requested") == {"fiona"}  # not IT's lead


def test_approved_it_is_routed_and_assigned_as_any_new_request_and_the_log_replays(it, customer):
    request = awaiting(it, customer)
    lead = actor_for_user(it["lead"].user)

    approved = services.transition(request, "approve", actor=lead, reason="budget is fine")
    assert approved.state == State.NEW and approved.approved_at is not None
    outcome = route_request(request.pk)

    assert outcome.startswith("routed to it; assigned to")
    request.refresh_from_db()
    assert request.state == State.ASSIGNED and request.department == it["department"]
    assert transitions(request) == ["submit", "require_approval", "approve", "route", "assign"]
    notify(request, "approve")
    (notice,) = Notification.objects.filter(request=request, kind="request_approved")
    assert notice.recipient == customer.user and "budget is fine" in notice.body
    call_command("check_event_log")


def test_a_rejection_needs_a_reason_which_the_customer_reads(it, customer):
    request = awaiting(it, customer)
    lead = actor_for_user(it["lead"].user)

    with pytest.raises(InvalidData) as error:
        services.transition(request, "reject", actor=lead, reason="  ")
    assert error.value.details["fields"] == {"reason": "Required."}
    assert ServiceRequest.objects.get(pk=request.pk).state == State.AWAITING_APPROVAL

    rejected = services.transition(request, "reject", actor=lead, reason="Laptops renew in May.")
    assert rejected.state == State.CLOSED
    notify(rejected, "reject")
    (notice,) = Notification.objects.filter(request=request, kind="request_rejected")
    assert notice.recipient == customer.user
    assert "Laptops renew in May." in notice.body
    call_command("check_event_log")


def test_only_the_named_group_approves_when_one_is_named(it, managers, customer):
    it["category"].approver_group = managers["group"]
    it["category"].save()
    request = awaiting(it, customer)
    lead = actor_for_user(it["lead"].user)
    fiona = actor_for_user(managers["fiona"].user)

    assert request.transitions_for(lead) == ["cancel", "escalate", "recategorize", "reprioritize"]
    assert {"approve", "reject"} <= set(request.transitions_for(fiona))
    with pytest.raises(Forbidden) as error:
        services.transition(request, "approve", actor=lead)
    assert error.value.message == (
        f"Only members of the group 'Budget holders' may approve or reject {request.reference}."
    )
    assert services.transition(request, "approve", actor=fiona).state == State.NEW


def test_another_departments_lead_is_not_an_approver(it, customer):
    request = awaiting(it, customer)
    other = DepartmentFactory()
    stranger = AgentFactory(departments=[other])
    other.leads.add(stranger.user)

    with pytest.raises(Forbidden) as error:
        services.transition(request, "approve", actor=actor_for_user(stranger.user))
    assert "the leads of IT support" in error.value.message


class TestApi:
    def test_a_group_member_of_another_department_approves_through_the_api(
        self, it, managers, customer
    ):
        it["category"].approver_group = managers["group"]
        it["category"].save()
        request = awaiting(it, customer)
        client = client_for(managers["fiona"].user)

        shown = client.get(url(request))
        assert shown.status_code == 200
        assert {"approve", "reject"} <= set(shown.json()["allowed_transitions"])
        response = client.post(
            url(request, "transitions/approve/"), {"version": request.version}, format="json"
        )

        assert response.status_code == 200, response.content
        assert response.json()["state"] == State.NEW
        assert last_event(request, "approve").actor.username == "fiona"

    def test_a_non_approver_gets_403_with_who_may_and_nothing_is_written(self, it, customer):
        request = awaiting(it, customer)
        before = request.last_event_seq

        response = client_for(it["agent"].user).post(
            url(request, "transitions/reject/"), {"reason": "no"}, format="json"
        )

        assert response.status_code == 403
        body = response.json()
        assert body["error"]["message"] == (
            f"Only the leads of IT support may approve or reject {request.reference}."
        )
        assert ServiceRequest.objects.get(pk=request.pk).last_event_seq == before

    def test_a_reject_without_reason_is_400(self, it, customer):
        request = awaiting(it, customer)
        response = client_for(it["lead"].user).post(
            url(request, "transitions/reject/"), {}, format="json"
        )
        assert response.status_code == 400
        assert response.json()["error"]["fields"] == {"reason": "Required."}

    def test_require_approval_by_hand_names_a_group(self, it, managers, customer):
        request = submit(customer)
        response = client_for(it["lead"].user).post(
            url(request, "transitions/require_approval/"),
            {"approval_group": managers["group"].pk, "reason": "over budget"},
            format="json",
        )
        assert response.status_code == 200, response.content
        request.refresh_from_db()
        assert (request.state, request.approval_group) == (
            State.AWAITING_APPROVAL,
            managers["group"],
        )


def test_the_sla_clocks_wait_in_business_time_while_awaiting_approval(it, customer, clock):
    """Working hours 9-17 Monday to Friday (UTC): submitted Monday 9:00, sent for approval at
    10:00, approved Tuesday 11:00: one business hour used of each clock (first response and
    resolution both wait for an approval), the 25 waiting hours cost nothing."""
    calendar = BusinessCalendar.objects.create(name="Office", time_zone="UTC")
    for weekday in range(5):
        WorkingHours.objects.create(
            calendar=calendar, weekday=weekday, start=dt.time(9), end=dt.time(17)
        )
    SLAPolicy.objects.create(
        name="Office hours",
        order=1,
        first_response_minutes=2 * 60,
        resolution_minutes=8 * 60,
        calendar=calendar,
    )
    request = submit(customer, subject="Laptop", category=it["category"])
    clock.advance(hours=1)
    route_request(request.pk)
    for paused in SLAClock.objects.filter(request=request):  # first response and resolution
        assert paused.state == ClockState.PAUSED and paused.deadline is None
        assert round(paused.elapsed_seconds) == 3600

    clock.advance(hours=25)  # Tuesday 11:00
    request = ServiceRequest.objects.get(pk=request.pk)
    services.transition(request, "approve", actor=actor_for_user(it["lead"].user))
    resumed = SLAClock.objects.get(request=request, kind="resolution")

    assert resumed.state == ClockState.RUNNING
    assert round(resumed.elapsed_seconds) == 3600
    # Seven business hours left from Tuesday 11:00: Wednesday 10:00.
    assert resumed.deadline == dt.datetime(2026, 3, 4, 10, tzinfo=UTC)
    response = SLAClock.objects.get(request=request, kind="first_response")
    assert response.deadline == dt.datetime(2026, 3, 3, 12, tzinfo=UTC)  # one hour left
    waited = last_event(request, "approve")
    assert waited.wall_seconds == 25 * 3600 and waited.business_seconds == 9 * 3600
    assert clock.now - request.created_at == timedelta(hours=26)
    call_command("check_event_log")


def test_the_system_cannot_be_refused_and_the_door_logs_who_approves(it, customer):
    request = awaiting(it, customer)
    done = services.transition(request, "approve", actor=SYSTEM)
    assert done.state == State.NEW


def test_a_customer_of_another_request_sees_no_approval_buttons(it, customer):
    request = awaiting(it, customer)
    other = CustomerFactory()
    assert "approve" not in request.transitions_for(actor_for_user(customer.user))
    assert request.transitions_for(actor_for_user(other.user)) == []


class TestAdmin:
    @pytest.fixture
    def lead_client(self, client, it, agents_group):  # noqa: F811  the imported fixture, by name
        make_staff(it["lead"], agents_group)
        client.force_login(it["lead"].user)
        return client

    def test_the_lead_sees_who_approves_and_approves_from_the_page(self, lead_client, it, customer):
        request = awaiting(it, customer)
        response = lead_client.get(change_url(request))
        html = response.content.decode()

        assert 'id="request-approval"' in html
        assert "Approved or rejected by the leads of IT support." in html
        assert "The category &#x27;New laptop&#x27; requires approval." in html
        timeline = html[html.index('id="request-timeline"') :]
        assert "approval required by category &#x27;New laptop&#x27;" in timeline
        transitions = response.context["transitions"]
        assert transitions[0]["name"] == "approve"
        # The destructive ones (reject, on its own page, and cancel) come last.
        tail = [t["name"] for t in transitions if t["destructive"]]
        assert "reject" in tail and [t["name"] for t in transitions][-len(tail) :] == tail
        reject = next(t for t in response.context["transitions"] if t["name"] == "reject")
        assert reject["takes_data"] and reject["destructive"]

        done = lead_client.post(transition_url(request, "approve"), {"version": request.version})
        assert done.status_code == 302
        assert ServiceRequest.objects.get(pk=request.pk).state == State.NEW

    def test_reject_asks_for_the_reason_on_its_own_page(self, lead_client, it, customer):
        request = awaiting(it, customer)
        page = lead_client.get(transition_url(request, "reject"), {"version": request.version})
        assert page.status_code == 200
        assert page.context["form"].fields["reason"].required
        assert 'id="transition-warning"' in page.content.decode()  # it says it ends the request

        refused = lead_client.post(transition_url(request, "reject"), {"version": request.version})
        assert refused.status_code == 200 and refused.context["form"].errors["reason"]
        assert ServiceRequest.objects.get(pk=request.pk).state == State.AWAITING_APPROVAL

        lead_client.post(
            transition_url(request, "reject"),
            {"version": request.version, "reason": "Not in this year's budget."},
        )
        rejected = ServiceRequest.objects.get(pk=request.pk)
        assert rejected.state == State.CLOSED
        assert last_event(rejected, "reject").payload["reason"] == "Not in this year's budget."

    def test_awaiting_my_approval_lists_only_what_the_user_approves(
        self,
        lead_client,
        it,
        customer,
        agents_group,  # noqa: F811  the imported fixture, by name
        client,
    ):
        mine = awaiting(it, customer)
        routed_elsewhere = submit(customer, subject="Printer")
        queue = lead_client.get(
            reverse("admin:tickets_servicerequest_changelist"), {"queue": "my_approval"}
        )
        assert [r.pk for r in queue.context["cl"].result_list] == [mine.pk]
        home = lead_client.get(reverse("admin:index")).content.decode()
        assert 'data-queue="my_approval"' in home

        other = make_staff(it["agent"], agents_group)
        client.force_login(other.user)
        theirs = client.get(
            reverse("admin:tickets_servicerequest_changelist"), {"queue": "my_approval"}
        )
        assert list(theirs.context["cl"].result_list) == []
        assert routed_elsewhere.state == State.NEW

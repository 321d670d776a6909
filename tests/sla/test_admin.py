"""The SLA admin: policies and their checks, read-only clocks, and clocks on the request pages."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.actors import actor_for_user
from apps.sla.admin.policies import SLAPolicyForm
from apps.sla.models import (
    BusinessCalendar,
    EscalationPolicy,
    Holiday,
    SLAClock,
    SLAPolicy,
    WorkingHours,
)
from apps.tickets import services
from tests.factories import CustomerFactory, submit
from tests.paths import Desk

pytestmark = pytest.mark.django_db


def url(model: str, view: str, *args) -> str:
    return reverse(f"admin:sla_{model}_{view}", args=args)


def request_url(service_request) -> str:
    return reverse("admin:tickets_servicerequest_change", args=[service_request.pk])


def sla_row(response, kind: str) -> dict:
    """The SLA section's row for one clock: its state, badge colour and badge words."""
    content = response.content.decode()
    row = re.search(rf'<tr data-clock="{kind}">(.*?)</tr>', content, re.S).group(1)
    badge = re.search(r'data-sla="(\w+)"[^>]*>([^<]*)</span>', row)
    state = re.search(r'data-clock-state="(\w+)"', row).group(1)
    return {"state": state, "colour": badge.group(1), "text": badge.group(2)}


def list_badges(response) -> list[tuple[str, str]]:
    return re.findall(r'data-sla="(\w+)"[^>]*>([^<]*)</span>', response.content.decode())


@pytest.fixture
def office_policy(db):
    """Weekdays 08:00-18:00 in Berlin, with a holiday: the summaries need hours and holidays."""
    calendar = BusinessCalendar.objects.create(name="Office", time_zone="Europe/Berlin")
    for weekday in range(5):
        WorkingHours.objects.create(
            calendar=calendar, weekday=weekday, start=dt.time(8), end=dt.time(18)
        )
    Holiday.objects.create(calendar=calendar, date=dt.date(2026, 12, 25), name="Christmas")
    return SLAPolicy.objects.create(
        name="Office hours",
        order=50,
        first_response_minutes=60,
        resolution_minutes=480,
        next_response_minutes=120,
        calendar=calendar,
    )


def policy_data(**fields) -> dict:
    data = {
        "name": "Gold customers",
        "order": "20",
        "active": "on",
        "priorities": "[1, 2]",
        "customer_tiers": '["gold", "platinum"]',
        "channels": "[]",
        "first_response_minutes": "30",
        "resolution_minutes": "240",
        "next_response_minutes": "",
        "warning_percent": "75",
    }
    return {**data, **fields}


# --- policies ---------------------------------------------------------------------------------


def test_policy_pages_open_for_a_superuser(admin_client, standard_policy, critical_policy):
    listed = admin_client.get(url("slapolicy", "changelist"))
    added = admin_client.get(url("slapolicy", "add"))
    changed = admin_client.get(url("slapolicy", "change", critical_policy.pk))

    assert (listed.status_code, added.status_code, changed.status_code) == (200, 200, 200)
    assert list(listed.context["cl"].result_list) == [critical_policy, standard_policy]
    content = listed.content.decode()
    assert "priorities: P1 critical" in content
    assert "first match wins" in added.content.decode()
    assert 'name="form-0-order"' in content  # order is edited in the list


def test_escalation_policy_pages_open_with_the_steps_inline(admin_client, escalation_policy):
    listed = admin_client.get(url("escalationpolicy", "changelist"))
    changed = admin_client.get(url("escalationpolicy", "change", escalation_policy.pk))

    assert (listed.status_code, changed.status_code) == (200, 200)
    [steps] = changed.context["inline_admin_formsets"]
    assert len(steps.formset.forms) == 4


def test_a_valid_policy_is_saved_from_the_add_page(admin_client):
    response = admin_client.post(url("slapolicy", "add"), policy_data())

    assert response.status_code == 302, response.context["adminform"].form.errors
    policy = SLAPolicy.objects.get(name="Gold customers")
    assert (policy.priorities, policy.customer_tiers, policy.channels) == (
        [1, 2],
        ["gold", "platinum"],
        [],
    )


def test_an_unknown_value_in_a_condition_is_refused_on_the_add_page(admin_client):
    response = admin_client.post(url("slapolicy", "add"), policy_data(priorities="[1, 7]"))

    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["priorities"]
    assert error.startswith("Unknown value 7; use any of 1 (P1 critical)")
    assert not SLAPolicy.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("priorities", '["1"]', 'Unknown value "1"'),
        ("priorities", "[true]", "Unknown value true"),
        ("customer_tiers", '["diamond"]', 'Unknown value "diamond"; use any of "standard"'),
        ("channels", '["fax", "web"]', 'Unknown value "fax"; use any of "api"'),
        ("channels", '"web"', 'Enter a JSON list such as ["api"]'),
        ("customer_tiers", '{"tier": "gold"}', 'Enter a JSON list such as ["standard"]'),
    ],
)
def test_conditions_hold_only_known_values(field, value, error):
    form = SLAPolicyForm(data=policy_data(**{field: value}))

    assert not form.is_valid()
    [message] = form.errors[field]
    assert message.startswith(error), message


def test_empty_conditions_are_saved_as_empty_lists():
    form = SLAPolicyForm(data=policy_data(priorities="", customer_tiers="null"))

    assert form.is_valid(), form.errors
    assert (form.cleaned_data["priorities"], form.cleaned_data["customer_tiers"]) == ([], [])


def test_a_policy_needs_a_target_that_starts_a_clock():
    none = SLAPolicyForm(data=policy_data(first_response_minutes="", resolution_minutes=""))
    next_only = SLAPolicyForm(
        data=policy_data(
            first_response_minutes="", resolution_minutes="240", next_response_minutes="60"
        )
    )

    assert not none.is_valid()
    assert "no clock starts" in none.non_field_errors()[0]
    assert not next_only.is_valid()
    assert "after a first response" in next_only.errors["next_response_minutes"][0]


# --- clocks -----------------------------------------------------------------------------------


def test_clocks_are_listed_filtered_and_read_only(admin_client, customer, standard_policy, clock):
    service_request = submit(customer)
    first = SLAClock.objects.get(request=service_request, kind="first_response")

    listed = admin_client.get(url("slaclock", "changelist") + "?state__exact=running")
    breached = admin_client.get(url("slaclock", "changelist") + "?breached=yes")
    page = admin_client.get(url("slaclock", "change", first.pk))
    added = admin_client.get(url("slaclock", "add"))

    assert listed.status_code == 200
    assert listed.context["cl"].result_count == 2
    assert service_request.reference in listed.content.decode()
    assert breached.context["cl"].result_count == 0
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert added.status_code == 403


def test_an_agent_sees_only_the_clocks_of_requests_they_may_see(
    client, other_agent, customer, department, standard_policy
):
    Desk(customer).request_in("queued")  # routed to a department bob is not in
    client.force_login(other_agent.user)

    response = client.get(url("slaclock", "changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count == 0


# --- the request's clocks on its change page and in the list ----------------------------------


def test_the_request_page_shows_each_clock_with_its_time_left(
    agent_client, customer, standard_policy, clock
):
    service_request = submit(customer)

    clock.advance(minutes=20)
    fresh = agent_client.get(request_url(service_request))
    clock.advance(minutes=28)  # 48 of 60 minutes: 80% of the first-response target
    warned = agent_client.get(request_url(service_request))

    assert sla_row(fresh, "first_response") == {
        "state": "running",
        "colour": "green",
        "text": "40m left",
    }
    assert sla_row(warned, "first_response") == {
        "state": "running",
        "colour": "amber",
        "text": "12m left",
    }
    assert sla_row(warned, "resolution")["text"] == "3h 12m left"
    assert sla_row(warned, "resolution")["colour"] == "green"
    assert "2026-03-02 10:00 UTC" in warned.content.decode()  # the first-response deadline


def test_an_overdue_clock_is_red_and_a_paused_one_grey(
    admin_client, customer, standard_policy, clock
):
    desk = Desk(customer)
    service_request = desk.request_in("in_progress")
    clock.advance(minutes=95)
    services.transition(service_request, "request_info", actor=actor_for_user(desk.lead.user))

    response = admin_client.get(request_url(service_request))

    assert sla_row(response, "first_response") == {
        "state": "running",
        "colour": "red",
        "text": "35m overdue",
    }
    assert sla_row(response, "resolution") == {
        "state": "paused",
        "colour": "grey",
        "text": "paused, 2h 25m left",
    }


def test_the_list_shows_the_most_urgent_running_clock(
    admin_client, customer, standard_policy, clock
):
    desk = Desk(customer)
    paused = desk.request_in("pending_customer")
    clock.advance(minutes=80)
    running = submit(CustomerFactory())  # 20 minutes later, none of its time used yet
    clock.advance(minutes=20)

    response = admin_client.get(reverse("admin:tickets_servicerequest_changelist"))

    rows = dict(
        zip([r.pk for r in response.context["cl"].result_list], list_badges(response), strict=True)
    )
    assert rows[running.pk] == ("green", "40m left")
    # The resolution clock waits on the customer; the first response is still owed.
    assert rows[paused.pk] == ("red", "40m overdue")


def test_the_request_page_costs_the_same_however_many_clocks(
    admin_client, customer, customer_actor, office_policy, clock, django_assert_max_num_queries
):
    desk = Desk(customer)
    two_clocks = submit(customer)
    three_clocks = desk.request_in("in_progress")
    services.do_post_message(three_clocks, actor=actor_for_user(desk.lead.user), body="On it.")
    services.do_post_message(three_clocks, actor=customer_actor, body="Still broken.")
    assert SLAClock.objects.filter(request=three_clocks).count() == 3
    with CaptureQueriesContext(connection) as fewer:
        admin_client.get(request_url(two_clocks))

    with django_assert_max_num_queries(len(fewer)):
        response = admin_client.get(request_url(three_clocks))
    assert len(response.context["sla_clocks"]) == 3


def test_the_list_costs_the_same_for_1_and_10_requests_with_clocks(
    agent_client, office_policy, clock, django_assert_max_num_queries
):
    changelist = reverse("admin:tickets_servicerequest_changelist")
    submit(CustomerFactory())
    with CaptureQueriesContext(connection) as one_row:
        assert agent_client.get(changelist).status_code == 200
    for _ in range(9):
        submit(CustomerFactory())

    with django_assert_max_num_queries(len(one_row)):
        response = agent_client.get(changelist)
    assert len(response.context["cl"].result_list) == 10
    assert len(list_badges(response)) == 10


def test_a_step_without_a_trigger_is_refused(admin_client):
    form = {
        "name": "Tier 2",
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-0-at_percent": "",
        "steps-0-notify_lead": "on",
    }

    response = admin_client.post(url("escalationpolicy", "add"), form)

    assert response.status_code == 200
    [errors] = response.context["inline_admin_formsets"][0].formset.errors
    assert errors == {
        "at_percent": ["Set a share of the target, or run the step on manual escalation."]
    }
    assert not EscalationPolicy.objects.exists()

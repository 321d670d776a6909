"""The service request admin: scope, read-only record, and transition buttons through the door."""

import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.actors import SYSTEM, actor_for_user
from apps.eventlog.models import Event
from apps.tickets import services
from apps.tickets.models import ServiceRequest
from tests.factories import AgentFactory, CustomerFactory, drive, submit

pytestmark = pytest.mark.django_db


def changelist_url(**query) -> str:
    url = reverse("admin:tickets_servicerequest_changelist")
    return f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else url


def change_url(service_request) -> str:
    return reverse("admin:tickets_servicerequest_change", args=[service_request.pk])


def transition_url(service_request, name: str) -> str:
    return reverse("admin:tickets_servicerequest_transition", args=[service_request.pk, name])


def buttons(response) -> set[str]:
    return set(re.findall(r'data-transition="([a-z_]+)"', response.content.decode()))


def rendered_version(response) -> int:
    return int(re.search(r'name="version" value="(\d+)"', response.content.decode()).group(1))


def flashed(response) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request)]


def reloaded(service_request) -> ServiceRequest:
    return ServiceRequest.objects.get(pk=service_request.pk)


def routed(customer, department, **fields) -> ServiceRequest:
    return drive(submit(customer, **fields), ("route", {"department": department}, SYSTEM))


# --- the list ------------------------------------------------------------------------------


def test_list_shows_the_agents_requests(agent_client, customer, department):
    service_request = routed(customer, department, subject="Printer on fire")

    response = agent_client.get(changelist_url())

    assert response.status_code == 200
    content = response.content.decode()
    assert service_request.reference in content
    assert "Printer on fire" in content
    assert list(response.context["cl"].result_list) == [service_request]


def test_list_runs_the_same_number_of_queries_for_1_and_10_rows(
    agent_client, staff_agent, department, django_assert_max_num_queries
):
    def add_assigned_request():
        drive(
            routed(CustomerFactory(), department),
            ("assign", {"assignee": AgentFactory(departments=[department])}, SYSTEM),
        )

    add_assigned_request()
    with CaptureQueriesContext(connection) as one_row:
        assert agent_client.get(changelist_url()).status_code == 200
    for _ in range(9):
        add_assigned_request()

    with django_assert_max_num_queries(len(one_row)):
        response = agent_client.get(changelist_url())
    assert len(response.context["cl"].result_list) == 10


def test_search_finds_a_request_by_its_reference(agent_client, customer, department):
    wanted = routed(customer, department, subject="VPN drops")
    routed(customer, department, subject="Screen flickers")

    response = agent_client.get(changelist_url(q=wanted.reference))

    assert list(response.context["cl"].result_list) == [wanted]


# --- scope: an agent sees their departments' requests and untriaged ones ----------------------


def test_an_agent_of_another_department_does_not_see_the_request(
    client, other_agent, customer, department
):
    theirs = routed(customer, department)
    untriaged = submit(customer, subject="Nobody owns this yet")
    client.force_login(other_agent.user)

    listed = list(client.get(changelist_url()).context["cl"].result_list)
    change_page = client.get(change_url(theirs))
    run = client.post(transition_url(theirs, "cancel"), {"version": theirs.version})

    assert listed == [untriaged]
    assert change_page.status_code == 302
    assert change_page.url == reverse("admin:index")
    assert run.status_code == 404
    assert reloaded(theirs).state == "queued"


def test_a_customer_is_sent_to_the_admin_login(client, customer, department):
    service_request = routed(customer, department)
    client.force_login(customer.user)

    listed = client.get(changelist_url())
    run = client.post(transition_url(service_request, "cancel"), {"version": 2})

    for response in (listed, run):
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
    assert reloaded(service_request).state == "queued"


# --- the change page -------------------------------------------------------------------------


def test_change_page_shows_the_state_and_only_the_allowed_transitions(
    agent_client, staff_agent, customer
):
    service_request = submit(customer)

    response = agent_client.get(change_url(service_request))

    assert response.status_code == 200
    assert 'data-state="new"' in response.content.decode()
    assert buttons(response) == {
        "cancel",
        "escalate",
        "merge",
        "recategorize",
        "reprioritize",
        "require_approval",
        "route",
    }
    assert buttons(response) == set(
        [*service_request.transitions_for(actor_for_user(staff_agent.user)), "merge"]
    )
    assert rendered_version(response) == service_request.version


def test_change_page_is_read_only_and_a_posted_change_form_is_refused(
    agent_client, customer, department
):
    service_request = routed(customer, department, subject="Original subject")

    page = agent_client.get(change_url(service_request))
    posted = agent_client.post(change_url(service_request), {"subject": "Edited around the door"})

    assert page.context["adminform"].form.fields == {}
    assert 'name="_save"' not in page.content.decode()
    assert posted.status_code == 403
    assert reloaded(service_request).subject == "Original subject"


def test_change_page_shows_the_thread_and_the_event_log(
    agent_client, customer, customer_actor, department
):
    service_request = routed(customer, department)
    services.do_post_message(service_request, actor=customer_actor, body="Any news?")

    response = agent_client.get(change_url(service_request))

    assert [m.body for m in response.context["thread"]] == ["Any news?"]
    assert "Any news?" in response.content.decode()
    inlines = {f.opts.model._meta.model_name: f for f in response.context["inline_admin_formsets"]}
    assert set(inlines) == {"event"}
    events = [form.original for form in inlines["event"]]
    assert [(e.seq, e.transition) for e in events] == [(1, "submit"), (2, "route"), (3, "")]
    assert not inlines["event"].has_add_permission
    assert not inlines["event"].has_delete_permission


def test_change_page_runs_the_same_number_of_queries_however_long_the_log(
    agent_client, customer, customer_actor, department, django_assert_max_num_queries
):
    def worked_request(rounds: int) -> ServiceRequest:
        # Each row names a different agent, assignee and author, as a real thread does.
        service_request = routed(customer, department)
        for _ in range(rounds):
            colleague = AgentFactory(departments=[department])
            name = "assign" if service_request.state == "queued" else "reassign"
            service_request = drive(
                service_request, (name, {"assignee": colleague}, actor_for_user(colleague.user))
            )
            services.do_post_message(
                service_request, actor=actor_for_user(colleague.user), body="On it."
            )
            services.do_post_message(service_request, actor=customer_actor, body="Thanks.")
        return service_request

    short, long = worked_request(1), worked_request(6)
    with CaptureQueriesContext(connection) as short_page:
        agent_client.get(change_url(short))

    with django_assert_max_num_queries(len(short_page)):
        response = agent_client.get(change_url(long))
    [log] = response.context["inline_admin_formsets"]
    assert (len(response.context["thread"]), len(list(log))) == (12, 2 + 6 * 3)


# --- transitions through the door -------------------------------------------------------------


def test_route_assign_start_each_change_the_state_and_write_one_event(
    agent_client, staff_agent, customer, department
):
    service_request = submit(customer)
    steps = [
        ("route", {"department": department.pk}, "queued"),
        ("assign", {"assignee": staff_agent.pk}, "assigned"),
        ("start", {}, "in_progress"),
    ]
    for name, data, state in steps:
        events_before = Event.objects.filter(request=service_request).count()
        version = reloaded(service_request).version
        post = {"version": version, "reason": f"{name} from the admin", **data}

        response = agent_client.post(transition_url(service_request, name), post)

        assert response.status_code == 302
        assert response.url == change_url(service_request)
        assert any("done" in m for m in flashed(response)), flashed(response)
        after = reloaded(service_request)
        assert after.state == state
        assert after.version == version + 1
        events = Event.objects.filter(request=service_request).order_by("seq")
        assert events.count() == events_before + 1
        last = events.last()
        assert (last.transition, last.to_state, last.actor) == (name, state, staff_agent.user)
        assert last.payload["reason"] == f"{name} from the admin"
    assert reloaded(service_request).assignee == staff_agent


def test_a_transition_that_takes_data_shows_a_form_first(
    agent_client, staff_agent, customer, department, other_agent
):
    service_request = routed(customer, department)
    colleague = AgentFactory(user__username="dave", departments=[department])

    response = agent_client.get(
        transition_url(service_request, "assign") + f"?version={service_request.version}"
    )

    assert response.status_code == 200
    choices = list(response.context["form"].fields["assignee"].queryset)
    assert set(choices) == {staff_agent, colleague}
    assert response.context["form"]["version"].value() == str(service_request.version)
    assert reloaded(service_request).state == "queued"


def test_a_form_without_its_required_data_changes_nothing(agent_client, customer, department):
    service_request = routed(customer, department)

    response = agent_client.post(
        transition_url(service_request, "assign"), {"version": service_request.version}
    )

    assert response.status_code == 200
    assert "assignee" in response.context["form"].errors
    assert reloaded(service_request).state == "queued"


def test_a_stale_version_is_refused_with_who_changed_what(agent_client, customer, department):
    service_request = submit(customer)
    page = agent_client.get(change_url(service_request))
    drive(service_request, ("route", {"department": department}, SYSTEM))
    events_before = Event.objects.filter(request=service_request).count()

    response = agent_client.post(
        transition_url(service_request, "cancel"), {"version": rendered_version(page)}
    )

    assert response.status_code == 302
    [message] = flashed(response)
    assert "was changed by system (route at" in message
    assert "it is now queued" in message
    assert reloaded(service_request).state == "queued"
    assert Event.objects.filter(request=service_request).count() == events_before


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("resolve", "'resolve' is not possible while"),
        ("propose_answer", "You may not run 'propose_answer'"),
    ],
)
def test_a_transition_the_agent_may_not_run_shows_an_error_and_changes_nothing(
    agent_client, customer, name, error
):
    service_request = submit(customer)

    response = agent_client.post(
        transition_url(service_request, name), {"version": service_request.version}
    )

    assert response.status_code == 302
    [message] = flashed(response)
    assert error in message
    after = reloaded(service_request)
    assert (after.state, after.version) == ("new", service_request.version)
    assert Event.objects.filter(request=service_request).count() == 1


def test_get_never_runs_a_transition(agent_client, customer):
    service_request = submit(customer)

    response = agent_client.get(transition_url(service_request, "cancel"))

    assert response.status_code == 302
    assert reloaded(service_request).state == "new"


def test_an_unknown_transition_is_not_found(agent_client, customer):
    service_request = submit(customer)

    response = agent_client.post(transition_url(service_request, "delete"), {"version": 1})

    assert response.status_code == 404


def test_escalate_can_raise_the_priority(agent_client, customer, department):
    service_request = routed(customer, department, impact="low", urgency="low")

    agent_client.post(
        transition_url(service_request, "escalate"),
        {"version": service_request.version, "raise_priority": "on"},
    )

    after = reloaded(service_request)
    assert (after.escalation_level, after.priority) == (1, 3)


def test_an_agent_submits_a_request_on_a_customers_behalf(agent_client, staff_agent, customer):
    add_url = reverse("admin:tickets_servicerequest_add")
    form = {
        "customer": customer.pk,
        "subject": "Called in: laptop will not boot",
        "description": "Black screen since this morning.",
        "impact": "high",
        "urgency": "high",
        "channel": "web",
    }

    response = agent_client.post(add_url, form)

    created = ServiceRequest.objects.get(subject=form["subject"])
    assert response.status_code == 302
    assert (created.state, created.customer, created.priority) == ("new", customer, 1)
    [event] = Event.objects.filter(request=created)
    assert (event.transition, event.actor, event.actor_role) == (
        "submit",
        staff_agent.user,
        "agent",
    )


def test_recategorize_offers_the_other_active_categories(agent_client, department, customer):
    from tests.factories import CategoryFactory

    current = CategoryFactory(default_department=department)
    other = CategoryFactory(default_department=department)
    CategoryFactory(default_department=department, is_active=False)
    request = submit(customer, category=current)
    client = agent_client
    page = client.get(f"/admin/tickets/servicerequest/{request.pk}/transition/recategorize/")
    assert page.status_code == 200
    options = page.context["form"].fields["category"].queryset
    assert list(options) == [other]
    response = client.post(
        f"/admin/tickets/servicerequest/{request.pk}/transition/recategorize/",
        {"version": request.version, "category": other.pk},
    )
    assert response.status_code == 302
    assert ServiceRequest.objects.get(pk=request.pk).category == other

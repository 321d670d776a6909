"""The agents' workspace: queues, scope, the reply box and its conflicts, assign-to-me, FAQ."""

import pytest
from django.urls import reverse

from apps.accounts.actors import SYSTEM, actor_for_user
from apps.eventlog.models import Event
from apps.knowledge.models import Article, ArticleUse, UseKind
from apps.sla.models import SLAClock
from apps.tickets import services
from apps.tickets.models import Message
from tests.factories import AgentFactory, CustomerFactory, DepartmentFactory, drive, submit
from tests.support.admin import make_staff
from tests.tickets.test_admin_request import (
    change_url,
    changelist_url,
    flashed,
    reloaded,
    routed,
)

pytestmark = pytest.mark.django_db


def listed(client, **query) -> list:
    response = client.get(changelist_url(**query))
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def reply_url(service_request) -> str:
    return reverse("admin:tickets_servicerequest_reply", args=[service_request.pk])


def assigned(service_request, agent):
    return drive(service_request, ("assign", {"assignee": agent}, SYSTEM))


# --- queues ----------------------------------------------------------------------------------


def test_each_queue_lists_its_requests(
    agent_client, staff_agent, customer, department, other_department, clock, standard_policy
):
    queued = routed(customer, department, subject="queued")
    mine = assigned(routed(customer, department, subject="mine"), staff_agent)
    colleague = AgentFactory(departments=[department])
    theirs = assigned(routed(customer, department, subject="theirs"), colleague)
    waiting = drive(
        assigned(routed(customer, department, subject="waiting"), staff_agent),
        ("start", {}, actor_for_user(staff_agent.user)),
        ("request_info", {}, actor_for_user(staff_agent.user)),
    )
    bot = drive(submit(customer, subject="bot"), ("propose_answer", {}, SYSTEM))
    cancelled = drive(
        routed(customer, department, subject="gone"), ("cancel", {}, actor_for_user(customer.user))
    )
    routed(customer, other_department, subject="not my department")

    assert set(listed(agent_client, queue="mine")) == {mine, waiting}
    assert listed(agent_client, queue="unassigned") == [queued]
    assert listed(agent_client, queue="waiting") == [waiting]
    assert listed(agent_client, queue="bot_answered") == [bot]
    assert set(listed(agent_client)) == {queued, mine, theirs, waiting, bot}
    assert cancelled in listed(agent_client, queue="everything")
    assert listed(agent_client, queue="due_soon") == []
    assert listed(agent_client, queue="breached") == []


def test_due_soon_and_breached_follow_the_sla_clocks(
    agent_client, customer, department, clock, standard_policy
):
    from workflows.sla_sweep import sweep_due_clocks

    early = routed(customer, department, subject="early")
    clock.advance(minutes=30)
    late = routed(customer, department, subject="late")
    # First response in 60 minutes, warning at 75%: `early` breached at 80, `late` warned at 50.
    clock.advance(minutes=50)
    sweep_due_clocks()

    assert listed(agent_client, queue="breached") == [early]
    assert listed(agent_client, queue="due_soon") == [late]


def test_the_default_order_is_the_sla_deadline_that_runs_out_first(
    agent_client, customer, department, clock, standard_policy, critical_policy
):
    relaxed = routed(customer, department, subject="standard")
    clock.advance(minutes=5)
    urgent = routed(customer, department, subject="critical", impact="high", urgency="high")
    no_clock = drive(
        routed(customer, department, subject="cancelled"),
        ("cancel", {}, actor_for_user(customer.user)),
    )

    assert listed(agent_client) == [urgent, relaxed]
    assert listed(agent_client, queue="everything")[-1] != no_clock  # newest first there
    assert listed(agent_client, queue="everything")[0] == no_clock


def test_search_finds_text_in_messages_and_the_customers_name(
    agent_client, customer, customer_actor, department
):
    wanted = routed(customer, department, subject="Laptop")
    services.do_post_message(wanted, actor=customer_actor, body="The fan sounds like a jet")
    dave = CustomerFactory(user__username="dave", user__first_name="Dave")
    by_dave = routed(dave, department, subject="Mouse")

    assert listed(agent_client, q="jet") == [wanted]
    assert listed(agent_client, q="Dave") == [by_dave]


def test_the_department_filter_offers_only_the_agents_departments(
    agent_client, department, other_department
):
    response = agent_client.get(changelist_url())

    [spec] = [
        f
        for f in response.context["cl"].filter_specs
        if getattr(f, "parameter_name", "") == "department"
    ]
    assert [label for _value, label in spec.lookup_choices] == [department.name]


# --- scope -----------------------------------------------------------------------------------


def test_a_lead_sees_the_departments_they_lead_too(
    client, customer, department, other_department, agents_group
):
    lead = make_staff(AgentFactory(user__username="lena", departments=[department]), agents_group)
    other_department.leads.add(lead.user)
    theirs = routed(customer, other_department)
    client.force_login(lead.user)

    assert theirs in listed(client)


def test_autocomplete_of_requests_is_scoped(client, other_agent, customer, department):
    hidden = routed(customer, department, subject="Hidden printer")
    visible = submit(customer, subject="Visible printer")
    client.force_login(other_agent.user)
    url = reverse("admin:autocomplete")

    response = client.get(
        url,
        {
            "app_label": "tickets",
            "model_name": "message",
            "field_name": "request",
            "term": "printer",
        },
    )

    assert response.status_code == 200
    ids = {int(r["id"]) for r in response.json()["results"]}
    assert ids == {visible.pk}
    assert hidden.pk not in ids


# --- the request page ------------------------------------------------------------------------


def test_an_agent_replies_and_writes_an_internal_note(
    agent_client, staff_agent, customer, department
):
    service_request = routed(customer, department)
    page = agent_client.get(change_url(service_request))
    seen = page.context["seen_seq"]

    public = agent_client.post(reply_url(service_request), {"body": "On it.", "seen_seq": seen})
    note = agent_client.post(
        reply_url(service_request),
        {"body": "Probably the PSU.", "internal": "on", "seen_seq": seen + 1},
    )

    assert public.status_code == note.status_code == 302
    messages = list(Message.objects.filter(request=service_request).order_by("pk"))
    assert [(m.body, m.visibility) for m in messages] == [
        ("On it.", "public"),
        ("Probably the PSU.", "internal"),
    ]
    assert reloaded(service_request).first_response_at is not None


def test_a_reply_after_a_colleagues_change_is_refused_and_kept(
    agent_client, staff_agent, customer, department
):
    service_request = routed(customer, department)
    page = agent_client.get(change_url(service_request))
    colleague = AgentFactory(user__username="bob", departments=[department])
    services.do_post_message(
        service_request, actor=actor_for_user(colleague.user), body="Already answered."
    )

    response = agent_client.post(
        reply_url(service_request), {"body": "My answer", "seen_seq": page.context["seen_seq"]}
    )

    [message] = flashed(response)
    assert "was changed by bob (a message at" in message
    assert "not sent" in message
    assert Message.objects.filter(request=service_request).count() == 1
    again = agent_client.get(change_url(service_request))
    assert again.context["reply_draft"] == "My answer"
    assert ">My answer</textarea>" in again.content.decode()


def test_assign_to_me_takes_a_queued_request(agent_client, staff_agent, customer, department):
    service_request = routed(customer, department)
    page = agent_client.get(change_url(service_request))
    url = page.context["assign_to_me_url"]

    response = agent_client.post(
        url, {"version": page.context["rendered_version"], "assignee": staff_agent.pk}
    )

    assert response.status_code == 302
    after = reloaded(service_request)
    assert (after.state, after.assignee) == ("assigned", staff_agent)
    assert agent_client.get(change_url(service_request)).context["assign_to_me_url"] is None


def test_no_assign_to_me_for_a_request_outside_the_agents_departments(agent_client, customer):
    untriaged = submit(customer)

    page = agent_client.get(change_url(untriaged))

    assert page.context["assign_to_me_url"] is None


def test_the_handoff_link_appears_only_when_the_handoff_admin_exists(
    agent_client, customer, department
):
    from django.urls import NoReverseMatch

    service_request = routed(customer, department)
    try:
        expected = reverse("admin:handoffs_handoff_add") + f"?request={service_request.pk}"
    except NoReverseMatch:
        expected = None

    page = agent_client.get(change_url(service_request))

    assert page.context["handoff_url"] == expected
    assert ('id="request-handoff"' in page.content.decode()) == (expected is not None)


def test_the_suggested_articles_can_be_inserted_into_a_reply(agent_client, customer, department):
    service_request = routed(customer, department)
    article = Article.objects.create(
        key="vpn-reset", question="How do I reset the VPN?", answer="Open **Settings**, then VPN."
    )
    ArticleUse.objects.create(
        article=article,
        request=service_request,
        kind=UseKind.SUGGESTED,
        score=0.42,
        created_at=service_request.created_at,
    )

    page = agent_client.get(change_url(service_request))

    [panel] = page.context["panels"]
    assert panel["key"] == "faq_suggestions"
    [suggestion] = panel["panel"]
    assert suggestion["score"] == 42
    content = page.content.decode()
    assert "<strong>Settings</strong>" in content
    assert "Open **Settings**, then VPN.</textarea>" in content
    assert "insert-answer" in content


def test_the_timeline_explains_sla_events(agent_client, customer, department, standard_policy):
    service_request = routed(customer, department)

    page = agent_client.get(change_url(service_request))

    assert "First response clock started (policy Standard)" in page.content.decode()


# --- a fixed number of queries whatever the size of the table ----------------------------------


def _fill(department, customer, count: int, agent) -> None:
    for number in range(count):
        service_request = routed(customer, department, subject=f"Request {number}")
        if number % 2:
            assigned(service_request, agent)


def test_list_and_page_run_a_fixed_number_of_queries_at_two_table_sizes(
    agent_client, staff_agent, customer, department, standard_policy, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    other = DepartmentFactory()
    _fill(department, customer, 4, staff_agent)
    _fill(other, customer, 4, AgentFactory(departments=[other]))
    page_request = routed(customer, department, subject="The one we open")
    counts = {}
    for name, url in [
        ("list", changelist_url()),
        ("mine", changelist_url(queue="mine")),
        ("page", change_url(page_request)),
    ]:
        with CaptureQueriesContext(connection) as captured:
            assert agent_client.get(url).status_code == 200
        counts[name] = (url, len(captured))

    _fill(department, customer, 24, staff_agent)
    _fill(other, customer, 24, AgentFactory(departments=[other]))

    assert SLAClock.objects.count() > 50
    for _name, (url, count) in counts.items():
        with django_assert_num_queries(count):
            assert agent_client.get(url).status_code == 200
    assert Event.objects.count() > 100

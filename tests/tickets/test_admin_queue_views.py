"""The queue as an agent keeps it: last looks per agent in the database, saved views (filters,
search, order, columns; shared with a department), the live counts and the changed-requests
notice, with query counts that do not grow with the list."""

from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.actors import SYSTEM, actor_for_user
from apps.tickets import services
from apps.tickets.models import RequestSeen, SavedView
from apps.tickets.queue_models import QUEUE_COLUMNS, check_columns
from tests.factories import AgentFactory, drive
from tests.support.admin import make_staff
from tests.tickets.test_admin_queue_columns import next_column
from tests.tickets.test_admin_request import change_url, changelist_url, routed

pytestmark = pytest.mark.django_db

SAVE_URL = "/admin/tickets/servicerequest/views/save/"
COUNTS_URL = "/admin/tickets/servicerequest/queue/counts/"
CHANGES_URL = "/admin/tickets/servicerequest/queue/changes/"


def mine(customer, department, agent, subject="Mine"):
    return drive(
        routed(customer, department, subject=subject), ("assign", {"assignee": agent}, SYSTEM)
    )


def home_counts(client) -> dict:
    return client.get(COUNTS_URL).json()["counts"]


# --- last looks ------------------------------------------------------------------------------


def test_a_look_is_one_row_per_agent_and_request_and_survives_a_new_session(
    client, agent_client, staff_agent, customer, department
):
    request = mine(customer, department, staff_agent)
    agent_client.get(change_url(request))
    agent_client.get(change_url(request))
    [seen] = RequestSeen.objects.filter(request=request)
    assert (seen.user, seen.seen_seq) == (staff_agent.user, request.last_event_seq)

    services.do_post_message(
        request, actor=actor_for_user(staff_agent.user), body="n", internal=True
    )
    agent_client.logout()
    client.force_login(staff_agent.user)  # another browser, another session
    assert next_column(client, request) == "updated"
    assert home_counts(client)["unread"] == 1
    client.get(change_url(request))
    assert next_column(client, request) == ""
    assert home_counts(client)["unread"] == 0


def test_one_agents_look_is_not_anothers(
    agent_client, staff_agent, agents_group, customer, department
):
    request = mine(customer, department, staff_agent)
    colleague = make_staff(AgentFactory(departments=[department]), agents_group)
    client = Client()
    client.force_login(colleague.user)
    client.get(change_url(request))
    assert next_column(agent_client, request) == "new"
    assert RequestSeen.objects.get(user=colleague.user).seen_seq == request.last_event_seq


def test_opening_a_request_writes_the_look_in_one_statement(
    agent_client, staff_agent, customer, department
):
    request = mine(customer, department, staff_agent)
    with CaptureQueriesContext(connection) as first:
        agent_client.get(change_url(request))
    with CaptureQueriesContext(connection) as again:
        agent_client.get(change_url(request))
    writes = [q["sql"] for q in again if not q["sql"].startswith("SELECT")]
    assert len(writes) == 1
    assert writes[0].startswith('INSERT INTO "tickets_requestseen"') and "ON CONFLICT" in writes[0]
    assert len(first) == len(again)


def test_the_queue_and_the_home_run_the_same_queries_with_more_requests_and_looks(
    agent_client, staff_agent, customer, department
):
    requests = [mine(customer, department, staff_agent, f"R{n}") for n in range(2)]
    with CaptureQueriesContext(connection) as list_before:
        agent_client.get(changelist_url(queue="mine"))
    with CaptureQueriesContext(connection) as home_before:
        agent_client.get(reverse("admin:index"))
    requests += [mine(customer, department, staff_agent, f"S{n}") for n in range(4)]
    for request in requests[:3]:
        agent_client.get(change_url(request))
    with CaptureQueriesContext(connection) as list_after:
        assert len(agent_client.get(changelist_url(queue="mine")).context["cl"].result_list) == 6
    with CaptureQueriesContext(connection) as home_after:
        agent_client.get(reverse("admin:index"))
    assert len(list_after) == len(list_before)
    assert len(home_after) == len(home_before)


# --- saved views -----------------------------------------------------------------------------


def save(client, **fields):
    data = {"name": "Printers", "query": "queue=mine&q=printer", "columns": ["subject", "sla"]}
    data.update(fields)
    return client.post(SAVE_URL, data)


def test_a_saved_view_round_trip(agent_client, staff_agent, customer, department):
    printer = mine(customer, department, staff_agent, "Printer jams")
    mine(customer, department, staff_agent, "Laptop")
    # The save form carries the list's query as a view keeps it: no page, no view.
    shown = agent_client.get(changelist_url(queue="mine", q="printer", o="2", p="1", view="7"))
    # The order by column name (2: the subject, after the tick box and the reference).
    assert shown.context["savable_query"] == "queue=mine&q=printer&o=subject"
    response = save(agent_client, query=shown.context["savable_query"])
    view = SavedView.objects.get()
    assert (view.owner, view.name, view.columns) == (
        staff_agent.user,
        "Printers",
        ["subject", "sla"],
    )
    assert response.status_code == 302 and response["Location"].endswith(f"&view={view.pk}")

    page = agent_client.get(response["Location"])
    assert list(page.context["cl"].result_list) == [printer]
    assert page.context["cl"].list_display == ["action_checkbox", "reference", "subject", "sla"]
    html = page.content.decode()
    assert f'data-view="{view.pk}"' in html and 'aria-current="page"' in html
    assert f'data-view="{view.pk}"' in agent_client.get(reverse("admin:index")).content.decode()

    # The same name again replaces the view.
    save(agent_client, columns=["next", "age"])
    assert SavedView.objects.get().columns == ["next", "age"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"columns": ["subject", "password"]}, "Unknown column password"),
        ({"columns": []}, "columns"),
        ({"query": "queue=mine&is_superuser=1"}, "Unknown list parameters: is_superuser"),
        ({"query": "o=-password"}, "Order by column names: reference, subject"),
        ({"query": "o=3"}, "Order by column names"),
        ({"name": "  "}, "name"),
        ({"department": "999999"}, "department"),
    ],
)
def test_a_bad_view_is_refused_clearly_and_nothing_is_written(agent_client, fields, message):
    response = save(agent_client, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SavedView.objects.exists()


def test_columns_are_checked_on_the_model_too():
    check_columns(["subject", "age"])
    for bad in ([], ["subject", "subject"], ["nope"], "subject"):
        with pytest.raises(ValidationError):
            check_columns(bad)
    assert QUEUE_COLUMNS[0] == "subject"


def test_a_shared_view_shows_to_the_department_and_only_the_owner_changes_it(
    agent_client, staff_agent, agents_group, department, other_department
):
    save(agent_client, department=str(department.pk))
    private = SavedView.objects.create(owner=staff_agent.user, name="Mine", columns=["age"])
    shared = SavedView.objects.get(name="Printers")
    colleague = make_staff(AgentFactory(departments=[department]), agents_group)
    outsider = make_staff(AgentFactory(departments=[other_department]), agents_group)

    client = Client()
    client.force_login(colleague.user)
    page = client.get(changelist_url(view=shared.pk))
    assert [v["view"] for v in page.context["saved_views"]] == [shared]
    assert page.context["cl"].list_display == ["action_checkbox", "reference", "subject", "sla"]
    # A colleague reads a shared view but may not rename or delete it.
    admin_url = reverse("admin:tickets_savedview_change", args=[shared.pk])
    assert client.post(admin_url, {"name": "Mine now", "columns": ["age"]}).status_code == 403
    delete_url = reverse("admin:tickets_savedview_delete", args=[shared.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert client.get(changelist_url(view=private.pk)).context["cl"].list_display == [
        "action_checkbox",
        *["reference", *QUEUE_COLUMNS],
    ]

    client.force_login(outsider.user)
    assert client.get(changelist_url()).context["saved_views"] == []


def test_the_owner_renames_and_deletes_a_view_in_the_admin(agent_client, staff_agent):
    save(agent_client)
    SavedView.objects.create(owner=staff_agent.user, name="Taken", columns=["age"])
    view = SavedView.objects.get(name="Printers")
    url = reverse("admin:tickets_savedview_change", args=[view.pk])
    form = {"name": "Taken", "query": view.query, "columns": ["subject"], "department": ""}
    assert agent_client.post(url, form).status_code == 200  # the form again, with the error
    assert SavedView.objects.get(pk=view.pk).name == "Printers"
    form["name"] = "Printer queue"
    assert agent_client.post(url, form).status_code == 302
    assert SavedView.objects.get(pk=view.pk).name == "Printer queue"
    delete_url = reverse("admin:tickets_savedview_delete", args=[view.pk])
    assert agent_client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not SavedView.objects.filter(pk=view.pk).exists()


# --- live counts and the changed notice ------------------------------------------------------


def test_the_counts_endpoint_gives_the_homes_counts(
    agent_client, staff_agent, customer, department
):
    mine(customer, department, staff_agent)
    routed(customer, department)
    counts = home_counts(agent_client)
    assert (counts["open"], counts["mine"], counts["unread"], counts["unassigned"]) == (2, 1, 1, 1)
    assert counts["everything"] is None


def changes(client, since, ids=(), **query):
    params = {**query, "since": since.isoformat(), "ids": ",".join(str(i) for i in ids)}
    return client.get(f"{CHANGES_URL}?{urlencode(params)}")


def test_the_list_hears_of_new_and_changed_requests_in_it_or_shown_in_it(
    agent_client, staff_agent, customer, department, other_department, clock
):
    shown = mine(customer, department, staff_agent, "Shown")
    clock.advance(minutes=1)
    since = timezone.now()
    assert changes(agent_client, since, [shown.pk], queue="mine").json() == {
        "changed": 0,
        "notice": "",
    }
    clock.advance(minutes=1)
    mine(customer, department, staff_agent, "New in my queue")
    routed(customer, department, subject="Not in my queue")
    routed(customer, other_department, subject="Not my department")
    # Shown, then resolved away from the queue by a colleague: still counts as changed.
    drive(shown, ("reassign", {"assignee": AgentFactory(departments=[department])}, SYSTEM))
    data = changes(agent_client, since, [shown.pk], queue="mine").json()
    assert data["changed"] == 2
    # A page that no longer exists does not matter: the question is about the whole list.
    assert changes(agent_client, since, [shown.pk], queue="mine", p="9").json() == data
    assert data["notice"] == "2 requests new or changed since this list was shown."


@pytest.mark.parametrize(
    "query",
    [
        {"since": "yesterday"},
        {"since": "2026-01-01T10:00:00"},  # no zone
        {"since": "2026-13-45T10:00:00+00:00"},
        {"since": "2026-01-01T10:00:00+00:00", "ids": "1,x"},
        {"since": "2026-01-01T10:00:00+00:00", "ids": "9" * 30},
        {"since": "2026-01-01T10:00:00+00:00", "bogus__field": "1"},
    ],
)
def test_the_changes_endpoint_refuses_bad_input_with_400(agent_client, query):
    assert agent_client.get(f"{CHANGES_URL}?{urlencode(query)}").status_code == 400


def test_the_live_endpoints_need_a_signed_in_agent(client, customer):
    assert client.get(COUNTS_URL).status_code == 302
    client.force_login(customer.user)
    assert client.get(COUNTS_URL).status_code == 302


@pytest.mark.parametrize("value", ["9" * 30, "-1", "abc", ""])
def test_an_unknown_view_shows_the_default_columns(agent_client, value):
    response = agent_client.get(changelist_url(view=value))
    assert response.status_code == 200
    assert response.context["cl"].list_display == ["action_checkbox", "reference", *QUEUE_COLUMNS]


def test_the_save_form_starts_from_the_open_view(agent_client, staff_agent, department):
    view = SavedView.objects.create(
        owner=staff_agent.user, name="Team", columns=["age"], department=department
    )
    html = agent_client.get(changelist_url(view=view.pk)).content.decode()
    assert 'name="name" id="id_view_name" maxlength="80" required value="Team"' in html
    assert f'<option value="{department.pk}" selected>' in html
    assert "checked" in html.split('value="age"', 1)[1].split(">", 1)[0]
    assert "checked" not in html.split('value="subject"', 1)[1].split(">", 1)[0]


def test_a_views_order_follows_its_own_columns(agent_client, staff_agent, customer, department):
    old = mine(customer, department, staff_agent, "Old")
    new = mine(customer, department, staff_agent, "New")
    # Ordered by the age column, position 10 when every column shows.
    shown = agent_client.get(changelist_url(queue="mine", o="10"))
    assert shown.context["savable_query"] == "queue=mine&o=age"
    location = save(agent_client, query="queue=mine&o=-age", columns=["subject", "age"])["Location"]
    page = agent_client.get(location)
    assert page.context["cl"].list_display == ["action_checkbox", "reference", "subject", "age"]
    assert page.context["cl"].params["o"] == "-3"  # the age is third of this view's columns
    assert list(page.context["cl"].result_list) == [new, old]  # by -created_at

"""The request page's merge (asks, shows the target, confirms) and related-requests panel."""

import pytest

from apps.accounts.actors import SYSTEM, actor_for_user
from apps.tickets import services
from apps.tickets.merging import do_merge_requests
from apps.tickets.models import Message, RequestLink, ServiceRequest
from apps.tickets.related import do_link_requests
from tests.factories import CustomerFactory, drive, submit
from tests.tickets.test_admin_request import change_url, routed

pytestmark = pytest.mark.django_db


def merge_url(request) -> str:
    return f"/admin/tickets/servicerequest/{request.pk}/merge/"


def worked(customer, department, agent, subject="Printer jams"):
    return drive(
        routed(customer, department, subject=subject),
        ("assign", {"assignee": agent}, SYSTEM),
        ("start", {}, actor_for_user(agent.user)),
    )


def test_merge_asks_shows_the_target_then_merges_on_confirmation(
    agent_client, staff_agent, customer, department
):
    target = worked(customer, department, staff_agent, "Printer jams on every page")
    duplicate = routed(customer, department, subject="Printer broken")
    page = agent_client.get(change_url(duplicate))
    merge = next(t for t in page.context["transitions"] if t["name"] == "merge")
    assert merge["url"] == merge_url(duplicate) and merge["destructive"]

    asked = agent_client.get(merge_url(duplicate), {"version": duplicate.version})
    assert asked.status_code == 200 and b'name="into"' in asked.content

    shown = agent_client.post(
        merge_url(duplicate), {"into": target.reference, "version": duplicate.version}
    )
    html = shown.content.decode()
    assert "Printer jams on every page" in html and 'data-action="confirm-merge"' in html
    assert ServiceRequest.objects.get(pk=duplicate.pk).state == "queued"  # nothing written yet

    done = agent_client.post(
        merge_url(duplicate),
        {"into": target.reference, "version": duplicate.version, "confirm": "True"},
    )
    assert done.status_code == 302 and done["Location"] == change_url(target)
    merged = ServiceRequest.objects.get(pk=duplicate.pk)
    assert (merged.state, merged.merged_into_id) == ("closed", target.pk)


def test_merge_refusals_show_on_the_page_and_write_nothing(
    agent_client, staff_agent, customer, department
):
    duplicate = routed(customer, department, subject="Printer broken")
    unknown = agent_client.post(merge_url(duplicate), {"into": "SR-999999", "version": 1})
    assert "No request with that reference" in unknown.content.decode()
    stranger = routed(CustomerFactory(), department, subject="Someone else's")
    refused = agent_client.post(
        merge_url(duplicate),
        {"into": stranger.reference, "version": duplicate.version, "confirm": "True"},
        follow=True,
    )
    assert "belongs to another customer" in refused.content.decode()
    assert ServiceRequest.objects.get(pk=duplicate.pk).merged_into_id is None


def test_the_panel_links_unlinks_and_shows_merges(agent_client, staff_agent, customer, department):
    request = worked(customer, department, staff_agent)
    other = routed(customer, department, subject="Second screen flickers")
    base = f"/admin/tickets/servicerequest/{request.pk}"
    agent_client.post(f"{base}/link/", {"to": other.reference})
    assert RequestLink.objects.count() == 1
    html = agent_client.get(change_url(request)).content.decode()
    panel = html[html.index('id="request-related"') :]
    assert other.reference in panel and "Second screen flickers" in panel
    assert agent_client.get(f"{base}/link/").status_code == 405
    agent_client.post(f"{base}/unlink/", {"to": other.reference})
    assert not RequestLink.objects.exists()

    duplicate = routed(customer, department, subject="Printer broken")
    services.do_post_message(duplicate, actor=actor_for_user(customer.user), body="Any news?")
    do_merge_requests(duplicate, into=request, actor=actor_for_user(staff_agent.user))
    html = agent_client.get(change_url(duplicate)).content.decode()
    assert 'id="merged-into"' in html and request.reference in html
    thread = agent_client.get(change_url(request))
    assert any(m.merged_from_reference == duplicate.reference for m in thread.context["thread"])


def test_the_page_runs_as_many_queries_with_links_and_merges(
    agent_client, staff_agent, customer, department, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plain = worked(customer, department, staff_agent)
    with CaptureQueriesContext(connection) as baseline:
        agent_client.get(change_url(plain))
    busy = worked(customer, department, staff_agent)
    agent = actor_for_user(staff_agent.user)
    for n in range(3):
        do_link_requests(busy, to=submit(customer, subject=f"linked {n}"), actor=agent)
        duplicate = routed(customer, department, subject=f"dup {n}", description="Same again")
        do_merge_requests(duplicate, into=busy, actor=agent)
    assert Message.objects.filter(request=busy, merged_from__isnull=False).count() == 3
    with django_assert_max_num_queries(len(baseline)):
        agent_client.get(change_url(busy))


def test_the_timeline_says_it_in_sentences():
    from apps.tickets.admin.timeline import event_summary

    assert event_summary("transition", {"merged_into": {"from": None, "to": 42}}) == (
        "merged into SR-000042 as a duplicate"
    )
    merged = {
        "reference": "SR-000057",
        "messages": [1, 2],
        "attachments": [9],
        "opening_message": 3,
    }
    assert event_summary("merge", merged) == "SR-000057 merged in: 3 message(s), 1 file(s)"
    assert event_summary("link", {"action": "linked", "reference": "SR-000061"}) == (
        "linked to SR-000061"
    )
    assert event_summary("link", {"action": "unlinked", "reference": "SR-000061"}) == (
        "unlinked from SR-000061"
    )
    assert event_summary("transition", {"reason": "x"}) == ""


def test_a_page_open_on_the_target_hears_of_the_merge(
    agent_client, staff_agent, customer, department
):
    from apps.accounts.actors import actor_for_user as actor_of
    from tests.factories import AgentFactory

    target = worked(customer, department, staff_agent)
    seen = ServiceRequest.objects.get(pk=target.pk).last_event_seq
    duplicate = routed(customer, department, subject="Printer broken", description="Again")
    colleague = AgentFactory(user__username="bob", departments=[department])
    do_merge_requests(duplicate, into=target, actor=actor_of(colleague.user))
    base = f"/admin/tickets/servicerequest/{target.pk}"
    answer = agent_client.get(f"{base}/freshness/", {"seen": seen}).json()
    assert answer["changed"] and "bob changed this request" in answer["notice"]

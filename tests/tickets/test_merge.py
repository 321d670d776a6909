"""Merging a duplicate into another request, and linking related requests, through the door."""

from dataclasses import replace

import pytest
from django.core.management import call_command

from apps.accounts.actors import SYSTEM, actor_for_user
from apps.core.errors import Conflict, Forbidden, InvalidData, NotAllowed
from apps.eventlog.models import Event
from apps.eventlog.replay import check_log
from apps.notifications.models import Notification
from apps.sla.models import ClockState
from apps.tickets import notices, services
from apps.tickets.merging import do_merge_requests
from apps.tickets.models import Attachment, Message, RequestLink, ServiceRequest
from apps.tickets.related import do_link_requests, do_unlink_requests, related_of
from apps.tickets.transition_data import MergeData
from tests.factories import AgentFactory, CustomerFactory, DepartmentFactory
from tests.paths import Desk

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(customer):
    return Desk(customer)


@pytest.fixture
def lead(desk):
    return actor_for_user(desk.lead.user)


def replays_clean(*requests) -> None:
    rows = ServiceRequest.objects.filter(pk__in=[r.pk for r in requests]).values_list(
        "pk", "state", "last_event_seq"
    )
    assert list(check_log(rows)) == []


def fresh(request) -> ServiceRequest:
    return ServiceRequest.objects.get(pk=request.pk)


def test_merge_moves_the_conversation_and_closes_the_duplicate_with_a_pointer(
    desk, lead, customer_actor, standard_policy
):
    target = desk.request_in("in_progress")
    duplicate = desk.request_in("in_progress")
    ServiceRequest.objects.filter(pk=duplicate.pk).update(description="Printer jams again")
    duplicate = fresh(duplicate)
    asked = services.do_post_message(duplicate, actor=customer_actor, body="Any news?")
    note = services.do_post_message(duplicate, actor=lead, body="Same as the other", internal=True)
    Attachment.objects.create(
        request=duplicate,
        stored_name="dup-file",
        name="jam.txt",
        content_type="text/plain",
        size=3,
        sha256="0" * 64,
        uploader_role="customer",
        created_at=duplicate.created_at,
    )

    merged = do_merge_requests(duplicate, into=target, actor=lead, reason="same printer")

    merged, target = fresh(merged), fresh(target)
    assert (merged.state, merged.merged_into_id) == ("closed", target.pk)
    assert merged.resolved_at is None and merged.closed_at is not None
    # The messages follow with their authors, times and visibility, marked where they came from.
    moved = {m.pk: m for m in Message.objects.filter(request=target)}
    assert moved[asked.pk].created_at == asked.created_at
    assert (moved[asked.pk].author_id, moved[asked.pk].visibility) == (asked.author_id, "public")
    assert moved[note.pk].visibility == "internal"
    assert {m.merged_from_id for m in moved.values()} == {merged.pk}
    assert not Message.objects.filter(request=merged).exists()
    # The description comes as the customer's first message, with the files given with it.
    opening = next(m for m in moved.values() if m.pk not in (asked.pk, note.pk))
    assert opening.created_at == merged.created_at
    assert "Printer jams again" in opening.body and opening.author_id == desk.customer.user_id
    file = Attachment.objects.get(name="jam.txt")
    assert (file.request_id, file.message_id, file.merged_from_id) == (
        target.pk,
        opening.pk,
        merged.pk,
    )
    # Both logs say it; the duplicate's SLA clocks stopped; both replay.
    last = Event.objects.filter(request=merged).order_by("seq").filter(transition="merge").get()
    assert (last.from_state, last.to_state) == ("in_progress", "closed")
    assert last.payload["merged_into"] == {"from": None, "to": target.pk}
    into = Event.objects.filter(request=target, kind="merge").get()
    assert into.payload["merged"] == merged.pk and into.from_state == into.to_state
    assert set(into.payload["messages"]) == {asked.pk, note.pk}
    assert into.payload["attachments"] == [file.pk]
    assert all(c.state == ClockState.STOPPED for c in merged.sla_clocks.all())
    replays_clean(merged, target)
    call_command("check_event_log")


def test_the_target_version_moves_so_a_stale_page_is_caught(desk, lead):
    target, duplicate = desk.request_in("queued"), desk.request_in("queued")
    before = target.version
    do_merge_requests(duplicate, into=target.pk, actor=lead)
    assert fresh(target).version == before + 1


def test_the_customer_hears_of_it(desk, lead):
    target, duplicate = desk.request_in("queued"), desk.request_in("queued")
    do_merge_requests(duplicate, into=target, actor=lead)
    event = Event.objects.get(request=duplicate, transition="merge")
    assert notices.notify_transition(duplicate.pk, event.seq) == 1
    notice = Notification.objects.get(kind="request_merged")
    assert notice.recipient == desk.customer.user
    assert notice.title == f"{duplicate.reference} was merged into {target.reference}"
    assert f"merged it there: its messages and files are now on {target.reference}" in notice.body


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("itself", InvalidData),
        ("closed target", NotAllowed),
        ("merged target", NotAllowed),
        ("other customer", InvalidData),
        ("closed duplicate", NotAllowed),
        ("no such target", InvalidData),
    ],
)
def test_refusals_write_nothing(desk, lead, case, error):
    duplicate = desk.request_in("in_progress")
    target = {
        "itself": lambda: duplicate,
        "closed target": lambda: desk.request_in("closed"),
        "merged target": lambda: _merged_elsewhere(desk, lead),
        "other customer": lambda: Desk(CustomerFactory()).request_in("queued"),
        "closed duplicate": lambda: desk.request_in("queued"),
        "no such target": lambda: ServiceRequest(pk=10**9),
    }[case]()
    if case == "closed duplicate":
        services.transition(duplicate, "resolve", actor=lead)
        duplicate = services.transition(fresh(duplicate), "close", actor=lead)
    actor = lead
    if case == "other customer":  # an agent of both departments
        actor = replace(lead, department_ids=lead.department_ids | {target.department_id})
    seqs = Event.objects.count()
    with pytest.raises(error):
        do_merge_requests(duplicate, into=target, actor=actor)
    assert Event.objects.count() == seqs
    assert fresh(duplicate).merged_into_id is None


def _merged_elsewhere(desk, lead):
    first, second = desk.request_in("queued"), desk.request_in("queued")
    do_merge_requests(first, into=second, actor=lead)
    return fresh(first)


def test_a_cycle_is_refused(desk, lead):
    a, b = desk.request_in("queued"), desk.request_in("queued")
    do_merge_requests(a, into=b, actor=lead)
    with pytest.raises(NotAllowed):
        do_merge_requests(fresh(b), into=a, actor=lead)


def test_only_agents_who_reach_both_requests_merge(desk, customer_actor):
    target, duplicate = desk.request_in("queued"), desk.request_in("queued")
    stranger = actor_for_user(AgentFactory(departments=[DepartmentFactory()]).user)
    with pytest.raises(Forbidden):
        do_merge_requests(duplicate, into=target, actor=customer_actor)
    with pytest.raises(Forbidden):
        do_merge_requests(duplicate, into=target, actor=SYSTEM)
    with pytest.raises(InvalidData):  # the target is out of their sight: as if none
        do_merge_requests(duplicate, into=target, actor=stranger)


def test_a_stale_version_is_a_conflict(desk, lead):
    target, duplicate = desk.request_in("queued"), desk.request_in("queued")
    with pytest.raises(Conflict):
        do_merge_requests(duplicate, into=target, actor=lead, expected_version=1)


def test_the_generic_door_takes_no_merge_by_id(desk, lead):
    target, duplicate = desk.request_in("queued"), desk.request_in("queued")
    with pytest.raises(InvalidData):
        services.transition(duplicate, "merge", actor=lead, data=MergeData(into=target.pk))  # type: ignore[arg-type]


def test_link_and_unlink_are_logged_on_both_and_replay(desk, lead):
    a, b = desk.request_in("queued"), desk.request_in("closed")
    do_link_requests(b, to=a, actor=lead)
    assert RequestLink.objects.get().low_id == min(a.pk, b.pk)
    assert [r.pk for r in related_of(a).links] == [b.pk]
    with pytest.raises(NotAllowed):
        do_link_requests(a, to=b, actor=lead)
    do_unlink_requests(a, to=b.pk, actor=lead)
    assert not RequestLink.objects.exists()
    with pytest.raises(NotAllowed):
        do_unlink_requests(a, to=b, actor=lead)
    for request, other in ((a, b), (b, a)):
        actions = list(
            Event.objects.filter(request=request, kind="link")
            .order_by("seq")
            .values_list("payload__action", "payload__other")
        )
        assert actions == [("linked", other.pk), ("unlinked", other.pk)]
    replays_clean(a, b)


def test_link_refusals(desk, lead, customer_actor):
    a = desk.request_in("queued")
    with pytest.raises(InvalidData):
        do_link_requests(a, to=a, actor=lead)
    with pytest.raises(Forbidden):
        do_link_requests(a, to=desk.request_in("queued"), actor=customer_actor)
    elsewhere = Desk(CustomerFactory()).request_in("queued")
    with pytest.raises(InvalidData):
        do_link_requests(a, to=elsewhere, actor=lead)


def test_related_of_shows_merges_both_ways(desk, lead):
    target, duplicate = desk.request_in("queued"), desk.request_in("queued")
    do_merge_requests(duplicate, into=target, actor=lead)
    assert [r.pk for r in related_of(target).merged_here] == [duplicate.pk]
    assert related_of(fresh(duplicate)).merged_into.pk == target.pk


def test_a_merged_duplicate_is_not_rated(desk, lead, customer_actor):
    from apps.tickets.feedback import do_give_feedback

    target, duplicate = desk.request_in("queued"), desk.request_in("queued")
    do_merge_requests(duplicate, into=target, actor=lead)
    with pytest.raises(NotAllowed, match=f"merged into {target.reference}"):
        do_give_feedback(fresh(duplicate), actor=customer_actor, rating=5)

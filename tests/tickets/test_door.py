"""The one door: each transition writes one event and nothing else; failures write nothing."""

import pytest
from django.db import transaction

from apps.accounts.actors import SYSTEM
from apps.core.errors import Conflict, Forbidden, InvalidData, NotAllowed
from apps.eventlog.models import Event
from apps.tickets import services
from apps.tickets.models import ServiceRequest
from apps.tickets.rules import REASON_REQUIRED
from apps.tickets.signals import request_transitioned
from apps.tickets.transition_data import AssignData, RouteData, transition_data
from tests.paths import Desk
from tests.support.lifecycle import ALL_STATES, edges, transition_names

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(customer):
    return Desk(customer)


def _events(request):
    return list(Event.objects.filter(request=request).order_by("seq"))


@pytest.mark.parametrize(("source", "name", "target"), sorted(set(edges())))
def test_every_transition_writes_exactly_one_event(desk, source, name, target):
    request = desk.request_in(source, by_bot=(name, target) == ("reopen", "new"))
    before = _events(request)
    actor = desk.actor_for(request, name)
    after_request = services.transition(
        request,
        name,
        actor=actor,
        reason="not in this budget" if name in REASON_REQUIRED else "",
        data=transition_data(name, desk.data_for(request, name)),
    )
    events = _events(request)
    assert len(events) == len(before) + 1
    last = events[-1]
    assert (last.transition, last.from_state, last.to_state) == (name, source, after_request.state)
    assert after_request.state == target
    assert last.actor_role == actor.role
    assert last.seq == after_request.last_event_seq == len(events)
    assert ServiceRequest.objects.get(pk=request.pk).version == request.version + 1


def test_illegal_transitions_raise_and_write_nothing(desk):
    for state in sorted(ALL_STATES):
        request = desk.request_in(state)
        legal = {name for source, name, _ in edges() if source == state}
        for name in sorted(transition_names() - legal):
            count, version = Event.objects.filter(request=request).count(), request.version
            with pytest.raises(NotAllowed) as error:
                services.transition(
                    request,
                    name,
                    actor=SYSTEM,
                    data=transition_data(name, desk.data_for(request, name)),
                )
            assert f"'{name}' is not possible" in error.value.message
            assert error.value.details["state"] == state
            assert Event.objects.filter(request=request).count() == count
            assert ServiceRequest.objects.get(pk=request.pk).version == version


def test_unknown_transition_lists_what_is_allowed(desk, customer_actor):
    request = desk.request_in("new")
    with pytest.raises(NotAllowed) as error:
        services.transition(request, "teleport", actor=customer_actor)
    assert error.value.details["allowed"] == ["cancel", "escalate"]


def test_customer_may_not_run_agent_transitions(desk, customer_actor):
    request = desk.request_in("in_progress")
    with pytest.raises(Forbidden):
        services.transition(request, "resolve", actor=customer_actor)
    assert ServiceRequest.objects.get(pk=request.pk).state == "in_progress"


def test_another_customer_cannot_touch_the_request(desk):
    from apps.accounts.actors import actor_for_user
    from tests.factories import CustomerFactory

    stranger = actor_for_user(CustomerFactory().user)
    request = desk.request_in("resolved")
    with pytest.raises(Forbidden):
        services.transition(request, "close", actor=stranger)


def test_agent_of_another_department_cannot_act(desk):
    from apps.accounts.actors import actor_for_user
    from tests.factories import AgentFactory

    outsider = actor_for_user(AgentFactory(departments=[desk.other_department]).user)
    request = desk.request_in("queued")
    with pytest.raises(Forbidden):
        services.transition(request, "assign", actor=outsider, data=AssignData(assignee=desk.lead))


def test_only_the_assignee_or_a_lead_starts_work(desk):
    from apps.accounts.actors import actor_for_user

    request = desk.request_in("queued")
    request = services.transition(
        request, "assign", actor=SYSTEM, data=AssignData(assignee=desk.second)
    )
    # desk.lead leads the department; a third plain agent does not.
    from tests.factories import AgentFactory

    plain = actor_for_user(AgentFactory(departments=[desk.department]).user)
    with pytest.raises(Forbidden):
        services.transition(request, "start", actor=plain)
    started = services.transition(request, "start", actor=actor_for_user(desk.second.user))
    assert started.state == "in_progress"


def test_stale_version_is_a_conflict_naming_the_change(desk, agent_actor):
    from apps.accounts.actors import actor_for_user

    request = desk.request_in("assigned")
    stale = ServiceRequest.objects.get(pk=request.pk)
    services.transition(request, "start", actor=actor_for_user(desk.lead.user))
    with pytest.raises(Conflict) as error:
        services.transition(stale, "unassign", actor=SYSTEM)
    assert "an agent" in error.value.message  # the login is never named (public_name)
    assert desk.lead.user.username not in error.value.message
    assert "start" in error.value.message
    assert error.value.details["state"] == "in_progress"
    assert [e.transition for e in _events(request)][-1] == "start"


def test_bad_data_names_every_field_and_writes_nothing(desk):
    request = desk.request_in("new")
    with pytest.raises(InvalidData) as error:
        services.transition(
            request, "route", actor=SYSTEM, data=transition_data("route", {"dept": 1})
        )
    assert error.value.details["fields"] == {
        "dept": "Not taken by this transition.",
        "department": "Required.",
    }
    with pytest.raises(InvalidData):
        services.transition(request, "route", actor=SYSTEM, data=RouteData(department=999_999))
    assert len(_events(request)) == 1


def test_assignee_must_belong_to_the_department(desk):
    from tests.factories import AgentFactory

    request = desk.request_in("queued")
    outsider = AgentFactory(departments=[desk.other_department])
    with pytest.raises(InvalidData):
        services.transition(request, "assign", actor=SYSTEM, data=AssignData(assignee=outsider))


def test_reopen_only_within_the_window(desk, settings, customer_actor):
    request = desk.request_in("resolved")
    settings.SERVICEDESK_REOPEN_WINDOW_DAYS = 0
    with pytest.raises(NotAllowed):
        services.transition(request, "reopen", actor=customer_actor)
    settings.SERVICEDESK_REOPEN_WINDOW_DAYS = 14
    reopened = services.transition(request, "reopen", actor=customer_actor)
    assert (reopened.state, reopened.reopen_count, reopened.resolved_at) == ("in_progress", 1, None)


def test_events_record_time_in_the_state_left(desk):
    request = desk.request_in("queued")
    events = _events(request)
    assert events[0].wall_seconds is None  # submit leaves no state
    assert events[1].wall_seconds >= 0
    escalated = services.transition(request, "escalate", actor=SYSTEM)
    assert _events(escalated)[-1].wall_seconds is None  # escalate stays in the state


@pytest.fixture
def heard():
    """The transitions announced by `request_transitioned` while the test runs."""
    names: list[str] = []

    def listener(sender, **kwargs):
        names.append(kwargs["transition"])

    request_transitioned.connect(listener)
    yield names
    request_transitioned.disconnect(listener)


def test_side_effects_are_registered_for_after_commit(
    desk, heard, django_capture_on_commit_callbacks
):
    request = desk.request_in("new")
    heard.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.transition(
            request, "route", actor=SYSTEM, data=RouteData(department=desk.department)
        )
    assert heard == []  # nothing announced before commit
    assert len(callbacks) == 1
    for callback in callbacks:
        callback()
    assert heard == ["route"]


def test_rolled_back_transition_leaves_no_event_and_announces_nothing(
    desk, heard, django_capture_on_commit_callbacks
):
    request = desk.request_in("new")
    heard.clear()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.transition(
            request, "route", actor=SYSTEM, data=RouteData(department=desk.department)
        )
        raise RuntimeError("the caller fails after the transition")
    assert callbacks == []
    assert heard == []
    assert [e.transition for e in _events(request)] == ["submit"]
    assert ServiceRequest.objects.get(pk=request.pk).state == "new"


def test_direct_state_assignment_is_refused(desk):
    request = desk.request_in("new")
    with pytest.raises(AttributeError):
        request.state = "resolved"


def test_staff_status_gives_no_power_over_other_departments_or_others_work(desk):
    """Every agent is staff (to open the admin); only superusers supervise."""
    from apps.accounts.actors import actor_for_user
    from tests.factories import AgentFactory

    outsider = AgentFactory(departments=[desk.other_department])
    colleague = AgentFactory(departments=[desk.department])
    for agent in (outsider, colleague):
        agent.user.is_staff = True
        agent.user.save(update_fields=["is_staff"])
    queued = desk.request_in("queued")
    with pytest.raises(Forbidden):
        services.transition(
            queued,
            "assign",
            actor=actor_for_user(outsider.user),
            data=AssignData(assignee=desk.lead),
        )
    assigned = services.transition(
        queued, "assign", actor=SYSTEM, data=AssignData(assignee=desk.second)
    )
    with pytest.raises(Forbidden):
        services.transition(assigned, "start", actor=actor_for_user(colleague.user))
    desk.lead.user.is_superuser = True
    desk.lead.user.save(update_fields=["is_superuser"])
    outsider.user.is_superuser = True
    outsider.user.save(update_fields=["is_superuser"])
    started = services.transition(assigned, "start", actor=actor_for_user(outsider.user))
    assert started.state == "in_progress"


def test_a_guard_refuses_before_anything_is_written(desk):
    from apps.tickets import hooks

    def no_resolving(request, name, actor):
        if name == "resolve":
            raise NotAllowed("A consult is still open.", state=request.state, allowed=[])

    request = desk.request_in("in_progress")
    count, version = Event.objects.filter(request=request).count(), request.version
    hooks.guard_transition(no_resolving)
    try:
        with pytest.raises(NotAllowed, match="consult is still open"):
            services.transition(request, "resolve", actor=desk.actor_for(request, "resolve"))
        assert Event.objects.filter(request=request).count() == count
        assert ServiceRequest.objects.get(pk=request.pk).version == version
        # Other transitions pass the guard.
        services.transition(request, "request_info", actor=desk.actor_for(request, "request_info"))
    finally:
        hooks._GUARDS.remove(no_resolving)


def test_the_doors_refusals_speak_the_callers_language(desk):
    from django.utils import translation

    request = desk.request_in("new")
    with translation.override("zh-hans"), pytest.raises(NotAllowed) as error:
        services.transition(request, "resolve", actor=SYSTEM)
    assert error.value.message == f"{request.reference} 当前为 new，无法执行“resolve”。"  # noqa: RUF001  the full-width punctuation is the translated text under test

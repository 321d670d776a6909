"""The transition table answers exactly what django-fsm answers, for every state, role and
combination of the facts the permissions and conditions read; and it names every such fact."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.actors import BOT, SYSTEM, Actor, Role
from apps.lifecycle.states import State
from apps.tickets import transition_table
from apps.tickets.models import SEPARATE_TRANSITIONS, ServiceRequest

NOW = timezone.now()


def _actors() -> list[Actor]:
    agents = [
        Actor(
            role=Role.AGENT,
            agent_id=agent_id,
            is_supervisor=supervisor,
            department_ids=frozenset({1}),
            led_department_ids=led,
        )
        for agent_id, supervisor, led in itertools.product(
            [10, None], [False, True], [frozenset(), frozenset({1}), frozenset({2})]
        )
    ]
    customers = [Actor(role=Role.CUSTOMER, customer_id=c) for c in (1, None)]
    return [*agents, *customers, SYSTEM, BOT]


def _requests() -> list[ServiceRequest]:
    found = []
    for (
        state,
        customer,
        department,
        assignee,
        approved,
        resolved,
        approval_group,
        approval_department,
    ) in itertools.product(
        State.values,
        [1, 2],
        [1, 2, None],
        [10, 11, None],
        [None, NOW],
        [None, NOW - timedelta(days=1), NOW - timedelta(days=400)],
        [None, 5],
        [None, 2],
    ):
        found.append(
            ServiceRequest(
                pk=1,
                state=state,
                customer_id=customer,
                department_id=department,
                assignee_id=assignee,
                approved_at=approved,
                resolved_at=resolved,
                approval_group_id=approval_group,
                approval_department_id=approval_department,
            )
        )
    return found


def test_the_table_answers_what_django_fsm_answers_for_every_combination():
    transition_table.forget()
    compared = 0
    for request, actor in itertools.product(_requests(), _actors()):
        expected = request.transitions_for(actor)
        assert transition_table.allowed_transitions(request, actor) == expected, (
            request.state,
            actor,
            transition_table.decision_key(request, actor),
        )
        compared += 1
    # Asked a second time, every answer comes from the table: the same again.
    for request, actor in itertools.product(_requests(), _actors()):
        assert transition_table.allowed_transitions(request, actor) == request.transitions_for(
            actor
        )
    assert compared > 10_000
    # Every transition is allowed somewhere, so the comparison covered each of them.
    allowed = {n for names in transition_table._TABLE.values() for n in names}
    every = {t.name for t in ServiceRequest().get_all_state_transitions()}
    assert allowed == every - SEPARATE_TRANSITIONS


def test_every_transition_reads_only_facts_the_key_names():
    """A new condition, permission or check must be added to decision_key (and KNOWN_*)."""
    for t in ServiceRequest().get_all_state_transitions():
        assert set(t.conditions) <= transition_table.KNOWN_CONDITIONS, t.name
        assert callable(t.permission), t.name
        assert hasattr(t.permission, "roles"), f"{t.name}: permission not made by rules.may"
        assert t.permission.check in transition_table.KNOWN_CHECKS, t.name


def test_without_an_actor_it_asks_django_fsm():
    request = ServiceRequest(pk=1, state=State.NEW, customer_id=1)
    assert transition_table.allowed_transitions(request, None) == request.transitions_for(None)


@pytest.mark.parametrize("state", State.values)
def test_the_reopen_window_is_read_at_each_call(state, settings):
    transition_table.forget()
    request = ServiceRequest(pk=1, state=state, customer_id=1, resolved_at=NOW - timedelta(days=5))
    customer = Actor(role=Role.CUSTOMER, customer_id=1)
    settings.SERVICEDESK_REOPEN_WINDOW_DAYS = 10
    assert transition_table.allowed_transitions(request, customer) == request.transitions_for(
        customer
    )
    settings.SERVICEDESK_REOPEN_WINDOW_DAYS = 1
    assert transition_table.allowed_transitions(request, customer) == request.transitions_for(
        customer
    )

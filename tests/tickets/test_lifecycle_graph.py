"""Properties of the request lifecycle graph, read from the FSM declarations."""

from collections import deque

from apps.lifecycle.states import OPEN, TERMINAL, State
from tests.support.lifecycle import ALL_STATES, edges, sources_of, transition_names

REQUIRED_TRANSITIONS = {
    "approve",
    "reject",
    "require_approval",
    "propose_answer",
    "accept_answer",
    "decline_answer",
    "answer_timeout",
    "route",
    "assign",
    "reassign",
    "start",
    "request_info",
    "customer_reply",
    "resolve",
    "reopen",
    "close",
    "auto_close",
    "cancel",
    "escalate",
    "transfer",
}


def test_every_state_is_reachable_from_new():
    seen, todo = {State.NEW.value}, deque([State.NEW.value])
    while todo:
        state = todo.popleft()
        for source, _, target in edges():
            if source == state and target not in seen:
                seen.add(target)
                todo.append(target)
    assert seen == ALL_STATES


def test_terminal_states_have_no_exits():
    for terminal in TERMINAL:
        assert [name for source, name, _ in edges() if source == terminal] == []


def test_resolved_leaves_only_by_reopen_or_close():
    assert {name for source, name, _ in edges() if source == State.RESOLVED} == {
        "reopen",
        "close",
        "auto_close",
    }


def test_the_design_lifecycle_transitions_all_exist():
    assert transition_names() >= REQUIRED_TRANSITIONS


def test_cancel_and_escalate_apply_to_every_open_state_and_only_there():
    assert sources_of("cancel") == set(OPEN)
    assert sources_of("escalate") == set(OPEN)


def test_reopen_returns_to_the_assignee_or_to_routing():
    assert {target for _, name, target in edges() if name == "reopen"} == {
        State.IN_PROGRESS,
        State.NEW,
    }


def test_every_state_but_closed_and_cancelled_has_a_way_forward():
    for state in ALL_STATES - set(TERMINAL):
        assert any(source == state and target != state for source, _, target in edges()), state

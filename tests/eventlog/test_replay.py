"""The replay rules of the event log, on hand-made events (no database)."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from apps.eventlog.replay import replay

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def ev(seq, kind, from_state, to_state, minutes):
    return SimpleNamespace(
        seq=seq,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        at=T0 + timedelta(minutes=minutes),
    )


GOOD = [
    ev(1, "transition", "", "new", 0),
    ev(2, "transition", "new", "queued", 1),
    ev(3, "message", "queued", "queued", 2),
    ev(4, "transition", "queued", "assigned", 2),
]


def test_a_consistent_log_replays_clean():
    assert replay(7, "assigned", GOOD) == []


def test_wrong_current_state_is_named():
    problems = replay(7, "resolved", GOOD)
    assert [str(p) for p in problems] == [
        "request 7 log: replays to 'assigned' but the request is 'resolved'"
    ]


def test_gap_in_sequence_is_named():
    events = [*GOOD[:2], ev(4, "transition", "queued", "assigned", 3)]
    assert any("jumps from 2 to 4" in str(p) for p in replay(7, "assigned", events))


def test_time_going_backwards_is_named():
    events = [*GOOD[:2], ev(3, "transition", "queued", "assigned", -5)]
    assert any("time goes backwards" in str(p) for p in replay(7, "assigned", events))


def test_a_transition_from_the_wrong_state_is_named():
    events = [*GOOD[:2], ev(3, "transition", "in_progress", "resolved", 3)]
    assert any("starts from 'in_progress'" in str(p) for p in replay(7, "resolved", events))


def test_a_non_transition_event_must_not_change_state():
    events = [*GOOD[:2], ev(3, "message", "queued", "resolved", 3)]
    assert any("message event changes the state" in str(p) for p in replay(7, "resolved", events))


def test_a_request_without_events_is_a_violation():
    assert [str(p) for p in replay(7, "new", [])] == ["request 7 log: has no events"]

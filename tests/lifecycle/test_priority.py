"""The ITIL impact x urgency matrix."""

import pytest

from apps.lifecycle.priority import Level, Priority, priority_for, raised


@pytest.mark.parametrize(
    ("impact", "urgency", "expected"),
    [
        ("high", "high", Priority.CRITICAL),
        ("high", "medium", Priority.HIGH),
        ("medium", "high", Priority.HIGH),
        ("medium", "medium", Priority.MEDIUM),
        ("low", "high", Priority.MEDIUM),
        ("high", "low", Priority.MEDIUM),
        ("low", "low", Priority.LOW),
    ],
)
def test_matrix(impact, urgency, expected):
    assert priority_for(impact, urgency) == expected


def test_matrix_is_symmetric_and_monotonic():
    order = [Level.LOW, Level.MEDIUM, Level.HIGH]
    for i, a in enumerate(order):
        for j, b in enumerate(order):
            assert priority_for(a, b) == priority_for(b, a)
            if i + 1 < len(order):
                assert priority_for(order[i + 1], b) <= priority_for(a, b)
            if j + 1 < len(order):
                assert priority_for(a, order[j + 1]) <= priority_for(a, b)


def test_unknown_level_is_refused():
    with pytest.raises(ValueError):
        priority_for("extreme", "high")


def test_raise_stops_at_critical():
    assert raised(Priority.LOW) == Priority.MEDIUM
    assert raised(Priority.CRITICAL) == Priority.CRITICAL

"""The time waiting for the customer runs in the customer's hours (customer_hours.py): a reply
due outside them comes when they begin, one due inside them as drawn."""

import pytest

from apps.simulation.engine import HOUR, simulate
from apps.simulation.model import HOURS_PER_WEEK
from tests.support.simulation import fixed, queue_model

DAY = 24 * HOUR


def _asks_the_customer(customer_hours: list[float]):
    """Every request asks the customer at once, who takes one hour of their time to reply."""
    model = queue_model(per_hour=0.5, agents=100, service=fixed(0))
    model.transitions["new"] = {"pending_customer": 1.0}
    model.transitions["pending_customer"] = {"resolved": 1.0}
    model.durations["pending_customer"] = fixed(HOUR)
    model.customer_hours = customer_hours
    return model


def test_replies_come_in_the_customers_hours():
    # Customers reply from 09:00 to 17:00 only.
    day = [1.0 if 9 <= hour < 17 else 0.0 for hour in range(24)]
    run = simulate(_asks_the_customer(day * 7), hours=24 * 14, seed=2, drain_hours=48)
    assert len(run.outcomes) > 100
    overnight = 0
    for outcome in run.outcomes:
        assert outcome.resolved is not None
        asked = outcome.arrived % DAY
        replied = outcome.resolved % DAY
        assert 9 * HOUR < replied <= 17 * HOUR, outcome
        if 9 * HOUR <= asked <= 16 * HOUR:
            assert outcome.resolved - outcome.arrived == pytest.approx(HOUR)
        else:
            overnight += 1
            # Asked after 16:00 or before 09:00: the hour runs from 09:00 (the rest of the
            # afternoon's first, when it was asked before 17:00).
            assert outcome.resolved - outcome.arrived > HOUR
    assert overnight > 50


def test_half_ready_hours_take_twice_as_long_and_none_is_wall_time():
    run = simulate(_asks_the_customer([0.5] * HOURS_PER_WEEK), hours=48, seed=2, drain_hours=4)
    for outcome in run.outcomes:
        assert outcome.resolved - outcome.arrived == pytest.approx(2 * HOUR)
    run = simulate(_asks_the_customer([]), hours=48, seed=2, drain_hours=4)
    for outcome in run.outcomes:
        assert outcome.resolved - outcome.arrived == pytest.approx(HOUR)

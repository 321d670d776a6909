"""Building a desk's history day by day through the door, with the test clock."""

from datetime import timedelta

from apps.lifecycle.states import State
from apps.tickets import services
from tests.sla_fixtures import T0


def move_to(clock, when) -> None:
    clock.advance(seconds=(when - clock.now).total_seconds())


def resolve_daily(desk, clock, hours: list[float], *, rating=None) -> list:
    """One request a day from T0's day on, submitted at 09:00 and resolved `hours` later (a
    None in `hours` skips the day); the customer rates each when `rating` is given."""
    resolved = []
    for day, spent in enumerate(hours):
        if spent is None:
            continue
        move_to(clock, T0 + timedelta(days=day))
        request = desk.request_in(State.IN_PROGRESS)
        clock.advance(hours=spent)
        request = services.transition(request, "resolve", actor=desk.actor_for(request, "resolve"))
        resolved.append(request)
    return resolved

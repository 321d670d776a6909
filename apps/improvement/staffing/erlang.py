"""Erlang C: the chance a request waits, the service level, and the agents needed for a target."""

import math


def erlang_c(agents: int, load: float) -> float:
    """Probability that an arrival waits, with `agents` servers and `load` Erlangs offered
    (arrival rate x mean handling time); 1.0 when the agents cannot keep up."""
    if agents <= 0 or load >= agents:
        return 1.0
    if load <= 0:
        return 0.0
    # Erlang B by its stable recursion, then C from B.
    b = 1.0
    for n in range(1, agents + 1):
        b = load * b / (n + load * b)
    return agents * b / (agents - load * (1 - b))


def service_level(agents: int, load: float, handling_seconds: float, target_seconds: float):
    """Share of arrivals answered within `target_seconds`."""
    if load >= agents:
        return 0.0
    waiting = erlang_c(agents, load)
    return 1.0 - waiting * math.exp(-(agents - load) * target_seconds / handling_seconds)


def agents_needed(
    *,
    arrivals_per_hour: float,
    handling_seconds: float,
    target_seconds: float,
    target_share: float = 0.8,
) -> int:
    """The fewest agents whose service level reaches `target_share` (0 without arrivals)."""
    if arrivals_per_hour <= 0:
        return 0
    load = arrivals_per_hour * handling_seconds / 3600
    agents = max(1, math.floor(load) + 1)
    while service_level(agents, load, handling_seconds, target_seconds) < target_share:
        agents += 1
    return agents

"""What discovery reads of the agents beyond the path, in one more pass over the log: who
worked which category (apps/simulation/skills.py) and when the first response came
(apps/simulation/first_response.py) and the next ones (apps/simulation/next_response.py)."""

from collections import Counter, defaultdict
from datetime import datetime

from django.db.models import Q

from apps.eventlog.models import Event, EventKind
from apps.simulation.first_response import ResponseTally
from apps.simulation.model import WORKING
from apps.simulation.next_response import NextResponseTally
from apps.simulation.skills import skills_of


def read_agents(
    start: datetime, end: datetime, hours: list[float], capacity: dict[str, int]
) -> tuple[dict, dict, dict]:
    """(skills, first_response, next_response) of the model, from the transitions and the
    public agent messages of the requests submitted in [start, end)."""
    worked: dict = defaultdict(lambda: defaultdict(Counter))
    responses, next_responses = ResponseTally(hours), NextResponseTally(hours)
    for events in _events_by_request(start, end):
        responses.add(events)
        next_responses.add(events)
        seen = set()
        for kind, _from, to_state, _at, department, agent, category in events:
            if kind != EventKind.TRANSITION or to_state not in WORKING or not agent:
                continue
            if department is not None and (department, agent) not in seen:
                seen.add((department, agent))
                worked[str(department)][agent]["" if category is None else str(category)] += 1
    return skills_of(worked, capacity), responses.first_response(), next_responses.next_response()


def _events_by_request(start: datetime, end: datetime):
    rows = (
        Event.objects.filter(request__created_at__gte=start, request__created_at__lt=end)
        .filter(
            Q(kind=EventKind.TRANSITION)
            | Q(kind=EventKind.MESSAGE, actor_role="agent", payload__visibility="public")
        )
        .order_by("request_id", "seq")
        .values_list(
            "request_id",
            "kind",
            "from_state",
            "to_state",
            "at",
            "department_id",
            "assignee_id",
            "request__category_id",
        )
    )
    current: int | None = None
    events: list[tuple] = []
    for request_id, *event in rows.iterator(chunk_size=5000):
        if request_id != current and events:
            yield events
            events = []
        current = request_id
        events.append(tuple(event))
    if events:
        yield events

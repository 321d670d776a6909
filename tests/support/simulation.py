"""For the simulation tests: the organisation the history generator draws from, and small
models whose answers are known."""

from apps.simulation.engine import HOUR
from apps.simulation.model import HOURS_PER_WEEK, ProcessModel, StepDist
from tests.factories import AgentFactory, CategoryFactory, CustomerFactory, DepartmentFactory


def make_organisation(*, agents: int, capacity: int, customers: int) -> None:
    """Two departments of `agents` agents each, one category per department, `customers`."""
    for _ in range(2):
        department = DepartmentFactory()
        AgentFactory.create_batch(agents, departments=[department], capacity=capacity)
        CategoryFactory(default_department=department)
    CustomerFactory.create_batch(customers)


def fixed(seconds: float) -> StepDist:
    return StepDist(kind="fixed", params={"value": seconds})


def queue_model(*, per_hour: float, agents: int, service: StepDist) -> ProcessModel:
    """Arrive, queue for one of `agents`, be served, resolved, closed."""
    return ProcessModel(
        arrivals={"c": [per_hour] * HOURS_PER_WEEK},
        priorities={"c": {"3": 1.0}},
        transitions={
            "new": {"queued": 1.0},
            "queued": {"in_progress": 1.0},
            "in_progress": {"resolved": 1.0},
            "resolved": {"closed": 1.0},
        },
        routes={"|": {"d": 1.0}},
        durations={"new": fixed(0), "in_progress": service, "resolved": fixed(0)},
        capacity={"d": agents},
        resolution_targets={"3": 2 * HOUR},
    )


def staffing_page(admin_client, plan) -> str:
    """The admin page of a finished scenario holding the staffing search's `plan`."""
    from apps.simulation.models import Scenario, ScenarioStatus
    from apps.simulation.reports import staffing_json

    scenario = Scenario.objects.create(
        name="Staffing",
        changes={"optimise_staffing": {}},
        status=ScenarioStatus.DONE,
        validation={"valid": True, "checks": []},
        results={"staffing": staffing_json(plan)},
    )
    page = admin_client.get(f"/admin/simulation/scenario/{scenario.pk}/change/")
    assert page.status_code == 200
    return page.content.decode()


SCENARIOS_URL = "/api/v1/simulation/scenarios/"


def check_scenario_changes_api(user, good: dict, bad: list[dict]) -> None:
    """The scenarios API stores the `good` changes as given and refuses each of `bad` with a
    400 that names its field."""
    from tests.support.api import client_for

    client = client_for(user)
    created = client.post(SCENARIOS_URL, {"name": "Change", "changes": good}, format="json")
    assert created.status_code == 201, created.json()
    assert client.get(created["Location"]).json()["changes"] == good
    for changes in bad:
        refused = client.post(SCENARIOS_URL, {"name": "Bad", "changes": changes}, format="json")
        assert refused.status_code == 400 and next(iter(changes)) in str(refused.json())

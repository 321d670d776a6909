"""List endpoints run a fixed number of queries, whatever the page size.

Measured on PostgreSQL (a page of 1 row and a page of 25 rows cost the same):

    GET requests/                  as a customer   6
    GET requests/                  as an agent     8
    GET queue/                     as an agent     8
    GET requests/{ref}/messages/   as a customer   4
    GET requests/{ref}/messages/   as an agent     6

The numbers, by where the queries go: token lookup, with the user's agent and customer rows
joined in (1); the caller's actor (customer: nothing more; agent: its departments + departments
led = 2); for messages, the request
named in the URL (1, without its clocks); then the page itself with the list's count as a
subquery (1, apps/api/pagination.py; a query of its own until issue 19), with categories,
departments, assignees, customers and authors joined in, and the page's
SLA clocks with their policies and calendars (1), the calendars' hours (1) and holidays (1);
the page's attachments, with their messages and uploaders (1). The request lists read the
clocks and attachments only for rows that have any (`selectors.load_page`): here every page
has both.
A change in these numbers is a change to look at, not a number to bump.
"""

from datetime import date, time

import pytest

from apps.accounts.actors import SYSTEM, actor_for_user
from apps.lifecycle.states import TERMINAL, State
from apps.sla.models import BusinessCalendar, Holiday, WorkingHours
from apps.tickets import attachments, services
from apps.tickets.attachments import IncomingFile
from apps.tickets.transition_data import transition_data
from tests.factories import AgentFactory, CategoryFactory, CustomerFactory, submit
from tests.support.api import client_for, url
from tests.support.attachments import PDF, PNG

pytestmark = pytest.mark.django_db

QUERIES = {
    "requests_customer": 6,
    "requests_agent": 8,
    "queue": 8,
    "messages_customer": 4,
    "messages_agent": 6,
}
PAGE = 25
STATES = [
    State.NEW,
    State.QUEUED,
    State.ASSIGNED,
    State.IN_PROGRESS,
    State.PENDING_CUSTOMER,
    State.RESOLVED,
    State.CLOSED,
    State.CANCELLED,
    State.BOT_ANSWERED,
]
LEVELS = ["high", "medium", "low"]


class Population:
    """More than a page of requests across states, two departments, four agents, three
    categories and four customers; `multi` works in both departments and sees them all."""

    def __init__(self, desk):
        self.desk = desk
        self.multi = AgentFactory(departments=[desk.department, desk.other_department])
        outsider = AgentFactory(departments=[desk.other_department])
        self.staff = {
            desk.department.pk: [desk.lead, desk.second, self.multi],
            desk.other_department.pk: [self.multi, outsider],
        }
        self.categories = [CategoryFactory() for _ in range(3)]
        others = [CustomerFactory() for _ in range(3)]
        self.mine = [self._request(n, desk.customer) for n in range(PAGE + 3)]
        self.theirs = [self._request(n, others[n % 3]) for n in range(6)]

    def _request(self, n: int, customer):
        department = [self.desk.department, self.desk.other_department][n % 2]
        agents = self.staff[department.pk]
        return self._drive(
            submit(
                customer,
                subject=f"Request {n}",
                category=self.categories[n % 3] if n % 4 else None,
                impact=LEVELS[n % 3],
                urgency=LEVELS[(n // 3) % 3],
            ),
            STATES[n % len(STATES)],
            department,
            agents[n % len(agents)],
            actor_for_user(customer.user),
        )

    @staticmethod
    def _drive(request, state, department, assignee, customer):
        owner = actor_for_user(assignee.user)
        steps = {
            State.NEW: [],
            State.BOT_ANSWERED: [("propose_answer", SYSTEM, {})],
            State.CANCELLED: [("cancel", customer, {})],
        }.get(state)
        if steps is None:
            path = [
                ("route", SYSTEM, {"department": department}),
                ("assign", SYSTEM, {"assignee": assignee}),
                ("start", owner, {}),
                ("request_info", owner, {}),
                ("resolve", owner, {}),
                ("close", customer, {}),
            ]
            ends = {
                State.QUEUED: 1,
                State.ASSIGNED: 2,
                State.IN_PROGRESS: 3,
                State.PENDING_CUSTOMER: 4,
                State.RESOLVED: 5,
                State.CLOSED: 6,
            }
            steps = path[: ends[state]]
        for name, actor, data in steps:
            request = services.transition(
                request, name, actor=actor, data=transition_data(name, data)
            )
        assert request.state == state
        return request


def with_files(request, actor, message=None):
    files = [IncomingFile("screen.png", PNG), IncomingFile("report.pdf", PDF)]
    attachments.do_attach_files(request, actor=actor, files=files, message=message)


@pytest.fixture
def population(desk, standard_policy, critical_policy, attachment_dir):
    """Every request has SLA clocks on an office-hours calendar with a holiday, so the
    summaries need the calendar's hours and holidays too (a page without any calendar skips
    those two queries)."""
    office = BusinessCalendar.objects.create(name="Office", time_zone="Europe/Berlin")
    for weekday in range(5):
        WorkingHours.objects.create(calendar=office, weekday=weekday, start=time(9), end=time(17))
    Holiday.objects.create(calendar=office, date=date(2026, 12, 25), name="Christmas")
    for policy in (standard_policy, critical_policy):
        policy.calendar = office
        policy.save(update_fields=["calendar"])
    population = Population(desk)
    for request in population.mine + population.theirs:
        if request.state not in TERMINAL:
            with_files(request, SYSTEM)
    return population


def _page(client, path: str, rows: int) -> None:
    response = client.get(path, {"page_size": rows})
    assert response.status_code == 200, response.content
    assert len(response.json()["results"]) == rows  # a full page: the table holds more


@pytest.fixture
def assert_fixed(django_assert_num_queries):
    """Checks that a page of 1 row and a page of 25 rows each run the recorded queries."""

    def check(client, path: str, key: str) -> None:
        for rows in (1, PAGE):
            with django_assert_num_queries(QUERIES[key]):
                _page(client, path, rows)

    return check


def test_request_list_as_customer(population, assert_fixed):
    assert_fixed(
        client_for(population.desk.customer.user), "/api/v1/requests/", "requests_customer"
    )


def test_request_list_as_agent(population, assert_fixed):
    assert_fixed(client_for(population.multi.user), "/api/v1/requests/", "requests_agent")


def test_queue(population, assert_fixed):
    assert_fixed(client_for(population.multi.user), "/api/v1/queue/", "queue")


@pytest.fixture
def thread(desk, attachment_dir):
    """A request with more than a page of public replies and internal notes by four people."""
    request = desk.request_in(State.IN_PROGRESS)
    writers = [
        (actor_for_user(desk.customer.user), False),
        (actor_for_user(desk.lead.user), False),
        (actor_for_user(desk.second.user), True),
        (actor_for_user(desk.lead.user), True),
        (actor_for_user(desk.second.user), False),
    ]
    for n in range(2 * PAGE):
        actor, internal = writers[n % len(writers)]
        message = services.do_post_message(
            request, actor=actor, body=f"Message {n}", internal=internal
        )
        if n % 3 == 0:
            with_files(request, actor, message)
    return request


def test_messages_as_customer(desk, thread, assert_fixed):
    assert_fixed(client_for(desk.customer.user), url(thread, "messages/"), "messages_customer")


def test_messages_as_agent(desk, thread, assert_fixed):
    assert_fixed(client_for(desk.lead.user), url(thread, "messages/"), "messages_agent")


def test_a_create_reads_nothing_back(customer, django_assert_num_queries, settings):
    """The token (1), the SLA policies (1, cached for seconds outside tests) and one statement
    that inserts the request with its submit event (no savepoint, no BEGIN and COMMIT):
    rendered from what the door wrote, with no clocks to read back and no forecast yet."""
    client = client_for(customer.user)
    with django_assert_num_queries(3) as queries:
        response = client.post("/api/v1/requests/", {"subject": "Printer jams"}, format="json")
    written = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SELECT")]
    assert len(written) == 1 and written[0].startswith("WITH parent AS (INSERT INTO")
    assert response.status_code == 201, response.content
    assert response.json()["sla"] == [] and response.json()["expected_by"] is None


def test_a_create_under_a_policy_renders_the_clocks_it_started(customer, standard_policy):
    """The clocks rendered from what the door wrote are the ones a read finds."""
    client = client_for(customer.user)
    response = client.post("/api/v1/requests/", {"subject": "Printer jams"}, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    read = client.get(f"/api/v1/requests/{created['reference']}/").json()
    stable = ("target", "state", "deadline", "target_seconds")
    assert [clock["target"] for clock in created["sla"]] == ["first_response", "resolution"]
    assert [{k: c[k] for k in stable} for c in created["sla"]] == [
        {k: c[k] for k in stable} for c in read["sla"]
    ]

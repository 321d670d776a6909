"""`/metrics`: hidden from anyone but the configured scraper, the Prometheus text format to it,
and the desk's counters (intake, SLA, handoffs, notifications) read from the database."""

import pytest
from django.core.cache import cache
from prometheus_client.parser import text_string_to_metric_families

from servicedesk.celery import app
from servicedesk.metrics.desk import CACHE_KEY, count_desk
from servicedesk.metrics.queues import queue_depths
from tests.paths import Desk
from workflows import tasks
from workflows.sla_sweep import sweep_due_clocks

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.redis]

TOKEN = "s3cret-scraper-token"
BEARER = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}


@pytest.fixture(autouse=True)
def metrics_token(settings):
    settings.SERVICEDESK_METRICS_TOKEN = TOKEN
    settings.SERVICEDESK_METRICS_NETWORKS = []
    settings.SERVICEDESK_METRICS_DATABASE_SECONDS = 0  # counted at every scrape
    return settings


def scrape(client, **headers) -> dict[tuple[str, frozenset], float]:
    """The scrape's samples as {(name, labels): value}."""
    response = client.get("/metrics", **(headers or BEARER))
    assert response.status_code == 200, response.status_code
    return parse(response.content.decode())


def parse(text: str) -> dict[tuple[str, frozenset], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_AUTHORIZATION": "Bearer wrong-token"},
        {"HTTP_AUTHORIZATION": f"Token {TOKEN}"},
        {"HTTP_AUTHORIZATION": TOKEN},
    ],
    ids=["no header", "wrong token", "other scheme", "no scheme"],
)
def test_refused_with_the_sites_ordinary_404_without_the_token(client, headers):
    response = client.get("/metrics", **headers)
    unknown = client.get("/no-such-page", **headers)
    assert response.status_code == 404
    assert response.content == unknown.content  # not discoverable: the same page as any 404


def test_refused_to_everyone_while_no_token_or_network_is_set(client, settings):
    settings.SERVICEDESK_METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer").status_code == 404


def test_networks_alone_or_with_the_token(client, settings):
    settings.SERVICEDESK_METRICS_TOKEN = ""
    settings.SERVICEDESK_METRICS_NETWORKS = ["10.0.0.0/8", "fd00::/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="fd00::5").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.168.1.5").status_code == 404
    settings.SERVICEDESK_METRICS_TOKEN = TOKEN  # both set: both must hold
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3", **BEARER).status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.168.1.5", **BEARER).status_code == 404


def test_serves_the_prometheus_text_format_with_the_token(client):
    client.get("/healthz")
    response = client.get("/metrics", **BEARER)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    samples = parse(response.content.decode())
    names = {name for name, _labels in samples}
    assert value(samples, "servicedesk_metrics_source_up", source="database") == 1
    assert value(samples, "servicedesk_metrics_source_up", source="broker") == 1
    assert value(samples, "django_http_responses_total_by_status_view_method_total",
                 status="200", view="healthz", method="GET") >= 1  # fmt: skip
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in names
    for queue in ("routing", "chatbot", "sla", "handoffs", "notifications", "default"):
        assert ("servicedesk_celery_queue_messages", frozenset({("queue", queue)})) in samples


def test_a_request_created_through_the_api_counts_as_intake(client, customer_client):
    before = value(scrape(client), "servicedesk_requests_created_total", channel="api")
    created = customer_client.post("/api/v1/requests/", {"subject": "Printer"}, format="json")
    assert created.status_code == 201
    samples = scrape(client)
    assert value(samples, "servicedesk_requests_created_total", channel="api") == before + 1
    assert value(samples, "django_http_responses_total_by_status_view_method_total",
                 status="201", view="request-list", method="POST") >= 1  # fmt: skip


def test_a_recorded_warning_and_breach_show_in_the_sla_counters(
    client, customer, standard_policy, clock
):
    Desk(customer).request_in("assigned")  # first response due in 60 minutes
    before = scrape(client)
    clock.advance(minutes=46)
    assert sweep_due_clocks() == 1  # the warning (75 %)
    warned = scrape(client)
    clock.advance(minutes=15)
    assert sweep_due_clocks() == 1  # the breach (100 %)
    breached = scrape(client)

    def gained(name, since, until):
        return value(until, name, clock="first_response") - value(
            since, name, clock="first_response"
        )

    assert gained("servicedesk_sla_warnings_total", before, warned) == 1
    assert gained("servicedesk_sla_breaches_total", before, warned) == 0
    assert gained("servicedesk_sla_warnings_total", warned, breached) == 0
    assert gained("servicedesk_sla_breaches_total", warned, breached) == 1
    after = breached
    escalations = value(after, "servicedesk_notifications_created_total", kind="escalation")
    assert escalations >= 1


def test_handoff_steps_are_counted_by_kind_and_step(client, customer):
    from apps.accounts.actors import actor_for_user
    from apps.handoffs.services import do_request_handoff

    desk = Desk(customer)
    request = desk.request_in("in_progress")
    do_request_handoff(
        request,
        kind="transfer",
        to_department=desk.other_department,
        actor=actor_for_user(desk.lead.user),
        reason="Network team",
    )
    samples = scrape(client)
    assert value(samples, "servicedesk_handoff_steps_total", kind="transfer", step="requested") == 1


def test_queue_depth_counts_waiting_messages(client):
    before = queue_depths()["sla"]
    app.send_task("default.ping", kwargs={"token": "t"}, queue="sla")
    try:
        samples = scrape(client)
        assert value(samples, "servicedesk_celery_queue_messages", queue="sla") == before + 1
    finally:
        with app.connection_for_write() as connection:
            connection.default_channel.queue_purge("sla")


def test_task_outcomes_of_this_process(client):
    def outcomes():
        samples = scrape(client)
        return [
            value(samples, "servicedesk_celery_tasks_total", task="default.ping", outcome=outcome)
            for outcome in ("succeeded", "failed")
        ]

    succeeded, failed = outcomes()
    tasks.ping.apply(kwargs={"token": "t"})
    tasks.ping.apply()  # no token: the task raises TypeError
    assert outcomes() == [succeeded + 1, failed + 1]


def test_made_up_http_methods_add_no_series(client):
    for method in ("BREW", "X-ONE", "X-TWO"):
        client.generic(method, "/healthz")
    text = client.get("/metrics", **BEARER).content.decode()
    assert "BREW" not in text and "X-ONE" not in text
    samples = parse(text)
    assert value(samples, "django_http_requests_latency_seconds_by_view_method_count",
                 view="healthz", method="<invalid method>") >= 3  # fmt: skip


def test_the_desk_is_counted_in_a_fixed_number_of_queries(customer, django_assert_num_queries):
    Desk(customer).request_in("in_progress")
    with django_assert_num_queries(7):
        families = count_desk()
    assert {family.name for family in families} >= {
        "servicedesk_requests_created",
        "servicedesk_sla_breaches",
        "servicedesk_handoff_steps",
        "servicedesk_webhook_deliveries",
    }


def test_scrapes_within_the_period_share_one_count(client, customer, settings):
    settings.SERVICEDESK_METRICS_DATABASE_SECONDS = 60
    first = value(scrape(client), "servicedesk_requests_created_total", channel="api")
    Desk(customer).request_in("new")
    assert value(scrape(client), "servicedesk_requests_created_total", channel="api") == first
    cache.delete(CACHE_KEY)  # the period over
    assert value(scrape(client), "servicedesk_requests_created_total", channel="api") == first + 1


class _Unreachable:
    """A source that fails as an unreachable service would."""

    def collect(self):
        raise ConnectionError("no answer")


def test_a_failing_source_is_reported_and_the_rest_still_served(client, monkeypatch):
    from servicedesk.metrics import views

    monkeypatch.setitem(views.SOURCES, "unreachable", _Unreachable())
    samples = scrape(client)
    assert value(samples, "servicedesk_metrics_source_up", source="unreachable") == 0
    assert value(samples, "servicedesk_metrics_source_up", source="database") == 1
    assert value(samples, "servicedesk_metrics_source_up", source="broker") == 1

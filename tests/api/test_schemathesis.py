"""Generated calls from our OpenAPI schema (schemathesis), as a customer and as an agent: never a
5xx, and every response conforms to the schema."""

import logging

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apps.accounts.actors import actor_for_user
from apps.handoffs.services import do_request_handoff
from apps.lifecycle.states import State
from apps.tickets.attachments import IncomingFile, do_attach_files
from servicedesk.wsgi import application
from tests.paths import Desk
from tests.support.attachments import PDF, TEXT

pytestmark = pytest.mark.django_db

# Per operation and caller; about 40 operations x 2 callers x 16 makes well over 1,000 calls.
EXAMPLES = 16
MINIMUM_CALLS = 1000
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def _quiet_4xx_warnings():
    """Thousands of expected 404s and 403s: log only errors (a 5xx is still logged)."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Django's WSGI handler closes the connection after each response (the test client does
    not): keep it, since the test's transaction lives on it."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(customer, attachment_dir):
    """Requests in several states, one with a handoff and files, so generated calls also hit
    real objects (a file's id and the handoff's are both offered as `id`)."""
    desk = Desk(customer)
    requests = [desk.request_in(state) for state in State.values]
    working = desk.request_in(State.IN_PROGRESS)
    handoff = do_request_handoff(
        working,
        actor=actor_for_user(desk.lead.user),
        kind="consult",
        to_department=desk.other_department,
        reason="Ask the other department",
    )
    files = do_attach_files(
        working,
        actor=actor_for_user(customer.user),
        files=[IncomingFile("scan.pdf", PDF), IncomingFile("log.txt", TEXT)],
    )
    return desk, [r.reference for r in [*requests, working]], [handoff.pk, *(f.pk for f in files)]


def token_header(user) -> dict[str, str]:
    from apps.api.tokens import do_issue_token

    return {"Authorization": f"Token {do_issue_token(user=user)[1]}"}


def run_operation(operation, headers: dict, references: list[str], ids: list[int]) -> int:
    """Run EXAMPLES generated cases of one operation (fixed seed); return how many calls."""
    calls = 0
    real = {"ref": st.sampled_from(references), "id": st.sampled_from(ids)}

    @hypothesis.settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    @given(case=operation.as_strategy(), data=st.data())
    def call(case, data):
        nonlocal calls
        # Half the cases address objects that exist, so they get past the 404.
        for name, strategy in real.items():
            if case.path_parameters and name in case.path_parameters and data.draw(st.booleans()):
                case.path_parameters[name] = data.draw(strategy)
        cache.clear()  # no throttling: the counters live in the cache
        response = case.call(headers=headers)
        calls += 1
        case.validate_response(response, checks=CHECKS)

    call()
    return calls


def test_generated_calls_conform_and_never_fail_on_the_server(world):
    desk, references, ids = world
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    callers = {
        "customer": token_header(desk.customer.user),
        "agent": token_header(desk.lead.user),
    }
    total = 0
    for operation in operations:
        for headers in callers.values():
            total += run_operation(operation, headers, references, ids)
    print(f"schemathesis: {total} calls over {len(operations)} operations")
    assert total >= MINIMUM_CALLS


def test_a_real_download_conforms_to_the_schema(world):
    """Generated ids seldom meet their request: one real download of each file, checked."""
    desk, references, ids = world
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    download = schema["/api/v1/requests/{ref}/attachments/{id}/"]["GET"]
    for file_id in ids[1:]:
        case = download.Case(path_parameters={"ref": references[-1], "id": file_id})
        response = case.call(headers=token_header(desk.customer.user))
        assert response.status_code == 200
        case.validate_response(response, checks=CHECKS)

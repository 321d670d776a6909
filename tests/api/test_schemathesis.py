"""Generated calls from our OpenAPI schema (schemathesis), as a customer and as an agent: never a
5xx, every response conforms to the schema, input the schema calls valid is accepted and input
it calls invalid is refused (the schema states the constraints the code enforces).

Each operation gets schemathesis's coverage cases (the boundaries of every constraint, valid and
invalid: lengths, ranges, enums, formats, types, missing required fields, unknown fields,
undeclared methods; a fixed list) and EXAMPLES fuzzed valid cases, per caller. Each operation
and caller has a token of its own (the sign-out operations revoke theirs)."""

import json
import logging
import random

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.drivers import CoverageGenerator
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.generation.overrides import Override
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from apps.accounts.actors import actor_for_user
from apps.api.models import IdempotencyKey
from apps.handoffs.services import do_request_handoff
from apps.lifecycle.states import State
from apps.tickets.attachments import IncomingFile, do_attach_files
from servicedesk.wsgi import application
from tests.paths import Desk
from tests.support.attachments import PDF, TEXT

pytestmark = pytest.mark.django_db

# Fuzzed valid cases per operation and caller, on top of the coverage cases; coverage cases per
# operation, kind (valid, invalid) and caller at most (the whole list is up to 120 for a few
# operations; the cap keeps the run near two minutes). Raise both for a deeper run.
EXAMPLES = 4
MAX_CASES = 30
MINIMUM_CALLS = 2100
SHARDS = 3

# A 400 that names only these body fields is the server not finding the object a well-formed
# value names (a category, a department, a request that does not exist or that the caller may
# not see; a username with another password; a kind of notification the caller's role does not
# receive): no schema can list which ids exist, or what each caller may name, so
# `positive_data_acceptance` lets exactly these refusals through, per operation.
NAMES_AN_OBJECT = {
    "POST /api/v1/auth/token/": {"non_field_errors"},
    "POST /api/v1/requests/": {"category", "customer"},
    "POST /api/v1/requests/{ref}/handoffs/": {"to_department"},
    "POST /api/v1/requests/{ref}/links/": {"to"},
    "POST /api/v1/requests/{ref}/merge/": {"into"},
}
# The preferences' refusals name the keys of the `email` map: a kind the caller's role does not
# receive (the schema lists every kind; no schema can say which per caller). Such a refusal is
# let through there, nothing else.
REFUSES_MAP_KEYS = {"PATCH /api/v1/notifications/preferences/": "Some choices are not valid."}


def positive_data_acceptance_but_unknown_objects(ctx, response, case):
    """schemathesis's `positive_data_acceptance`, except for a 400 naming only the fields of
    NAMES_AN_OBJECT for this operation."""
    if response.status_code == 412:
        return None  # If-Match named another version than the request's now: state, not shape
    if response.status_code == 400:
        error = json.loads(response.content).get("error", {})
        fields = set(error.get("fields") or {})
        if fields and fields <= NAMES_AN_OBJECT.get(case.operation.label, set()):
            return None
        if error.get("message") == REFUSES_MAP_KEYS.get(case.operation.label):
            return None
    return positive_data_acceptance(ctx, response, case)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    positive_data_acceptance_but_unknown_objects,
    negative_data_rejection,
    missing_required_header,
    unsupported_method,
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


def fresh_state():
    """Each case on its own: no throttle counters (they live in the cache) and no
    Idempotency-Key seen before (a generated key is often `0`, for every body)."""
    cache.clear()
    IdempotencyKey.objects.all().delete()


def address_real_objects(case, real: dict[str, list], pick) -> None:
    """Half the cases address objects that exist, so they get past the 404; never when the
    path is what a negative case made invalid."""
    path = case.meta.components.get(ParameterLocation.PATH) if case.meta else None
    if path is not None and path.mode.is_negative:
        return
    for name, values in real.items():
        if case.path_parameters and name in case.path_parameters and pick.random() < 0.5:
            case.path_parameters[name] = pick.choice(values)


def call_and_check(case, token: dict[str, str], failures: list[str]):
    """The case as the caller (the token replaces the generated `Authorization`; a case that
    leaves the header out is the missing-credentials case and stays anonymous). A failure is
    collected, so one run lists them all."""
    if case.headers is None or "Authorization" in case.headers:
        case.headers = {**(case.headers or {}), **token}
    fresh_state()
    response = case.call()
    try:
        case.validate_response(response, checks=CHECKS)
    except FailureGroup as exc:
        failures.append(f"{case.operation.label}: {exc}")
    return response


def coverage_cases(operation) -> list:
    generation = operation.schema.config.generation_for(operation=operation, phase="coverage")
    return list(
        CoverageGenerator(
            operation=operation,
            generation_modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
            generation_config=generation,
            auth_storage=None,
            override=Override(),
            feedback=FeedbackSources(),
        )
    )


def spread(cases: list, most: int) -> list:
    """At most `most` of the cases, evenly over the list (schemathesis orders it by parameter
    and kind of case, so every parameter keeps some)."""
    step = -(-len(cases) // most)
    return cases[::step] if step > 1 else cases


def run_cases(cases, token, real, failures) -> set[int]:
    """Run the cases as one caller; return the statuses answered."""
    pick = random.Random(cases[0].operation.label if cases else "")  # which object to address
    statuses = set()
    for case in cases:
        address_real_objects(case, real, pick)
        statuses.add(call_and_check(case, token, failures).status_code)
    return statuses


def run_fuzzing(operation, token, real, failures) -> int:
    """EXAMPLES generated valid cases (fixed seed)."""
    calls = 0

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
        address_real_objects(case, real, data.draw(st.randoms(use_true_random=False)))
        call_and_check(case, token, failures)
        calls += 1

    call()
    return calls


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    """The schema, generated once for the shards."""
    with django_db_blocker.unblock():
        return schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.mark.parametrize("shard", range(SHARDS))
def test_generated_calls_conform_and_never_fail_on_the_server(schema, world, shard):
    """Every SHARDS-th operation (so `make test-fast` spreads them over its processes): the
    valid coverage cases and EXAMPLES fuzzed ones as each caller; the invalid coverage cases as
    the agent, or the customer where every valid case of the agent was a 403 (the permission
    check runs before the input is read, and the input rules are the same for both)."""
    desk, references, ids = world
    real = {"ref": references, "id": ids}
    calls, failures = 0, []
    operations = [result.ok() for result in schema.get_all_operations()][shard::SHARDS]
    for operation in operations:
        cases = coverage_cases(operation)
        valid = spread([c for c in cases if c.meta.generation.mode.is_positive], MAX_CASES)
        invalid = spread([c for c in cases if c.meta.generation.mode.is_negative], MAX_CASES)
        allowed = []
        for user in (desk.lead.user, desk.customer.user):
            token = token_header(user)
            if run_cases(valid, token, real, failures) != {403}:
                allowed.append(token)
            calls += len(valid) + run_fuzzing(operation, token, real, failures)
        if allowed:
            run_cases(invalid, allowed[0], real, failures)
            calls += len(invalid)
    print(f"schemathesis: {calls} calls over {len(operations)} operations")
    assert calls >= MINIMUM_CALLS / SHARDS
    assert not failures, f"{len(failures)} failures:\n" + "\n\n".join(failures)


def test_a_real_download_conforms_to_the_schema(schema, world):
    """Generated ids seldom meet their request: one real download of each file, checked."""
    desk, references, ids = world
    download = schema["/api/v1/requests/{ref}/attachments/{id}/"]["GET"]
    for file_id in ids[1:]:
        case = download.Case(path_parameters={"ref": references[-1], "id": file_id})
        response = case.call(headers=token_header(desk.customer.user))
        assert response.status_code == 200
        case.validate_response(response, checks=CHECKS)

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
from apps.notifications.kinds import NotificationKind
from apps.tickets.attachments import IncomingFile, do_attach_files
from servicedesk.wsgi import application
from tests.paths import Desk
from tests.support.attachments import PDF, TEXT

pytestmark = pytest.mark.django_db

# Fuzzed valid cases per operation and caller, on top of the coverage cases.
EXAMPLES = 6
MINIMUM_CALLS = 4000

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
    "PATCH /api/v1/notifications/preferences/": set(NotificationKind.values),
}


def positive_data_acceptance_but_unknown_objects(ctx, response, case):
    """schemathesis's `positive_data_acceptance`, except for a 400 naming only the fields of
    NAMES_AN_OBJECT for this operation."""
    if response.status_code == 400:
        fields = set(json.loads(response.content).get("error", {}).get("fields") or {})
        if fields and fields <= NAMES_AN_OBJECT.get(case.operation.label, set()):
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


def run_coverage(operation, cases, token, real, failures) -> int:
    """The valid coverage cases, then the invalid ones unless every valid one was refused
    with 403 (a caller the operation refuses is refused before its input is read)."""
    pick = random.Random(operation.label)
    statuses = set()
    positive = [c for c in cases if c.meta.generation.mode.is_positive]
    for case in positive:
        address_real_objects(case, real, pick)
        statuses.add(call_and_check(case, token, failures).status_code)
    if statuses == {403}:
        return len(positive)
    negative = [c for c in cases if c.meta.generation.mode.is_negative]
    for case in negative:
        address_real_objects(case, real, pick)
        call_and_check(case, token, failures)
    return len(positive) + len(negative)


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


def test_generated_calls_conform_and_never_fail_on_the_server(world):
    desk, references, ids = world
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    real = {"ref": references, "id": ids}
    total, failures = 0, []
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        cases = coverage_cases(operation)
        for user in (desk.customer.user, desk.lead.user):
            total += run_coverage(operation, cases, token_header(user), real, failures)
            total += run_fuzzing(operation, token_header(user), real, failures)
    print(f"schemathesis: {total} calls over {len(operations)} operations")
    assert total >= MINIMUM_CALLS
    assert not failures, f"{len(failures)} failures:\n" + "\n\n".join(failures)


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

"""The door helper (apps/core/door.py) every state machine's door is built from, and the one
private Django name it reads (apps/core/private_api.py)."""

import pytest
from django.db import transaction
from django.db.transaction import Atomic
from django.dispatch import Signal

from apps.accounts.actors import SYSTEM, actor_for_user
from apps.core.door import Held, Refusals, announce_on_commit, check_transition, claim_version
from apps.core.errors import Conflict, Forbidden, NotAllowed
from apps.core.private_api import outermost_atomic_block
from apps.lifecycle.states import State
from apps.tickets.models import ServiceRequest
from tests.factories import submit

pytestmark = pytest.mark.django_db

REFUSALS = Refusals(not_possible="not now", forbidden="not you")


def test_an_announcement_is_sent_after_commit_and_never_after_a_rollback(
    django_capture_on_commit_callbacks,
):
    signal, heard = Signal(), []
    signal.connect(lambda sender, **kwargs: heard.append(kwargs["n"]), weak=False)

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        announce_on_commit(signal, sender=None, n=1)
        assert heard == []
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        announce_on_commit(signal, sender=None, n=2)
        raise RuntimeError("rolled back")

    assert heard == [1]
    assert callbacks == []


def test_a_failing_receiver_does_not_fail_the_announcer(django_capture_on_commit_callbacks):
    signal = Signal()

    def broken(sender, **kwargs):
        raise ValueError("receiver bug")

    signal.connect(broken, weak=False)
    with django_capture_on_commit_callbacks(execute=True):
        announce_on_commit(signal, sender=None)


def test_check_transition_returns_the_method_when_it_may_run(customer):
    request = submit(customer)

    method = check_transition(request, "route", SYSTEM, lambda: REFUSALS)

    assert method.__name__ == "route"


def test_check_transition_refuses_a_transition_of_another_state(customer):
    request = submit(customer)
    asked = []

    def refusals():
        asked.append(True)
        return REFUSALS

    with pytest.raises(NotAllowed) as refused:
        check_transition(request, "resolve", SYSTEM, refusals)

    assert refused.value.message == "not now"
    assert refused.value.details["state"] == State.NEW
    assert "route" in refused.value.details["allowed"]
    assert asked == [True]


def test_check_transition_refuses_an_actor_without_the_permission(customer):
    request = submit(customer)

    with pytest.raises(Forbidden) as refused:
        check_transition(request, "route", actor_for_user(customer.user), lambda: REFUSALS)

    assert refused.value.message == "not you"
    assert "route" not in refused.value.details["allowed"]


def test_claim_version_bumps_the_version_the_caller_saw(customer):
    request = submit(customer)

    with transaction.atomic():
        fresh = claim_version(
            ServiceRequest, request.pk, request.version, conflict=lambda *a: Conflict("x")
        )

    assert fresh.version == request.version + 1


def test_claim_version_refuses_a_stale_version_and_leaves_the_row(customer):
    request = submit(customer)

    with pytest.raises(Conflict, match="expected 0, found 1"), transaction.atomic():
        claim_version(
            ServiceRequest,
            request.pk,
            request.version - 1,
            conflict=lambda fresh, expected: Conflict(
                f"expected {expected}, found {fresh.version}"
            ),
        )

    assert ServiceRequest.objects.get(pk=request.pk).version == request.version


def test_a_held_row_counts_only_in_the_transaction_that_took_it(customer):
    request = submit(customer)

    with transaction.atomic():
        held = Held(request)
        assert held.is_current()
    assert not held.is_current()
    with transaction.atomic():
        assert not held.is_current()
        assert Held(request).is_current()


# --- the private name behind Held (docs/private-api.md) ----------------------------------------


def test_the_outermost_atomic_block_is_none_outside_a_transaction_of_our_own():
    # pytest-django wraps the test in a test case's atomic block, which does not count.
    assert outermost_atomic_block() is None


def test_the_outermost_atomic_block_is_one_object_per_transaction():
    with transaction.atomic():
        first = outermost_atomic_block()
        with transaction.atomic():
            assert outermost_atomic_block() is first
    with transaction.atomic():
        second = outermost_atomic_block()

    assert isinstance(first, Atomic)
    assert first is not second


def test_claim_version_says_by_default_what_the_row_is_now(customer):
    request = submit(customer)

    with pytest.raises(Conflict) as stale, transaction.atomic():
        claim_version(ServiceRequest, request.pk, request.version + 3)

    assert stale.value.message == (
        f"{request.reference} was changed since you loaded it; it is now new. Reload and try again."
    )
    assert stale.value.details == {
        "state": "new",
        "version": request.version,
        "expected_version": request.version + 3,
    }


def test_a_held_row_is_hashable_and_equal_only_to_itself(customer):
    request = submit(customer)

    with transaction.atomic():
        first, second = Held(request), Held(request)

    assert first != second
    assert len({first, second}) == 2

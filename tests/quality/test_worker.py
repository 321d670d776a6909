"""A real worker on real Redis tells the customer of a resolution enqueued after commit."""

import pytest

from apps.lifecycle.states import State
from apps.notifications.models import Notification
from tests.paths import Desk
from tests.support.workers import celery_worker_process, wait_for  # noqa: F401 - the fixture

INVITATION_KIND = "request_resolved"
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker, pytest.mark.slow]


def test_resolution_invites_the_customer_through_a_real_worker(transactional_db, request, customer):
    resolved = Desk(customer).request_in(State.RESOLVED)  # committed: the task is on Redis
    # The worker starts only now, so it never races the transitions above.
    worker = request.getfixturevalue("celery_worker_process")

    def invited():
        assert worker.poll() is None, "the worker died"
        return Notification.objects.filter(request=resolved, kind=INVITATION_KIND).first()

    note = wait_for(invited, timeout=90, what="the worker to send the survey invitation")
    assert note.recipient == customer.user
    assert Notification.objects.filter(request=resolved, kind=INVITATION_KIND).count() == 1

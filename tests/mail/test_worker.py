"""The beat's poll task on a real Celery worker: the mailbox's mails become requests that the
same worker routes and assigns (the mailbox's department), and a rejected sender is answered."""

import pytest
from django.test import override_settings

from apps.lifecycle.states import State
from apps.mail.models import InboundMail, Outcome
from tests.factories import AgentFactory
from tests.mail.mails import mail, mailbox_for
from tests.support.workers import wait_for
from workflows.enqueue import enqueue

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker, pytest.mark.slow]


@override_settings(SERVICEDESK_MAIL_UNKNOWN_SENDERS="create")
def test_the_poll_task_takes_mail_in_and_the_request_is_assigned(
    celery_worker_process, imap_account, customer, department
):
    agent = AgentFactory(departments=[department])
    mailbox_for(imap_account, name="it", department=department)
    imap_account.append(mail(subject="VPN drops every hour"))

    assert enqueue("default.poll_mailboxes")

    def assigned():
        assert celery_worker_process.poll() is None, "the worker died"
        inbound = InboundMail.objects.select_related("request").first()
        return inbound is not None and inbound.request.state == State.ASSIGNED and inbound

    inbound = wait_for(assigned, timeout=90, what="the mail taken in and its request assigned")
    assert inbound.outcome == Outcome.CREATED
    assert inbound.request.assignee == agent
    assert imap_account.unseen() == 0

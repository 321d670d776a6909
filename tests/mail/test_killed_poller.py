"""A poller killed (SIGKILL) in the middle of a batch loses and duplicates nothing: the mails
it committed are recognised by their Message-ID when read again, the others are taken in."""

import os
import signal

import pytest
from django.core.management import call_command

from apps.mail.models import InboundMail
from apps.tickets.models import ServiceRequest
from tests.mail.mails import mail, mailbox_for
from tests.support.workers import process_env, start_process, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

MAILS = 150


def test_a_poller_killed_mid_batch_loses_and_duplicates_nothing(
    transactional_db, imap_account, customer, tmp_path
):
    mailbox_for(imap_account, name="support")
    ids = [f"kill-{n}@customer.example" for n in range(MAILS)]
    imap_account.append_many([mail(message_id=i, subject=f"Mail {i}") for i in ids])
    poller = start_process(["manage.py", "poll_mailboxes"], tmp_path / "poller.log", process_env())
    try:
        wait_for(lambda: InboundMail.objects.count() >= 10, timeout=120, what="ten mails committed")
        os.killpg(poller.pid, signal.SIGKILL)
        poller.wait(timeout=10)
    finally:
        poller.log.close()
    taken_before = InboundMail.objects.count()
    unseen_before = imap_account.unseen()
    assert 10 <= taken_before < MAILS, "the kill came in the middle of the batch"
    assert unseen_before >= MAILS - taken_before  # nothing flagged before its commit

    call_command("poll_mailboxes")

    assert sorted(InboundMail.objects.values_list("message_id", flat=True)) == sorted(ids)
    assert ServiceRequest.objects.count() == MAILS
    assert set(ServiceRequest.objects.values_list("subject", flat=True)) == {
        f"Mail {i}" for i in ids
    }
    assert imap_account.unseen() == 0

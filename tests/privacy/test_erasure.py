"""Erasing a customer: nothing of them left in any table, the event log still replaying, the
files gone, refused for staff, done once."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from apps.core.errors import NotAllowed
from apps.eventlog.replay import check_log
from apps.privacy.erasure import do_erase_customer
from apps.privacy.models import Action, PrivacyRecord
from apps.privacy.scrubbing import ERASED
from apps.tickets.models import Attachment, Feedback, Message, ServiceRequest
from tests.factories import AgentFactory, CustomerFactory
from tests.privacy.history import SECRETS, make_customer, rich_history
from tests.privacy.scan import find_anywhere
from tests.support.attachments import stored_files

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def replay_problems() -> list[str]:
    rows = ServiceRequest.objects.values_list("pk", "state", "last_event_seq")
    return [str(v) for v in check_log(rows.iterator())]


def test_an_erased_customer_is_nowhere_and_the_log_still_replays(
    attachment_dir, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        history = rich_history()
    assert stored_files(attachment_dir)
    before = {
        r.pk: (r.state, r.last_event_seq, r.priority, r.department_id)
        for r in ServiceRequest.objects.all()
    }
    ratings = list(Feedback.objects.values_list("rating", flat=True))
    # The history puts the customer's words in every kind of place an erasure must reach.
    places = {line.split(" ")[0] for line in find_anywhere(SECRETS)}
    assert places >= {
        "auth_user.email",
        "tickets_servicerequest.subject",
        "tickets_message.body",
        "tickets_attachment.name",
        "quality_feedback.comment",
        "quality_event.payload",
        "handoffs_handoff.reason",
        "handoffs_handoff.result",
        "notifications_notification.title",
        "notifications_webhookdelivery.payload",
        "mail_inboundmail.from_address",
        "api_idempotencykey.response",
        "django_admin_log.object_repr",
        "django_admin_log.change_message",
    }

    with django_capture_on_commit_callbacks(execute=True):
        record = do_erase_customer(history.customer)

    assert find_anywhere(SECRETS) == []
    assert replay_problems() == []
    after = {
        r.pk: (r.state, r.last_event_seq, r.priority, r.department_id)
        for r in ServiceRequest.objects.all()
    }
    assert after == before
    assert list(Feedback.objects.values_list("rating", flat=True)) == ratings
    assert stored_files(attachment_dir) == []
    assert not Attachment.objects.exists()
    user = get_user_model().objects.get(pk=history.customer.user_id)
    assert (user.username, user.email, user.is_active) == (f"erased-{user.pk}", "", False)
    assert not user.has_usable_password()
    assert set(Message.objects.values_list("body", flat=True)) == {ERASED}
    assert record.requests == len(history.requests)
    assert record.counts["attachments"] == 3 and record.counts["events"] >= 3


def test_erasing_twice_changes_nothing_and_logs_once(customer):
    first = do_erase_customer(customer)
    second = do_erase_customer(customer)

    assert second.pk == first.pk
    assert PrivacyRecord.objects.filter(action=Action.ERASURE).count() == 1


def test_staff_and_agents_are_not_erased(customer):
    staff = CustomerFactory(user__is_staff=True)
    agent = AgentFactory()
    both = CustomerFactory(user=agent.user)

    for refused in (staff, both):
        with pytest.raises(NotAllowed):
            do_erase_customer(refused)
    assert not PrivacyRecord.objects.exists()
    assert get_user_model().objects.get(pk=agent.user_id).username == agent.user.username


def test_the_command_erases_by_email_without_asking_when_told(capsys):
    customer = make_customer()

    call_command("erase_customer", customer.user.email, "--yes")

    customer.user.refresh_from_db()
    assert customer.user.username == f"erased-{customer.user_id}"
    assert "erased" in capsys.readouterr().out

"""Erasing a customer: their identifying data removed or pseudonymised everywhere, once."""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _
from knox.models import AuthToken

from apps.accounts.models import Agent, Customer
from apps.api.models import IdempotencyKey
from apps.core.errors import NotAllowed
from apps.mail.models import InboundMail
from apps.notifications.models import Notification, NotificationPreference
from apps.privacy.anonymising import anonymise_admin_log, anonymise_mails, anonymise_requests
from apps.privacy.models import Action, PrivacyRecord
from apps.tickets.models import ServiceRequest


def pseudonym(user_id: int) -> str:
    """The login an erased customer's user keeps: unique, and says nothing of them."""
    return f"erased-{user_id}"


def check_erasable(customer: Customer) -> None:
    """Refuse staff, superusers and agents: their rows are the desk's records of work, and an
    agent who is also a customer must be handled by hand."""
    user = customer.user
    if user.is_staff or user.is_superuser or Agent.objects.filter(user=user).exists():
        raise NotAllowed(
            _("%(user)s is staff or an agent: only customers are erased.") % {"user": user}
        )


def do_erase_customer(
    customer: Customer, *, done_by: User | None = None, channel: str = "command"
) -> PrivacyRecord:
    """Erase the customer's personal data and return the erasure's record.

    Writes, in one transaction: every request of theirs anonymised (anonymising.py: subjects,
    descriptions, messages, files, feedback comments, handoff texts, event payload texts,
    notifications, webhook payloads, inbound mails, admin history), plus what they wrote on
    other requests; their notifications, preferences, tokens and stored API answers deleted;
    inbound mail from their address stripped; their user renamed `erased-<id>`, without
    name, e-mail or password, and deactivated; the organisation cleared. Logs one
    `PrivacyRecord` (ids and counts only). Deletes the attachment files after commit.
    Idempotent: a customer erased before gets the first record back, and nothing changes.
    Raises NotAllowed for staff, superusers and agents."""
    with transaction.atomic():
        customer = Customer.objects.select_for_update().select_related("user").get(pk=customer.pk)
        done = PrivacyRecord.objects.filter(action=Action.ERASURE, customer_id=customer.pk).first()
        if done is not None:
            return done
        check_erasable(customer)
        user = customer.user
        request_ids = list(
            ServiceRequest.objects.filter(customer=customer).values_list("pk", flat=True)
        )
        record = PrivacyRecord.objects.create(
            action=Action.ERASURE,
            customer_id=customer.pk,
            requests=len(request_ids),
            done_by=done_by,
            channel=channel,
        )
        counts = anonymise_requests(request_ids, record=record, author=user)
        counts.update(_erase_person(customer, user))
        record.counts = {kind: n for kind, n in sorted(counts.items()) if n}
        record.save(update_fields=["counts"])
    return record


def _erase_person(customer: Customer, user: User) -> dict[str, int]:
    counts = {
        "notifications_deleted": Notification.objects.filter(recipient=user).delete()[0],
        "preferences": NotificationPreference.objects.filter(user=user).delete()[0],
        "tokens": AuthToken.objects.filter(user=user).delete()[0],
        "stored_answers": IdempotencyKey.objects.filter(user=user).delete()[0],
    }
    if user.email:
        counts["inbound_mails"] = anonymise_mails(
            InboundMail.objects.filter(from_address__icontains=user.email)
        )
    counts["admin_log"] = anonymise_admin_log(
        Customer, [customer.pk], lambda pk: pseudonym(user.pk)
    ) + anonymise_admin_log(User, [user.pk], pseudonym)
    user.username, user.first_name, user.last_name, user.email = pseudonym(user.pk), "", "", ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    customer.organisation = ""
    customer.save(update_fields=["organisation"])
    return counts

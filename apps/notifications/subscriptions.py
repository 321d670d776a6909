"""Writes on webhook subscriptions (the staff API; the admin edits the model itself)."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import InvalidData
from apps.notifications.models import WebhookSubscription
from apps.notifications.signing import new_secret

# What a caller may set; the secret is the desk's to make.
EDITABLE = ("name", "url", "event_kinds", "internal", "active")


def _check_editable(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise InvalidData(_("Unknown fields."), fields={f: _("Unknown field.") for f in unknown})


def _save_valid(subscription: WebhookSubscription) -> WebhookSubscription:
    try:
        subscription.full_clean()
    except ValidationError as error:
        fields = {name: " ".join(messages) for name, messages in error.message_dict.items()}
        raise InvalidData(_("The subscription is not valid."), fields=fields) from None
    subscription.save()
    return subscription


def do_create_subscription(**fields: Any) -> WebhookSubscription:
    """Create a subscription with a fresh secret (`fields`: those of EDITABLE).

    Writes: the subscription. Enqueues nothing. Raises InvalidData for a bad field, among
    them a URL whose host is or resolves to a loopback, private or link-local address."""
    _check_editable(fields)
    with transaction.atomic():
        return _save_valid(WebhookSubscription(**fields))


def do_update_subscription(subscription: WebhookSubscription, **fields: Any) -> WebhookSubscription:
    """Change the given fields of a subscription (those of EDITABLE). Writes: the row, after
    the same checks as on creation. Raises InvalidData."""
    _check_editable(fields)
    with transaction.atomic():
        subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        for name, value in fields.items():
            setattr(subscription, name, value)
        return _save_valid(subscription)


def do_rotate_secret(subscription: WebhookSubscription) -> WebhookSubscription:
    """Give the subscription a new secret; deliveries are signed with the old one as well for
    SERVICEDESK_WEBHOOK_PREVIOUS_SECRET_HOURS, so the receiver can switch without a gap.

    Writes: secret, previous secret and its end. Raises nothing."""
    with transaction.atomic():
        subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        hours = settings.SERVICEDESK_WEBHOOK_PREVIOUS_SECRET_HOURS
        subscription.previous_secret = subscription.secret
        subscription.previous_secret_until = timezone.now() + timedelta(hours=hours)
        subscription.secret = new_secret()
        subscription.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    return subscription


def do_delete_subscription(subscription: WebhookSubscription) -> None:
    """Delete the subscription and its delivery log. Writes: the deletes. Raises nothing."""
    subscription.delete()

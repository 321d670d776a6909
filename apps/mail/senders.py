"""Who wrote a mail: the customer with that address, a new one for an unknown sender, or a
refusal (`SERVICEDESK_MAIL_UNKNOWN_SENDERS`)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q

from apps.accounts.models import Customer
from apps.mail.parsing import ParsedMail

CREATE, REJECT = "create", "reject"


def customer_for(mail: ParsedMail) -> tuple[Customer | None, str]:
    """The customer whose account has the sender's address (case-insensitive; an active
    account first), or a new customer when unknown senders are created; else None and why."""
    # One query, on the expression index of migration mail/0003 (PostgreSQL).
    customer = (
        Customer.objects.select_related("user")
        .filter(user__email__iexact=mail.from_address)
        .order_by("-user__is_active", "pk")
        .first()
    )
    if customer is not None:
        if not customer.user.is_active:
            return None, "the sender's customer account is inactive"
        return customer, ""
    if get_user_model().objects.filter(email__iexact=mail.from_address).exists():
        return None, "the sender's address belongs to an account that is not a customer"
    if settings.SERVICEDESK_MAIL_UNKNOWN_SENDERS != CREATE:
        return None, "unknown sender (SERVICEDESK_MAIL_UNKNOWN_SENDERS=reject)"
    return _new_customer(mail), ""


def _new_customer(mail: ParsedMail) -> Customer:
    """A customer for an unknown sender: the address as the user name (another if taken),
    no usable password (they may set one through a password reset)."""
    users = get_user_model().objects
    username = mail.from_address[:150]
    suffix = 1
    while users.filter(Q(username=username)).exists():
        suffix += 1
        username = f"{mail.from_address[:140]}-{suffix}"
    user = users.create_user(username=username, email=mail.from_address)
    return Customer.objects.create(user=user)

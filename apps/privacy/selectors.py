"""Finding the customer a command names: by id, login or e-mail address."""

from django.core.management.base import CommandError
from django.db.models import Q

from apps.accounts.models import Customer


def get_customer_named(name: str) -> Customer:
    """The one customer whose id, username or e-mail is `name`; CommandError otherwise."""
    match = Q(user__username=name) | Q(user__email__iexact=name)
    if name.isdigit():
        match |= Q(pk=int(name))
    found = list(Customer.objects.filter(match).select_related("user")[:2])
    if len(found) != 1:
        raise CommandError(
            f"{'No' if not found else 'More than one'} customer with id, username or e-mail "
            f"{name!r}."
        )
    return found[0]

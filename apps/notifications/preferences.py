"""Per-person choices of which notifications also come by e-mail, over the kinds' defaults."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.errors import InvalidData
from apps.notifications.kinds import (
    AGENT_KINDS,
    CUSTOMER_KINDS,
    NotificationKind,
    emailed_by_default,
)
from apps.notifications.models import NotificationPreference


def kinds_for(user: Any) -> list[str]:
    """The kinds a person can receive: customers their requests' conversation, agents (and
    staff) everything else; someone who is both sees both."""
    kinds: set[str] = set()
    if _has(user, "customer"):
        kinds |= CUSTOMER_KINDS
    if _has(user, "agent") or user.is_staff or user.is_superuser:
        kinds |= AGENT_KINDS
    return [kind for kind in NotificationKind.values if kind in kinds]


def email_choices(user: Any) -> dict[str, bool]:
    """For each kind the person can receive: whether it is e-mailed (their choice, else the
    default)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "email"))
    return {kind: chosen.get(kind, emailed_by_default(kind)) for kind in kinds_for(user)}


def wants_email(users: Iterable[Any], kind: str) -> set[int]:
    """The primary keys of those among `users` who get `kind` by e-mail (one query)."""
    users = list(users)
    chosen = dict(
        NotificationPreference.objects.filter(user__in=users, kind=kind).values_list(
            "user_id", "email"
        )
    )
    default = emailed_by_default(kind)
    return {user.pk for user in users if chosen.get(user.pk, default)}


def do_set_email_choices(*, user: Any, choices: Mapping[str, Any]) -> dict[str, bool]:
    """Record the person's choices ({kind: true/false}); kinds left out keep theirs.

    Writes: one preference row per kind named (a choice equal to the default is stored too:
    a later change of the default does not overrule what the person said). Raises InvalidData
    naming each unknown kind or non-boolean value; nothing is written then."""
    allowed = set(kinds_for(user))
    errors = {
        kind: _("Not a kind of notification you receive.")
        for kind in choices
        if kind not in allowed
    }
    errors |= {
        kind: _("true or false.")
        for kind, value in choices.items()
        if kind in allowed and not isinstance(value, bool)
    }
    if errors:
        raise InvalidData(_("Some choices are not valid."), fields=errors)
    with transaction.atomic():
        for kind, email in choices.items():
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"email": email}
            )
    return email_choices(user)


def _has(user: Any, profile: str) -> bool:
    try:
        return getattr(user, profile) is not None
    except ObjectDoesNotExist:
        return False

"""Who is acting: a customer or agent user, the system or the bot, and what they may reach."""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.errors import Forbidden

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class Role(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    SYSTEM = "system", _("System")
    BOT = "bot", _("Bot")


@dataclass(frozen=True)
class Actor:
    """An acting party; `user` is None for the system and the bot."""

    role: str
    user: "User | None" = None
    agent_id: int | None = None
    customer_id: int | None = None
    # Superusers supervise every department; staff status only opens the admin.
    is_supervisor: bool = False
    department_ids: frozenset[int] = field(default_factory=frozenset)
    led_department_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    @property
    def is_person(self) -> bool:
        return self.role in (Role.CUSTOMER, Role.AGENT)

    def leads(self, department_id: int | None) -> bool:
        return self.is_supervisor or (
            department_id is not None and department_id in self.led_department_ids
        )

    def works_in(self, department_id: int | None) -> bool:
        """Agents reach their departments' requests; untriaged ones (no department) too."""
        return self.is_supervisor or department_id is None or department_id in self.department_ids

    def __str__(self) -> str:
        return f"{self.role}:{self.user}" if self.user is not None else str(self.role)


SYSTEM = Actor(role=Role.SYSTEM)
BOT = Actor(role=Role.BOT)


def actor_for_user(user) -> Actor:
    """The actor a signed-in user acts as: agent (or superuser) before customer; others may not
    act. Staff status alone gives no power over requests: it only opens the admin."""
    from apps.accounts.models import Agent, Customer

    if not user.is_authenticated or not user.is_active:
        raise Forbidden(gettext("Sign in with an active account first."))
    agent = _loaded(user, "agent", lambda: Agent.objects.filter(user=user).first())
    if agent is not None or user.is_superuser:
        led = frozenset(user.led_departments.values_list("pk", flat=True))
        return Actor(
            role=Role.AGENT,
            user=user,
            agent_id=agent.pk if agent else None,
            is_supervisor=user.is_superuser,
            department_ids=frozenset(d.pk for d in agent.departments.all()) if agent else led,
            led_department_ids=led,
        )
    customer = _loaded(user, "customer", lambda: Customer.objects.filter(user=user).first())
    if customer is not None:
        user.customer = customer  # later reads of `user.customer` query nothing
        return Actor(role=Role.CUSTOMER, user=user, customer_id=customer.pk)
    raise Forbidden(gettext("This account is neither an agent nor a customer of the desk."))


def _loaded(user, name: str, query):
    """`user.<name>` (a reverse one-to-one) if already loaded, e.g. by the token's
    `select_related`, None if loaded as absent; else run `query`."""
    cache = user._state.fields_cache
    return cache[name] if name in cache else query()

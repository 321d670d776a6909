"""The door helper every state machine's door is built from (requests, handoffs, problems).

A door is one function per change that, in one transaction: claims the row at the version the
caller saw (`claim_version`, or the request door's lock-then-compare), checks the transition
may run now and that the actor may run it (`check_transition`), runs the django-fsm method,
writes its log row, and announces what happened after commit (`announce_on_commit`). A caller
that holds a row locked for several transitions gets an explicit `Held` object for it, not
attributes stamped on the model instance.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Generic, Protocol, TypeVar

from django.db import models, transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from apps.core.errors import Conflict, Forbidden, NotAllowed
from apps.core.private_api import outermost_atomic_block

M = TypeVar("M", bound=models.Model)


def announce_on_commit(signal: Signal, *, sender: Any, **kwargs: Any) -> None:
    """Send `signal` (robustly: a failing receiver is logged, never raised) once the open
    transaction commits; nothing is sent if it rolls back. Outside a transaction: now."""
    transaction.on_commit(partial(signal.send_robust, sender=sender, **kwargs))


class Machine(Protocol):
    """What a door's model offers besides its django-fsm methods."""

    def transitions_for(self, actor: Any) -> list[str]: ...


@dataclass(frozen=True)
class Refusals:
    """What a door says when a transition may not run: the texts are already translated."""

    not_possible: str
    forbidden: str


def check_transition(
    instance: Machine, name: str, actor: Any, refusals: Callable[[], Refusals]
) -> Callable[..., Any]:
    """The bound transition method `name` of `instance` if it may run now and `actor` may run
    it (django-fsm's own `can_proceed` and `has_transition_perm`); otherwise NotAllowed or
    Forbidden with the door's texts (`refusals` is called only then) and the transitions the
    actor may run instead (`instance.transitions_for(actor)`)."""
    method: Callable[..., Any] = getattr(instance, name)
    if not can_proceed(method):
        raise NotAllowed(
            refusals().not_possible,
            state=_state(instance),
            allowed=instance.transitions_for(actor),
        )
    if not has_transition_perm(method, actor):
        raise Forbidden(
            refusals().forbidden,
            state=_state(instance),
            allowed=instance.transitions_for(actor),
        )
    return method


def stale_version(fresh: Any, expected_version: int) -> Conflict:
    """The Conflict for a row (with a `reference` and a `state`) that changed since the caller
    read it at `expected_version`."""
    return Conflict(
        _("%(object)s was changed since you loaded it; it is now %(state)s. Reload and try again.")
        % {"object": fresh.reference, "state": fresh.state},
        state=fresh.state,
        version=fresh.version,
        expected_version=expected_version,
    )


def claim_version(
    model: type[M],
    pk: int,
    expected_version: int,
    *,
    conflict: Callable[[M, int], Exception] = stale_version,
    related: tuple[str, ...] = (),
) -> M:
    """Bump the row's version where it still is `expected_version` (the UPDATE locks the row
    until commit, so a concurrent claimer waits and then misses), and return the row read
    afresh with `related` joined; `conflict(fresh, expected_version)` is raised when another
    change came first (by default `stale_version`)."""
    claimed = model._default_manager.filter(pk=pk, version=expected_version).update(
        version=F("version") + 1
    )
    fresh = model._default_manager.select_related(*related).get(pk=pk)
    if not claimed:
        raise conflict(fresh, expected_version)
    return fresh


@dataclass(eq=False)  # a lock is itself: compared and hashed by identity
class Held(Generic[M]):
    """A row its holder locked in the transaction open when it was made: a door given it runs
    on `instance` without reading or locking it again. `memo` keeps what the holder's door read
    once per lock (the request's SLA clocks)."""

    instance: M
    memo: dict[str, Any] = field(default_factory=dict)
    _transaction: object = field(default_factory=lambda: outermost_atomic_block())

    def is_current(self) -> bool:
        """Whether the transaction that took the lock is still the open one (a lock from an
        earlier transaction is over, whatever the instance says)."""
        return self._transaction is not None and self._transaction is outermost_atomic_block()


def _state(instance: Machine) -> Any:
    return getattr(instance, "state", None)

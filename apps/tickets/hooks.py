"""Work other apps do inside the door's transaction when a request transitions.

An app registers a function in its AppConfig.ready(). Guards run after the door has checked the
transition may run in the state machine and before anything is written: a guard refuses by
raising NotAllowed (say why: "consult H-12 with Finance is still open"). Hooks run after the
transition's event row is written, in the same transaction, so what they write commits or rolls
back with the transition. Both touch their own app's rows only: no I/O, no tasks (those go
through the after-commit announcements).
"""

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for annotations only
    from apps.accounts.actors import Actor
    from apps.tickets.models import ServiceRequest

# guard(request, name, actor); hook(request, name, from_state, at)
Guard = Callable[["ServiceRequest", str, "Actor"], None]
Hook = Callable[["ServiceRequest", str, str, datetime], None]

_HOOKS: list[Hook] = []
_GUARDS: list[Guard] = []


def guard_transition(guard: Guard) -> Guard:
    """Register `guard(request, name, actor)`, which raises NotAllowed to refuse; usable as a
    decorator."""
    if guard not in _GUARDS:
        _GUARDS.append(guard)
    return guard


def run_transition_guards(request: "ServiceRequest", name: str, actor: "Actor") -> None:
    for guard in _GUARDS:
        guard(request, name, actor)


def on_transition(hook: Hook) -> Hook:
    """Register `hook(request, name, from_state, at)`; usable as a decorator."""
    if hook not in _HOOKS:
        _HOOKS.append(hook)
    return hook


def run_transition_hooks(
    request: "ServiceRequest", name: str, from_state: str, at: datetime
) -> None:
    for hook in _HOOKS:
        hook(request, name, from_state, at)

"""Work other apps do inside the door's transaction when a request transitions.

An app registers a function in its AppConfig.ready(); the door calls each one after the
transition's event row is written, in the same transaction, so what they write commits or rolls
back with the transition. Hooks write their own app's rows only: no I/O, no tasks (those go
through the after-commit announcements).
"""

from collections.abc import Callable
from datetime import datetime

_HOOKS: list[Callable] = []


def on_transition(hook: Callable) -> Callable:
    """Register `hook(request, name, from_state, at)`; usable as a decorator."""
    if hook not in _HOOKS:
        _HOOKS.append(hook)
    return hook


def run_transition_hooks(request, name: str, from_state: str, at: datetime) -> None:
    for hook in _HOOKS:
        hook(request, name, from_state, at)

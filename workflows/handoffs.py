"""What the handoffs queue runs: notifying about a step, and the OLA sweep."""

from apps.handoffs.notify import do_send_step_notifications
from apps.handoffs.sweep import sweep_due_handoffs


def notify_handoff(handoff_id: int, step: str) -> str:
    """Send a step's notifications once (a redelivered task finds them sent)."""
    return "sent" if do_send_step_notifications(handoff_id, step) else "already sent"


def sweep_ola_clocks() -> int:
    return sweep_due_handoffs()

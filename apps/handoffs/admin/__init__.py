"""Admin of handoffs: the handoff screens with their inbox and buttons, and OLA policies."""

from apps.handoffs.admin import handoff, policy

__all__ = ["handoff", "policy"]

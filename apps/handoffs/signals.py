"""Announcements of the handoffs app, sent after commit; workflows subscribe to them."""

from django.dispatch import Signal

# Sent with handoff_id, step ("requested", "accepted", ...), request_id.
handoff_changed = Signal()

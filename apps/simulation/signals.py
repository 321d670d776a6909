"""Announcements of the simulation app, sent after commit; workflows subscribe to them."""

from django.dispatch import Signal

# Sent with scenario_id when a scenario is stored or asked to run again.
scenario_requested = Signal()

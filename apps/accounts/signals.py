"""What the accounts app announces, after commit; workflows/ subscribes."""

from django.dispatch import Signal

# kwargs: agent_id, availability, previous
agent_availability_changed = Signal()

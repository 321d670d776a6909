"""What the tickets app announces, always after commit; workflows/ subscribes."""

from django.dispatch import Signal

# kwargs: request_id, transition, from_state, to_state, actor_role, event_seq, department_id,
# previous_assignee_id (who held it before the transition)
request_transitioned = Signal()
# kwargs: request_id, message_id, visibility, author_role
message_posted = Signal()

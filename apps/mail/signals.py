"""What the mail intake announces, after commit."""

from django.dispatch import Signal

# A mail was taken in: kwargs inbound_id, outcome, request_id (or None), routed (a new
# request the mailbox sent to its department, which nobody else will assign).
mail_taken_in = Signal()

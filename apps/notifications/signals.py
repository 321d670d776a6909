"""What the notifications app announces, always after commit; workflows/ subscribes."""

from django.dispatch import Signal

# kwargs: notification_ids (every row created), email_ids (the rows to send by e-mail)
notifications_created = Signal()
# kwargs: delivery_ids (pending webhook deliveries to attempt)
webhook_deliveries_created = Signal()

"""Notifications: in-app records, e-mail, and signed outbound webhooks with a delivery log."""

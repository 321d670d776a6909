"""The one table the ceiling writes and reads."""

from django.conf import settings
from django.db import models


class Ticket(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    subject = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    state = models.CharField(max_length=20, default="new")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "ceiling"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="ceiling_owner_created")]

    def __str__(self) -> str:
        return self.subject

"""Input serializers refuse body fields they do not know (400 naming them), rather than drop
them silently: a client's misspelt `priorty` or a field it may not set must not look accepted."""

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# What a browser form adds to a body (the CSRF token, the browsable API's override fields).
FORM_NOISE = frozenset({"csrfmiddlewaretoken", "_content_type", "_content"})


class RefusesUnknownFields:
    """Mix in first, before `serializers.Serializer`, on every serializer that parses a body."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            # Read-only fields are known: a client may send back what it read.
            unknown = sorted(set(data) - set(self.fields) - FORM_NOISE)
            if unknown:
                message = _("Unknown field: this endpoint does not take it.")
                raise serializers.ValidationError({name: [message] for name in unknown})
        return super().to_internal_value(data)

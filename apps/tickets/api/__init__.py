"""The service-request API (v1): serializers, filters, views and URLs."""

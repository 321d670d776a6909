"""The OpenAPI schema is generated, valid, complete, and its docs need no CDN."""

import re

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/v1/auth/token/",
    "/api/v1/auth/sign-out/",
    "/api/v1/auth/sign-out-everywhere/",
    "/api/v1/me/",
    "/api/v1/me/availability/",
    "/api/v1/me/export/",
    "/api/v1/requests/",
    "/api/v1/requests/{ref}/",
    "/api/v1/requests/{ref}/messages/",
    "/api/v1/requests/{ref}/transitions/{name}/",
    "/api/v1/requests/{ref}/feedback/",
    "/api/v1/requests/{ref}/merge/",
    "/api/v1/requests/{ref}/links/",
    "/api/v1/requests/{ref}/links/{other}/",
    "/api/v1/requests/{ref}/attachments/",
    "/api/v1/requests/{ref}/attachments/{id}/",
    "/api/v1/queue/",
    "/api/v1/categories/",
    "/api/v1/faq/search/",
    "/api/v1/macros/",
    "/api/v1/requests/{ref}/macros/",
    "/api/v1/requests/{ref}/macros/{id}/apply/",
    "/api/v1/requests/{ref}/handoffs/",
    "/api/v1/handoffs/",
    "/api/v1/handoffs/inbox/",
    "/api/v1/handoffs/{id}/",
    "/api/v1/handoffs/{id}/transitions/{name}/",
    "/api/v1/quality/control-charts/",
    "/api/v1/quality/alerts/",
    "/api/v1/quality/alerts/{id}/acknowledge/",
    "/api/v1/quality/feedback/",
    "/api/v1/quality/scorecard/",
    "/api/v1/notifications/",
    "/api/v1/notifications/read-all/",
    "/api/v1/notifications/preferences/",
    "/api/v1/notifications/{id}/read/",
    "/api/v1/webhooks/subscriptions/",
    "/api/v1/webhooks/subscriptions/{id}/",
    "/api/v1/webhooks/subscriptions/{id}/rotate-secret/",
    "/api/v1/webhooks/subscriptions/{id}/deliveries/",
    "/api/v1/analytics/metrics/",
    "/api/v1/analytics/series/",
    "/api/v1/analytics/process-map/",
    "/api/v1/analytics/variants/",
    "/api/v1/analytics/bottleneck/",
    "/api/v1/analytics/export/",
    "/api/v1/analytics/imports/",
    "/api/v1/improvement/forecasts/",
    "/api/v1/improvement/eta-model/",
    "/api/v1/improvement/staffing/",
    "/api/v1/improvement/problems/",
    "/api/v1/improvement/problems/{id}/",
    "/api/v1/improvement/problems/{id}/transitions/{name}/",
    "/api/v1/simulation/cycles/",
    "/api/v1/simulation/cycles/{id}/",
    "/api/v1/simulation/cycles/{id}/change/",
    "/api/v1/simulation/cycles/{id}/check/",
    "/api/v1/simulation/cycles/{id}/decision/",
    "/api/v1/simulation/scenarios/",
    "/api/v1/simulation/scenarios/{id}/",
]


def test_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert sorted(schema["paths"]) == sorted(ENDPOINTS)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method.upper()} {path} has no summary"
            assert "examples" in str(operation), f"{method.upper()} {path} has no example"


def test_schema_and_docs_are_served_offline(anon_client):
    schema = anon_client.get("/api/schema/")
    assert schema.status_code == 200
    docs = anon_client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "drf_spectacular_sidecar" in html
    external = [u for u in re.findall(r'(?:src|href)="(https?://[^"]+)"', html)]
    assert external == []

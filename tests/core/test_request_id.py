"""Every web request has an id: echoed in `X-Request-ID`, in the API's error bodies, and on the
log lines written meanwhile (JSON lines in production)."""

import json
import logging

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from apps.core.json_logs import JsonFormatter, RequestIdLogFilter
from apps.core.request_id import RequestIdMiddleware

pytestmark = pytest.mark.django_db


def test_an_api_error_names_the_request_id_of_its_response(customer_client):
    response = customer_client.post("/api/v1/requests/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["request_id"] == response["X-Request-ID"]
    assert len(response["X-Request-ID"]) == 32


def test_a_proxys_request_id_is_kept_and_a_strange_one_replaced(anon_client):
    kept = anon_client.get("/api/v1/nothing/", HTTP_X_REQUEST_ID="lb-1234.abc")
    assert kept["X-Request-ID"] == "lb-1234.abc" == kept.json()["error"]["request_id"]
    strange = anon_client.get("/api/v1/nothing/", HTTP_X_REQUEST_ID="<script>" + "x" * 80)
    assert strange["X-Request-ID"] != "<script>" and len(strange["X-Request-ID"]) == 32


def test_log_lines_written_during_a_request_carry_its_id_as_json():
    lines = []
    formatter, ids = JsonFormatter(), RequestIdLogFilter()

    def view(request):
        record = logging.LogRecord("desk", logging.WARNING, __file__, 1, "hello %s", ("you",), None)
        ids.filter(record)
        lines.append(json.loads(formatter.format(record)))
        return HttpResponse("ok")

    response = RequestIdMiddleware(view)(RequestFactory().get("/"))
    assert lines == [
        {
            "time": lines[0]["time"],
            "level": "WARNING",
            "logger": "desk",
            "message": "hello you",
            "request_id": response["X-Request-ID"],
        }
    ]

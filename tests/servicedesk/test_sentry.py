"""Error reports reach a Sentry-compatible service when SENTRY_DSN is set, tagged with the
request id, without personal data; without SENTRY_DSN nothing is sent. The service here is a
small HTTP receiver on loopback that keeps what it is sent, in a process of the desk's own."""

import gzip
import http.server
import os
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

_REPORT = """
import logging
import django
django.setup()
import sentry_sdk
from django.http import HttpResponse
from django.test import RequestFactory
from apps.core.request_id import RequestIdMiddleware

def view(request):
    try:
        1 / 0
    except ZeroDivisionError:
        logging.getLogger("apps.example").exception("the monthly report failed")
    return HttpResponse("ok")

request = RequestFactory().get(
    "/x", HTTP_X_REQUEST_ID="req-sentry-42", HTTP_COOKIE="sessionid=s3cr3t"
)
RequestIdMiddleware(view)(request)
print("active" if sentry_sdk.get_client().is_active() else "inactive")
sentry_sdk.flush(10)
"""


class _Receiver(http.server.BaseHTTPRequestHandler):
    bodies: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        self.bodies.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    _Receiver.bodies = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, _Receiver.bodies
    server.shutdown()


def report(dsn: str) -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "servicedesk.settings.test", "SENTRY_DSN": dsn}
    result = subprocess.run(
        [sys.executable, "-c", _REPORT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


def test_an_error_is_reported_with_its_request_id_and_no_personal_data(receiver):
    server, bodies = receiver
    assert report(f"http://publickey@127.0.0.1:{server.server_port}/1") == "active"
    sent = b"".join(bodies)
    assert b"ZeroDivisionError" in sent
    assert b"req-sentry-42" in sent
    assert b"s3cr3t" not in sent


def test_without_a_dsn_nothing_is_sent(receiver):
    _server, bodies = receiver
    assert report("") == "inactive"
    assert bodies == []

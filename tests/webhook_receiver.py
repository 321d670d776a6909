"""A real HTTP server on 127.0.0.1 that receives webhooks, verifies every one with the
`standardwebhooks` package (as a subscriber would), and answers by script."""

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    headers: dict[str, str]  # names in lower case
    body: bytes
    verified: bool


@dataclass
class Receiver:
    """Answers each POST with the next status in `answers` (the last one repeats)."""

    answers: list[int]
    secret: str = ""
    url: str = ""
    received: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, headers: dict[str, str], body: bytes) -> int:
        try:
            Webhook(self.secret).verify(body, headers)
            verified = True
        except WebhookVerificationError:
            verified = False
        with self._lock:
            self.received.append(Received(headers, body, verified))
            return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def _handler_for(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            # Header names are case-insensitive: lower them.
            headers = {name.lower(): value for name, value in self.headers.items()}
            status = receiver.take(headers, body)
            answer = b"ok" if status < 400 else b"receiver says no"
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format, *args):
            # Quiet: the test reads `receiver.received` instead of the server's access log.
            pass

    return Handler


@contextmanager
def run_receiver(*answers: int):
    """Serve on a free port of 127.0.0.1 in a thread; yield the Receiver (set its secret)."""
    receiver = Receiver(answers=list(answers) or [200])
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(receiver))
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/servicedesk"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

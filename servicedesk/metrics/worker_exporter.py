"""A Celery worker's own metrics endpoint, for workers on machines without a web process.

Started in the worker's main process once it is ready, when `SERVICEDESK_METRICS_WORKER_PORT`
is set: `GET /metrics` on that port answers with the task outcomes of the worker's pool
processes (summed from `PROMETHEUS_MULTIPROC_DIR`) under the same rule as the web's endpoint
(token and/or networks, servicedesk/metrics/access.py); anything else is a 404."""

import logging
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CONTENT_TYPE_LATEST

from servicedesk.metrics.access import may_scrape
from servicedesk.metrics.exposition import multiprocess_directory, render

logger = logging.getLogger(__name__)

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def metrics_app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    allowed = environ.get("PATH_INFO") == "/metrics" and may_scrape(
        authorization=environ.get("HTTP_AUTHORIZATION", ""),
        address=environ.get("REMOTE_ADDR", ""),
    )
    if not allowed:
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
        return [b"Not Found\n"]
    start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
    return [render()]


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per scrape on stderr is noise; the worker's own logs stay readable


def start_worker_exporter(*, address: str, port: int) -> WSGIServer:
    """Serve `metrics_app` on `address:port` from a daemon thread; return the server."""
    if not multiprocess_directory():
        logger.warning(
            "metrics: PROMETHEUS_MULTIPROC_DIR is not set; the worker's endpoint shows only its "
            "main process, not the tasks its pool processes run"
        )
    server = make_server(address, port, metrics_app, _Server, _QuietHandler)
    threading.Thread(target=server.serve_forever, name="metrics-exporter", daemon=True).start()
    logger.info("metrics: worker endpoint on port %s", server.server_port)
    return server

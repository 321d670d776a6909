"""`/metrics`: the Prometheus text format, to the configured scraper only (404 to anyone else).

What it holds: the web processes' HTTP metrics (django-prometheus) and, where workers share the
multiprocess directory, their task outcomes; the broker's queue depths; the desk's counters
from the database. A source that fails (the broker down) is left out of that scrape and shows
as `servicedesk_metrics_source_up{source=...} 0`; the rest is still served."""

import logging
import time
from collections.abc import Iterator

from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from servicedesk.metrics.access import may_scrape
from servicedesk.metrics.desk import DeskCollector
from servicedesk.metrics.exposition import render
from servicedesk.metrics.queues import QueueDepthCollector

logger = logging.getLogger(__name__)

SOURCES: dict[str, Collector] = {"database": DeskCollector(), "broker": QueueDepthCollector()}


class _Sources(Collector):
    """Each source read in full or not at all, with whether it answered and how long it took."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "servicedesk_metrics_source_up",
            "1 if the source answered this scrape, 0 if it failed.",
            labels=["source"],
        )
        seconds = GaugeMetricFamily(
            "servicedesk_metrics_source_seconds",
            "Time this scrape spent reading the source.",
            labels=["source"],
        )
        for name, source in SOURCES.items():
            started = time.perf_counter()
            try:
                families, answered = list(source.collect()), 1
            except Exception as exc:  # a failed source must not fail the whole scrape
                logger.warning("metrics: %s failed: %s", name, type(exc).__name__)
                families, answered = [], 0
            up.add_metric([name], answered)
            seconds.add_metric([name], time.perf_counter() - started)
            yield from families
        yield up
        yield seconds


def metrics(request: HttpRequest) -> HttpResponse:
    if not may_scrape(
        authorization=request.headers.get("Authorization", ""),
        address=request.META.get("REMOTE_ADDR", ""),
    ):
        raise Http404
    return HttpResponse(render([_Sources()]), content_type=CONTENT_TYPE_LATEST)

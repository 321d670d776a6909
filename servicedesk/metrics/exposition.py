"""The metrics of this process, or of every process writing to the multiprocess directory.

Under gunicorn (several web processes) and Celery's prefork pool (tasks run in child processes)
one process's counters are a fraction of the truth. With `PROMETHEUS_MULTIPROC_DIR` set in the
environment before start, prometheus_client keeps every process's values in files there and a
scrape sums them; without it (one process, tests), the process's own registry is read."""

import os
from collections.abc import Iterable, Iterator

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector


class _ThisProcess(Collector):
    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def multiprocess_directory() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def render(extra: Iterable[Collector] = ()) -> bytes:
    """The Prometheus text format of the process metrics and the `extra` collectors."""
    registry = CollectorRegistry()
    directory = multiprocess_directory()
    if directory:
        MultiProcessCollector(registry, path=directory)
    else:
        registry.register(_ThisProcess())
    for collector in extra:
        registry.register(collector)
    return generate_latest(registry)

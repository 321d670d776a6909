"""Queue depth: messages waiting in each work queue of the broker, read at scrape time.

Asked through kombu's public `queue_declare`, which answers the message count: for Redis the
sum of the queue's lists (one per priority step, under the transport's `global_keyprefix`), for
the embedded file-system broker its files. Not a passive declare: kombu's Redis transport checks
a queue's existence without the key prefix, so a passive one refuses a prefixed queue that holds
messages; the declare itself writes nothing to Redis or the file system. Messages a worker has
already taken (prefetched, unacknowledged) are not waiting and not counted."""

from collections.abc import Iterator

from django.conf import settings
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from servicedesk.celery import app


def queue_depths() -> dict[str, int]:
    """Waiting messages per work queue (settings.CELERY_TASK_QUEUES)."""
    names = [queue.name for queue in settings.CELERY_TASK_QUEUES]
    depths: dict[str, int] = {}
    with app.connection_for_read() as connection:
        connection.ensure_connection(max_retries=1, timeout=2)
        channel = connection.default_channel
        for name in names:
            depths[name] = channel.queue_declare(queue=name).message_count
    return depths


class QueueDepthCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "servicedesk_celery_queue_messages",
            "Messages waiting in the broker per work queue (not yet taken by a worker).",
            labels=["queue"],
        )
        for name, depth in queue_depths().items():
            family.add_metric([name], depth)
        yield family

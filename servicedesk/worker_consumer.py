"""The worker's consumer, reconnecting to a broker that came back within a couple of seconds.

Celery's consumer retries a lost broker connection with kombu's defaults: waits of 2, 4, 6, 8,
10 ... seconds, up to 30. After an outage of 30 s its next attempt may come 12 s after the
broker's return, and nothing is consumed meanwhile. Here the waits are 0.5 s, then 1 s, then
`RECONNECT_EVERY_SECONDS`: a connection attempt to a broker that is down costs a refused TCP
connection. Selected by `CELERY_WORKER_CONSUMER` (servicedesk/settings/celery.py)."""

import functools

from celery.worker.consumer import Consumer

RECONNECT_EVERY_SECONDS = 2.0


class PromptlyReconnectingConsumer(Consumer):
    def ensure_connected(self, conn):
        conn.ensure_connection = functools.partial(
            conn.ensure_connection,
            interval_start=0.5,
            interval_step=0.5,
            interval_max=RECONNECT_EVERY_SECONDS,
        )
        return super().ensure_connected(conn)

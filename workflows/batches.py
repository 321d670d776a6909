"""celery-batches' `Batches`, re-arming its flush timer when the worker reconnects to the broker.

celery-batches 0.11 arms the timer that flushes a partial batch once, on the task instance
(`_tref`), with the consumer's event loop of that moment; after a broker outage Celery rebuilds
the consumer on a new loop and calls `Strategy()` again, but `_tref` still points at the dead
timer, so a batch smaller than `flush_every` is never flushed and its messages sit unacked until
the worker restarts (clokep/celery-batches#107; fixed upstream by #108, after 0.11). The routing
sweep's messages after an outage are such small batches. What it buys: routing goes on after a
broker outage. It relies on the private `_tref` (tests/workflows/test_batches.py fails if an
upgrade changes that); remove this class once the pinned celery-batches includes #108."""

from celery_batches import Batches


class ReconnectingBatches(Batches):
    abstract = True

    def Strategy(self, task, app, consumer):
        self._tref = None  # the old timer belonged to the previous consumer's loop
        return super().Strategy(task, app, consumer)

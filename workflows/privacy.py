"""Retention: the periodic anonymisation of closed requests, in batches until none is left."""

from apps.privacy.retention import BATCH
from apps.privacy.retention import sweep_retention as anonymise_batch

# Bounded per run (the task's time limit); the next run, an hour later, goes on.
MAX_BATCHES = 5


def sweep_retention() -> int:
    """Anonymise requests past retention, batch by batch; how many in all."""
    done = 0
    for _ in range(MAX_BATCHES):
        batch = anonymise_batch()
        done += batch
        if batch < BATCH:
            break
    return done

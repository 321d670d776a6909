"""Private names of Django that the project relies on, each behind one function here.

Every entry is listed in docs/private-api.md with what it buys and the test that fails when an
upgrade changes it (tests/core/test_private_api.py). Remove an entry by replacing its caller's
need, not by copying the private access elsewhere.
"""

from django.db import transaction


def outermost_atomic_block() -> object | None:
    """The outermost atomic block of the open transaction that is not a test case's own
    wrapper, or None outside a transaction. Its identity tells one transaction from the next
    (a held lock keeps a reference to it, so it is never reused while the lock lives).

    Private: `Connection.atomic_blocks` and `Atomic._from_testcase` (Django 5.2). Buys: a door
    given a row locked in this transaction skips reading and locking it again (the routing
    worker's batches: one SELECT ... FOR UPDATE per batch instead of one per transition).
    """
    blocks = transaction.get_connection().atomic_blocks
    return next((block for block in blocks if not block._from_testcase), None)

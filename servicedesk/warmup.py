"""Work a process does once at start instead of in its first request: the FAQ matcher's index
(built from the published articles and calibrated, seconds on a real knowledge base), so the
first search or chatbot answer of a web or worker process does not wait for it.

`start_warming()` runs in a daemon thread: a process answers at once, and a search that comes
before the index is ready waits for the same build (the index module builds once per process).
SERVICEDESK_WARM_FAQ_INDEX=false turns it off."""

import logging
import threading

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)


def warm_faq_index() -> None:
    """Build this process's FAQ index now; a failure is logged (the first search builds it)."""
    from apps.knowledge.matching import suggest

    try:
        suggest("warm up", limit=1)
    except Exception:
        logger.exception("the FAQ index was not built at start; the first search builds it")
    finally:
        connection.close()  # this thread's own connection


def start_warming() -> threading.Thread | None:
    if not settings.SERVICEDESK_WARM_FAQ_INDEX:
        return None
    thread = threading.Thread(target=warm_faq_index, name="warm-faq-index", daemon=True)
    thread.start()
    return thread

"""Test settings: real PostgreSQL and Redis where they answer, fast hashing, no debug."""

import os
import socket
import tempfile
import uuid

from servicedesk.settings.base import *  # noqa: F403  the settings layers extend each other
from servicedesk.settings.base import env
from servicedesk.settings.databases import with_prepared_reads


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


# The suite runs on PostgreSQL (the production database) when it answers; without it, on
# SQLite, and the tests marked `postgres` skip (or fail under CI=true, see tests/conftest.py).
_db_url = env.str("TEST_DATABASE_URL", default="")
if not _db_url:
    _db_url = (
        "postgres://postgres@127.0.0.1:5432/servicedesk"
        if _answers("127.0.0.1", 5432)
        else "sqlite:///:memory:"
    )
DATABASES = {"default": env.db_url_config(_db_url)}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default=None)}
# Processes the fault tests start name their connections, so a test can terminate exactly
# theirs (pg_terminate_backend by application_name).
if _application_name := env.str("SERVICEDESK_DB_APPLICATION_NAME", default=""):
    DATABASES["default"]["OPTIONS"] = {"application_name": _application_name}
# The request pages' prepared reads (servicedesk/settings/databases.py) on the same test
# database; a test inside a transaction reads through the default (apps/tickets/selectors.py).
SERVICEDESK_PAGE_DATABASE = with_prepared_reads(
    DATABASES, enabled=env.bool("SERVICEDESK_PREPARED_READS", default=True), mirror=True
)

# Tests roll back what they create, which sends no signal to clear a cache: read it every time.
SERVICEDESK_CONFIG_CACHE_SECONDS = env.float("SERVICEDESK_CONFIG_CACHE_SECONDS", default=0)
SERVICEDESK_TOKEN_CACHE_SECONDS = env.float("SERVICEDESK_TOKEN_CACHE_SECONDS", default=0)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# In the test process mails stay in `mail.outbox`; a worker the tests start may be pointed at
# a real SMTP server of the test (tests/support/smtp.py) through the environment.
EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend"
)
DEBUG = False

# Real Redis as the broker when it answers, under a key prefix of this run so that parallel
# runs and leftovers never meet; worker processes started by tests inherit the prefix.
_redis_url = env.str("TEST_REDIS_URL", default="redis://127.0.0.1:6379/15")
REDIS_AVAILABLE = _answers("127.0.0.1", 6379) if "127.0.0.1:6379" in _redis_url else True
if REDIS_AVAILABLE:
    os.environ.setdefault("SERVICEDESK_TEST_BROKER_PREFIX", f"sdtest-{uuid.uuid4().hex[:8]}:")
    CELERY_BROKER_URL = _redis_url
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 60,
        "global_keyprefix": os.environ["SERVICEDESK_TEST_BROKER_PREFIX"],
    }
else:
    CELERY_BROKER_URL = "memory://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
TEST_REDIS_URL = _redis_url
# In-process tests never pause publishing after a failure (the fault tests' API processes do).
SERVICEDESK_ENQUEUE_PAUSE_SECONDS = env.float("SERVICEDESK_ENQUEUE_PAUSE_SECONDS", default=0.0)

# Attachment files of a test run go to a folder of their own under the system's temporary
# directory, never into var/ (tests that look at the files swap in a folder of the test's).
STORAGES = {
    **STORAGES,  # noqa: F405  STORAGES comes from base
    "attachments": {
        "BACKEND": "apps.tickets.storage.PrivateFileSystemStorage",
        "OPTIONS": {
            "location": os.path.join(
                tempfile.gettempdir(), f"sdtest-attachments-{uuid.uuid4().hex[:8]}"
            )
        },
    },
}

"""Settings shared by every environment, read from the environment with django-environ."""

from pathlib import Path
from typing import Any

import django_stubs_ext
import environ

from servicedesk.settings.api import *  # noqa: F403  the settings layers extend each other
from servicedesk.settings.celery import *  # noqa: F403  the settings layers extend each other
from servicedesk.settings.databases import with_prepared_reads
from servicedesk.settings.paths import BASE_DIR, VAR_DIR

env = environ.Env()
# Lets classes be written generic for mypy (`admin.ModelAdmin[Event]`, docs/types.md): adds
# `__class_getitem__` to the Django classes that lack it.
django_stubs_ext.monkeypatch()

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-embedded-default-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    # Django's admin with the desk's name, home and navigation order (apps/core/admin_site.py).
    "apps.core.admin_site.DeskAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    # API tokens: hashed, expiring (apps/api/authentication.py). DRF's plain-text tokens are
    # gone; apps/api/migrations/0002 turned every one into a hashed token.
    "apps.api.apps.TokensConfig",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "anymail",
    "apps.accounts",
    "apps.api",
    "apps.notifications",
    "apps.lifecycle",
    "apps.eventlog",
    "apps.sla",
    "apps.tickets",
    "apps.handoffs",
    "apps.routing",
    "apps.knowledge",
    "apps.mail",
    "apps.macros",
    "apps.analytics",
    "apps.quality",
    "apps.improvement",
    "apps.simulation",
    "apps.demo",
    "apps.privacy",
    "workflows",
]

MIDDLEWARE = [
    "apps.core.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before CommonMiddleware: a missing slash under /api/ is accepted, not redirected.
    "apps.api.middleware.ApiHttpMiddleware",
    "apps.core.csp.AdminContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's LocaleMiddleware, first applying the language an agent chose in the admin.
    "apps.tickets.admin.language.AgentLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.accounts.login_throttle.AdminLoginThrottleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "servicedesk.urls"
WSGI_APPLICATION = "servicedesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'servicedesk.sqlite3'}"),
}
# The services own their transactions (see docs/architecture.md).
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=60))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A waiting writer retries instead of failing at once; WAL lets readers go on meanwhile.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# The alias the API's request pages are read through (servicedesk/settings/databases.py).
SERVICEDESK_PAGE_DATABASE = with_prepared_reads(
    DATABASES, enabled=env.bool("SERVICEDESK_PREPARED_READS", default=True)
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic writes; the image keeps it outside the writable VAR_DIR (Dockerfile).
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "static")))

# Files attached to requests live in their own storage, never under a served URL: they are read
# only through the permission-checked downloads (docs/api.md, Attachments). The default is a
# directory under var/; production may name any django-storages backend (S3, Azure, GCS) here.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "attachments": {
        "BACKEND": env.str(
            "SERVICEDESK_ATTACHMENT_STORAGE",
            default="apps.tickets.storage.PrivateFileSystemStorage",
        ),
        "OPTIONS": env.json(
            "SERVICEDESK_ATTACHMENT_STORAGE_OPTIONS",
            default={"location": str(VAR_DIR / "attachments")},
        ),
    },
}

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # Answers like an empty cache while Redis is down (the throttles read it on every call).
    CACHES = {
        "default": {
            "BACKEND": "apps.core.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env.str("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("DJANGO_EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.float("DJANGO_EMAIL_TIMEOUT", default=10.0)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="servicedesk@localhost")
# The domain of the Message-IDs of the desk's mails (default: DEFAULT_FROM_EMAIL's domain).
SERVICEDESK_MAIL_DOMAIN = env.str("SERVICEDESK_MAIL_DOMAIN", default="")
# Where customers' replies to the desk's mails go when neither the mailbox their request came in
# by nor one of its department's has an address (apps/mail); empty: DEFAULT_FROM_EMAIL.
SERVICEDESK_MAIL_REPLY_TO = env.str("SERVICEDESK_MAIL_REPLY_TO", default="")

# Sessions in the database, with forged keys (a NUL byte) treated as no session.
SESSION_ENGINE = "apps.core.sessions"
# Request bodies beyond this size are refused before parsing (the API's largest field is 20k).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# Files in a multipart body are not part of that limit: the upload parser refuses a body larger
# than the attachment limits allow (apps/tickets/api/parsers.py), and Django stops parsing
# after this many files (our own limit, SERVICEDESK_ATTACHMENT_MAX_COUNT, answers before it).
DATA_UPLOAD_MAX_NUMBER_FILES = 50

# Log lines carry the web request's id or the worker's task id; `json` writes one JSON object a
# line (apps/core/json_logs.py; the default in production), `plain` readable lines.
LOG_FORMAT = env.str("DJANGO_LOG_FORMAT", default="plain")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"ids": {"()": "apps.core.json_logs.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"},
        "json": {"()": "apps.core.json_logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["ids"]}
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}

# --- The service desk's own settings -------------------------------------------------------
# /readyz (servicedesk/health.py): how long to wait for a worker's answer to a ping, and how old
# beat's last recovery sweep may be.
SERVICEDESK_READY_WORKER_TIMEOUT = env.float("SERVICEDESK_READY_WORKER_TIMEOUT", default=1.0)
SERVICEDESK_READY_BEAT_MAX_AGE_SECONDS = env.float(
    "SERVICEDESK_READY_BEAT_MAX_AGE_SECONDS", default=120.0
)
# Web and worker processes build the FAQ matcher's index at start (servicedesk/warmup.py).
SERVICEDESK_WARM_FAQ_INDEX = env.bool("SERVICEDESK_WARM_FAQ_INDEX", default=True)
# The admin pages' Content-Security-Policy (apps/core/csp.py); empty sends none.
SERVICEDESK_ADMIN_CSP = env.str(
    "SERVICEDESK_ADMIN_CSP",
    default=(
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
)
# The admin's login form is refused for LOCKOUT_MINUTES after this many failed sign-ins for one
# login, or PER_ADDRESS from one address (apps/accounts/login_throttle.py).
SERVICEDESK_ADMIN_LOGIN_FAILURES = env.int("SERVICEDESK_ADMIN_LOGIN_FAILURES", default=5)
SERVICEDESK_ADMIN_LOGIN_FAILURES_PER_ADDRESS = env.int(
    "SERVICEDESK_ADMIN_LOGIN_FAILURES_PER_ADDRESS", default=20
)
SERVICEDESK_ADMIN_LOGIN_LOCKOUT_MINUTES = env.int(
    "SERVICEDESK_ADMIN_LOGIN_LOCKOUT_MINUTES", default=15
)
# A resolved request may be reopened within this many days; after it, only a new request.
# Where customers reach the desk: the signed links in mails (answer, rating) start with it.
SERVICEDESK_PUBLIC_URL = env.str("SERVICEDESK_PUBLIC_URL", default="http://127.0.0.1:8000")
# How long a mailed one-click link (accept or decline an answer, rate a request) works.
SERVICEDESK_LINK_MAX_AGE_DAYS = env.int("SERVICEDESK_LINK_MAX_AGE_DAYS", default=14)
SERVICEDESK_REOPEN_WINDOW_DAYS = env.int("SERVICEDESK_REOPEN_WINDOW_DAYS", default=14)
# A resolved request closes by itself after this many days without a reopen.
SERVICEDESK_AUTO_CLOSE_DAYS = env.int("SERVICEDESK_AUTO_CLOSE_DAYS", default=7)
# Workers keep routing rules and SLA policies this long before reading them again (a save
# clears them at once in the process that saved).
SERVICEDESK_CONFIG_CACHE_SECONDS = env.float("SERVICEDESK_CONFIG_CACHE_SECONDS", default=10.0)
# Each process remembers an API token it looked up for this long (apps/api/authentication.py):
# a token revoked or a user deactivated elsewhere keeps working in it for at most that long.
SERVICEDESK_TOKEN_CACHE_SECONDS = env.float("SERVICEDESK_TOKEN_CACHE_SECONDS", default=10.0)
# The chatbot: on submit it answers from the knowledge base when it is this sure (0-1),
# and a proposed answer the customer does not react to goes to a person after the timeout.
SERVICEDESK_CHATBOT_ENABLED = env.bool("SERVICEDESK_CHATBOT_ENABLED", default=True)
SERVICEDESK_CHATBOT_MATCHER = env.str("SERVICEDESK_CHATBOT_MATCHER", default="lexical")
# The semantic and combined matchers' sentence model: all-MiniLM-L6-v2 (fast) or
# all-mpnet-base-v2 (more accurate with few phrasings, 5x the CPU; its own requirements file).
SERVICEDESK_CHATBOT_SENTENCE_MODEL = env.str(
    "SERVICEDESK_CHATBOT_SENTENCE_MODEL", default="all-MiniLM-L6-v2"
)
SERVICEDESK_CHATBOT_THRESHOLD = env.float("SERVICEDESK_CHATBOT_THRESHOLD", default=0.9)
# Suggestions shown to agents score at least this (calibrated probability); lower ones are noise.
SERVICEDESK_CHATBOT_SUGGEST_MIN_SCORE = env.float(
    "SERVICEDESK_CHATBOT_SUGGEST_MIN_SCORE", default=0.2
)
SERVICEDESK_CHATBOT_ANSWER_TIMEOUT_MINUTES = env.int(
    "SERVICEDESK_CHATBOT_ANSWER_TIMEOUT_MINUTES", default=60 * 24
)
# A retried create with the same Idempotency-Key returns the first response for this long.
SERVICEDESK_IDEMPOTENCY_KEY_HOURS = env.int("SERVICEDESK_IDEMPOTENCY_KEY_HOURS", default=24)
# After a publish to the broker fails, a process sends nothing for this many seconds (the
# recovery sweep re-dispatches what was not sent), so the API stays fast through an outage.
SERVICEDESK_ENQUEUE_PAUSE_SECONDS = env.float("SERVICEDESK_ENQUEUE_PAUSE_SECONDS", default=5.0)
# What a process could not send it holds and tries again this often until the broker takes it
# (workflows/held_sends.py); 0 leaves it to the recovery sweeps alone.
SERVICEDESK_ENQUEUE_RETRY_SECONDS = env.float("SERVICEDESK_ENQUEUE_RETRY_SECONDS", default=1.0)
# A web process gathers the requests submitted within this many seconds into one message to
# the workers (workflows/gather.py); 0 sends each at once.
SERVICEDESK_SUBMIT_GATHER_SECONDS = env.float("SERVICEDESK_SUBMIT_GATHER_SECONDS", default=0.05)
# A request still in `new` (or queued unassigned) after this many seconds is dispatched again by
# the recovery sweep (every SERVICEDESK_RECOVERY_SWEEP_SECONDS, 10), which sends the same work
# again only after SERVICEDESK_RECOVERY_RESEND_SECONDS.
SERVICEDESK_STUCK_NEW_SECONDS = env.int("SERVICEDESK_STUCK_NEW_SECONDS", default=10)
SERVICEDESK_RECOVERY_RESEND_SECONDS = env.int("SERVICEDESK_RECOVERY_RESEND_SECONDS", default=60)
# Webhooks (docs/webhooks.md): seconds to wait for a receiver; the delays before each attempt
# (Standard Webhooks' schedule: at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; about 28
# hours, each delay jittered), after which a delivery is failed; and whether deliveries may go
# to loopback, private and link-local addresses (off: they are refused, against SSRF).
SERVICEDESK_WEBHOOK_TIMEOUT = env.float("SERVICEDESK_WEBHOOK_TIMEOUT", default=5.0)
SERVICEDESK_WEBHOOK_RETRY_SCHEDULE = env.list(
    "SERVICEDESK_WEBHOOK_RETRY_SCHEDULE",
    cast=float,
    default=[0, 5, 300, 1800, 7200, 18000, 36000, 36000],
)
SERVICEDESK_WEBHOOK_ALLOW_PRIVATE = env.bool("SERVICEDESK_WEBHOOK_ALLOW_PRIVATE", default=False)
# After a secret is rotated, deliveries are signed with the old one too for this many hours.
SERVICEDESK_WEBHOOK_PREVIOUS_SECRET_HOURS = env.float(
    "SERVICEDESK_WEBHOOK_PREVIOUS_SECRET_HOURS", default=24.0
)
# E-mail intake (docs/mail.md): a mail from an address no customer has either creates a
# customer ("create") or is recorded and answered once with an auto-reply ("reject").
SERVICEDESK_MAIL_UNKNOWN_SENDERS = env.str("SERVICEDESK_MAIL_UNKNOWN_SENDERS", default="create")
# Mails larger than this are recorded with their headers only and not taken in.
SERVICEDESK_MAIL_MAX_BYTES = env.int("SERVICEDESK_MAIL_MAX_BYTES", default=25 * 1024 * 1024)
# Beat polls every active mailbox this often; one poll takes at most BATCH mails of a mailbox.
SERVICEDESK_MAIL_POLL_SECONDS = env.float("SERVICEDESK_MAIL_POLL_SECONDS", default=60.0)
SERVICEDESK_MAIL_BATCH = env.int("SERVICEDESK_MAIL_BATCH", default=200)
# Seconds an IMAP server may take to answer.
SERVICEDESK_MAIL_IMAP_TIMEOUT = env.float("SERVICEDESK_MAIL_IMAP_TIMEOUT", default=30.0)
# The languages whose reply headers and signatures are recognised and stripped from replies
# (mail-parser-reply's codes).
SERVICEDESK_MAIL_REPLY_LANGUAGES = env.list(
    "SERVICEDESK_MAIL_REPLY_LANGUAGES", default=["en", "zh", "de", "fr", "es", "it", "nl"]
)
# Inbound webhooks of mail providers through django-anymail (/mail/anymail/<provider>/inbound/)
# for the providers named here (anymail's names: mailgun, postmark, sendgrid, amazon_ses, ...),
# with each provider's webhook secret or signing key from the environment.
SERVICEDESK_MAIL_WEBHOOK_PROVIDERS = env.list("SERVICEDESK_MAIL_WEBHOOK_PROVIDERS", default=[])
ANYMAIL = {
    key: value
    for key, value in {
        "WEBHOOK_SECRET": env.str("ANYMAIL_WEBHOOK_SECRET", default=""),
        "MAILGUN_WEBHOOK_SIGNING_KEY": env.str("MAILGUN_WEBHOOK_SIGNING_KEY", default=""),
    }.items()
    if value
}
# Attachments (apps/tickets/attachments.py): the largest file, the most files in one upload,
# and the types accepted, recognised by their content (names in ATTACHMENT_TYPES there).
SERVICEDESK_ATTACHMENT_MAX_BYTES = env.int("SERVICEDESK_ATTACHMENT_MAX_BYTES", default=10 * 2**20)
SERVICEDESK_ATTACHMENT_MAX_COUNT = env.int("SERVICEDESK_ATTACHMENT_MAX_COUNT", default=10)
SERVICEDESK_ATTACHMENT_TYPES = env.list(
    "SERVICEDESK_ATTACHMENT_TYPES",
    default=[
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "text/plain",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    ],
)
# Stored files without a row (a process killed between writing a file and committing its row)
# older than this are removed by `manage.py sweep_attachment_files`.
SERVICEDESK_ATTACHMENT_ORPHAN_HOURS = env.int("SERVICEDESK_ATTACHMENT_ORPHAN_HOURS", default=24)

# Error reports (servicedesk/sentry.py): set SENTRY_DSN to turn them on; nothing is sent without.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from servicedesk.sentry import init_sentry

    init_sentry(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=env.str("SENTRY_RELEASE", default=""),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# Personal data (docs/privacy.md): closed and cancelled requests are anonymised this many days
# after they closed (0: never); the export endpoint's rate per customer.
SERVICEDESK_RETENTION_DAYS_CLOSED = env.int("SERVICEDESK_RETENTION_DAYS_CLOSED", default=0)
SERVICEDESK_THROTTLE_EXPORT = env.str("SERVICEDESK_THROTTLE_EXPORT", default="5/hour")
# Prometheus metrics (servicedesk/metrics/, docs/deployment.md "Metrics"). `/metrics` answers a
# caller with the bearer token and/or from one of the networks set here (both, when both are
# set); anyone else, and everyone while neither is set, gets the site's ordinary 404. Workers
# serve their task outcomes on their own port when one is set (0: not served).
SERVICEDESK_METRICS_TOKEN = env.str("SERVICEDESK_METRICS_TOKEN", default="")
SERVICEDESK_METRICS_NETWORKS = env.list("SERVICEDESK_METRICS_NETWORKS", default=[])
SERVICEDESK_METRICS_WORKER_PORT = env.int("SERVICEDESK_METRICS_WORKER_PORT", default=0)
SERVICEDESK_METRICS_WORKER_ADDRESS = env.str("SERVICEDESK_METRICS_WORKER_ADDRESS", default="")
# The desk's counters are counted in the database at most once per this many seconds (0: at
# every scrape), shared through the cache by every web process.
SERVICEDESK_METRICS_DATABASE_SECONDS = env.float(
    "SERVICEDESK_METRICS_DATABASE_SECONDS", default=15.0
)
MIDDLEWARE = [
    "servicedesk.metrics.http.PrometheusBeforeMiddleware",
    *MIDDLEWARE,
    "servicedesk.metrics.http.PrometheusAfterMiddleware",
]

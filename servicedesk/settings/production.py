"""Production: PostgreSQL and Redis named by the environment, secure cookies, no debug; refuses
to start on the embedded defaults (SQLite, the filesystem broker) and on an e-mail backend that
writes customers' mails into the logs."""

from django.core.exceptions import ImproperlyConfigured

from servicedesk.settings.base import *  # noqa: F403  the settings layers extend each other
from servicedesk.settings.base import DATABASES, EMAIL_BACKEND, MIDDLEWARE, STORAGES, env
from servicedesk.settings.celery import CELERY_BROKER_URL

# A process started without the environment would otherwise run on the embedded defaults and
# quietly serve or consume nothing the rest of the desk sees.
if not env.str("DATABASE_URL", default="") or DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    raise ImproperlyConfigured(
        "Production needs DATABASE_URL naming PostgreSQL; it does not run on the embedded SQLite."
    )
if CELERY_BROKER_URL.startswith("filesystem:"):
    raise ImproperlyConfigured(
        "Production needs CELERY_BROKER_URL or REDIS_URL; it does not run on the embedded "
        "filesystem broker."
    )

# E-mail: a backend that sends (DJANGO_EMAIL_BACKEND, SMTP or an anymail provider). The console,
# file and memory backends would write customers' addresses and texts into logs and files
# instead; SERVICEDESK_EMAIL_DISABLED=true says explicitly that no mail leaves (discarded).
SERVICEDESK_EMAIL_DISABLED = env.bool("SERVICEDESK_EMAIL_DISABLED", default=False)
_LOCAL_MAIL_BACKENDS = ("console", "filebased", "locmem")
if SERVICEDESK_EMAIL_DISABLED:
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
elif not env.str("DJANGO_EMAIL_BACKEND", default="") or any(
    f".{name}." in EMAIL_BACKEND for name in _LOCAL_MAIL_BACKENDS
):
    raise ImproperlyConfigured(
        "Production needs DJANGO_EMAIL_BACKEND naming a backend that sends mail (for example "
        "django.core.mail.backends.smtp.EmailBackend with DJANGO_EMAIL_HOST), or "
        "SERVICEDESK_EMAIL_DISABLED=true to send none; the console, file and memory backends "
        "would write customers' mails into the logs."
    )

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY")  # required: no default in production
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Static files are served by each web process (whitenoise, right after the security middleware as
# its documentation asks) from STATIC_ROOT as `collectstatic` left it; the image collects them at
# build (Dockerfile). Names carry the content's hash, so the files are cached for a year, and are
# sent compressed where the client accepts it. A page naming a file that was not collected fails:
# run collectstatic once per release (docs/deployment.md).
_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware")
MIDDLEWARE = [
    *MIDDLEWARE[: _security + 1],
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[_security + 1 :],
]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# JSON only: DRF's browsable pages (forms, a login link) are for development.
REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = ["rest_framework.renderers.JSONRenderer"]  # noqa: F405  from base

# One JSON object a log line, with the request or task id, unless told otherwise.
LOGGING["handlers"]["console"]["formatter"] = env.str("DJANGO_LOG_FORMAT", default="json")  # noqa: F405  from base

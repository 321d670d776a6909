# syntax=docker/dockerfile:1
# The desk's image (docs/deployment.md). Two targets on one runtime stage:
#   docker build --target web -t servicedesk-web .      gunicorn, port 8000 (the default target)
#   docker build --target worker -t servicedesk-worker .  a Celery worker; beat runs it too
# The builder stage has the compilers and turns requirements.lock, every file checked against its
# hash, into wheels; the runtime stage installs those wheels and has no compiler.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY requirements.lock ./
# --require-hashes: a file whose hash the lock does not name is refused, and so is a package
# the lock does not pin. Packages published only as source are built here.
RUN pip wheel --no-cache-dir --require-hashes --wheel-dir /wheels -r requirements.lock


FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=servicedesk.settings.production \
    SERVICEDESK_VAR_DIR=/var/lib/servicedesk \
    DJANGO_STATIC_ROOT=/app/staticfiles
# The wheels come in through a bind mount, so they stay out of the image's layers.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --no-index --no-deps /wheels/*.whl
# The code belongs to root and is read-only for the desk's user; only VAR_DIR is writable
# (attachments, beat's schedule). A volume mounted on /var/lib/servicedesk/attachments takes
# the ownership of the empty folder below when it is first created.
RUN groupadd --system --gid 10001 desk \
    && useradd --system --uid 10001 --gid desk --home-dir /var/lib/servicedesk \
        --shell /usr/sbin/nologin desk \
    && install -d -o desk -g desk /var/lib/servicedesk /var/lib/servicedesk/attachments
WORKDIR /app
COPY . .
# The static files, collected once at build with the production storage (hashed names and
# compressed copies that whitenoise serves). Production settings refuse to load without their
# environment; these values only let collectstatic run, which connects to nothing.
RUN DJANGO_SECRET_KEY=collectstatic-only DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    SERVICEDESK_EMAIL_DISABLED=true \
    python manage.py collectstatic --noinput \
    && python -m compileall -q /app
USER desk


FROM runtime AS worker
# Every queue by default; compose.yaml starts one worker service per queue group instead.
CMD ["celery", "-A", "servicedesk", "worker", "--loglevel", "INFO", \
     "-Q", "routing,chatbot,sla,handoffs,notifications,default,long"]


FROM runtime AS web
EXPOSE 8000
# gunicorn reads the number of its worker processes from WEB_CONCURRENCY.
ENV WEB_CONCURRENCY=2
CMD ["gunicorn", "servicedesk.wsgi:application", "--bind", "0.0.0.0:8000", \
     "--access-logfile", "-"]

"""Production settings pass `manage.py check --deploy` without a warning, and refuse to start
without a secret, on the embedded defaults (SQLite, the filesystem broker), or with an e-mail
backend that writes customers' mails into the logs."""

import json
import os
import secrets
import subprocess
import sys

import pytest

from tests.support.workers import ROOT

# What a production process is given; a test leaves one out by passing it as "".
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "servicedesk.settings.production",
    "DJANGO_ALLOWED_HOSTS": "desk.example.com",
    "DATABASE_URL": "postgres://desk@127.0.0.1:5432/desk",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}
ENVIRONMENT_NAMES = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "CELERY_", "SERVICEDESK_")


def production_env(tmp_path, **env: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(ENVIRONMENT_NAMES)}
    merged = {**base, **PRODUCTION, "SERVICEDESK_VAR_DIR": str(tmp_path), **env}
    return {k: v for k, v in merged.items() if v}


def manage(*args: str, tmp_path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=production_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_no_warnings(tmp_path):
    done = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        tmp_path=tmp_path,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout
    assert "WARNING" not in done.stderr


def test_production_refuses_to_start_without_a_secret(tmp_path):
    done = manage("check", tmp_path=tmp_path)
    assert done.returncode != 0
    assert "DJANGO_SECRET_KEY" in done.stderr


def test_a_weak_secret_is_reported_by_check_deploy(tmp_path):
    done = manage(
        "check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path, DJANGO_SECRET_KEY="x"
    )
    assert done.returncode != 0
    assert "security.W009" in done.stderr


SECRET = secrets.token_urlsafe(50)
SHOW_MAIL_BACKEND = "from django.conf import settings; print(settings.EMAIL_BACKEND)"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DATABASE_URL": ""}, "DATABASE_URL"),
        ({"DATABASE_URL": "sqlite:////tmp/desk.sqlite3"}, "DATABASE_URL"),
        ({"REDIS_URL": ""}, "CELERY_BROKER_URL or REDIS_URL"),
        ({"REDIS_URL": "", "CELERY_BROKER_URL": "filesystem://localhost/"}, "REDIS_URL"),
        ({"DJANGO_EMAIL_BACKEND": ""}, "DJANGO_EMAIL_BACKEND"),
        (
            {"DJANGO_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"},
            "SERVICEDESK_EMAIL_DISABLED",
        ),
        (
            {"DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend"},
            "DJANGO_EMAIL_BACKEND",
        ),
    ],
    ids=["no-database", "sqlite", "no-broker", "filesystem-broker", "no-mail", "console", "file"],
)
def test_production_refuses_the_embedded_defaults(tmp_path, env, named):
    done = manage("check", tmp_path=tmp_path, DJANGO_SECRET_KEY=SECRET, **env)
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and named in done.stderr, done.stderr[-2000:]


def test_mail_switched_off_explicitly_is_discarded_not_logged(tmp_path):
    done = manage(
        "shell",
        "-c",
        SHOW_MAIL_BACKEND,
        tmp_path=tmp_path,
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_EMAIL_BACKEND="",
        SERVICEDESK_EMAIL_DISABLED="true",
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[-1] == "django.core.mail.backends.dummy.EmailBackend"


def test_a_worker_under_production_settings_refuses_the_filesystem_broker(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "servicedesk", "worker", "--pool", "solo"],
        cwd=ROOT,
        env=production_env(tmp_path, DJANGO_SECRET_KEY=SECRET, REDIS_URL=""),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "REDIS_URL" in done.stderr, done.stderr[-2000:]


def test_the_browsable_api_is_off_in_production(tmp_path):
    done = manage(
        "shell",
        "-c",
        "from rest_framework.settings import api_settings as s; "
        "print([c.__name__ for c in s.DEFAULT_RENDERER_CLASSES])",
        tmp_path=tmp_path,
        DJANGO_SECRET_KEY=SECRET,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[-1] == "['JSONRenderer']"


def test_production_logs_json_lines(tmp_path):
    done = manage(
        "shell",
        "-c",
        "import logging; logging.getLogger('desk').warning('hello')",
        tmp_path=tmp_path,
        DJANGO_SECRET_KEY=SECRET,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    line = next(json.loads(text) for text in done.stderr.splitlines() if "hello" in text)
    assert (line["level"], line["logger"], line["message"]) == ("WARNING", "desk", "hello")

"""Production settings pass `manage.py check --deploy` without a warning, and refuse to start
without a secret from the environment."""

import os
import secrets
import subprocess
import sys

from tests.support.workers import ROOT


def manage(*args: str, tmp_path, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={
            **base,
            "DJANGO_SETTINGS_MODULE": "servicedesk.settings.production",
            "DJANGO_ALLOWED_HOSTS": "desk.example.com",
            "SERVICEDESK_VAR_DIR": str(tmp_path),
            **env,
        },
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

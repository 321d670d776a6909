"""Static files under production settings: collected with whitenoise's storage (hashed names,
compressed copies) as the image does at build, then served by gunicorn itself: the admin's
pages name the hashed files, which are sent compressed and cached for a year."""

import json
import secrets
import subprocess
import sys
from pathlib import Path

import django.contrib.admin
import pytest
import requests
from django.conf import settings

from tests.support.web import start_gunicorn
from tests.support.workers import ROOT, process_env, stop_process

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

BASE_CSS = "admin/css/base.css"


@pytest.fixture
def production_web(db, tmp_path):
    """collectstatic, then gunicorn, both under production settings; yields the base URL."""
    env = process_env(
        DJANGO_SETTINGS_MODULE="servicedesk.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DATABASE_URL=process_env()["TEST_DATABASE_URL"],
        REDIS_URL=settings.TEST_REDIS_URL,
        SERVICEDESK_EMAIL_DISABLED="true",
        SERVICEDESK_WARM_FAQ_INDEX="false",
        SERVICEDESK_VAR_DIR=str(tmp_path / "var"),
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        WEB_CONCURRENCY="1",
    )
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collected.returncode == 0, collected.stderr
    web, base_url = start_gunicorn(tmp_path, "web", env)
    try:
        yield base_url, tmp_path / "static"
    finally:
        stop_process(web)


def test_the_web_process_serves_the_collected_static_files(production_web):
    base_url, static_root = production_web
    hashed = json.loads((static_root / "staticfiles.json").read_text())["paths"][BASE_CSS]
    assert hashed != BASE_CSS and hashed.startswith("admin/css/base.")
    original = (Path(django.contrib.admin.__path__[0]) / "static" / BASE_CSS).read_bytes()

    page = requests.get(f"{base_url}/admin/login/", timeout=10)
    assert page.status_code == 200
    assert f"/static/{hashed}" in page.text  # the page names the hashed file

    served = requests.get(
        f"{base_url}/static/{hashed}", headers={"Accept-Encoding": "gzip"}, timeout=10
    )
    assert served.status_code == 200
    # The hashed copy names the hashed files it refers to; requests undoes the gzip.
    assert served.content == (static_root / hashed).read_bytes() != original
    assert served.headers["Content-Encoding"] == "gzip"
    assert served.headers["Content-Type"].startswith("text/css")
    assert "immutable" in served.headers["Cache-Control"]
    assert "max-age=315360000" in served.headers["Cache-Control"]

    plain = requests.get(f"{base_url}/static/{BASE_CSS}", timeout=10)
    assert plain.status_code == 200 and plain.content == original
    assert "immutable" not in plain.headers["Cache-Control"]  # an unhashed name may change
    assert requests.get(f"{base_url}/static/admin/css/none.css", timeout=10).status_code == 404

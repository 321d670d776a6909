"""Web and worker processes start without the analysis libraries: they are imported where used."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = (
    "numpy",
    "pandas",
    "scipy",
    "sklearn",
    "statsmodels",
    "jieba",
    "snownlp",
    "vaderSentiment",
    "torch",
    "sentence_transformers",
)

# What a web process (the URLs and every app's admin) and a worker (its task modules) import
# at start-up, in a fresh interpreter so that nothing this test run imported counts.
_START_UP = """
import importlib, importlib.util, json, sys
import django
django.setup()
from django.apps import apps
from django.urls import get_resolver
get_resolver().url_patterns
for config in apps.get_app_configs():
    if config.name.startswith("apps.") and importlib.util.find_spec(f"{config.name}.admin"):
        importlib.import_module(f"{config.name}.admin")
from servicedesk.celery import app
app.loader.import_default_modules()
import workflows.tasks
print(json.dumps(sorted(name for name in json.loads(sys.argv[1]) if name in sys.modules)))
"""


def test_start_up_imports_no_analysis_library():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "servicedesk.settings.test"}
    result = subprocess.run(
        [sys.executable, "-c", _START_UP, json.dumps(HEAVY)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == [], (
        f"imported at start-up: {', '.join(loaded)}; import them inside the functions that use "
        "them (bench/startup_memory.py shows the memory this costs)"
    )

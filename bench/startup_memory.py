"""Resident memory of a fresh web or worker process after start-up, beside the bare ceiling's.

.venv/bin/python bench/startup_memory.py

Each figure comes from its own subprocess, so nothing one measurement imports is counted in
another. `ours_*` (a web process): `django.setup()` with servicedesk.settings.test (which
autodiscovers the admin), the URL resolver's patterns and the admin site's URLs. `worker_*`:
`django.setup()`, the Celery app and its task modules (workflows.tasks). `ceiling_*`:
`django.setup()` of bench/ceiling/settings.py (Django, DRF and one model). The analysis
libraries are listed by whether the process imported them.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("numpy", "pandas", "scipy", "sklearn", "statsmodels", "jieba", "snownlp", "vaderSentiment")

_CHILD = """
import json, sys
import django
django.setup()
if sys.argv[1] == "ours":
    from django.contrib import admin
    from django.urls import get_resolver
    get_resolver().url_patterns
    admin.site.get_urls()
elif sys.argv[1] == "worker":
    from servicedesk.celery import app
    app.loader.import_default_modules()
    import workflows.tasks
rss_kb = next(
    int(line.split()[1])
    for line in open("/proc/self/status")
    if line.startswith("VmRSS:")
)
heavy = json.loads(sys.argv[2])
print(json.dumps({"rss_mb": rss_kb / 1024, "loaded": [n for n in heavy if n in sys.modules]}))
"""


def measure(system: str, settings: str, extra_env: dict[str, str] | None = None) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings, **(extra_env or {})}
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, system, json.dumps(HEAVY)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ours = measure("ours", "servicedesk.settings.test")
    worker = measure("worker", "servicedesk.settings.test")
    ceiling = measure(
        "ceiling",
        "bench.ceiling.settings",
        {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres"},
    )
    print(f"ours_startup_rss_mb: {ours['rss_mb']:.1f}")
    print(f"worker_startup_rss_mb: {worker['rss_mb']:.1f}")
    print(f"ceiling_startup_rss_mb: {ceiling['rss_mb']:.1f}")
    print(f"ours_over_ceiling_mb: {ours['rss_mb'] - ceiling['rss_mb']:.1f}")
    for system, figures in (("ours", ours), ("worker", worker)):
        for name in HEAVY:
            print(f"{system}_imports_{name}: {'yes' if name in figures['loaded'] else 'no'}")


if __name__ == "__main__":
    main()

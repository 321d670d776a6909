"""Running some of the tests again on SQLite (the embedded default), from a PostgreSQL run."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_on_sqlite(paths: list[str]) -> subprocess.CompletedProcess:
    """pytest on `paths` in a subprocess whose test database is SQLite in memory."""
    env = {**os.environ, "TEST_DATABASE_URL": "sqlite:///:memory:"}
    env.pop("TEST_DATABASE_NAME", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *paths],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )

"""Where the project lives and where the embedded default keeps its files."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# The SQLite file, the filesystem broker's folders and beat's schedule live here.
VAR_DIR = Path(environ.Env().str("SERVICEDESK_VAR_DIR", default=str(BASE_DIR / "var")))

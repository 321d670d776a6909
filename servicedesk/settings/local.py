"""The embedded default: SQLite, the filesystem broker, debug on, console e-mail."""

from servicedesk.settings.base import *  # noqa: F403  the settings layers extend each other
from servicedesk.settings.base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405  VAR_DIR comes from base

"""The database session store, refusing cookie values that no session key can have."""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS


class SessionStore(db.SessionStore):
    def _validate_session_key(self, key: str | None) -> bool:
        # Django makes keys of lowercase letters and digits. Anything else (a NUL byte in a
        # forged cookie, which PostgreSQL refuses with an error) is no session, not a 500.
        # The method is private to Django's SessionBase, so django-stubs leaves it out.
        valid = super()._validate_session_key(key)  # type: ignore[misc]
        return bool(valid) and key is not None and all(c in VALID_KEY_CHARS for c in key)

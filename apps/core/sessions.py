"""The database session store, refusing cookie values that no session key can have."""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS


class SessionStore(db.SessionStore):
    def _validate_session_key(self, key):
        # Django makes keys of lowercase letters and digits. Anything else (a NUL byte in a
        # forged cookie, which PostgreSQL refuses with an error) is no session, not a 500.
        return super()._validate_session_key(key) and all(c in VALID_KEY_CHARS for c in key)

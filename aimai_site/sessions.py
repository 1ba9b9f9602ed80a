"""The database session store, refusing session keys it could not have issued.

Django's store looks any cookie value up in the database; a value holding a NUL byte makes
PostgreSQL refuse the query, which turned every page into a 500. A key that is not what
Django generates (letters and digits) is no session at all.
"""

from django.contrib.sessions.backends import db


class SessionStore(db.SessionStore):
    def _validate_session_key(self, key: str | None) -> bool:
        return bool(super()._validate_session_key(key) and key.isascii() and key.isalnum())

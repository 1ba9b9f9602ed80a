"""Reads of the public site on a read replica (when DATABASE_REPLICA_URL is set).

Only what an anonymous visitor reads goes to the replica: a GET or HEAD, by nobody signed in,
of the public pages and the API's reads (PUBLIC_READ_PREFIXES). The middleware marks such a
request; the router then sends its reads to "replica". Everything else stays on "default":
every write, every signed-in member (who must see their own change at once, which a replica a
moment behind would not show), every other path, and any read inside a transaction the
application opened (it must see the transaction's own rows and locks).
"""

from contextvars import ContextVar

from django.db import connections

from aimai_site.languages import path_without_language

REPLICA = "replica"
# the public pages, the downloads and the API's reads; not accounts, admin, compacts' desks
PUBLIC_READ_PREFIXES = (
    "/countries/",
    "/compare/",
    "/charts/",
    "/embed/",
    "/downloads/",
    "/releases/",
    "/groups/",
    "/maps/",
    "/methodology/",
    "/registry/",
    "/api/v1/",
)
SAFE_METHODS = frozenset({"GET", "HEAD"})

_public_read: ContextVar[bool] = ContextVar("public_read", default=False)


def replica_options(options: dict) -> dict:
    """The primary's connection options, less what only writers need (SQLite's IMMEDIATE
    transactions take the write lock at BEGIN)."""
    return {name: value for name, value in options.items() if name != "transaction_mode"}


def is_public_read(request) -> bool:
    path = path_without_language(request.path_info)
    return (
        request.method in SAFE_METHODS
        and (path == "/" or path.startswith(PUBLIC_READ_PREFIXES))
        and not request.user.is_authenticated
    )


class ReplicaReadsMiddleware:
    """After AuthenticationMiddleware: marks an anonymous public read for the router."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # an API token signs in inside DRF's view, after this: such a request is not
        # anonymous, whatever request.user says here
        if not is_public_read(request) or "authorization" in request.headers:
            return self.get_response(request)
        token = _public_read.set(True)
        try:
            return self.get_response(request)
        finally:
            _public_read.reset(token)


def in_application_transaction() -> bool:
    """True inside an atomic block the application opened (a test case's own wrapping
    transaction does not count: production has none)."""
    blocks = connections["default"].atomic_blocks
    return any(not block._from_testcase for block in blocks)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _public_read.get() or model._meta.app_label == "django_cache":
            return None  # the database cache holds counters: read where they were written
        if in_application_transaction():
            return None
        return REPLICA

    def db_for_write(self, model, **hints):
        return None  # default

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two connections

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA  # the replica follows the primary; never migrated itself

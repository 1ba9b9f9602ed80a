"""All settings, read from the environment (see the table in README.md).

DJANGO_ENV=development (the default) runs on an embedded SQLite file with Celery tasks executed
in-process. DJANGO_ENV=production refuses to start without a real secret key and explicit
hosts, and switches on the HTTPS-only protections that `manage.py check --deploy` expects.
"""

from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from aimai_site.env import env_bool, env_choice, env_int, env_list, env_secret, env_str
from aimai_site.schedule import BEAT_SCHEDULE

BASE_DIR = Path(__file__).resolve().parent.parent

DJANGO_ENV = env_str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV={DJANGO_ENV!r}: use 'development' or 'production'.")
PRODUCTION = DJANGO_ENV == "production"

# --- Core ---------------------------------------------------------------------------------

# Development only: production refuses this key (see below).
DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-never-use-in-production"  # noqa: S105
SECRET_KEY = env_secret("SECRET_KEY", "" if PRODUCTION else DEVELOPMENT_SECRET_KEY)
if PRODUCTION and (
    len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure") or len(set(SECRET_KEY)) < 5
):
    raise ImproperlyConfigured(
        "DJANGO_ENV=production needs SECRET_KEY (or SECRET_KEY_FILE): at least 50 random "
        "characters, not the development key. Generate one with: python -c "
        '"import secrets; print(secrets.token_urlsafe(64))"'
    )

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ENV=production needs ALLOWED_HOSTS (comma-separated).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "csp",  # its system checks of CONTENT_SECURITY_POLICY
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "aimai_site",  # account-level models (API tokens) that every app builds on
    "countries",
    "compacts",
    "registry",
]

MIDDLEWARE = [
    # first: the request's id for every log line below, and every answer counted
    "aimai_site.logs.RequestIdMiddleware",
    "aimai_site.metrics.MetricsMiddleware",
    # /health/live, /health/ready and /metrics answer here, before the host check, the HTTPS
    # redirect, sessions, log-in requirements, rate limits and the page cache
    "aimai_site.probes.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # static files answer here, already compressed at build: never compressed again below
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # pages and JSON gzip-compressed when the client accepts it; above every middleware that
    # reads or writes the body (see aimai_site/middleware.py on BREACH)
    "aimai_site.middleware.CompressionMiddleware",
    # a NUL in the address is a 400 before any view passes it to the database
    "aimai_site.middleware.NulCharacterMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # each request's language, from its address (pages) or the visitor's choice (the rest)
    "aimai_site.languages.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "aimai_site.middleware.LoginGuardMiddleware",
    "aimai_site.middleware.SecondFactorRequiredMiddleware",
    # a domain refusal raised by a plain view is a 4xx with its message, never a 500
    "aimai_site.middleware.DomainErrorMiddleware",
    # the admin's ids and initial values checked before its views use them
    "aimai_site.admin.AdminParametersMiddleware",
]

ROOT_URLCONF = "aimai_site.urls"
WSGI_APPLICATION = "aimai_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "aimai_site.languages.languages_context",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL", "") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
try:
    _db = environ.Env.db_url_config(DATABASE_URL)
except (KeyError, ValueError) as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
_db["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 0)
# a kept connection (DB_CONN_MAX_AGE > 0) that a database restart broke is noticed and replaced
# before a request's first query, instead of failing that request
_db["CONN_HEALTH_CHECKS"] = True
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a Celery worker process can open the test database too.
    _db["TEST"] = {"NAME": str(BASE_DIR / "test_db.sqlite3")}
    # recursive_triggers: INSERT OR REPLACE's implicit delete fires the append-only triggers
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA recursive_triggers = ON;",
    }
# Set only by the test suite, so that a real worker process opens pytest's test database.
if env_str("AIMAI_TEST_DB_NAME"):
    _db["NAME"] = env_str("AIMAI_TEST_DB_NAME")
DATABASES = {"default": _db}
# A read replica of the same database (e.g. PostgreSQL streaming replication): anonymous reads
# of the public pages and the API go there (aimai_site/routers.py); the rest stays on default.
# Unset: no "replica" alias at all. Its tests mirror default (no database of their own).
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    try:
        _replica = environ.Env.db_url_config(DATABASE_REPLICA_URL)
    except (KeyError, ValueError) as exc:
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URL is not a database URL: {exc}") from None
    _replica["CONN_MAX_AGE"] = _db["CONN_MAX_AGE"]
    if _replica["ENGINE"] == _db["ENGINE"]:
        from aimai_site.routers import replica_options

        _replica["OPTIONS"] = replica_options(_db.get("OPTIONS", {}))
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = _replica
    DATABASE_ROUTERS = ["aimai_site.routers.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "aimai_site.routers.ReplicaReadsMiddleware",
    )
# `make backup` / `manage.py backup` write here (registry/backups.py); PG_BIN_DIR picks the
# pg_dump/pg_restore of the server's version when the PATH holds another one.
BACKUP_DIR = Path(env_str("BACKUP_DIR", "") or BASE_DIR / "backups")
PG_BIN_DIR = env_str("PG_BIN_DIR", "")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker, result store and cache; absent means in-process -----------------------

REDIS_URL = env_str("REDIS_URL", "")
# The cache (and the shared rate-limit counts) may live on a Redis of their own, so that a
# cache filling its memory never evicts queued tasks; by default it is the broker's Redis.
CACHE_REDIS_URL = env_str("CACHE_REDIS_URL", "") or REDIS_URL
# "limits" counts rate limits, failed log-ins and API throttling: it must be shared by every
# process of the site. Without Redis it is a table (made by migrate, see
# aimai_site/migrations/0002); the default cache (pages' computed rows) may stay per process.
# Every cache key starts with this: instances sharing one Redis keep apart by it.
CACHE_KEY_PREFIX = env_str("CACHE_KEY_PREFIX", "aimai")
if CACHE_REDIS_URL:
    _redis_cache = {
        # an unreachable Redis reads as an empty cache: pages still answer (aimai_site/cache.py)
        "BACKEND": "aimai_site.cache.TolerantRedisCache",
        "LOCATION": CACHE_REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        "KEY_PREFIX": CACHE_KEY_PREFIX,
    }
    CACHES = {
        "default": _redis_cache,
        "limits": _redis_cache | {"KEY_PREFIX": f"{CACHE_KEY_PREFIX}-limits"},
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "limits": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "aimai_cache",
            "KEY_PREFIX": f"{CACHE_KEY_PREFIX}-limits",
            # culling at the default 300 entries would forget live counters
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        },
    }

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 7 * 24 * 3600
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# A task is acknowledged when it ends, not when it starts: a worker killed mid-task (SIGKILL,
# out of memory, a lost host) leaves its message unacknowledged, and the broker delivers it
# again. Redis keeps each delivered message aside and puts it back on its queue once it is
# older than the visibility timeout (a worker checks when it starts, then periodically). The
# timeout must exceed the longest a task may run (CELERY_TASK_TIME_LIMIT) and the longest
# countdown a retry waits (the e-mail task's, up to an hour): a message held longer than the
# timeout is delivered a second time while its first delivery is still alive.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 2 * 3600)
# Publishing to a broker that is down fails at once instead of retrying for seconds: a web
# request's job then waits in the outbox for the relay (aimai_site/outbox.py).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "max_retries": 0,
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a worker holds no message it has not started
# --- Transparency registry --------------------------------------------------------------

# The log's Ed25519 private key (PEM). Required in production; elsewhere a development key is
# made once in a git-ignored file.
REGISTRY_SIGNING_KEY = env_secret("REGISTRY_SIGNING_KEY")
REGISTRY_DEVELOPMENT_KEY_PATH = BASE_DIR / ".local" / "registry-signing-key.pem"
if PRODUCTION and not REGISTRY_SIGNING_KEY:
    raise ImproperlyConfigured(
        "DJANGO_ENV=production needs REGISTRY_SIGNING_KEY (or REGISTRY_SIGNING_KEY_FILE): the "
        "Ed25519 private key, PEM, that signs the registry's tree heads."
    )

# what beat queues, and how often: aimai_site/schedule.py
CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE

# --- Outbox: work recorded with the change that asks for it (aimai_site/outbox.py) ----------
# A job sent but not started after this many seconds is sent again (its message was lost, say
# with a Redis that restarted empty). Longer than the broker's visibility timeout, so a
# message a killed worker left unacknowledged is redelivered by the broker first.
OUTBOX_RESEND_AFTER = env_int("OUTBOX_RESEND_AFTER", 3 * 3600)
# The relay process looks for unsent jobs this often (seconds).
OUTBOX_RELAY_INTERVAL = env_int("OUTBOX_RELAY_INTERVAL", 1)
# Finished jobs are forgotten after this many days (an e-mail job holds its addresses).
OUTBOX_KEEP_DAYS = env_int("OUTBOX_KEEP_DAYS", 7)

# A queue per kind of work, so that a long recompute or a matching run never holds up e-mail:
# workers may consume all of them (`make worker`) or one each (see README, "Growing past one
# machine"). Every task not named here (beat's housekeeping, the heartbeat) goes to the
# default queue, "celery".
CELERY_TASK_ROUTES = {
    "countries.tasks.recompute_index_task": {"queue": "index"},
    "countries.tasks.public_pages_warm_task": {"queue": "index"},
    "countries.tasks.backcast_task": {"queue": "index"},
    "compacts.tasks.suggestions_recompute_task": {"queue": "matching"},
    "aimai_site.tasks.mail_send_task": {"queue": "mail"},
}
# the queues `make worker` and the Procfile consume (-Q): the routes' queues and the default
WORK_QUEUES = ("celery", "index", "matching", "mail")

# --- Auth ---------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
AUTHENTICATION_BACKENDS = [
    "aimai_site.login_guard.GuardBackend",  # refuses locked attempts first (429)
    "django.contrib.auth.backends.ModelBackend",  # permissions; usernames (shell, tests)
    "allauth.account.auth_backends.AuthenticationBackend",  # members: e-mail login
]
# Members sign up and log in with their e-mail address, which they must verify first.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[AI4NATIONS] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"

# --- Accounts: client address, login protection, API tokens, second factor -----------------

# How many proxies in front of the site append to X-Forwarded-For (0: clients connect
# directly). Every rate limit keys on the address the outermost trusted proxy saw.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# the client address, the login guard, and allauth's mail through the retrying mail task
ACCOUNT_ADAPTER = "aimai_site.adapter.AccountAdapter"
# Failed log-ins (site, admin, API tokens), per address and account: free attempts, then a
# lock that doubles from LOGIN_BACKOFF_SECONDS up to LOGIN_BACKOFF_MAX_SECONDS; and a cap per
# address on all accounts. See aimai_site/login_guard.py.
LOGIN_FREE_ATTEMPTS = env_int("LOGIN_FREE_ATTEMPTS", 5)
LOGIN_BACKOFF_SECONDS = env_int("LOGIN_BACKOFF_SECONDS", 30)
LOGIN_BACKOFF_MAX_SECONDS = env_int("LOGIN_BACKOFF_MAX_SECONDS", 3600)
LOGIN_FAILURES_PER_ADDRESS_PER_HOUR = env_int("LOGIN_FAILURES_PER_ADDRESS_PER_HOUR", 50)
# Personal API tokens last at most this many days.
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365)
# Two-factor authentication: TOTP apps and recovery codes; required of staff, editors and
# reviewers when MFA_REQUIRED_FOR_STAFF is on (default: on in production).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "AI4NATIONS"
MFA_REQUIRED_FOR_STAFF = env_bool("MFA_REQUIRED_FOR_STAFF", default=PRODUCTION)
# DRF throttling of the API, per client address (anonymous) or per account (signed in).
API_THROTTLE_RATES = {
    "anon": env_str("API_THROTTLE_ANON", "300/minute"),
    "user": env_str("API_THROTTLE_USER", "600/minute"),
}

# --- E-mail: the console unless an SMTP host is given --------------------------------------

# Links in e-mail point here: the address the site is served at, without a trailing slash. In
# development it follows PORT, the port `make run` serves on.
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{env_int('PORT', 8000)}").rstrip("/")
# The name e-mail greets with and signs with ("Hello from AI4NATIONS!").
SITE_NAME = "AI4NATIONS"

# Observation files: the largest an editor may import, and the largest anyone may check on the
# public "Check my file" page, with how many checks an address may run per hour.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_MB", 100) * 1024 * 1024
CHECK_MAX_BYTES = env_int("CHECK_MAX_MB", 5) * 1024 * 1024
CHECK_RATE_PER_HOUR = env_int("CHECK_RATE_PER_HOUR", 30)
# Django refuses bigger request bodies before a view sees them; imports need the room
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "AI4NATIONS <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation -----------------------------------------------------------------

# Pages in four languages: English at the plain address, the others under /fr/, /es/, /ar/
# (aimai_site/languages.py). Catalogues: locale/<code>/LC_MESSAGES/*.po, compiled by `make`.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("es", "Español"),
    ("ar", "العربية"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# the chooser's memory of a visitor's choice: a preference, not a secret, read by no script
LANGUAGE_COOKIE_NAME = "language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files (served by WhiteNoise; nothing from a CDN) -------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", "") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # the world map's geometry, fetched by the page's script (not inlined in every page)
    ("geo", BASE_DIR / "countries" / "data" / "geo"),
]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # vendor/vega.js, built from the vl-convert package (see aimai_site/staticfinders.py)
    "aimai_site.staticfinders.PackageAssetsFinder",
]
# where that build is kept, once per vl-convert version (git-ignored)
PACKAGE_STATIC_ROOT = BASE_DIR / ".local" / "package-static"
# Production (and the test suite) name every file by its hash and serve it with
# `Cache-Control: max-age=31536000, immutable`; collectstatic writes gzip and brotli copies
# beside each, which WhiteNoise picks by the request's Accept-Encoding. Development serves
# the files as they are, found afresh on each request (DEBUG: WhiteNoise's finders).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Rendered charts ----------------------------------------------------------------------

# Server-rendered charts (SVG, PNG) are cached per score set; a cache miss costs about a second
# of CPU, so one address may cause this many renders a minute (cached answers are not counted).
RENDERS_PER_MINUTE = env_int("RENDERS_PER_MINUTE", 12)

# --- Security -----------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # probes and the scraper ask over plain HTTP inside the network (ProbeMiddleware answers
    # them before the redirect anyway)
    SECURE_REDIRECT_EXEMPT = [r"^health/(live|ready)$", r"^metrics$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    if env_bool("SECURE_PROXY_SSL_HEADER", default=False):
        # Only behind a proxy that sets this header itself and strips it from clients.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Content-Security-Policy and Permissions-Policy ---------------------------------------

# Scripts only from this site's own files (or an inline <script nonce="{{ request.csp_nonce }}">
# where a library leaves no other way); no 'unsafe-inline', no 'unsafe-eval', no inline event
# handlers. Styles likewise. No page may be framed. Redoc's page alone relaxes style-src and
# worker-src, never script-src (see aimai_site/urls.py). Violations go to CSP_REPORT_URI when
# it is set.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # data: for the small icons inside the admin's and Swagger UI's style sheets
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# (not a CSP_* setting: django-csp's check refuses those as its 3.x style)
if report_uri := env_str("CSP_REPORT_URI", ""):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = [report_uri]

# Powerful browser features the site never uses, off for every page and any frame. WebAuthn
# (publickey-credentials-*) keeps its default, this origin only.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
# the API docs open in a window of their own; Django's default, stated because it is relied on
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# --- API ----------------------------------------------------------------------------------

REST_FRAMEWORK = {
    # the session (the site's log-in) or a personal API token; no HTTP Basic passwords
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "aimai_site.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "aimai_site.throttling.AnonymousThrottle",
        "aimai_site.throttling.MemberThrottle",
    ],
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "aimai_site.api.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "aimai_site.api.Pagination",
    # JSON with a bound on nesting (a 400, not a RecursionError), forms and uploads; no NUL
    "DEFAULT_PARSER_CLASSES": [
        "aimai_site.parsers.JSONParser",
        "aimai_site.parsers.FormParser",
        "aimai_site.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "aimai_site.schema.AutoSchema",
    "EXCEPTION_HANDLER": "aimai_site.api.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "AI4NATIONS platform API",
    "DESCRIPTION": (
        "The AI Mutual Aid Index (countries, indicators, observations with their sources, "
        "releases, methodologies and score sets: public and read-only), the transparency "
        "registry, members' compacts (writes for signed-in members), and the editors' desk "
        "(imports and release steps, for editors and reviewers). Sign in with the site's "
        "session or a personal API token (`Authorization: Bearer <token>`, made on "
        "/accounts/tokens/); passwords are not accepted here. Anonymous calls are refused "
        "with 401."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # one name per vocabulary of the compacts app (several fields share "status", "kind"...)
    "ENUM_NAME_OVERRIDES": {
        f"{name}Enum": f"compacts.choices.{name}"
        for name in (
            "CompactStatus",
            "Contribution",
            "Domain",
            "Licence",
            "OrganisationKind",
            "PartyRole",
            "PublicationStatus",
            "ResourceKind",
            "Role",
        )
    }
    | {"StatusEnum": "countries.choices.ReleaseStatus"},  # the name it had before
}

# --- Sessions: the database store, refusing cookie values it could not have issued -------
SESSION_ENGINE = "aimai_site.sessions"

# --- Logging ------------------------------------------------------------------------------

# text for a person at a terminal; json (one object a line) for a log collector. Every line
# carries the request's id (X-Request-ID), also in the tasks that request queued.
LOG_FORMAT = env_choice("LOG_FORMAT", "json" if PRODUCTION else "text", {"json", "text"})
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "aimai_site.logs.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "aimai_site.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}),
    },
}

# --- Health and metrics -------------------------------------------------------------------

# /health/ready: seconds each network check may take; seconds a 503 asks the prober to wait;
# the oldest worker heartbeat that counts as alive (beat queues one a minute; 0: reported,
# never required)
HEALTH_CHECK_TIMEOUT = env_int("HEALTH_CHECK_TIMEOUT", 2)
HEALTH_RETRY_AFTER = env_int("HEALTH_RETRY_AFTER", 30)
HEALTH_WORKER_MAX_AGE = env_int("HEALTH_WORKER_MAX_AGE", 300)
# /metrics answers these addresses or networks only (the client address as for rate limits,
# see TRUSTED_PROXY_COUNT); anyone else gets a 404
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])
